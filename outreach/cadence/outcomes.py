"""What a call or visit a caseworker made does to a case: reached moves it to the offer of help
(through outreach.casework.workflow, as a reply or an opt-out does); nobody home takes the
campaign's failure path."""

from datetime import datetime

from django.db import transaction

from outreach.cadence.library import campaign_step
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import fallback_for
from outreach.cadence.versions import campaign_of
from outreach.casework import workflow
from outreach.casework.attempts import new_attempt
from outreach.casework.events import User, record_event, user_id
from outreach.casework.models import Case, Task
from outreach.core.ddas import ContactKind

TASK_KIND = {
    Task.Kind.PHONE: ContactKind.PHONE.value,
    Task.Kind.VISIT: ContactKind.HOME_VISIT.value,
}


def record_task_outcome(task: Task, outcome: str, now: datetime, user: User = None) -> None:
    """A call or visit was made (by `user`, when a caseworker records it): register the
    attempt; reached -> offer of help; nobody home -> the campaign's failure path (the
    not-at-home card)."""
    if outcome not in Task.Outcome.values:
        raise ValueError(f"{outcome!r} is not a task outcome; use {', '.join(Task.Outcome.values)}")
    with transaction.atomic():
        if not workflow.move_task(task, Task.Status.DONE, now, outcome=outcome):
            return  # already recorded (a double submit) or cancelled
        reached = outcome == Task.Outcome.REACHED
        attempt = new_attempt(task.case_id, TASK_KIND[Task.Kind(task.kind)], reached, now)
        attempt.made_by_id = user_id(user)
        attempt.save()
        case = Case.objects.select_for_update().get(pk=task.case_id)
        record_event(
            case,
            now,
            user,
            "uitkomst",
            f"{task.get_kind_display()}: {Task.Outcome(outcome).label}.".capitalize(),
        )
        if reached:
            workflow.offer_help(case, now, "Inwoner bereikt.")
            return
        step = PlannedStep.objects.filter(case=case, key=task.step_key).first()
        if case.state != Case.State.ACTIVE or step is None:
            return
        campaign = campaign_of(step)  # the version the plan was made from
        spec = campaign_step(campaign, task.step_key) if campaign else None
        if campaign is not None and spec is not None and spec.on_failure:
            fallback = fallback_for(step, campaign, spec, now)
            PlannedStep.objects.bulk_create([fallback], ignore_conflicts=True)
