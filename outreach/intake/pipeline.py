"""The intake pipeline: validate, deduplicate, store, screen, match and prioritise, in batches.

Rows stream through; each batch of validated signals is written in one transaction with set-wise
queries, so memory stays flat and a file of a million rows does not mean a million round trips.
Intake for one municipality is serialised (an advisory lock on PostgreSQL), so two deliveries
at once cannot split one household over two cases.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from outreach.casework.models import Case
from outreach.core.ddas import SignalStatus
from outreach.core.models import Municipality
from outreach.intake.deadlines import signal_deadline
from outreach.intake.matching import (
    WindowSignal,
    case_kind,
    household_facts,
    in_window,
    months_before,
)
from outreach.intake.models import Household, ImportRun, Person, PhoneNumber, Signal, SignalPartner
from outreach.intake.readers import RawRow
from outreach.intake.screening import screen
from outreach.intake.sources import (
    PersonQuery,
    RegisterOutcome,
    debt_help_clients,
    population_register,
)
from outreach.intake.validation import RowValidator, SignalRecord
from outreach.intake.weighing import Framework, load_framework
from outreach.privacy.models import OptOut

BATCH_SIZE = 2000
FOLLOWED = (SignalStatus.NOT_YET_PICKED_UP, SignalStatus.REPEAT)


@dataclass
class ImportReport:
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "warnings": self.warnings,
            "rejections": self.rejections,
        }


def weighing_framework() -> Framework:
    return load_framework(settings.CAMPAIGNS_DIR / "afwegingskader.toml")


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
) -> ImportReport:
    """Take every good row, report every bad one; nothing valid is lost beside a bad row."""
    if partner is not None:
        partner_type, partner_name = partner.type, partner.name
    intake = BatchIntake(municipality, now, framework or weighing_framework())
    validator = RowValidator(timezone.localdate(now), partner_type, partner_name)
    report = ImportReport()
    batch: list[SignalRecord] = []
    for row in rows:
        outcome = validator.validate(row)
        report.warnings.extend(w.as_dict() for w in outcome.warnings)
        if outcome.record is None:
            report.rejected += 1
            report.rejections.extend(e.as_dict() for e in outcome.errors)
            continue
        batch.append(outcome.record)
        if len(batch) >= batch_size:
            intake.store(batch, report)
            batch = []
    if batch:
        intake.store(batch, report)
    ImportRun.objects.create(
        municipality=municipality,
        partner=partner,
        source=source[:300],
        started_at=now,
        report={k: v for k, v in report.as_dict().items() if k not in ("warnings", "rejections")},
    )
    return report


class BatchIntake:
    def __init__(self, municipality: Municipality, now: datetime, framework: Framework) -> None:
        self.municipality = municipality
        self.now = now
        self.today = timezone.localdate(now)
        self.framework = framework
        self.clients = debt_help_clients()
        self.register = population_register()
        self.partners: dict[tuple[str, str], SignalPartner] = {}

    def store(self, records: Sequence[SignalRecord], report: ImportReport) -> None:
        with transaction.atomic():
            self._lock_municipality()
            fresh = self._new_signals(records, report)
            if fresh:
                self._store_fresh(fresh)
                report.accepted += len(fresh)

    def _lock_municipality(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, self.municipality.pk])

    def _new_signals(
        self, records: Sequence[SignalRecord], report: ImportReport
    ) -> list[SignalRecord]:
        by_key: dict[str, SignalRecord] = {}
        for record in records:
            key = record.dedupe_key
            if key in by_key:
                report.duplicates += 1
            else:
                by_key[key] = record
        stored = set(
            Signal.objects.filter(
                municipality=self.municipality, dedupe_key__in=list(by_key)
            ).values_list("dedupe_key", flat=True)
        )
        report.duplicates += len(stored)
        return [r for k, r in by_key.items() if k not in stored]

    def _store_fresh(self, records: list[SignalRecord]) -> None:
        households = self._households(records)
        persons = self._persons(records, households)
        self._phones(records, persons)
        queries = [PersonQuery(r.bsn, r.household_key, r.surname, r.birth_date) for r in records]
        known = self.clients.known(self.municipality, queries)
        residency = self.register.check(self.municipality, queries)
        opted_out = set(
            OptOut.objects.filter(
                municipality=self.municipality, person_id__in=[p.pk for p in persons.values()]
            ).values_list("person_id", flat=True)
        )
        matcher = CaseMatcher(self, [h.pk for h in households.values()], records)
        signals: list[Signal] = []
        for record, is_client, outcome in zip(records, known, residency, strict=True):
            household = households[record.household_key]
            person = persons[record.person_key]
            self._note_minors(household, outcome)
            signal = self._signal(record, person, household)
            screened = screen(
                record,
                known_client=is_client,
                register=outcome,
                opted_out=person.pk in opted_out,
                threshold=self.municipality.threshold_for(record.partner_type),
            )
            if screened is not None:
                signal.status = screened.status
                signal.screening = screened.reason
                signal.case = matcher.closed_case(
                    record, household, screened.result, screened.reason
                )
            else:
                matcher.match(record, signal, household)
            signals.append(signal)
        matcher.save()
        Signal.objects.bulk_create(signals)
        changed = [h for h in households.values() if getattr(h, "_minors_changed", False)]
        if changed:
            Household.objects.bulk_update(changed, ["minors"])

    def _signal(self, record: SignalRecord, person: Person, household: Household) -> Signal:
        return Signal(
            municipality=self.municipality,
            partner=self._partner(record.partner_type, record.partner_name),
            partner_type=record.partner_type,
            partner_ref=record.partner_ref,
            dedupe_key=record.dedupe_key,
            amount=record.amount,
            arrears_start=record.arrears_start,
            signal_date=record.signal_date,
            crisis=record.crisis,
            customer_number=record.customer_number,
            person=person,
            household=household,
            received_at=self.now,
            raw=record.raw,
        )

    @staticmethod
    def _note_minors(household: Household, outcome: RegisterOutcome) -> None:
        if outcome.minors is not None and household.minors != outcome.minors:
            household.minors = outcome.minors
            household._minors_changed = True  # type: ignore[attr-defined]

    def _partner(self, partner_type: str, name: str) -> SignalPartner:
        key = (partner_type, name)
        if key not in self.partners:
            partner, _ = SignalPartner.objects.get_or_create(type=partner_type, name=name)
            partner.municipalities.add(self.municipality)
            self.partners[key] = partner
        return self.partners[key]

    def _households(self, records: list[SignalRecord]) -> dict[str, Household]:
        wanted = {r.household_key: r for r in records}
        found = {
            h.key: h
            for h in Household.objects.filter(municipality=self.municipality, key__in=list(wanted))
        }
        missing = [
            Household(
                municipality=self.municipality,
                key=key,
                postcode=r.postcode,
                house_number=r.house_number,
                addition=r.addition,
                street=r.street,
                town=r.town,
            )
            for key, r in wanted.items()
            if key not in found
        ]
        for household in Household.objects.bulk_create(missing):
            found[household.key] = household
        return found

    def _persons(
        self, records: list[SignalRecord], households: dict[str, Household]
    ) -> dict[str, Person]:
        wanted: dict[str, SignalRecord] = {}
        for record in records:
            wanted[record.person_key] = record  # the latest row tells most
        found = {
            p.key: p
            for p in Person.objects.filter(municipality=self.municipality, key__in=list(wanted))
        }
        updated = []
        for key, person in found.items():
            if fill_in(person, wanted[key]):
                updated.append(person)
        if updated:
            Person.objects.bulk_update(updated, ["bsn", "first_name", "birth_date", "email"])
        missing = [
            Person(
                municipality=self.municipality,
                household=households[r.household_key],
                key=key,
                bsn=r.bsn,
                initials=r.initials,
                first_name=r.first_name,
                prefix=r.prefix,
                surname=r.surname,
                birth_date=r.birth_date,
                email=r.email,
            )
            for key, r in wanted.items()
            if key not in found
        ]
        for person in Person.objects.bulk_create(missing):
            found[person.key] = person
        return found

    @staticmethod
    def _phones(records: list[SignalRecord], persons: dict[str, Person]) -> None:
        phones = {
            (persons[r.person_key].pk, r.phone.e164): r.phone.kind for r in records if r.phone
        }
        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(person_id=pid, e164=e164, kind=kind)
                for (pid, e164), kind in phones.items()
            ],
            ignore_conflicts=True,
        )


def fill_in(person: Person, record: SignalRecord) -> bool:
    """Complete what an earlier signal left empty; never overwrite what we have."""
    changed = False
    for attr, value in (
        ("bsn", record.bsn),
        ("first_name", record.first_name),
        ("birth_date", record.birth_date),
        ("email", record.email),
    ):
        if value and not getattr(person, attr):
            setattr(person, attr, value)
            changed = True
    return changed


class CaseMatcher:
    """Groups a batch's followed-up signals into the households' open cases, or new ones."""

    def __init__(
        self, intake: BatchIntake, household_ids: list[int], records: list[SignalRecord]
    ) -> None:
        self.intake = intake
        self.window = intake.framework.matching_window_months
        self.open: dict[int, Case] = {}
        for case in (
            Case.objects.filter(household_id__in=household_ids)
            .exclude(state=Case.State.CLOSED)
            .order_by("created_at", "pk")
        ):
            self.open[case.household_id] = case
        self.covered: dict[int, set[str]] = defaultdict(set)
        for household_id, partner_type in Signal.objects.filter(
            case__in=list(self.open.values())
        ).values_list("household_id", "partner_type"):
            self.covered[household_id].add(partner_type)
        earliest = months_before(min(r.signal_date for r in records), self.window)
        self.history: dict[int, list[WindowSignal]] = defaultdict(list)
        for household_id, *values in Signal.objects.filter(
            household_id__in=household_ids, signal_date__gte=earliest, status__in=FOLLOWED
        ).values_list(
            "household_id", "partner_type", "signal_date", "amount", "crisis", "person__birth_date"
        ):
            self.history[household_id].append(WindowSignal(*values))
        self.touched: dict[int, Household] = {}
        self.new_cases: list[Case] = []

    def closed_case(
        self, record: SignalRecord, household: Household, result: str, reason: str
    ) -> Case:
        case = self._case(household, record.signal_date, record.crisis)
        case.state = Case.State.CLOSED
        case.result = result
        case.result_reason = reason
        case.closed_at = self.intake.now
        return case

    def match(self, record: SignalRecord, signal: Signal, household: Household) -> None:
        case = self.open.get(household.pk)
        if case is None:
            case = self._case(household, record.signal_date, record.crisis)
            self.open[household.pk] = case
        elif record.partner_type in self.covered[household.pk]:
            signal.status = SignalStatus.REPEAT
            signal.screening = (
                f"Herhaalde melding van {record.partner_type}: bij de lopende zaak gevoegd."
            )
        # A later signal never postpones the deadline; a crisis signal brings it forward.
        case.deadline = min(case.deadline, signal_deadline(record.signal_date, record.crisis))
        case.crisis = case.crisis or record.crisis
        self.covered[household.pk].add(record.partner_type)
        self.history[household.pk].append(
            WindowSignal(
                record.partner_type,
                record.signal_date,
                record.amount,
                record.crisis,
                record.birth_date,
            )
        )
        self.touched[household.pk] = household
        signal.case = case

    def _case(self, household: Household, signal_date: date, crisis: bool) -> Case:
        case = Case(
            municipality=self.intake.municipality,
            household=household,
            matching_start=signal_date,
            matching_end=signal_date,
            crisis=crisis,
            deadline=signal_deadline(signal_date, crisis),
            created_at=self.intake.now,
        )
        self.new_cases.append(case)
        return case

    def save(self) -> None:
        existing: list[Case] = []
        for household_id, household in self.touched.items():
            case = self.open[household_id]
            self._prioritise(case, household)
            if case.pk is not None:
                existing.append(case)
        Case.objects.bulk_create(self.new_cases)
        Case.objects.bulk_update(
            existing,
            [
                "kind",
                "score",
                "tier",
                "reasons",
                "campaign",
                "crisis",
                "deadline",
                "matching_start",
                "matching_end",
            ],
        )

    def _prioritise(self, case: Case, household: Household) -> None:
        window = in_window(self.history[household.pk], self.window)
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
        if case.state == Case.State.NEW:
            case.campaign = priority.campaign
        case.matching_start = min(s.signal_date for s in window)
        case.matching_end = max(s.signal_date for s in window)
