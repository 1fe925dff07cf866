"""Partner feedback (terugmelding) on the signals of the period's cases, per partner: sent, per
fact, and outstanding. A signal's feedback is due 28 days after it was received, or earlier when
its case closes (outreach.reporting.feedback); an outstanding one past that day is overdue (the
housekeeping sweep has not run, or is behind)."""

from collections import defaultdict
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
    due = due_cutoff(facts.now)
    # Counted per partner and fact (None: none sent yet), a few dozen rows: one count a row
    # costs the database less than a filtered count per fact.
    rows = (
        Signal.objects.filter(case_id__in=facts.case_ids())
        .values_list("partner_id", "feedback__outcome")
        .annotate(
            signals=Count("id"),
            overdue=Count("id", filter=Q(feedback__isnull=True, received_at__lt=due)),
        )
        .order_by()
    )
    signals: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    by_fact: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Outcome.values, 0))
    for partner_id, fact, count, late in rows:
        signals[partner_id] += count
        overdue[partner_id] += late
        if fact is not None:
            by_fact[partner_id][fact] += count
    named = SignalPartner.objects.filter(pk__in=list(signals))
    partners = {partner.pk: str(partner) for partner in named}
    counts = [
        PartnerFeedbackCounts(
            partner=partners.get(partner_id, f"partner {partner_id}"),
            signals=count,
            by_fact=by_fact[partner_id],
            overdue=overdue[partner_id],
        )
        for partner_id, count in signals.items()
    ]
    return sorted(counts, key=lambda c: c.partner)
