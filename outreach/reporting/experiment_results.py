"""The results of an experiment as a supervisor reads them: per variant the households, how
many were reached and how many accepted help, each with its 95% interval; each variant against
the control (the first variant) with the difference's 95% interval (Newcombe,
outreach.reporting.experiment_stats); the same per segment; and a plain Dutch sentence that
says whether a difference is significant and, when not yet, how many more households a
decision needs at the rates seen so far.

`experiment_results` counts rows of one household each (`HouseholdRow`: variant, segments,
reached, accepted) and knows nothing of where they come from, so a text experiment can feed
it too. `campaign_experiment_rows` makes the rows of a campaign experiment from the cases.

Definitions:
- a household counts once per experiment, in the variant of its drawn cases (a repeat signal
  keeps the variant: outreach.cadence.experiments); cases given the chosen variant after the
  experiment was stopped are left out: they were not drawn;
- reached and accepted are the dashboard's (outreach.reporting.casefacts): a followed-up case
  with at least one attempt registered as reached; a followed-up case whose offer of help was
  accepted, whenever. A household is reached (accepted) when one of its drawn cases is. Both
  are fractions of all the variant's households: comparing "accepted of those reached" would
  compare groups the variants themselves made different;
- segments: the kind of the household's first case in the experiment (enkelvoudig: one
  partner, meervoudig: several, opeenvolgend: one partner in several months), and the age
  group of its first signal's person on the day that case came in (jonger dan 27, 27 tot 67,
  67 en ouder; onbekend without a birth date, and after anonymisation).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Min
from django.utils import timezone

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.reporting.casefacts import case_facts
from outreach.reporting.experiment_stats import Difference, difference, more_households_needed
from outreach.reporting.period import Period
from outreach.reporting.segments import UNKNOWN, kind_label
from outreach.reporting.stats import Rate

REACHED, ACCEPTED = "reached", "accepted"
# Each measure as a sentence names it: with its article, and without.
MEASURES = {
    REACHED: ("het bereik", "bereik"),
    ACCEPTED: ("de acceptatie van hulp", "acceptatie van hulp"),
}

KIND, AGE = "kind", "age"
SEGMENTS = {KIND: "Soort signaal", AGE: "Leeftijd"}
# The age groups the issue names: the young (up to 27, who get other texts and channels), the
# pensioners (67 and older), and everyone in between.
AGE_GROUPS: tuple[tuple[int | None, str, str], ...] = (
    (27, "under_27", "jonger dan 27"),
    (67, "27_66", "27 tot 67"),
    (None, "67_plus", "67 en ouder"),
)
SEGMENT_ORDER = {
    KIND: [kind.value for kind in Case.Kind],
    AGE: [key for _, key, _ in AGE_GROUPS] + [UNKNOWN],
}
AGE_LABELS = {key: label for _, key, label in AGE_GROUPS} | {UNKNOWN: "onbekend"}


def age_group(age: int | None) -> str:
    """The group of an age in whole years; UNKNOWN without one."""
    if age is None:
        return UNKNOWN
    return next(key for limit, key, _ in AGE_GROUPS if limit is None or age < limit)


def segment_label(dimension: str, value: str) -> str:
    if dimension == KIND:
        return kind_label(value)
    if dimension == AGE:
        return AGE_LABELS.get(value, value)
    return value


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """One household of an experiment: its variant, its segments (dimension -> value), and
    whether it was reached and accepted help."""

    variant: str
    segments: Mapping[str, str]
    reached: bool
    accepted: bool


@dataclass(frozen=True, slots=True)
class VariantFigures:
    variant: str
    households: int
    reached: Rate
    accepted: Rate

    def rate(self, measure: str) -> Rate:
        return self.reached if measure == REACHED else self.accepted


@dataclass(frozen=True, slots=True)
class Comparison:
    """A variant against the control in one measure: the difference variant minus control."""

    variant: str
    control: str
    measure: str  # REACHED or ACCEPTED
    difference: Difference | None  # None: a variant without households
    more_needed: int | None  # households more, both variants together; None: cannot say
    sentence: str


@dataclass(frozen=True, slots=True)
class Group:
    """A set of households (all of them, or one segment) counted per variant."""

    label: str
    variants: tuple[VariantFigures, ...]
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True, slots=True)
class ExperimentResults:
    variants: tuple[str, ...]  # the control first
    overall: Group
    # Per dimension (SEGMENTS), a group per value, in SEGMENT_ORDER.
    segments: dict[str, tuple[Group, ...]] = field(default_factory=dict)

    @property
    def households(self) -> int:
        return sum(v.households for v in self.overall.variants)


def experiment_results(rows: Iterable[HouseholdRow], variants: Sequence[str]) -> ExperimentResults:
    """Count the households per variant, overall and per segment, and compare every variant
    with the first (the control). A row of a variant not in `variants` is counted after them."""
    items = list(rows)
    names = list(dict.fromkeys([*variants, *(row.variant for row in items)]))
    if not names:
        raise ValueError("an experiment has at least one variant")
    overall = _group("Alle huishoudens", items, names)
    segments: dict[str, tuple[Group, ...]] = {}
    dimensions = dict.fromkeys(key for row in items for key in row.segments)
    for dimension in dimensions:
        seen = {row.segments.get(dimension, UNKNOWN) for row in items}
        order = [v for v in SEGMENT_ORDER.get(dimension, []) if v in seen]
        order += sorted(seen - set(order))
        segments[dimension] = tuple(
            _group(
                segment_label(dimension, value),
                [row for row in items if row.segments.get(dimension, UNKNOWN) == value],
                names,
            )
            for value in order
        )
    return ExperimentResults(tuple(names), overall, segments)


def _group(label: str, rows: list[HouseholdRow], names: list[str]) -> Group:
    figures = []
    for name in names:
        mine = [row for row in rows if row.variant == name]
        total = len(mine)
        figures.append(
            VariantFigures(
                name,
                total,
                Rate(sum(row.reached for row in mine), total),
                Rate(sum(row.accepted for row in mine), total),
            )
        )
    control = figures[0]
    comparisons = tuple(
        compare(other, control, measure) for other in figures[1:] for measure in MEASURES
    )
    return Group(label, tuple(figures), comparisons)


def compare(variant: VariantFigures, control: VariantFigures, measure: str) -> Comparison:
    """The variant against the control in `measure`, with the sentence that says it."""
    a, b = variant.rate(measure), control.rate(measure)
    if a.total == 0 or b.total == 0:
        empty = variant.variant if a.total == 0 else control.variant
        sentence = f"Nog geen huishoudens in variant {empty}: er is nog niets te vergelijken."
        return Comparison(variant.variant, control.variant, measure, None, None, sentence)
    found = difference(a, b)
    more = more_households_needed(a, b)
    sentence = _sentence(variant.variant, control.variant, MEASURES[measure], a, found, more)
    return Comparison(variant.variant, control.variant, measure, found, more, sentence)


def _sentence(
    name: str,
    control: str,
    measure: tuple[str, str],
    rate: Rate,
    found: Difference,
    more: int | None,
) -> str:
    the, bare = measure
    shown = (
        f"{points(found.estimate, signed=True)} procentpunt, 95%-interval "
        f"{points(found.low, signed=True)} tot {points(found.high, signed=True)}"
    )
    if found.significant:
        direction = "hoger" if found.estimate > 0 else "lager"
        return (
            f"Met {name} is {the} {points(abs(found.estimate))} procentpunt {direction} "
            f"dan met {control} ({shown}). Dit verschil is significant: toeval is geen "
            "waarschijnlijke verklaring."
        )
    if more is None:
        return (
            f"Bij {name} en {control} is {the} tot nu toe precies gelijk "
            f"({points(rate.count / rate.total)}%). Hoeveel huishoudens een beslissing vraagt, "
            "is pas te zeggen als er een verschil is."
        )
    if more == 0:
        return (
            f"Het verschil in {bare} tussen {name} en {control} ({shown}) is niet significant, "
            "terwijl er al genoeg huishoudens zijn om een verschil van deze grootte te zien: "
            "de varianten verschillen waarschijnlijk weinig of niet."
        )
    return (
        f"Het verschil in {bare} tussen {name} en {control} ({shown}) is nog niet "
        f"significant: het kan toeval zijn. Bij de percentages van nu zijn nog ongeveer "
        f"{whole(more)} huishoudens nodig (beide varianten samen) om te kunnen beslissen."
    )


def points(fraction: float, signed: bool = False) -> str:
    """A fraction as percentage points with one decimal, the Dutch way: 0.0831 -> "8,3"."""
    text = f"{fraction * 100:+.1f}" if signed else f"{fraction * 100:.1f}"
    return text.replace(".", ",")


def whole(number: int) -> str:
    """12345 -> "12.345"."""
    return f"{number:,}".replace(",", ".")


# --- a campaign experiment's households, from its cases ----------------------------------------


def campaign_experiment_rows(
    municipality: Municipality, experiment_id: str, now: datetime
) -> list[HouseholdRow]:
    """One row per household that was drawn into the municipality's campaign experiment,
    counted with the dashboard's facts of its cases (see the module's docstring)."""
    first = Signal.objects.filter(
        case__municipality=municipality,
        case__experiment=experiment_id,
        case__variant_after_stop=False,
    ).aggregate(first=Min("received_at"))["first"]
    if first is None:
        return []
    today = timezone.localdate(now)
    period = Period(municipality, min(timezone.localdate(first), today), today)
    households: dict[int, HouseholdRow] = {}
    with case_facts(period, now) as facts, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.household_id, c.variant, f.kind, f.age, f.reached, f.accepted "
            f"FROM {facts.table} f JOIN {Case._meta.db_table} c ON c.id = f.id "
            "WHERE c.municipality_id = %s AND c.experiment = %s AND c.variant_after_stop = %s "
            "ORDER BY c.id",
            [municipality.pk, experiment_id, False],
        )
        for household_id, variant, kind, age, reached, accepted in cursor.fetchall():
            earlier = households.get(household_id)
            if earlier is None:  # its first case gives the variant and the segments
                segments = {KIND: kind, AGE: age_group(None if age is None else int(age))}
                households[household_id] = HouseholdRow(
                    variant, segments, bool(reached), bool(accepted)
                )
            else:
                households[household_id] = HouseholdRow(
                    earlier.variant,
                    earlier.segments,
                    earlier.reached or bool(reached),
                    earlier.accepted or bool(accepted),
                )
    return list(households.values())
