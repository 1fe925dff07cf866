"""A message that failed after it left: a status callback said undelivered, a letter came back.
The step it was sent for takes its failure path, as if the send itself had failed."""

from datetime import datetime

from django.db import transaction

from outreach.cadence.library import campaign_step, get_campaign
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import fallback_for
from outreach.casework.models import Case


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
        campaign = get_campaign(step.campaign)
        spec = campaign_step(campaign, step.key)
        if spec is None or not spec.on_failure:
            return None
        fallback = fallback_for(step.case_id, campaign, spec, step.key, now)
        PlannedStep.objects.bulk_create([fallback], ignore_conflicts=True)
        return PlannedStep.objects.filter(case_id=step.case_id, key=fallback.key).first()
