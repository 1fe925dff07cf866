"""The intake pipeline: validate, deduplicate, store, screen, match and prioritise, in batches.

Rows stream through; each batch of validated signals is written in one transaction with set-wise
statements (COPY on PostgreSQL), so memory stays flat and a file of a million rows does not mean
a million round trips. Intake for one municipality is serialised by a lock, so two deliveries
at once cannot split one household over two cases.
"""

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach.casework import workflow
from outreach.casework.events import CAMPAIGN_CHOSEN
from outreach.casework.models import Case, CaseEvent
from outreach.core import audit, bulk
from outreach.core.bsn import Keyring, keyring
from outreach.core.ddas import FOLLOWED_UP, SignalStatus
from outreach.core.models import Municipality
from outreach.intake.bsn_storage import check_bsn_key
from outreach.intake.deadlines import signal_deadline
from outreach.intake.framework_files import framework_for
from outreach.intake.listing import add_listed, listed_limit, listing_note
from outreach.intake.matching import (
    WindowSignal,
    case_kind,
    household_facts,
    in_window,
    months_before,
)
from outreach.intake.models import (
    Household,
    ImportRun,
    OptOut,
    Person,
    PhoneNumber,
    Signal,
    SignalPartner,
)
from outreach.intake.readers import RawRow
from outreach.intake.screening import ScreenedOut, screen
from outreach.intake.sources import PersonQuery, debt_help_clients, population_register
from outreach.intake.validation import Finding, RowValidator, SignalRecord
from outreach.intake.weighing import Framework, format_euro

BATCH_SIZE = 10000
# Households are spread over this many lock slots (see bulk.lock_slots); parallel intake
# workers each take a share of the slots.
LOCK_SLOTS = 16
FOLLOWED = list(FOLLOWED_UP)


@dataclass
class ImportReport:
    """What a delivery gave. The first `listed` rejections and warnings (by row) are listed,
    all of them counted: a file of a million bad rows gives a report of a few KB."""

    accepted: int = 0
    rejected: int = 0  # rows
    duplicates: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    warnings_total: int = 0
    rejections_total: int = 0  # findings: a row may be rejected for several fields
    listed: int = field(default_factory=listed_limit)

    def reject(self, findings: Iterable[Finding]) -> None:
        """One rejected row and what is wrong with it."""
        self.rejected += 1
        self.rejections_total += add_listed(self.rejections, findings, self.listed)

    def warn(self, findings: Iterable[Finding]) -> None:
        self.warnings_total += add_listed(self.warnings, findings, self.listed)

    def add(self, part: "ImportReport") -> None:
        """Add a parallel worker's report (each lists the first of its own rows, so the first
        of all rows are among them)."""
        self.accepted += part.accepted
        self.rejected += part.rejected
        self.duplicates += part.duplicates
        self.warnings_total += part.warnings_total
        self.rejections_total += part.rejections_total
        for mine, theirs in ((self.warnings, part.warnings), (self.rejections, part.rejections)):
            mine.extend(theirs)
            mine.sort(key=lambda item: item["row"])
            del mine[self.listed :]

    def as_dict(self) -> dict[str, Any]:
        report = {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "warnings": self.warnings,
            "rejections": self.rejections,
            "warnings_total": self.warnings_total,
            "rejections_total": self.rejections_total,
        }
        note = listing_note(
            self.listed,
            rejections=(len(self.rejections), self.rejections_total),
            warnings=(len(self.warnings), self.warnings_total),
        )
        if note:
            report["note"] = note
        return report


def household_slot(key: str) -> int:
    return zlib.crc32(key.encode()) % LOCK_SLOTS


def weighing_framework(municipality: str | None = None) -> Framework:
    """The weighing framework that applies to the municipality with this CBS code: its own
    `campaigns/<code>/afwegingskader.toml`, else the shared one (`municipality` None)."""
    return framework_for(Path(settings.CAMPAIGNS_DIR), municipality)


def import_rows(
    rows: Iterable[RawRow],
    *,
    municipality: Municipality,
    now: datetime,
    partner_type: str | None = None,
    partner_name: str = "",
    partner: SignalPartner | None = None,
    source: str = "",
    framework: Framework | None = None,
    batch_size: int = BATCH_SIZE,
    received: datetime | None = None,
) -> ImportReport:
    """Take every good row, report every bad one; nothing valid is lost beside a bad row.

    `received`: when the municipality received the signals (default `now`); the statutory
    deadlines count from its local date. Earlier for a file taken over from another system."""
    report = intake_rows(
        rows,
        municipality=municipality,
        now=now,
        received=received,
        partner_type=partner_type,
        partner_name=partner_name,
        partner=partner,
        framework=framework,
        batch_size=batch_size,
    )
    record_run(report, municipality=municipality, now=now, partner=partner, source=source)
    return report


def intake_rows(
    rows: Iterable[RawRow],
    *,
    municipality: Municipality,
    now: datetime,
    partner_type: str | None = None,
    partner_name: str = "",
    partner: SignalPartner | None = None,
    framework: Framework | None = None,
    batch_size: int = BATCH_SIZE,
    analyzes: bool = True,
    received: datetime | None = None,
) -> ImportReport:
    """The pipeline without the run record. `analyzes`: refresh planner statistics as the
    tables grow (one of several parallel workers is enough); `received` as for import_rows."""
    if partner is not None:
        partner_type, partner_name = partner.type, partner.name
    received = received or now
    framework = framework or weighing_framework(municipality.code)
    intake = BatchIntake(municipality, now, framework, analyzes, received)
    validator = RowValidator(
        timezone.localdate(now), partner_type, partner_name, timezone.localdate(received)
    )
    report = ImportReport()
    batch: list[SignalRecord] = []
    for row in rows:
        outcome = validator.validate(row)
        if outcome.warnings:
            report.warn(outcome.warnings)
        if outcome.record is None:
            report.reject(outcome.errors)
            continue
        batch.append(outcome.record)
        if len(batch) >= batch_size:
            intake.store(batch, report)
            batch = []
    if batch:
        intake.store(batch, report)
    return report


def record_run(
    report: ImportReport,
    *,
    municipality: Municipality,
    now: datetime,
    partner: SignalPartner | None,
    source: str,
) -> None:
    with transaction.atomic():  # the run and its audit line commit together
        run = ImportRun.objects.create(
            municipality=municipality,
            partner=partner,
            source=source[:300],
            started_at=now,
            report={
                "accepted": report.accepted,
                "rejected": report.rejected,
                "duplicates": report.duplicates,
            },
        )
        # Where from without the file's name (a name may say whose it is), and the counts.
        origin = f"api partner {partner.pk}" if partner is not None else source_word(source)
        audit.record(
            None, audit.Action.IMPORTED, audit.Kind.FILE, run.pk, municipality,
            f"signalen ({origin}): {report.accepted} aanvaard, {report.rejected} afgekeurd, "
            f"{report.duplicates} dubbel", now,
        )  # fmt: skip


def source_word(source: str) -> str:
    """How a delivery came, in a word: "demo", "api" or a file ("bestand")."""
    if source == "demo" or source.startswith("demo"):
        return "demo"
    return "api" if source.startswith("api") else "bestand"


@dataclass(slots=True)
class HouseholdRef:
    id: int
    postcode: str
    minors: int | None


@dataclass(slots=True)
class CaseDraft:
    """A case being created or changed by this batch."""

    id: int | None
    household_id: int
    state: str
    deadline: date
    crisis: bool
    matching_start: date
    matching_end: date
    kind: str = Case.Kind.SINGLE
    score: int = 0
    tier: str = ""
    reasons: list[dict[str, Any]] = field(default_factory=list)
    campaign: str = ""
    result: str | None = None
    result_reason: str = ""
    # A running campaign the weighing framework would now choose differently (see
    # outreach.cadence.upgrade).
    replan: bool = False


class BatchIntake:
    def __init__(
        self,
        municipality: Municipality,
        now: datetime,
        framework: Framework,
        analyzes: bool = True,
        received: datetime | None = None,
    ) -> None:
        self.municipality = municipality
        self.now = now
        self.today = timezone.localdate(now)
        # The statutory clock starts on the day the municipality received the signals.
        self.received = received or now
        self.received_day = timezone.localdate(self.received)
        self.arrears_bounds = municipality.arrears_bounds()
        self.framework = framework
        self.clients = debt_help_clients()
        self.register = population_register()
        # A wrong BSN key fails here, before any row: otherwise no source would match by BSN.
        self.keys = keyring()
        check_bsn_key(municipality, self.keys)
        self.partners: dict[tuple[str, str], int] = {}
        self.batches = 0
        self.thresholds: dict[str, int] = {}
        self.analyzes = analyzes

    def store(self, records: Sequence[SignalRecord], report: ImportReport) -> None:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    bulk.lock_slots(
                        self.municipality.pk, {household_slot(r.household_key) for r in records}
                    )
                    fresh, duplicates = self._new_signals(records)
                    if fresh:
                        self._store_fresh(fresh)
            except IntegrityError:
                # Another delivery stored one of these signals under another household's lock
                # (same partner reference, other address): look again, it is a duplicate now.
                # Partners created in the rolled-back transaction are gone too.
                self.partners.clear()
                if attempt == 2:
                    raise
                continue
            report.accepted += len(fresh)
            report.duplicates += duplicates
            self.batches += 1
            if self.analyzes and self.batches & (self.batches - 1) == 0:  # batch 1, 2, 4, 8...
                bulk.analyze(GROWING_TABLES)
            return

    def _new_signals(self, records: Sequence[SignalRecord]) -> tuple[list[SignalRecord], int]:
        by_key: dict[str, SignalRecord] = {}
        duplicates = 0
        for record in records:
            key = record.dedupe_key
            if key in by_key:
                duplicates += 1
            else:
                by_key[key] = record
        stored = {
            key
            for (key,) in bulk.select(
                f"SELECT dedupe_key FROM {bulk.table(Signal)} "
                "WHERE municipality_id = %s AND dedupe_key = ANY(%s)",
                [self.municipality.pk, list(by_key)],
            )
        }
        return [r for k, r in by_key.items() if k not in stored], duplicates + len(stored)

    def _store_fresh(self, records: list[SignalRecord]) -> None:
        # New partners first and in one order: two deliveries (or the processes of one file)
        # that create the same partners then wait for each other instead of deadlocking.
        for partner_type, name in sorted({(r.partner_type, r.partner_name) for r in records}):
            self._partner(partner_type, name)
        # Each BSN's blind indexes, once: the person's row stores the first, the sources are
        # looked up by all (outreach.core.bsn).
        keys = self.keys
        queries = [
            PersonQuery(
                r.bsn,
                r.household_key,
                r.surname,
                r.birth_date,
                keys.indexes(r.bsn) if r.bsn else (),
            )
            for r in records
        ]
        households = self._households(records)
        persons = self._persons(records, households, queries)
        self._phones(records, persons)
        known = self.clients.known(self.municipality, queries)
        residency = self.register.check(self.municipality, queries)
        opted_out = {
            person_id
            for (person_id,) in bulk.select(
                f"SELECT person_id FROM {bulk.table(OptOut)} "
                "WHERE municipality_id = %s AND person_id = ANY(%s)",
                [self.municipality.pk, list(persons.values())],
            )
        }
        minors_changed: dict[int, int] = {}
        matcher = CaseMatcher(self, [h.id for h in households.values()], records)
        screenings: list[ScreenedOut | None] = []
        for record, is_client, outcome in zip(records, known, residency, strict=True):
            household = households[record.household_key]
            if outcome.minors is not None and household.minors != outcome.minors:
                household.minors = minors_changed[household.id] = outcome.minors
            screenings.append(
                screen(
                    record,
                    known_client=is_client,
                    register=outcome,
                    opted_out=persons[record.person_key] in opted_out,
                    threshold=self._threshold(record.partner_type),
                    arrears_bounds=self.arrears_bounds,
                )
            )
        # Followed-up signals first: a screened-out signal joins the open case they start,
        # whatever the order of the rows.
        decided: dict[int, tuple[CaseDraft, str, str]] = {}
        for index, (record, screened) in enumerate(zip(records, screenings, strict=True)):
            if screened is None:
                partner_id = self._partner(record.partner_type, record.partner_name)
                status, note, case = matcher.match(
                    record, households[record.household_key], partner_id
                )
                decided[index] = (case, status, note)
        for index, (record, screened) in enumerate(zip(records, screenings, strict=True)):
            if screened is not None:
                case = matcher.screened_out(record, households[record.household_key], screened)
                decided[index] = (case, screened.status, screened.reason)
        matcher.save()
        signal_rows = [
            (record, persons[record.person_key], households[record.household_key].id, *decided[i])
            for i, record in enumerate(records)
        ]
        # Rows are built before COPY starts: no other query may run on the connection during it.
        bulk.insert(Signal, SIGNAL_COLUMNS, [self._signal_row(*row) for row in signal_rows])
        bulk.update(Household, ["minors"], list(minors_changed.items()))

    def _signal_row(
        self,
        record: SignalRecord,
        person_id: int,
        household_id: int,
        case: CaseDraft,
        status: str,
        note: str,
    ) -> tuple[Any, ...]:
        return (
            self.municipality.pk,
            self._partner(record.partner_type, record.partner_name),
            record.partner_type,
            record.partner_ref,
            record.dedupe_key,
            record.amount,
            record.arrears_start,
            record.signal_date,
            record.crisis,
            record.customer_number,
            status,
            note,
            person_id,
            household_id,
            case.id,
            self.received,
            orjson.dumps(record.raw).decode(),
        )

    def _threshold(self, partner_type: str) -> int:
        if partner_type not in self.thresholds:
            self.thresholds[partner_type] = self.municipality.threshold_for(partner_type)
        return self.thresholds[partner_type]

    def _partner(self, partner_type: str, name: str) -> int:
        key = (partner_type, name)
        if key not in self.partners:
            # Only registering a partner for a municipality grants its API token access there;
            # a municipality importing a partner's file grants nothing.
            partner, _ = SignalPartner.objects.get_or_create(type=partner_type, name=name)
            self.partners[key] = partner.pk
        return self.partners[key]

    def _households(self, records: list[SignalRecord]) -> dict[str, HouseholdRef]:
        wanted = {r.household_key: r for r in records}
        found = {
            key: HouseholdRef(pk, postcode, minors)
            for key, pk, postcode, minors in bulk.select(
                f"SELECT key, id, postcode, minors FROM {bulk.table(Household)} "
                "WHERE municipality_id = %s AND key = ANY(%s)",
                [self.municipality.pk, list(wanted)],
            )
        }
        missing = [r for key, r in wanted.items() if key not in found]
        ids = bulk.reserve_ids(Household, len(missing))
        bulk.insert(
            Household,
            ["id", "municipality", "key", "postcode", "house_number", "addition", "street", "town"],
            [
                (
                    pk,
                    self.municipality.pk,
                    r.household_key,
                    r.postcode,
                    r.house_number,
                    r.addition,
                    r.street,
                    r.town,
                )
                for pk, r in zip(ids, missing, strict=True)
            ],
        )
        for pk, r in zip(ids, missing, strict=True):
            found[r.household_key] = HouseholdRef(pk, r.postcode, None)
        return found

    def _persons(
        self,
        records: list[SignalRecord],
        households: dict[str, HouseholdRef],
        queries: list[PersonQuery],
    ) -> dict[str, int]:
        wanted: dict[str, tuple[SignalRecord, PersonQuery]] = {}
        for record, query in zip(records, queries, strict=True):
            wanted[record.person_key] = (record, query)  # the latest row tells most
        found: dict[str, int] = {}
        completed = []
        for key, pk, *known in bulk.select(
            f"SELECT key, id, bsn_encrypted, bsn_index, first_name, birth_date, email "
            f"FROM {bulk.table(Person)} WHERE municipality_id = %s AND key = ANY(%s)",
            [self.municipality.pk, list(wanted)],
        ):
            found[key] = pk
            filled = fill_in(known, *wanted[key], self.keys)
            if filled != known:
                completed.append((pk, *filled))
        bulk.update(Person, FILLED_IN, completed)
        missing = [pair for key, pair in wanted.items() if key not in found]
        ids = bulk.reserve_ids(Person, len(missing))
        bulk.insert(
            Person,
            [
                "id",
                "municipality",
                "household",
                "key",
                "bsn_encrypted",
                "bsn_index",
                "initials",
                "first_name",
                "prefix",
                "surname",
                "birth_date",
                "email",
                "preferred_language",
            ],
            [
                (
                    pk,
                    self.municipality.pk,
                    households[r.household_key].id,
                    r.person_key,
                    self.keys.seal(r.bsn) if r.bsn else "",
                    q.bsn_indexes[0] if r.bsn else "",
                    r.initials,
                    r.first_name,
                    r.prefix,
                    r.surname,
                    r.birth_date,
                    r.email,
                    "",
                )
                for pk, (r, q) in zip(ids, missing, strict=True)
            ],
        )
        found.update((r.person_key, pk) for pk, (r, _) in zip(ids, missing, strict=True))
        return found

    @staticmethod
    def _phones(records: list[SignalRecord], persons: dict[str, int]) -> None:
        phones = {(persons[r.person_key], r.phone.e164): r.phone.kind for r in records if r.phone}
        if not phones:
            return
        existing = set(
            bulk.select(
                f"SELECT person_id, e164 FROM {bulk.table(PhoneNumber)} WHERE person_id = ANY(%s)",
                [list({pid for pid, _ in phones})],
            )
        )
        bulk.insert(
            PhoneNumber,
            ["person", "e164", "kind"],
            [
                (pid, e164, kind)
                for (pid, e164), kind in phones.items()
                if (pid, e164) not in existing
            ],
        )


SIGNAL_COLUMNS = [
    "municipality", "partner", "partner_type", "partner_ref", "dedupe_key", "amount",
    "arrears_start", "signal_date", "crisis", "customer_number", "status", "screening",
    "person", "household", "case", "received_at", "raw",
]  # fmt: skip
FILLED_IN = ["bsn_encrypted", "bsn_index", "first_name", "birth_date", "email"]
GROWING_TABLES = [Signal, Household, Person, Case]


def fill_in(known: list[Any], record: SignalRecord, query: PersonQuery, keys: Keyring) -> list[Any]:
    """Complete what an earlier signal left empty; never overwrite what we have. `known`: the
    person's FILLED_IN columns."""
    encrypted, index, *rest = known
    if not encrypted and record.bsn:
        encrypted, index = keys.seal(record.bsn), query.bsn_indexes[0]
    offered = [record.first_name, record.birth_date, record.email]
    return [encrypted, index, *(have or new for have, new in zip(rest, offered, strict=True))]


class CaseMatcher:
    """Groups a batch's signals into the households' open cases, or new ones.

    A followed-up signal joins the household's open case or starts one. A screened-out signal
    joins the open case too, with its own status, so the caseworker sees it; only where the
    household has no open case does it get a closed case of its own."""

    def __init__(
        self, intake: BatchIntake, household_ids: list[int], records: list[SignalRecord]
    ) -> None:
        self.intake = intake
        self.window = intake.framework.matching_window_months
        self.manual_tiers = frozenset(intake.municipality.manual_launch_tiers or [])
        self.open: dict[int, CaseDraft] = {}
        for row in bulk.select(
            "SELECT id, household_id, state, deadline, crisis, matching_start, matching_end, "
            f"kind, score, tier, campaign, replan FROM {bulk.table(Case)} "
            "WHERE household_id = ANY(%s) AND state <> %s ORDER BY created_at, id",
            [household_ids, Case.State.CLOSED.value],
        ):
            (pk, household_id, state, deadline, crisis, start, end, kind, score, tier, campaign,
             replan) = row  # fmt: skip
            self.open[household_id] = CaseDraft(
                pk, household_id, state, _day(deadline), bool(crisis), _day(start), _day(end),
                kind, score, tier, [], campaign, replan=bool(replan),
            )  # fmt: skip
        # New cases whose campaign a caseworker chose (at launch, or by switching before the
        # start): a new signal does not put the framework's proposal over her choice.
        self.chosen = set(
            CaseEvent.objects.filter(
                case_id__in=[c.id for c in self.open.values() if c.state == Case.State.NEW],
                action__in=CAMPAIGN_CHOSEN,
            ).values_list("case_id", flat=True)
        )
        # Per household and partner, the amount of the partner's latest followed-up signal in
        # the open case: a repeat whose arrears did not grow is "herhaalde melding".
        self.previous: dict[tuple[int, int], Decimal] = {}
        open_ids = [c.id for c in self.open.values()]
        if open_ids:
            for household_id, partner_id, amount in bulk.select(
                f"SELECT household_id, partner_id, amount FROM {bulk.table(Signal)} "
                "WHERE case_id = ANY(%s) AND status = ANY(%s) ORDER BY signal_date, id",
                [open_ids, FOLLOWED],
            ):
                self.previous[(household_id, partner_id)] = _decimal(amount)
        earliest = months_before(min(r.signal_date for r in records), self.window)
        self.history: dict[int, list[WindowSignal]] = defaultdict(list)
        # The followed-up signals, and the screened-out ones that joined a case with them.
        signal = bulk.table(Signal)
        for household_id, partner_type, signal_date, amount, crisis, birth, status in bulk.select(
            "SELECT s.household_id, s.partner_type, s.signal_date, s.amount, s.crisis, "
            f"p.birth_date, s.status FROM {signal} s "
            f"JOIN {bulk.table(Person)} p ON p.id = s.person_id "
            "WHERE s.household_id = ANY(%s) AND s.signal_date >= %s AND (s.status = ANY(%s) "
            f"OR EXISTS (SELECT 1 FROM {signal} f WHERE f.case_id = s.case_id "
            "AND f.status = ANY(%s)))",
            [household_ids, earliest, FOLLOWED, FOLLOWED],
        ):
            self.history[household_id].append(
                WindowSignal(
                    partner_type,
                    _day(signal_date),
                    _decimal(amount),
                    bool(crisis),
                    bulk.as_date(birth),
                    followed=status in FOLLOWED,
                )
            )
        self.touched: dict[int, HouseholdRef] = {}
        self.new_cases: list[CaseDraft] = []

    def screened_out(
        self, record: SignalRecord, household: HouseholdRef, screened: ScreenedOut
    ) -> CaseDraft:
        """The household's open case, which the signal joins without changing its deadline or
        state (the caseworker decides); without one, a closed case with the screening's result."""
        case = self.open.get(household.id)
        if case is not None:
            self._remember(record, household, followed=False)
            return case
        case = self._case(household, record.signal_date, record.crisis)
        case.state = workflow.initial_state(screened_out=True, waits_for_launch=False)
        case.result = screened.result
        case.result_reason = screened.reason
        return case

    def match(
        self, record: SignalRecord, household: HouseholdRef, partner_id: int
    ) -> tuple[str, str, CaseDraft]:
        """Join the household's open case or start one; returns the signal's status and note."""
        status, note = SignalStatus.NOT_YET_PICKED_UP.value, ""
        case = self.open.get(household.id)
        previous = self.previous.get((household.id, partner_id))
        if case is None:
            case = self._case(household, record.signal_date, record.crisis)
            self.open[household.id] = case
        elif previous is not None and record.amount <= previous:
            status = SignalStatus.REPEAT.value
            note = (
                f"Herhaalde melding van {record.partner_type}: achterstand "
                f"{format_euro(record.amount)}, niet hoger dan de vorige melding "
                f"({format_euro(previous)}); bij de lopende zaak gevoegd."
            )
        elif previous is not None:
            note = (
                f"Opnieuw gemeld door {record.partner_type}: achterstand gegroeid van "
                f"{format_euro(previous)} naar {format_euro(record.amount)}."
            )
        self.previous[(household.id, partner_id)] = record.amount
        # A later signal never postpones the deadline; a crisis signal brings it forward.
        deadline = signal_deadline(self.intake.received_day, record.crisis)
        case.deadline = min(case.deadline, deadline)
        case.crisis = case.crisis or record.crisis
        self._remember(record, household, followed=True)
        return status, note, case

    def _remember(self, record: SignalRecord, household: HouseholdRef, *, followed: bool) -> None:
        """The signal counts in the household's matching window; its case is re-weighed."""
        self.history[household.id].append(
            WindowSignal(
                record.partner_type,
                record.signal_date,
                record.amount,
                record.crisis,
                record.birth_date,
                followed=followed,
            )
        )
        self.touched[household.id] = household

    def _case(self, household: HouseholdRef, signal_date: date, crisis: bool) -> CaseDraft:
        case = CaseDraft(
            id=None,
            household_id=household.id,
            state=workflow.initial_state(screened_out=False, waits_for_launch=False),
            deadline=signal_deadline(self.intake.received_day, crisis),
            crisis=crisis,
            matching_start=signal_date,
            matching_end=signal_date,
        )
        self.new_cases.append(case)
        return case

    def save(self) -> None:
        changed: list[CaseDraft] = []
        for household_id, household in self.touched.items():
            case = self.open[household_id]
            self._prioritise(case, household)
            if case.id is not None:
                changed.append(case)
        now = self.intake.now
        municipality_id = self.intake.municipality.pk
        for case, pk in zip(
            self.new_cases, bulk.reserve_ids(Case, len(self.new_cases)), strict=True
        ):
            case.id = pk
        bulk.insert(
            Case,
            ["id", "municipality", "household", "kind", "matching_start", "matching_end",
             "score", "tier", "reasons", "campaign", "crisis", "deadline", "state", "result",
             "result_reason", "created_at", "closed_at", "state_changed_at"],
            [
                (c.id, municipality_id, c.household_id, c.kind, c.matching_start,
                 c.matching_end, c.score, c.tier, c.reasons, c.campaign, c.crisis, c.deadline,
                 c.state, c.result, c.result_reason, now,
                 now if c.state == Case.State.CLOSED else None, now)
                for c in self.new_cases
            ],
        )  # fmt: skip
        bulk.update(
            Case,
            ["kind", "score", "tier", "reasons", "campaign", "crisis", "deadline",
             "matching_start", "matching_end", "replan"],
            [
                (c.id, c.kind, c.score, c.tier, c.reasons, c.campaign, c.crisis, c.deadline,
                 c.matching_start, c.matching_end, c.replan)
                for c in changed
            ],
        )  # fmt: skip

    def _prioritise(self, case: CaseDraft, household: HouseholdRef) -> None:
        window = in_window(self.history[household.id], self.window)
        facts = household_facts(
            window,
            today=self.intake.today,
            minors=None if household.minors is None else household.minors > 0,
            postcode=household.postcode,
        )
        priority = self.intake.framework.assess(facts)
        case.kind = case_kind(facts)
        case.score = priority.score
        case.tier = priority.tier
        case.reasons = [
            {"rule": r.rule, "weight": r.weight, "detail": r.detail} for r in priority.reasons
        ]
        if case.state in (Case.State.NEW, Case.State.WAITING) and case.id not in self.chosen:
            case.campaign = priority.campaign  # proposed: a caseworker may still change it
            if case.id is None:
                case.state = workflow.initial_state(
                    screened_out=False,
                    waits_for_launch=priority.tier in self.manual_tiers,
                )
        elif case.state == Case.State.ACTIVE and priority.campaign != case.campaign:
            case.campaign = priority.campaign
            case.replan = True
        case.matching_start = min(s.signal_date for s in window)
        case.matching_end = max(s.signal_date for s in window)


def _day(value: Any) -> date:
    day = bulk.as_date(value)
    assert day is not None, "NOT NULL date column"
    return day


def _decimal(value: Any) -> Decimal:
    """SQLite hands decimals back as numbers."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
