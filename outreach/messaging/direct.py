"""A single message outside any campaign: the answer to a reply (a confirmation, the
information text). Made from the published text in the reader's language with the
municipality's contact, sent through the configured transport, recorded as a `Message` like
every other (no step: `step_id` is None).

It never raises: a text that cannot be made or a transport that fails gives a message with
status `failed` (and the reason in `error_code`), so the webhook that asked for it still
answers Twilio. It is committed before its hand-over (`outreach.messaging.sending`).
"""

import logging
from datetime import datetime

from django.utils import timezone

from outreach.casework.models import Case
from outreach.intake.models import Person
from outreach.messaging.models import Message
from outreach.messaging.sending import send_now
from outreach.messaging.texts.compose import (
    ComposeError,
    PublishedTexts,
    Reader,
    compose,
    contact_context,
)
from outreach.messaging.texts.context import language_or_default
from outreach.messaging.texts.experiments import Household, household_key
from outreach.messaging.transports.base import Outgoing, Transport
from outreach.messaging.transports.registry import default_transport

log = logging.getLogger(__name__)


def reader_for(case: Case, person: Person | None, language: str) -> Reader:
    partner_types = list(
        dict.fromkeys(
            case.signals.order_by("signal_date", "pk").values_list("partner_type", flat=True)
        )
    )
    return Reader(
        name=person.display_name if person else "",
        language=language_or_default(language),
        address_lines=[],
        partner_types=partner_types,
        reference=case.reference,
    )


def send_direct(
    case: Case,
    person: Person | None,
    to: str,
    channel: str,
    template: str,
    language: str,
    now: datetime,
    *,
    in_session: bool = False,
    transport: Transport | None = None,
) -> Message:
    """Compose `template` for `person` on `case`, send it to `to` and record it."""
    municipality = case.municipality
    try:
        text = compose(
            template,
            reader_for(case, person, language),
            contact_context(municipality, case.assignee_id),
            timezone.localdate(now),
            PublishedTexts(),
            municipality_id=case.municipality_id,
            household=Household(case.household_id, household_key(case.household.key)),
        )
    except ComposeError as exc:
        log.error("case %s: the answer %r cannot be made: %s", case.pk, template, exc)
        return Message.objects.create(  # nothing was handed over
            case=case, channel=channel, to=to, body="", language=language_or_default(language),
            template=template, created_at=now, status_at=now, status=Message.Status.FAILED,
            error_code="compose", experiment=case.experiment, variant=case.variant,
        )  # fmt: skip
    item = Outgoing(
        step_id=None,
        case_id=case.pk,
        channel=channel,
        to=to,
        body=text.body,
        language=text.language,
        template=text.template,
        template_version=text.version,
        template_municipality_id=text.template_municipality,
        in_session=in_session,
        text_experiment=text.text_experiment,
        text_variant=text.text_variant,
    )
    (recorded,) = send_now([item], transport or default_transport(), now, counts=False)
    if recorded.status == Message.Status.FAILED:
        # No retry: an answer that comes hours later confuses more than it helps. The
        # caseworker sees the failure on the case page.
        log.warning(
            "case %s: the answer %r failed: %s %s",
            case.pk,
            template,
            recorded.result.error_code,
            recorded.result.outcome,
        )
    return Message.objects.get(pk=recorded.message_id)
