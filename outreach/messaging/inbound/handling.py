"""What a reply does. Plain functions taking `now`; the webhook and `outreach reply` call
`receive`.

A reply from someone with an open case is contact: the first one registers a reached DDAS
contact attempt (SMS/Whatsapp) on the case, and the language it was written in becomes the
person's preferred language. Then, by intent:

    yes    outreach stops, the case goes to help offer; confirmation (yes_confirmation)
           and the offer registered as accepted; a call task for today (the first working day
           from today) with a priority far above the campaigns' tasks, as the confirmation
           promises
    call   the same call task (the offer is made in that call); confirmation
           (yes_confirmation, which says the worker will call)
    stop   every open case of the number closes (no help wanted), everything planned stops,
           the person goes on the opt-out list; confirmation (optout_confirmation)
    help   the information text (info); the case is unchanged
    other  outreach stops and the case goes to help offer (a reply is contact, DOMAIN.md);
           no automatic answer: the message waits in the caseworkers' inbox

Someone we know without an open case: STOP still opts out (and is confirmed), HELP gets the
information text; anything else goes to the inbox: a closed case is a caseworker's to reopen.
A number we do not know gets no answer at all, so nothing about anyone is ever sent to it;
its message is stored for the inbox (STOP from it is recorded as handled: we send nothing to
numbers we do not know).

The state changes are committed before the answer is sent: STOP holds even when the
confirmation fails, and a failed answer is a `failed` message, never an error for Twilio.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach.casework.attempts import KIND_BY_CHANNEL, new_attempt
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.casework.offers import accepted_by_reply
from outreach.casework.workflow import offer_help
from outreach.core.calendar import add_working_days, is_working_day
from outreach.intake.models import Person
from outreach.messaging.direct import send_direct
from outreach.messaging.inbound.grammar import CALL, HELP, OTHER, STOP, YES, Match, understand
from outreach.messaging.inbound.matching import Sender, find_sender
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.inbound.optout import opt_out_sender
from outreach.messaging.models import Message
from outreach.messaging.texts.catalogue import LANGUAGES
from outreach.messaging.transports.base import Transport

log = logging.getLogger(__name__)

# A call the person asked for comes before every task a campaign planned (their priority is
# the case's score, +1000 for an escalation).
CALL_PRIORITY = 10_000
CALL_TASK_KEY = "reply_call"

CONFIRMATION = {YES: "yes_confirmation", CALL: "yes_confirmation", STOP: "optout_confirmation"}
INFO = "info"


@dataclass(frozen=True)
class Inbound:
    """What the webhook reads from Twilio's POST, and nothing more."""

    message_sid: str
    channel: str  # sms or whatsapp
    from_number: str  # E.164
    to_number: str
    body: str
    media: int = 0  # attachments Twilio holds for it; never fetched, never stored


@dataclass(frozen=True)
class Answer:
    """The automatic answer to send once the reply's effects are committed."""

    case: Case
    person: Person | None
    template: str
    language: str


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    replayed: bool = False
    reply: Message | None = None


def receive(inbound: Inbound, now: datetime, transport: Transport | None = None) -> Received:
    """Store the reply, act on it and answer it; a MessageSid seen before does nothing."""
    seen = InboundMessage.objects.filter(message_sid=inbound.message_sid).first()
    if seen is not None:
        return Received(seen, replayed=True)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                message_sid=inbound.message_sid,
                channel=inbound.channel,
                from_number=inbound.from_number,
                to_number=inbound.to_number,
                body=inbound.body[: settings.OUTREACH_INBOUND_MAX_BODY],
                received_at=now,
            )
            answer = act(message, understand(inbound.body), now, inbound.media)
    except IntegrityError:
        seen = InboundMessage.objects.filter(message_sid=inbound.message_sid).first()
        if seen is None:
            raise
        return Received(seen, replayed=True)  # the same message, delivered twice at once
    log.info("reply %s: intent %s, case %s", message.message_sid, message.intent, message.case_id)
    if answer is None:
        return Received(message)
    reply = send_direct(
        answer.case,
        answer.person,
        message.from_number,
        message.channel,
        answer.template,
        answer.language,
        now,
        in_session=message.channel == InboundMessage.Channel.WHATSAPP,
        transport=transport,
    )
    message.reply = reply
    if reply.status == Message.Status.FAILED:
        message.action = f"{message.action} Het automatische antwoord is mislukt."[:300]
    message.save(update_fields=["reply", "action"])
    return Received(message, reply=reply)


def act(message: InboundMessage, match: Match, now: datetime, media: int = 0) -> Answer | None:
    """Match the sender, apply the intent; returns the answer to send, if any."""
    sender = find_sender(message.from_number, message.to_number)
    message.intent = match.intent
    message.municipality = sender.municipality
    message.person = sender.person
    message.case = sender.case
    message.language = _language(match, sender)
    notes: list[str] = []
    if media:
        notes.append(f"{media} bijlage(n) niet opgeslagen.")
    answer: Answer | None
    if not sender.known:
        _unknown(message, match, notes)
        answer = None
    else:
        if message.language and message.language in LANGUAGES:
            changed = (
                Person.objects.filter(pk__in=[p.pk for p in sender.persons])
                .exclude(preferred_language=message.language)
                .update(preferred_language=message.language)
            )
            if changed:
                notes.append(f"Voorkeurstaal nu {message.language}.")
        if sender.has_open_case and _lock_open_case(sender):
            answer = _open_case(message, sender, now, notes)
        else:
            answer = _no_open_case(message, sender, now, notes)
    if message.handled:
        message.handled_at = now
    message.action = " ".join(notes)[:300]
    message.save()
    return answer


def _language(match: Match, sender: Sender) -> str:
    """The language the reply was written in, as far as the grammar tells (grammar.py)."""
    return match.language_for(sender.person.preferred_language if sender.person else "")


def _reply_language(message: InboundMessage, sender: Sender) -> str:
    if message.language:
        return message.language
    return (sender.person.preferred_language if sender.person else "") or "nl"


def _unknown(message: InboundMessage, match: Match, notes: list[str]) -> None:
    notes.insert(0, "Onbekend nummer: geen automatisch antwoord.")
    if match.intent == STOP:
        # We send nothing to a number we do not know: there is nothing to stop.
        message.handled = True
        notes.append("STOP van een onbekend nummer: er gaat niets naar dit nummer.")


def _lock_open_case(sender: Sender) -> bool:
    """Lock the case for the rest of the transaction; False when another reply (a STOP a
    moment earlier) closed it meanwhile."""
    assert sender.case is not None
    sender.case = (
        Case.objects.select_for_update().select_related("municipality").get(pk=sender.case.pk)
    )
    return sender.has_open_case


def _open_case(
    message: InboundMessage, sender: Sender, now: datetime, notes: list[str]
) -> Answer | None:
    assert sender.case is not None
    case = sender.case
    message.case = case
    if not ContactAttempt.objects.filter(case=case, reached=True).exists():
        new_attempt(case.pk, KIND_BY_CHANNEL[message.channel], True, now).save()
        notes.append("Contactpoging geregistreerd (bereikt).")
    intent = message.intent
    language = _reply_language(message, sender)
    if intent == STOP:
        return _stop(message, sender, case, now, notes)
    if intent == HELP:
        message.handled = True
        notes.insert(0, "Informatie gestuurd; de zaak blijft zoals ze is.")
        return Answer(case, sender.person, INFO, language)
    was = case.state
    offer_help(case, now, _REASON[intent])
    moved = " De campagne is gestopt; de zaak staat op hulpaanbod." if was != case.state else ""
    if intent == OTHER:
        notes.insert(0, f"Vrije tekst: naar de inbox.{moved}")
        return None
    # Both a "yes" and a "call me" get a call today: the confirmation promises that call.
    task = _call_task(case, message, now)
    if intent == CALL:
        notes.insert(0, f"Inwoner wil gebeld worden: belafspraak op {task.planned_for}.{moved}")
    else:
        accepted_by_reply(case, KIND_BY_CHANNEL[message.channel], now)
        notes.insert(0, f"Inwoner wil hulp: belafspraak op {task.planned_for}.{moved}")
    message.handled = True
    return Answer(case, sender.person, CONFIRMATION[intent], language)


_REASON = {
    YES: "Inwoner antwoordde dat hij of zij hulp wil.",
    CALL: "Inwoner vroeg om gebeld te worden.",
    OTHER: "Inwoner heeft gereageerd.",
}


def _call_task(case: Case, message: InboundMessage, now: datetime) -> Task:
    """One open call task from replies per case: a second "call me" finds the first."""
    waiting = Task.objects.filter(
        case=case,
        kind=Task.Kind.PHONE,
        status=Task.Status.OPEN,
        step_key__startswith=CALL_TASK_KEY,
    ).first()
    if waiting is not None:
        return waiting
    today = timezone.localdate(now)
    day = today if is_working_day(today) else add_working_days(today, 1)
    return Task.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        step_key=f"{CALL_TASK_KEY}_{message.pk}",
        kind=Task.Kind.PHONE,
        priority=case.score + CALL_PRIORITY,
        crisis=case.crisis,
        # The person asked for a call now: the capacity planning puts it first.
        deadline=min(case.deadline, day),
        due_on=day,
        planned_for=day,
        created_at=now,
        assignee_id=case.assignee_id,
    )


def _stop(
    message: InboundMessage, sender: Sender, case: Case, now: datetime, notes: list[str]
) -> Answer:
    closed, listed = opt_out_sender(sender, now, f"{message.channel} STOP", case)
    notes.insert(0, f"Afgemeld: {closed} zaak/zaken gesloten, {listed} op de opt-outlijst gezet.")
    message.handled = True
    return Answer(case, sender.person, CONFIRMATION[STOP], _reply_language(message, sender))


def _no_open_case(
    message: InboundMessage, sender: Sender, now: datetime, notes: list[str]
) -> Answer | None:
    case = sender.case
    language = _reply_language(message, sender)
    if message.intent == STOP:
        _, listed = opt_out_sender(sender, now, f"{message.channel} STOP")
        notes.insert(0, f"Afgemeld zonder open zaak: {listed} op de opt-outlijst gezet.")
        message.handled = True
        return Answer(case, sender.person, CONFIRMATION[STOP], language) if case else None
    if message.intent == HELP and case is not None:
        message.handled = True
        notes.insert(0, "Informatie gestuurd (geen open zaak).")
        return Answer(case, sender.person, INFO, language)
    notes.insert(0, "Geen open zaak: naar de inbox.")
    return None
