"""The baseline for the cadence benchmark, and an anti-pattern the service never uses: one
Celery task per step, scheduled with `countdown`, each executing its one step with per-row ORM.

`enqueue` is what planning would do in this design (a message per step, held by the broker and
the workers until its time); `execute_step` loads the step, case, signal, person and phone one
query at a time and writes the message, the contact attempt and the step one row at a time.
The workers of the benchmark load this module with `-I bench.naive_cadence`.
"""

from collections.abc import Iterable
from datetime import datetime

from celery import shared_task
from django.db import transaction

from outreach.cadence.models import PlannedStep
from outreach.casework.attempts import KIND_BY_CHANNEL, new_attempt
from outreach.casework.models import Case
from outreach.core.clock import parse_now
from outreach.intake.models import PhoneNumber, Signal
from outreach.messaging.models import Message
from outreach.messaging.texts.compose import PublishedTexts, Reader, compose, contact_context
from outreach.messaging.transports.base import SENT, Outgoing
from outreach.messaging.transports.registry import default_transport


def enqueue(steps: Iterable[tuple[int, datetime]], now: datetime, now_iso: str) -> int:
    """One task per step, due after its countdown (at least a second: a countdown of 0 is
    no countdown at all)."""
    count = 0
    for step_id, due_at in steps:
        countdown = max(1.0, (due_at - now).total_seconds())
        execute_step.apply_async((step_id, now_iso), countdown=countdown)
        count += 1
    return count


@shared_task(name="bench.naive_cadence.execute_step", ignore_result=True)
def execute_step(step_id: int, now_iso: str | None = None) -> str:
    now = parse_now(now_iso)
    with transaction.atomic():
        step = PlannedStep.objects.select_for_update().filter(pk=step_id).first()
        if step is None or step.status != PlannedStep.Status.PLANNED:
            return "gone"
        case = Case.objects.select_related("household", "municipality").get(pk=step.case_id)
        signal = Signal.objects.filter(case=case).order_by("-signal_date", "-id").first()
        person = signal.person if signal else None
        phone = (
            PhoneNumber.objects.filter(person=person, kind=PhoneNumber.Kind.MOBILE)
            .order_by("id")
            .first()
        )
        if case.state != Case.State.ACTIVE or person is None or phone is None:
            step.status = PlannedStep.Status.SKIPPED
            step.save(update_fields=["status"])
            return "skipped"
        language = person.preferred_language or "nl"
        # The same text as the engine sends, read and rendered for this one step.
        place = case.municipality
        reader = Reader(person.display_name, language, [], [signal.partner_type], str(case.pk))
        text = compose(
            "invitation", reader, contact_context(place, case.assignee_id), now.date(),
            PublishedTexts(),
        )  # fmt: skip
        body = text.body
        item = Outgoing(step.pk, case.pk, "sms", phone.e164, body, language, text.template)
        (result,) = default_transport().send([item])
        assert result.outcome == SENT
        Message.objects.create(
            case=case,
            step_id=step.pk,
            channel="sms",
            to=phone.e164,
            body=body,
            language=language,
            template=text.template,
            template_version=text.version,
            status=Message.Status.SENT,
            transport_id=result.transport_id,
            created_at=now,
        )
        new_attempt(case.pk, KIND_BY_CHANNEL["sms"], False, now).save()
        step.status = PlannedStep.Status.DONE
        step.done_at = now
        step.save(update_fields=["status", "done_at"])
    return "done"
