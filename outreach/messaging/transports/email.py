"""E-mail through Django's e-mail backends (SMTP in production: EMAIL_HOST, EMAIL_PORT, ...).

    OUTREACH_TRANSPORTS='{"email": "email"}'

One connection per batch. Each message is a plain-text e-mail (a letter's HTML also goes along
as the HTML alternative, with its text as the plain part). The subject is the letter's heading,
or "Bericht van <municipality>" in the reader's language. From: OUTREACH_EMAIL_FROM (with the
municipality's name as the display name), else the municipality's contact address, else
DEFAULT_FROM_EMAIL; Reply-To: the municipality's contact address. The result's transport_id is
the Message-ID the e-mail was sent with: made from our message row's id
(`<outreach.message.118@domain of the sender>`), so the same message sent twice has the same
Message-ID and the receiving side can tell it is one message. SMTP cannot be asked what it
received: a hand-over whose result was never recorded is `unknown`, for a person to check.

Errors: a refused recipient (SMTPRecipientsRefused), an unusable address or a 5xx answer to
the message are `permanent` (the step's failure path); a connection that cannot be made or
breaks, a 4xx answer and a refused sender (our configuration) are `transient` (tried again).
"""

import logging
import re
import smtplib
import uuid
from collections.abc import Sequence
from datetime import datetime
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from outreach.casework.models import Case
from outreach.core.logsafe import exception_summary
from outreach.messaging.texts.compose import letterhead as letterhead_of
from outreach.messaging.texts.context import language_or_default
from outreach.messaging.texts.plaintext import html_to_text, looks_like_html
from outreach.messaging.transports.base import (
    PERMANENT,
    SENT,
    TRANSIENT,
    UNKNOWN,
    Lookup,
    Outgoing,
    Result,
)
from outreach.messaging.transports.registry import register

log = logging.getLogger(__name__)

SUBJECTS = {
    "nl": "Bericht van {name}",
    "en": "A message from {name}",
    "tr": "{name} tarafından bir mesaj",  # noqa: RUF001 (Turkish dotless i)
    "ar": "رسالة من {name}",
    "pl": "Wiadomość: {name}",
    "uk": "Повідомлення: {name}",
}
HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL | re.IGNORECASE)
MAX_ID = 64  # Message.transport_id


class _Broken(Exception):
    """The connection cannot be used for the rest of the batch."""


@register("email")
class EmailTransport:
    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        if not batch:
            return []
        senders = _senders({item.case_id for item in batch})
        connection = get_connection(fail_silently=False)
        results: list[Result] = []
        try:
            for item in batch:
                try:
                    results.append(self._send_one(connection, item, senders.get(item.case_id)))
                except _Broken as exc:
                    error = f"e-mail: {exc}"
                    results.extend(Result(TRANSIENT, error=error) for _ in batch[len(results) :])
                    break
        finally:
            _close(connection)
        return results

    def _send_one(self, connection: Any, item: Outgoing, sender: dict[str, str] | None) -> Result:
        if item.channel != "email":
            return Result(PERMANENT, error=f"de e-mailtransport verstuurt geen {item.channel}")
        sender = sender or {"name": "", "email": ""}
        try:
            email, message_id = build_email(item, sender, connection)
        except ValueError as exc:  # an address that cannot be written in a header
            return Result(PERMANENT, error=f"onbruikbaar adres: {exc}")
        try:
            connection.open()
        except OSError as exc:  # smtplib's exceptions too
            raise _Broken(f"no connection to the mail server: {exc}") from exc
        try:
            email.send()
        # (smtplib's exceptions are OSErrors: the specific ones first.)
        except smtplib.SMTPRecipientsRefused as exc:
            code = _first_code(exc.recipients)
            return Result(PERMANENT, error="adres geweigerd", error_code=code)
        except smtplib.SMTPSenderRefused as exc:
            return Result(TRANSIENT, error=f"afzender geweigerd: {exc.smtp_code}")
        except smtplib.SMTPResponseException as exc:
            outcome = PERMANENT if 500 <= exc.smtp_code < 600 else TRANSIENT
            code = str(exc.smtp_code)
            return Result(outcome, error=f"geweigerd: {code}", error_code=code)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPException, OSError) as exc:
            _close(connection)  # opened again for the next message
            return Result(TRANSIENT, error=f"verbinding verbroken: {exc}")
        except ValueError as exc:
            return Result(PERMANENT, error=f"onbruikbaar adres: {exc}")
        return Result(SENT, transport_id=message_id)

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return Lookup(UNKNOWN, note="e-mail: de mailserver is niet na te vragen")


def build_email(
    item: Outgoing, sender: dict[str, str], connection: Any = None
) -> tuple[EmailMultiAlternatives, str]:
    """The e-mail of one message and its Message-ID."""
    name, contact = sender.get("name", ""), sender.get("email", "")
    from_email = _from_address(name, contact)
    message_id = make_message_id(parseaddr(from_email)[1], item.message_id)
    html = item.body if looks_like_html(item.body) else ""
    text = html_to_text(html) if html else item.body
    email = EmailMultiAlternatives(
        subject=subject(item, name, html),
        body=text,
        from_email=from_email,
        to=[item.to],
        reply_to=[contact] if contact else None,
        headers={"Message-ID": message_id},
        connection=connection,
    )
    if html:
        email.attach_alternative(html, "text/html")
    email.message()  # raises ValueError now for an address that cannot be used
    return email, message_id


def subject(item: Outgoing, municipality_name: str, html: str = "") -> str:
    heading = HEADING.search(html) if html else None
    if heading:
        text = " ".join(html_to_text(heading.group(1)).split())
        if text:
            return text
    lang = language_or_default(item.language)
    return SUBJECTS.get(lang, SUBJECTS["nl"]).format(name=municipality_name or "de gemeente")


def _from_address(name: str, contact: str) -> str:
    configured = settings.OUTREACH_EMAIL_FROM
    if configured:
        shown, address = parseaddr(configured)
        return formataddr((shown or name, address)) if (shown or name) else address
    if contact:
        return formataddr((name, contact)) if name else contact
    return str(settings.DEFAULT_FROM_EMAIL)


def make_message_id(from_address: str, message_id: int | None = None) -> str:
    """A Message-ID that fits Message.transport_id: <outreach.message.ID@domain of the sender>
    for our message row ID, the same however often it is sent; without a row
    <random@domain of the sender>."""
    domain = from_address.rpartition("@")[2]
    if message_id is not None:
        local = f"outreach.message.{message_id}"
        # Not this host's name: another worker may send the message again.
        if not domain or len(local) + len(domain) + 3 > MAX_ID:
            domain = "outreach.invalid"
        return f"<{local}@{domain}>"
    domain = domain or DNS_NAME.get_fqdn()
    if len(domain) > MAX_ID - 19:
        domain = "outreach.invalid"
    local = uuid.uuid4().hex[: MAX_ID - 3 - len(domain)]
    return f"<{local}@{domain}>"


def _senders(case_ids: set[int]) -> dict[int, dict[str, str]]:
    """Per case: the municipality's name ("Gemeente Utrecht") and contact e-mail address."""
    senders = {}
    for case in Case.objects.filter(pk__in=case_ids).select_related("municipality"):
        place = case.municipality
        letterhead = letterhead_of(place)
        senders[case.pk] = {
            "name": str(letterhead.get("name", "")),
            "email": str(letterhead.get("email", "") or ""),
        }
    return senders


def _first_code(recipients: dict[str, tuple[int, bytes]]) -> str:
    for code, _ in recipients.values():
        return str(code)
    return ""


def _close(connection: Any) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException) as exc:
        # The type and place, never the text: a server's answer may echo an address.
        log.warning("closing the mail connection failed: %s", exception_summary(exc))
