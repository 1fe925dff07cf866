"""A message that failed after it left: a status callback said undelivered, a letter came back.
The step it was sent for takes its failure path, as if the send itself had failed."""

from datetime import datetime

from django.db import transaction

from outreach.cadence.library import campaign_step
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import fallback_for
from outreach.cadence.versions import campaign_of
from outreach.casework.models import Case
from outreach.intake.models import PhoneNumber, Signal
from outreach.messaging.inbound.matching import find_sender
from outreach.messaging.inbound.optout import opt_out_sender
from outreach.messaging.transports.twilio import errors as twilio_errors


def delivery_failed(step_id: int | None, now: datetime, reason: str) -> PlannedStep | None:
    """Take the failure path of the step that sent a failed message; returns the fallback step
    planned (None: no step, no failure path, or the case no longer active). Safe to call twice:
    the fallback's key is unique per case."""
    if step_id is None:
        return None
    with transaction.atomic():
        step = PlannedStep.objects.select_for_update().filter(pk=step_id).first()
        if step is None:
            return None
        step.note = reason[:300]
        step.save(update_fields=["note"])
        case = Case.objects.filter(pk=step.case_id).only("state").first()
        if case is None or case.state != Case.State.ACTIVE:
            return None
        campaign = campaign_of(step)  # the version the plan was made from
        spec = campaign_step(campaign, step.key) if campaign else None
        if campaign is None or spec is None or not spec.on_failure:
            return None
        fallback = fallback_for(step, campaign, spec, now)
        PlannedStep.objects.bulk_create([fallback], ignore_conflicts=True)
        return PlannedStep.objects.filter(case_id=step.case_id, key=fallback.key).first()


# --- What a provider's error says beyond the one message (Twilio's codes) --------------------


def apply_provider_error(case_id: int, to: str, code: str, now: datetime) -> None:
    """Act on what the code says about the number or the person: 21211 (not a valid number)
    and 21614 (not a mobile) mark the case's number unusable for SMS and WhatsApp, so the
    engine never picks it again (a fixed line stays fine for a call); 21610 (the person sent
    STOP to our sender) is an opt-out. Other codes concern the one message: its step's failure
    path is all. Safe to call twice."""
    number = to.removeprefix("whatsapp:")
    if code in twilio_errors.UNUSABLE:
        PhoneNumber.objects.filter(
            person_id__in=_persons(case_id), e164=number, unusable_reason=""
        ).update(unusable_reason=twilio_errors.UNUSABLE[code], unusable_at=now)
    elif code == twilio_errors.UNSUBSCRIBED:
        # As if the number had replied STOP: all its open cases close, its people are listed.
        with transaction.atomic():
            opt_out_sender(find_sender(number, ""), now, f"sms STOP (Twilio {code})")


def message_failed(
    step_id: int | None, case_id: int, to: str, code: str, now: datetime, reason: str
) -> PlannedStep | None:
    """A message failed after it left (a status callback): the code's consequences, then the
    step's failure path (none when the case closed meanwhile, as after an opt-out)."""
    apply_provider_error(case_id, to, code, now)
    return delivery_failed(step_id, now, reason)


def _persons(case_id: int) -> list[int]:
    return list(Signal.objects.filter(case_id=case_id).values_list("person_id", flat=True))
