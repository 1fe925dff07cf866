"""Feedback records as partners get them. The API, the CSV download and `outreach
partner-feedback` all build them here, so they say the same: the signal, its municipality and
dates, the fact and when it last changed. Nothing else (no names, no reasons, no end result).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from outreach.core import csvsafe
from outreach.core.models import Municipality
from outreach.intake.models import SignalPartner
from outreach.reporting.models import PartnerFeedback

Outcome = PartnerFeedback.Outcome

COLUMNS = (
    "change",
    "signal_id",
    "municipality",
    "signal_date",
    "received_on",
    "fact",
    "fact_label",
    "changed_at",
)


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    change: int  # the record's change number: pass it as ?after= to read what came later
    signal_id: str  # the partner's id of the signal, or ours ("S123") when it sent none
    municipality: str  # CBS gemeentecode
    signal_date: date
    received_on: date  # the day the municipality received it (local date)
    fact: str  # a PartnerFeedback.Outcome value
    changed_at: datetime

    @property
    def fact_label(self) -> str:
        return str(Outcome(self.fact).label)

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON gives it; keys in COLUMNS order."""
        return {
            "change": self.change,
            "signal_id": self.signal_id,
            "municipality": self.municipality,
            "signal_date": self.signal_date.isoformat(),
            "received_on": self.received_on.isoformat(),
            "fact": self.fact,
            "fact_label": self.fact_label,
            "changed_at": timezone.localtime(self.changed_at).isoformat(timespec="seconds"),
        }


def records(
    feedback: QuerySet[PartnerFeedback], limit: int | None = None
) -> Iterator[FeedbackRecord]:
    """The records of `feedback` in change order, the first `limit` of them when given."""
    rows = (
        feedback.select_related("signal", "municipality")
        .only(
            "change",
            "outcome",
            "changed_at",
            "signal__partner_ref",
            "signal__signal_date",
            "signal__received_at",
            "municipality__code",
        )
        .order_by("change")
    )
    if limit is not None:
        rows = rows[:limit]
    for row in rows.iterator(chunk_size=2000):
        yield FeedbackRecord(
            change=row.change,
            signal_id=row.signal.reference,
            municipality=row.municipality.code,
            signal_date=row.signal.signal_date,
            received_on=timezone.localdate(row.signal.received_at),
            fact=row.outcome,
            changed_at=row.changed_at,
        )


def of_partner(partner: SignalPartner) -> QuerySet[PartnerFeedback]:
    """What a partner may fetch: its own signals, in the municipalities it is registered for."""
    return PartnerFeedback.objects.filter(
        partner=partner, municipality__in=partner.municipalities.all()
    )


def in_municipalities(
    municipalities: QuerySet[Municipality], partner: SignalPartner | None = None
) -> QuerySet[PartnerFeedback]:
    """Staff's view: the records of these municipalities, of one partner or all."""
    feedback = PartnerFeedback.objects.filter(municipality__in=municipalities)
    return feedback if partner is None else feedback.filter(partner=partner)


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_csv(items: Iterable[FeedbackRecord], out: Writable) -> None:
    """`;`-separated with a header; cells that a spreadsheet would run as a formula escaped."""
    writer = csvsafe.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in items:
        writer.writerow(record.as_dict().values())


@dataclass(frozen=True, slots=True)
class PartnerCounts:
    partner: SignalPartner
    by_fact: dict[str, int]  # every Outcome value, 0 where none

    @property
    def total(self) -> int:
        return sum(self.by_fact.values())


def partner_counts(municipalities: QuerySet[Municipality]) -> list[PartnerCounts]:
    """The partners of these municipalities (registered there, or with feedback there) and
    their records there per fact, by name."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        in_municipalities(municipalities)
        .values_list("partner", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for partner_id, fact, n in rows:
        counts.setdefault(partner_id, {})[fact] = n
    partners = SignalPartner.objects.filter(
        Q(municipalities__in=municipalities) | Q(pk__in=list(counts))
    ).distinct()
    return [
        PartnerCounts(
            partner, {fact: counts.get(partner.pk, {}).get(fact, 0) for fact in Outcome.values}
        )
        for partner in partners.order_by("name", "type")
    ]


def partner_in(municipalities: QuerySet[Municipality], partner_id: int) -> SignalPartner | None:
    """The partner when it belongs to these municipalities (as partner_counts lists them)."""
    partner = SignalPartner.objects.filter(pk=partner_id).first()
    if partner is None:
        return None
    registered = partner.municipalities.filter(pk__in=municipalities).exists()
    if registered or in_municipalities(municipalities, partner).exists():
        return partner
    return None
