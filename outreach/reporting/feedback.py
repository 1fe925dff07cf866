"""Partner feedback at close: only what the partner may know, never the reason.

A sweep over closed cases without feedback makes the records, so every way of closing (the
campaign running out, a caseworker, screening at intake, an opt-out) is covered alike.
"""

from datetime import datetime

from django.db import transaction

from outreach.casework.models import Case
from outreach.core.ddas import EndResult, SignalStatus
from outreach.intake.models import Signal
from outreach.reporting.models import PartnerFeedback

Outcome = PartnerFeedback.Outcome

OUTCOME_BY_RESULT: dict[str, str] = {
    EndResult.ADVICE_OR_QUICK_FIX: Outcome.HELPED,
    EndResult.FOLLOW_UP_FINANCIAL: Outcome.HELPED,
    EndResult.FOLLOW_UP_NON_FINANCIAL: Outcome.HELPED,
    EndResult.REFERRAL_WITHOUT_CONTACT: Outcome.HELPED,
    EndResult.NO_CONTACT: Outcome.NOT_REACHED,
    EndResult.NO_RESPONSE_AFTER_CONTACT: Outcome.NOT_REACHED,
    EndResult.NO_HELP_WANTED: Outcome.NOT_REACHED,
    EndResult.ALREADY_PAID: Outcome.NOT_REACHED,
    EndResult.REPEAT: Outcome.NOT_PICKED_UP,
    EndResult.UNJUSTIFIED: Outcome.NOT_PICKED_UP,
    EndResult.OTHER_REASON: Outcome.NOT_PICKED_UP,
    EndResult.DECEASED: Outcome.NOT_PICKED_UP,
    EndResult.NOT_RESIDENT: Outcome.NOT_PICKED_UP,
    EndResult.KNOWN_TO_DEBT_HELP: Outcome.ALREADY_KNOWN,
    EndResult.OTHER_TRAJECTORY: Outcome.ALREADY_KNOWN,
}


def partner_outcome(result: str | None) -> str:
    return OUTCOME_BY_RESULT.get(result or "", Outcome.NOT_PICKED_UP)


def record_feedback(now: datetime, limit: int = 5000) -> int:
    """Feedback for up to `limit` closed cases that have none yet; returns the records made."""
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(state=Case.State.CLOSED, feedback_at__isnull=True)
            .order_by("closed_at")
            .values_list("id", "result")[:limit]
        )
        if not cases:
            return 0
        result_of = dict(cases)
        records = [
            PartnerFeedback(
                case_id=case_id,
                signal_id=signal_id,
                partner_id=partner_id,
                partner_ref=partner_ref,
                # A signal a caseworker found unjustified: its partner learns only that.
                outcome=Outcome.NOT_PICKED_UP
                if status == SignalStatus.UNJUSTIFIED
                else partner_outcome(result_of[case_id]),
                created_at=now,
            )
            for signal_id, case_id, partner_id, partner_ref, status in Signal.objects.filter(
                case_id__in=list(result_of)
            ).values_list("id", "case_id", "partner_id", "partner_ref", "status")
        ]
        PartnerFeedback.objects.bulk_create(records, ignore_conflicts=True, batch_size=2000)
        Case.objects.filter(id__in=list(result_of)).update(feedback_at=now)
    return len(records)
