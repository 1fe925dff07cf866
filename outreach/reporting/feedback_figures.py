"""Partner feedback (terugmelding) on the signals of the period's cases, per partner: sent, per
fact, and outstanding. A signal's feedback is due 28 days after it was received, or earlier when
its case closes (outreach.reporting.feedback); an outstanding one past that day is overdue (the
housekeeping sweep has not run, or is behind)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from outreach.intake.models import Signal, SignalPartner
from outreach.reporting.casefacts import CaseFacts
from outreach.reporting.feedback import due_cutoff
from outreach.reporting.models import PartnerFeedback

Outcome = PartnerFeedback.Outcome


@dataclass(frozen=True, slots=True)
class PartnerFeedbackCounts:
    partner: str  # "Stroom BV (Energie)"
    signals: int
    by_fact: dict[str, int]  # every Outcome value, 0 where none
    overdue: int  # outstanding, and 28 days past receipt

    @property
    def sent(self) -> int:
        return sum(self.by_fact.values())

    @property
    def outstanding(self) -> int:
        return self.signals - self.sent


def feedback_figures(facts: CaseFacts) -> list[PartnerFeedbackCounts]:
    """Per partner, by name: the signals of the period's cases and their feedback."""
    outcomes = list(Outcome.values)
    due = due_cutoff(facts.now)
    rows = list(
        Signal.objects.filter(case_id__in=facts.case_ids())
        .values_list("partner_id")
        .annotate(
            signals=Count("id"),
            overdue=Count("id", filter=Q(feedback__isnull=True, received_at__lt=due)),
            **{f"fact_{fact}": Count("id", filter=Q(feedback__outcome=fact)) for fact in outcomes},
        )
        .order_by()
    )
    named = SignalPartner.objects.filter(pk__in=[row[0] for row in rows])
    partners = {partner.pk: str(partner) for partner in named}
    counts = [
        PartnerFeedbackCounts(
            partner=partners.get(partner_id, f"partner {partner_id}"),
            signals=signals,
            by_fact=dict(zip(outcomes, per_fact, strict=True)),
            overdue=overdue,
        )
        for partner_id, signals, overdue, *per_fact in rows
    ]
    return sorted(counts, key=lambda c: c.partner)
