"""The dashboard's unit: a titled table of figures, shown beside its chart and downloadable as
CSV. `dashboard_tables` makes them from the figures (outreach.reporting.figures); the dashboard
only renders them."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from outreach.casework.models import Case, Task
from outreach.core.ddas import ContactKind, Dagdeel, PartnerType
from outreach.core.models import Municipality
from outreach.reporting.attempt_figures import Tally
from outreach.reporting.casefacts import CaseGroups, Group, case_facts
from outreach.reporting.deadlines import LATE_LIST_LIMIT, LateCase, late_cases
from outreach.reporting.feedback_figures import PartnerFeedbackCounts, feedback_figures
from outreach.reporting.figures import Figures, figures_of
from outreach.reporting.models import PartnerFeedback
from outreach.reporting.period import Period
from outreach.reporting.segments import (
    AGE_LABELS,
    AGE_ORDER,
    ATTEMPT_BUCKETS,
    area_label,
    campaign_label,
    kind_label,
    language_label,
    state_label,
)
from outreach.reporting.stats import MIN_CASES, Rate
from outreach.reporting.workload import Workload, workload

# A cell: a count, a label, a Rate (count out of total, with its fraction and interval), or
# None for "not applicable".
Cell = int | float | str | Rate | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the JSON key; the CSV heads a column with its label
    label: str  # Dutch, as the page heads the column


@dataclass(frozen=True, slots=True)
class Table:
    slug: str  # the anchor on the page and the CSV's file name: lower case and dashes
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Which column the chart draws, as bars per row labelled by the first column; None: no chart.
    chart_column: str | None = None
    note: str = ""  # one line under the title: what is counted, what is left out
    extra: dict[str, str] = field(default_factory=dict)  # reserved for the page (e.g. a link)

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(f"table {self.slug} has no column {key!r}")


def dashboard_tables(
    municipality: Municipality, start: date, end: date, now: datetime
) -> list[Table]:
    """Every table of the supervisor's dashboard for the municipality's cases received from
    `start` to `end` (included), as of `now`: the figures of `outreach report`
    (outreach.reporting.figures) and what only the page shows (the late cases,
    today's workload, partner feedback)."""
    with case_facts(Period(municipality, start, end), now) as facts:
        figures = figures_of(facts)
        late = late_cases(facts)
        partners = feedback_figures(facts)
    return [
        key_figures_table(figures),
        *attempt_tables(figures),
        *reach_tables(figures.cases),
        *deadline_tables(figures, late),
        *workload_tables(workload(municipality, now), figures.cases),
        feedback_table(partners),
    ]


# The dashboard's tables, built from the figures. Rates carry their counts: the page shows the
# fraction and interval only from MIN_CASES cases (outreach.reporting.stats).

SMALL = f"Een aandeel staat er pas bij {MIN_CASES} of meer; daaronder alleen de aantallen."


def _columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, label) for key, label in pairs)


def _ordered(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    """The keys in `order` first (those that occur), then the others sorted."""
    present = set(keys)
    return [k for k in order if k in present] + sorted(present - set(order))


def key_figures_table(figures: Figures) -> Table:
    """The figures a supervisor reads first, each with its counts: the same as `outreach
    report`'s cases, attempts, reached, accepted and deadline_met."""
    total, deadlines = figures.total, figures.deadlines
    rows: tuple[tuple[Cell, ...], ...] = (
        ("Zaken ontvangen", total.cases),
        ("Opgepakt (niet bij de screening gesloten)", total.followed),
        ("Contactpogingen", total.attempts),
        ("Bereikt (van de opgepakte zaken)", figures.reached),
        ("Hulp geaccepteerd (van de opgepakte zaken)", figures.accepted),
        ("Eerste poging binnen de wettelijke termijn", deadlines.first_attempt_in_time),
        ("Hulpaanbod binnen de wettelijke termijn", deadlines.offer_in_time),
        ("Eerste poging binnen 1 werkdag", deadlines.first_working_day),
        ("Mediaan dagen tot de eerste poging", deadlines.median_days_to_first_attempt),
        ("Mediaan dagen tot contact", deadlines.median_days_to_contact),
        ("Taken verlopen (niet uitgevoerd)", figures.expired_tasks),
        ("Nu in gevaar", total.at_risk),
    )
    return Table(
        slug="kerncijfers",
        title="Kerncijfers",
        columns=_columns(("kerncijfer", "kerncijfer"), ("waarde", "waarde")),
        rows=rows,
        note="De zaken ontvangen in de periode. De wettelijke termijn: 28 dagen na ontvangst, "
        "bij een crisissignaal 3 werkdagen; telt voor zaken met een eerste poging of waarvan "
        "de termijn voorbij is. " + SMALL,
    )


def attempt_tables(figures: Figures) -> list[Table]:
    total = figures.total
    per_case = figures.cases.of("attempts")
    not_followed = total.cases - total.followed
    tables = [
        Table(
            slug="pogingen-per-zaak",
            title="Contactpogingen per zaak",
            columns=_columns(
                ("pogingen", "pogingen"), ("zaken", "zaken"), ("opgepakt", "opgepakt")
            ),
            rows=tuple(
                (
                    bucket,
                    per_case.get(bucket, Group()).cases,
                    per_case.get(bucket, Group()).followed,
                )
                for bucket in ATTEMPT_BUCKETS
            ),
            chart_column="zaken",
            note=f"{total.cases} zaken ontvangen in de periode, {total.attempts} pogingen; "
            f"{not_followed} bij de screening gesloten (niet opgepakt, 0 pogingen).",
        )
    ]
    attempts = figures.attempts
    per = (
        ("pogingen-per-contactsoort", "Pogingen en bereik per contactsoort", "contactsoort",
         "contactsoort", attempts.per_kind, ContactKind.values, str),
        ("pogingen-per-dagdeel", "Pogingen en bereik per dagdeel", "dagdeel", "dagdeel",
         attempts.per_dagdeel, Dagdeel.values, str),
        ("pogingen-per-medewerker", "Pogingen en bereik per medewerker", "medewerker",
         "medewerker", attempts.per_worker, (), str),
        ("pogingen-per-campagne", "Pogingen en bereik per campagne", "campagne", "campagne",
         figures.per_campaign, (), campaign_label),
    )  # fmt: skip
    for slug, title, key, label, tallies, order, name in per:
        tables.append(_tally_table(slug, title, key, label, tallies, order, name))
    tasks = figures.tasks
    tables.append(
        Table(
            slug="verlopen-taken",
            title="Verlopen taken (niet uitgevoerd)",
            columns=_columns(("taak", "taak"), ("taken", "taken"), ("verlopen", "verlopen")),
            rows=tuple(
                (
                    str(Task.Kind(kind).label),
                    tasks[kind].tasks,
                    Rate(tasks[kind].expired, tasks[kind].tasks),
                )
                for kind in Task.Kind.values
                if kind in tasks
            ),
            chart_column="verlopen",
            note="Belafspraken en huisbezoeken die aan het eind van het contactvenster van de "
            "zaak niet waren gedaan; zij tellen niet als poging.",
        )
    )
    return tables


def _tally_table(
    slug: str,
    title: str,
    key: str,
    label: str,
    tallies: dict[str, Tally],
    order: Sequence[str],
    name: Callable[[str], str],
) -> Table:
    rows = tuple(
        (name(k), tallies[k].attempts, Rate(tallies[k].reached, tallies[k].attempts))
        for k in _ordered(tallies, order)
    )
    return Table(
        slug=slug,
        title=title,
        columns=_columns((key, label), ("pogingen", "pogingen"), ("bereikt", "bereikt")),
        rows=rows,
        chart_column="pogingen",
        note="Bereikt per poging: pogingen die iemand bereikten (DDAS bereikt), van alle "
        "pogingen. " + SMALL,
    )


REACH_COLUMNS = (
    ("zaken", "opgepakte zaken"),
    ("bereikt", "bereikt"),
    ("geaccepteerd", "hulp geaccepteerd"),
)


def reach_tables(cases: CaseGroups) -> list[Table]:
    """Reach and acceptance per case, of the followed-up cases, per group."""
    partner_order = list(PartnerType.values)
    per = (
        ("bereik-per-aantal-pogingen", "Bereik per aantal pogingen", "pogingen", "attempts",
         ATTEMPT_BUCKETS, str),
        ("bereik-per-campagne", "Bereik per campagne", "campagne", "campaign", (),
         campaign_label),
        ("bereik-per-partnertype", "Bereik per soort signaalpartner", "partnertype",
         "partner_type", partner_order, str),
        ("bereik-per-soort-zaak", "Bereik bij enkelvoudige, meervoudige en opeenvolgende "
         "signalen", "soort", "kind", ("single", "multiple", "consecutive"), kind_label),
        ("bereik-per-leeftijd", "Bereik per leeftijd", "leeftijd", "age_band", AGE_ORDER,
         AGE_LABELS.__getitem__),
        ("bereik-per-taal", "Bereik per voorkeurstaal", "taal", "language", ("",),
         language_label),
        ("bereik-per-postcodegebied", "Bereik per postcodegebied", "postcodegebied", "area", (),
         area_label),
    )  # fmt: skip
    notes = {
        "partner_type": "Het type van het eerste signaal van de zaak.",
        "age_band": "Leeftijd op de dag van ontvangst; onbekend zonder geboortedatum en na "
        "anonimisering.",
        "language": "Zonder vastgelegde taal: Nederlands of onbekend (ook na anonimisering).",
        "area": "De vier cijfers van de postcode.",
    }
    tables = []
    for slug, title, key, dimension, order, name in per:
        groups = {k: c for k, c in cases.of(dimension).items() if c.followed}
        rows = tuple(
            (name(k), groups[k].followed, Rate(groups[k].reached, groups[k].followed),
             Rate(groups[k].accepted, groups[k].followed))
            for k in _ordered(groups, order)
        )  # fmt: skip
        note = " ".join(
            part
            for part in (
                "Per opgepakte zaak: bereikt bij minstens één bereikte poging; geaccepteerd "
                "als het hulpaanbod is aanvaard.",
                notes.get(dimension, ""),
                SMALL,
            )
            if part
        )
        tables.append(
            Table(
                slug=slug,
                title=title,
                columns=_columns((key, key), *REACH_COLUMNS),
                rows=rows,
                chart_column="bereikt",
                note=note,
            )
        )
    return tables


def deadline_tables(figures: Figures, late: list[LateCase]) -> list[Table]:
    d = figures.deadlines
    measures = Table(
        slug="termijnen",
        title="Termijnen",
        columns=_columns(("maat", "maat"), ("op_tijd", "op tijd")),
        rows=(
            ("eerste poging binnen 1 werkdag na ontvangst", d.first_working_day),
            ("eerste poging binnen de wettelijke termijn", d.first_attempt_in_time),
            ("hulpaanbod binnen de wettelijke termijn", d.offer_in_time),
        ),
        chart_column="op_tijd",
        note="Wettelijke termijn: 28 dagen na ontvangst, bij een crisissignaal 3 werkdagen. "
        "Telt de opgepakte zaken waarvan de termijn voorbij is of waarbij het gemeten al "
        "gebeurde. " + SMALL,
    )
    medians = Table(
        slug="doorlooptijden",
        title="Doorlooptijden (mediaan, dagen na ontvangst)",
        columns=_columns(("maat", "maat"), ("mediaan_dagen", "mediaan (dagen)")),
        rows=(
            ("tot de eerste poging", d.median_days_to_first_attempt),
            ("tot contact (eerste bereikte poging)", d.median_days_to_contact),
        ),
        note="Over de opgepakte zaken die al een poging, of contact, hadden.",
    )
    shown = f"; de eerste {LATE_LIST_LIMIT} staan hier" if d.late > len(late) else ""
    late_table = Table(
        slug="te-late-zaken",
        title="Te late zaken",
        columns=_columns(
            ("zaak", "zaak"),
            ("ontvangen", "ontvangen"),
            ("uiterlijk", "uiterlijk"),
            ("eerste_poging", "eerste poging"),
            ("status", "status"),
        ),
        rows=tuple(
            (
                c.reference,
                c.received.isoformat(),
                c.deadline.isoformat(),
                c.first_attempt.isoformat() if c.first_attempt else None,
                state_label(c.state),
            )
            for c in late
        ),
        note=f"{d.late} opgepakte zaken zonder eerste poging binnen de termijn{shown}; "
        "de vroegste termijn eerst.",
    )
    return [measures, medians, late_table]


def workload_tables(load: Workload, cases: CaseGroups) -> list[Table]:
    kinds = list(Task.Kind.values)
    names = {kind: str(Task.Kind(kind).label) for kind in kinds}
    per_day = Table(
        slug="taken-per-dag",
        title="Open taken per werkdag tegenover de capaciteit",
        columns=(
            Column("dag", "dag"),
            *(
                column
                for kind in kinds
                for column in (
                    Column(kind, names[kind]),
                    Column(f"capaciteit_{kind}", f"capaciteit {names[kind]}"),
                )
            ),
        ),
        rows=tuple(
            (
                day.isoformat(),
                *(
                    value
                    for kind in kinds
                    for value in (load.kinds[kind].per_day.get(day, 0), load.kinds[kind].capacity)
                ),
            )
            for day in load.days
        ),
        chart_column=kinds[0],
        note="Nu, voor de hele gemeente: de open taken zoals de capaciteitsplanning ze over de "
        "komende werkdagen verdeelt.",
    )
    shortfall = Table(
        slug="tekort",
        title="Tekort aan capaciteit",
        columns=_columns(
            ("taak", "taak"),
            ("open", "open"),
            ("capaciteit_per_dag", "capaciteit per dag"),
            ("achterstallig", "achterstallig"),
            ("niet_ingepland", "niet ingepland"),
            ("na_termijn", "na de termijn ingepland"),
            ("tekort", "tekort"),
        ),
        rows=tuple(
            (names[kind], k.open, k.capacity, k.overdue, k.unplanned, k.late, k.shortfall)
            for kind, k in load.kinds.items()
        ),
        chart_column="tekort",
        note="Nu, voor de hele gemeente: open taken die de capaciteit niet op tijd draagt "
        "(voor een eerdere dag gepland en nog open, niet ingepland binnen "
        f"{len(load.days)} werkdagen, of pas na de termijn van de zaak ingepland).",
    )
    states = cases.of("state")
    per_state = Table(
        slug="zaken-per-status",
        title="Zaken per status",
        columns=_columns(("status", "status"), ("zaken", "zaken"), ("risico", "op de risicolijst")),
        rows=tuple(
            (state_label(s), states[s].cases, states[s].at_risk)
            for s in _ordered(states, Case.State.values)
        ),
        chart_column="zaken",
        note=f"De zaken ontvangen in de periode, zoals ze nu staan. Nu in de hele gemeente: "
        f"{load.open_cases} open zaken, waarvan {load.at_risk} op de risicolijst.",
    )
    return [per_day, shortfall, per_state]


def feedback_table(partners: list[PartnerFeedbackCounts]) -> Table:
    facts = PartnerFeedback.Outcome
    return Table(
        slug="terugmelding-per-partner",
        title="Terugmelding aan signaalpartners",
        columns=_columns(
            ("partner", "partner"),
            ("signalen", "signalen"),
            ("teruggemeld", "teruggemeld"),
            *((fact, str(facts(fact).label)) for fact in facts.values),
            ("openstaand", "openstaand"),
            ("te_laat", "openstaand na 28 dagen"),
        ),
        rows=tuple(
            (
                p.partner,
                p.signals,
                p.sent,
                *(p.by_fact[f] for f in facts.values),
                p.outstanding,
                p.overdue,
            )
            for p in partners
        ),
        chart_column="openstaand",
        note="De signalen van de zaken ontvangen in de periode. Een terugmelding is uiterlijk "
        "28 dagen na ontvangst verschuldigd, eerder als de zaak sluit.",
    )
