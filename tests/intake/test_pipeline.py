"""The intake pipeline against PostgreSQL: storing, deduplicating, screening, matching, priority."""

import itertools
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.cadence.recipients import load_recipients
from outreach.casework import workflow
from outreach.casework.models import Case
from outreach.core.bsn import blind_index, open_
from outreach.core.ddas import EndResult, SignalStatus
from outreach.intake.models import (
    Household,
    ImportRun,
    OptOut,
    Person,
    PhoneNumber,
    Signal,
    SignalPartner,
)
from outreach.intake.pipeline import household_slot, import_rows
from outreach.intake.readers import open_delivery, read_csv_bytes
from outreach.intake.source_files import load_clients, load_register
from outreach.intake.validation import household_key
from outreach.reporting.feedback import record_feedback
from outreach.reporting.models import PartnerFeedback
from tests.conftest import AMSTERDAM, csv_bytes, signal_row, stored_raw

pytestmark = pytest.mark.django_db

_files = itertools.count(1)


@pytest.fixture
def ingest(write_csv, municipality, now):
    """ingest(rows, **import_rows options): write the rows as a CSV file and import it."""

    def run(rows, **options):
        path = write_csv(rows, f"delivery{next(_files)}.csv")
        options.setdefault("municipality", municipality)
        options.setdefault("now", now)
        return import_rows(open_delivery(path).rows, source=path.name, **options)

    return run


def person_row(**values):
    row = {"achternaam": "Jansen", "postcode": "3511AB", "huisnummer": "12"}
    row.update(values)
    return row


def only_case() -> Case:
    (case,) = Case.objects.all()
    return case


def case_of(signal: Signal) -> Case:
    assert signal.case is not None
    return signal.case


# --- counts, duplicates, bad rows ---------------------------------------------------------


def test_counts_of_a_delivery(ingest):
    rows = [
        signal_row(id="A", postcode="3511AB"),
        signal_row(id="B", postcode="3512AB"),
        signal_row(id="C", postcode="3513AB", bedrag="nul"),
        signal_row(id="A", postcode="3511AB"),  # the same signal again, in the same file
        signal_row(id="D", postcode="3514AB"),
    ]
    report = ingest(rows)
    assert (report.accepted, report.rejected, report.duplicates) == (3, 1, 1)
    assert Signal.objects.count() == 3
    assert sorted(Signal.objects.values_list("partner_ref", flat=True)) == ["A", "B", "D"]
    run = ImportRun.objects.get()
    assert run.report == {"accepted": 3, "rejected": 1, "duplicates": 1}


def test_importing_the_same_file_twice_adds_nothing(ingest, write_csv, municipality, now):
    rows = [
        signal_row(id="A"),
        signal_row(id="B", signaalpartner="Huur"),
        signal_row(id="", postcode="3599ZZ", achternaam="Zonder Kenmerk"),
    ]
    path = write_csv(rows, "same.csv")
    first = import_rows(open_delivery(path).rows, municipality=municipality, now=now)
    assert (first.accepted, first.duplicates) == (3, 0)
    cases = list(Case.objects.order_by("pk").values("pk", "kind", "score", "deadline"))

    second = import_rows(open_delivery(path).rows, municipality=municipality, now=now)
    assert (second.accepted, second.rejected, second.duplicates) == (0, 0, 3)
    assert Signal.objects.count() == 3
    assert list(Case.objects.order_by("pk").values("pk", "kind", "score", "deadline")) == cases


def test_a_bad_row_beside_good_rows(ingest):
    rows = [
        signal_row(id="A", achternaam="Eerste"),
        signal_row(id="B", achternaam="Tweede", postcode="0123AB", signaaldatum="2099-01-01"),
        signal_row(id="C", achternaam="Derde", postcode="3512AB"),
    ]
    report = ingest(rows)
    assert (report.accepted, report.rejected) == (2, 1)
    assert {tuple(r) for r in report.rejections} == {("row", "field", "reason")}
    by_field = {r["field"]: r for r in report.rejections}
    assert set(by_field) == {"postcode", "signaaldatum"}
    assert all(r["row"] == 2 for r in report.rejections)
    assert "cannot start with 0" in by_field["postcode"]["reason"]
    assert by_field["signaaldatum"]["reason"] == "2099-01-01 is in the future"
    surnames = set(Person.objects.values_list("surname", flat=True))
    assert surnames == {"Eerste", "Derde"}


def test_every_rejection_names_row_field_and_reason(ingest):
    rows = [
        signal_row(signaalpartner="Bakker"),
        signal_row(bedrag="-5"),
        signal_row(huisnummer="A12"),
        signal_row(achternaam=""),
        signal_row(signaaldatum="31-02-2026"),
        signal_row(ontstaansdatum="2026-04-10", signaaldatum="2026-04-01"),
        signal_row(bsn="123456789"),
    ]
    report = ingest(rows)
    assert report.accepted == 0
    assert report.rejected == 7
    assert [(r["row"], r["field"]) for r in report.rejections] == [
        (1, "signaalpartner"),
        (2, "bedrag"),
        (3, "huisnummer"),
        (4, "achternaam"),
        (5, "signaaldatum"),
        (6, "signaaldatum"),
        (7, "bsn"),
    ]
    assert "not a DDAS signal partner type" in report.rejections[0]["reason"]
    assert "negative" in report.rejections[1]["reason"]
    assert report.rejections[3]["reason"] == "required, but empty"
    assert "February 2026 has 28 days" in report.rejections[4]["reason"]
    assert "before ontstaansdatum" in report.rejections[5]["reason"]
    assert Signal.objects.count() == 0


def test_a_bad_phone_or_email_keeps_the_signal_with_a_warning(ingest):
    rows = [
        signal_row(id="A", achternaam="Telefoon", telefoonnummer="12", email="a@example.nl"),
        signal_row(id="B", achternaam="Mail", postcode="3512AB", email="geen-adres"),
    ]
    report = ingest(rows)
    assert (report.accepted, report.rejected) == (2, 0)
    assert [(w["row"], w["field"]) for w in report.warnings] == [
        (1, "telefoonnummer"),
        (2, "email"),
    ]
    assert all(w["reason"].endswith("; dropped") for w in report.warnings)
    phone_person = Person.objects.get(surname="Telefoon")
    assert phone_person.email == "a@example.nl"
    assert not phone_person.phone_numbers.exists()
    mail_person = Person.objects.get(surname="Mail")
    assert mail_person.email == ""
    assert list(mail_person.phone_numbers.values_list("e164", "kind")) == [
        ("+31612345678", "mobile")
    ]
    assert PhoneNumber.objects.count() == 1


def test_raw_row_is_kept_on_the_signal(ingest):
    row = signal_row(id="RAW-1", bedrag="€ 1.234,56", Opmerking="extra kolom")
    ingest([row])
    signal = Signal.objects.get()
    assert stored_raw(signal) == row
    assert signal.amount == Decimal("1234.56")


def test_stored_signal_household_and_person(ingest, now):
    ingest(
        [
            signal_row(
                id="S-1",
                bedrag="1.234,56",
                ontstaansdatum="15-02-2026",
                signaaldatum="2026-04-01",
                crisissignaal="nee",
                klantnummer="K-99",
                bsn="111222333",
                voorletters="J.",
                voornaam="Jan",
                voorvoegsel="van",
                achternaam="Dijk",
                postcode="3511 ab",
                huisnummer="12",
                huisnummertoevoeging="bis",
                straatnaam="Kerkstraat",
                plaatsnaam="Utrecht",
            )
        ]
    )
    signal = Signal.objects.select_related("partner", "person", "household").get()
    assert signal.partner_ref == "S-1"
    assert (signal.partner.type, signal.partner.name) == ("Energie", "Stroom BV")
    assert signal.amount == Decimal("1234.56")
    assert signal.arrears_start == date(2026, 2, 15)
    assert signal.signal_date == date(2026, 4, 1)
    assert signal.crisis is False
    assert signal.customer_number == "K-99"
    assert signal.received_at == now
    household = signal.household
    assert (household.key, household.label) == ("3511AB|12|BIS", "3511AB 12BIS")
    assert (household.street, household.town) == ("Kerkstraat", "Utrecht")
    person = signal.person
    assert person.household == household
    assert open_(person.bsn_encrypted) == "111222333"
    assert person.bsn_index == blind_index("111222333")
    assert person.display_name == "Jan van Dijk"
    assert person.birth_date == date(1980, 2, 3)
    assert only_case().household == household


def test_person_details_are_completed_never_overwritten(ingest):
    ingest([signal_row(id="1", voornaam="", bsn="", email="", telefoonnummer="")])
    person = Person.objects.get()
    assert (person.first_name, person.bsn_encrypted, person.bsn_index, person.email) == ("",) * 4
    ingest(
        [
            signal_row(
                id="2",
                signaalpartner="Huur",
                voornaam="Jan",
                bsn="111222333",
                email="jan@example.nl",
                telefoonnummer="+31 6 1234 5678",
            )
        ]
    )
    ingest(
        [
            signal_row(
                id="3",
                signaalpartner="Water",
                voornaam="Johannes",
                email="ander@example.nl",
                telefoonnummer="0612345678",
            ),
            signal_row(id="4", signaalpartner="Zorg", telefoonnummer="030 123 4567"),
        ]
    )
    person = Person.objects.get()
    assert (person.first_name, open_(person.bsn_encrypted), person.email) == (
        "Jan",
        "111222333",
        "jan@example.nl",
    )
    assert sorted(person.phone_numbers.values_list("e164", "kind")) == [
        ("+31301234567", "fixed"),
        ("+31612345678", "mobile"),
    ]


def test_partner_for_the_whole_file(ingest):
    rows = [signal_row(id="A", signaalpartner=""), signal_row(id="B", signaalpartner="Water")]
    report = ingest(rows, partner_type="Huur", partner_name="Woonstichting")
    assert report.accepted == 1
    assert report.rejections == [
        {
            "row": 2,
            "field": "signaalpartner",
            "reason": "'Water' does not match this delivery's partner type 'Huur'",
        }
    ]
    signal = Signal.objects.get()
    assert (signal.partner_type, signal.partner.name) == ("Huur", "Woonstichting")


def test_batches_do_not_split_a_household(ingest):
    rows = [
        signal_row(id=f"B-{n}", signaalpartner=partner)
        for n, partner in enumerate(["Energie", "Huur", "Water", "Zorg", "DUO"])
    ]
    report = ingest(rows, batch_size=2)
    assert report.accepted == 5
    case = only_case()
    assert case.signals.count() == 5
    assert case.kind == Case.Kind.MULTIPLE


# --- screening ----------------------------------------------------------------------------


def test_current_debt_help_client_closes_the_case(ingest, write_csv, municipality):
    path = write_csv([person_row(postcode="3511 ab", geboortedatum="03-02-1980")], "clients.csv")
    assert load_clients(path, municipality).loaded == 1
    ingest([signal_row(id="A")])
    signal = Signal.objects.get()
    case = only_case()
    assert signal.case == case
    assert signal.status == SignalStatus.OTHER_REASON
    assert case.state == Case.State.CLOSED
    assert case.result == "Inwoner al bekend bij schuldhulpverlening"
    assert case.result == EndResult.KNOWN_TO_DEBT_HELP
    assert case.result_reason
    assert case.closed_at is not None


def test_client_matched_by_bsn_at_another_address(ingest, write_csv, municipality):
    path = write_csv([person_row(bsn="111222333", postcode="9999AA", achternaam="Anders")], "c.csv")
    load_clients(path, municipality)
    ingest([signal_row(id="A", bsn="111222333")])
    assert only_case().result == EndResult.KNOWN_TO_DEBT_HELP


def test_not_in_the_register(ingest, write_csv, municipality):
    path = write_csv([person_row(achternaam="Iemand Anders")], "brp.csv")
    assert load_register(path, municipality).loaded == 1
    ingest([signal_row(id="A")])
    signal = Signal.objects.get()
    assert signal.status == "Persoon is geen inwoner (meer) in de gemeente"
    case = only_case()
    assert case.state == Case.State.CLOSED
    assert case.result == "Persoon is geen inwoner (meer) in de gemeente"


def test_deceased(ingest, write_csv, municipality):
    path = write_csv([person_row(overlijdensdatum="2026-01-02")], "brp.csv")
    load_register(path, municipality)
    ingest([signal_row(id="A")])
    signal = Signal.objects.get()
    assert signal.status == "Inwoner is overleden"
    assert only_case().result == "Inwoner is overleden"
    assert only_case().state == Case.State.CLOSED


def test_resident_is_followed_up_and_minors_count(ingest, write_csv, municipality):
    path = write_csv([person_row(minderjarigen="2")], "brp.csv")
    load_register(path, municipality)
    ingest([signal_row(id="A")])
    signal = Signal.objects.get()
    assert signal.status == SignalStatus.NOT_YET_PICKED_UP
    assert signal.household.minors == 2
    case = only_case()
    assert case.state == Case.State.NEW
    assert {"rule": "minors", "weight": 15} in [
        {k: r[k] for k in ("rule", "weight")} for r in case.reasons
    ]


@pytest.mark.parametrize(
    ("register", "signal"),
    [
        ({"achternaam": "Dijk", "voorvoegsel": "van"}, {"achternaam": "van Dijk"}),
        ({"achternaam": "van Dijk"}, {"achternaam": "Dijk", "voorvoegsel": "van"}),
        ({"achternaam": "van der Berg"}, {"achternaam": "Van der  Berg"}),
    ],
)
def test_register_match_ignores_where_the_prefix_is_written(
    ingest, write_csv, municipality, register, signal
):
    # A partner writes "van Dijk" in achternaam; the register keeps the prefix apart (or the
    # other way round). It is the same resident: the signal must not be closed as "not living
    # here any more".
    load_register(write_csv([person_row(**register)], "brp.csv"), municipality)
    ingest([signal_row(id="A", **signal)])
    assert Signal.objects.get().status == SignalStatus.NOT_YET_PICKED_UP
    assert only_case().state == Case.State.NEW


def test_a_living_namesake_in_the_register_is_not_declared_deceased(
    ingest, write_csv, municipality
):
    # Father and son at one address, the father deceased; the signal names neither BSN nor
    # birth date, so both entries match it. Closing it as "deceased" would drop a living debtor.
    load_register(
        write_csv(
            [
                person_row(
                    voorletters="P.", geboortedatum="1940-01-01", overlijdensdatum="2025-12-01"
                ),
                person_row(voorletters="J.", geboortedatum="1980-02-03"),
            ],
            "brp.csv",
        ),
        municipality,
    )
    ingest([signal_row(id="A", geboortedatum="")])
    assert Signal.objects.get().status == SignalStatus.NOT_YET_PICKED_UP
    assert only_case().state == Case.State.NEW


def test_a_matching_bsn_decides_over_a_living_namesake(ingest, write_csv, municipality):
    load_register(
        write_csv(
            [
                person_row(bsn="111222333", overlijdensdatum="2025-12-01"),
                person_row(voorletters="J.", geboortedatum=""),
            ],
            "brp.csv",
        ),
        municipality,
    )
    ingest([signal_row(id="A", bsn="111222333")])
    assert Signal.objects.get().status == SignalStatus.DECEASED


def test_empty_register_means_not_checked(ingest):
    ingest([signal_row(id="A")])
    signal = Signal.objects.get()
    assert signal.status == SignalStatus.NOT_YET_PICKED_UP
    assert signal.screening == ""
    case = only_case()
    assert case.state == Case.State.NEW
    assert case.result is None
    assert signal.household.minors is None


def test_opt_out_is_not_followed_up(ingest, now, municipality):
    ingest([signal_row(id="A", signaaldatum="2026-04-01")])
    person = Person.objects.get()
    first_case = only_case()
    # As a STOP reply does: the person is listed and the open case closes.
    OptOut.objects.create(
        municipality=municipality, person=person, source="sms STOP", created_at=now
    )
    workflow.opt_out(first_case, now)

    report = ingest([signal_row(id="B", signaalpartner="Huur", signaaldatum="2026-04-10")])
    assert report.accepted == 1
    signal = Signal.objects.get(partner_ref="B")
    assert signal.person == person
    assert signal.status == SignalStatus.OTHER_REASON
    assert case_of(signal).state == Case.State.CLOSED
    assert case_of(signal).result == EndResult.NO_HELP_WANTED
    assert "opt-out" in case_of(signal).result_reason
    assert case_of(signal) != first_case
    assert list(first_case.signals.values_list("partner_ref", flat=True)) == ["A"]


def test_amount_under_the_default_threshold(ingest):
    ingest(
        [
            signal_row(id="LOW", bedrag="49,99", postcode="3511AB"),
            signal_row(id="EDGE", bedrag="50", postcode="3512AB"),
        ]
    )
    low = Signal.objects.get(partner_ref="LOW")
    assert low.status == "Niet opgepakt: onterecht signaal"
    assert case_of(low).state == Case.State.CLOSED
    assert case_of(low).result == EndResult.UNJUSTIFIED
    assert "€ 49,99" in low.screening and "€ 50" in low.screening
    edge = Signal.objects.get(partner_ref="EDGE")
    assert edge.status == SignalStatus.NOT_YET_PICKED_UP
    assert case_of(edge).state == Case.State.NEW


def test_municipality_threshold(ingest, municipality):
    municipality.thresholds = {"Zorg": 100}
    municipality.save()
    ingest(
        [
            signal_row(id="ZORG", signaalpartner="Zorg", bedrag="80", postcode="3511AB"),
            signal_row(id="ENERGIE", signaalpartner="Energie", bedrag="80", postcode="3512AB"),
        ]
    )
    zorg = Signal.objects.get(partner_ref="ZORG")
    assert zorg.status == SignalStatus.UNJUSTIFIED
    assert "€ 100" in zorg.screening
    energie = Signal.objects.get(partner_ref="ENERGIE")
    assert energie.status == SignalStatus.NOT_YET_PICKED_UP


def test_each_municipality_screens_with_its_own_thresholds(municipality, now, settings):
    from outreach.core.models import Municipality
    from tests.conftest import CONTACT

    settings.OUTREACH_DEFAULT_THRESHOLD = 50
    strict = Municipality.objects.create(
        code="0307", name="Amersfoort", contact=dict(CONTACT), thresholds={"Huur": 100}
    )
    for place, ref in ((municipality, "DEFAULT"), (strict, "STRICT")):
        row = signal_row(id=ref, signaalpartner="Huur", bedrag="80")
        import_rows(read_csv_bytes(csv_bytes([row])), municipality=place, now=now)
    assert Signal.objects.get(partner_ref="DEFAULT").status == SignalStatus.NOT_YET_PICKED_UP
    strict_signal = Signal.objects.get(partner_ref="STRICT")
    assert strict_signal.status == SignalStatus.UNJUSTIFIED
    assert "€ 100" in strict_signal.screening


def test_crisis_signal_under_the_threshold_is_followed_up(ingest):
    ingest([signal_row(id="C", bedrag="10", crisissignaal="ja")])
    signal = Signal.objects.get()
    assert signal.status == SignalStatus.NOT_YET_PICKED_UP
    case = only_case()
    assert case.state == Case.State.NEW
    assert case.crisis
    assert (case.tier, case.campaign) == ("crisis", "crisis")


@pytest.mark.parametrize(
    ("arrears_start", "status"),
    [
        ("2026-03-15", SignalStatus.UNJUSTIFIED),  # 17 days: too young
        ("2026-03-02", SignalStatus.NOT_YET_PICKED_UP),  # 30 days: the lower bound counts
        ("2025-04-01", SignalStatus.NOT_YET_PICKED_UP),  # 365 days: the upper bound counts
        ("2025-03-31", SignalStatus.UNJUSTIFIED),  # 366 days: too old
        ("", SignalStatus.NOT_YET_PICKED_UP),  # unknown: not judged
    ],
)
def test_days_of_arrears_outside_the_municipalitys_bounds(
    ingest, municipality, arrears_start, status
):
    municipality.arrears_days = {"min": 30, "max": 365}
    municipality.save()
    ingest([signal_row(id="D", ontstaansdatum=arrears_start, signaaldatum="2026-04-01")])
    signal = Signal.objects.get()
    assert signal.status == status
    case = only_case()
    if status == SignalStatus.UNJUSTIFIED:
        assert "buiten de grenzen van de gemeente (30 tot en met 365 dagen)" in signal.screening
        assert (case.state, case.result) == (Case.State.CLOSED, EndResult.UNJUSTIFIED)
    else:
        assert (case.state, case.result) == (Case.State.NEW, None)


def test_days_of_arrears_default_bounds_from_the_settings(ingest, municipality, settings):
    settings.OUTREACH_ARREARS_DAYS_MIN = None
    settings.OUTREACH_ARREARS_DAYS_MAX = 100
    ingest([signal_row(id="OLD", ontstaansdatum="2025-12-01", signaaldatum="2026-04-01")])
    old = Signal.objects.get(partner_ref="OLD")
    assert old.status == SignalStatus.UNJUSTIFIED
    assert "hoogstens 100 dagen" in old.screening
    # The municipality's own setting decides over the default; null means no bound.
    municipality.arrears_days = {"max": None}
    municipality.save()
    ingest([signal_row(id="OK", ontstaansdatum="2025-12-01", postcode="3512AB")])
    assert Signal.objects.get(partner_ref="OK").status == SignalStatus.NOT_YET_PICKED_UP


def test_crisis_signal_outside_the_arrears_bounds_is_followed_up(ingest, municipality):
    municipality.arrears_days = {"min": 30}
    municipality.save()
    ingest([signal_row(id="C", ontstaansdatum="2026-03-25", crisissignaal="ja")])
    assert Signal.objects.get().status == SignalStatus.NOT_YET_PICKED_UP
    assert only_case().state == Case.State.NEW


def test_a_screened_out_signal_joins_the_open_case(ingest):
    ingest([signal_row(id="E", signaalpartner="Energie", bedrag="300")])
    before = only_case()
    assert before.kind == Case.Kind.SINGLE
    ingest([signal_row(id="LOW", signaalpartner="Huur", bedrag="20", signaaldatum="2026-05-04")])
    case = only_case()  # no second, closed case for the household
    low = Signal.objects.get(partner_ref="LOW")
    assert low.case == case
    assert low.status == SignalStatus.UNJUSTIFIED
    assert "onder de drempel" in low.screening
    # It counts for the case's kind; the case stays open with its deadline.
    assert case.kind == Case.Kind.MULTIPLE
    assert (case.state, case.result, case.deadline) == (Case.State.NEW, None, before.deadline)
    assert case.matching_end == date(2026, 5, 4)


def test_partners_hear_a_joined_screened_out_signal_was_not_picked_up(ingest, now):
    ingest([signal_row(id="E", signaalpartner="Energie", bedrag="300")])
    ingest([signal_row(id="LOW", signaalpartner="Huur", bedrag="20")])
    workflow.close(only_case(), EndResult.FOLLOW_UP_FINANCIAL.value, now)
    assert record_feedback(now) == 2
    outcomes = dict(PartnerFeedback.objects.values_list("signal__partner_ref", "outcome"))
    assert outcomes == {"E": "helped", "LOW": "not_picked_up"}


def test_a_screened_out_signal_finds_the_case_its_delivery_opens(ingest):
    # The screened-out row comes first in the file: it still joins the case the second opens.
    ingest(
        [
            signal_row(id="LOW", signaalpartner="Huur", bedrag="20"),
            signal_row(id="E", signaalpartner="Energie", bedrag="300"),
        ]
    )
    case = only_case()
    assert sorted(case.signals.values_list("partner_ref", "status")) == [
        ("E", SignalStatus.NOT_YET_PICKED_UP),
        ("LOW", SignalStatus.UNJUSTIFIED),
    ]
    assert case.kind == Case.Kind.MULTIPLE


@pytest.fixture
def deceased_partner(write_csv, municipality) -> None:
    """The register knows J. at the address, and P., who died on 1 March."""
    load_register(
        write_csv(
            [
                person_row(voorletters="J.", geboortedatum="1980-02-03"),
                person_row(
                    voorletters="P.", geboortedatum="1940-01-01", overlijdensdatum="2026-03-01"
                ),
            ],
            "brp.csv",
        ),
        municipality,
    )


def test_a_deceased_persons_signal_joins_the_open_case_without_closing_it(ingest, deceased_partner):
    ingest([signal_row(id="J", signaaldatum="2026-04-01")])
    ingest(
        [
            signal_row(
                id="P",
                signaalpartner="Water",
                voorletters="P.",
                voornaam="Piet",
                geboortedatum="1940-01-01",
                signaaldatum="2026-04-10",
            )
        ]
    )
    case = only_case()
    deceased = Signal.objects.get(partner_ref="P")
    assert (deceased.case, deceased.status) == (case, SignalStatus.DECEASED)
    assert case.state == Case.State.NEW and case.result is None
    # Letters still go to the living resident whose signal is followed up.
    assert load_recipients([case.pk])[case.pk].name == "Jan Jansen"


def test_an_opted_out_persons_signal_joins_another_persons_open_case(ingest, now, municipality):
    ingest([signal_row(id="A", voorletters="M.", voornaam="Marie")])
    OptOut.objects.create(
        municipality=municipality,
        person=Person.objects.get(),
        source="sms STOP",
        created_at=now,
    )
    workflow.opt_out(only_case(), now)
    ingest([signal_row(id="B", signaalpartner="Huur", signaaldatum="2026-04-05")])
    open_case = Case.objects.get(state=Case.State.NEW)
    ingest([signal_row(id="C", signaalpartner="Water", voorletters="M.", voornaam="Marie")])
    opted = Signal.objects.get(partner_ref="C")
    assert (opted.case, opted.status) == (open_case, SignalStatus.OTHER_REASON)
    assert "opt-out" in opted.screening
    assert Case.objects.count() == 2  # the earlier, closed case and the open one
    open_case.refresh_from_db()
    assert open_case.state == Case.State.NEW


def test_a_screened_out_crisis_signal_does_not_make_the_open_case_a_crisis(
    ingest, deceased_partner
):
    ingest([signal_row(id="J")])
    before = only_case()
    ingest(
        [
            signal_row(
                id="P",
                signaalpartner="Energie",
                voorletters="P.",
                geboortedatum="1940-01-01",
                crisissignaal="ja",
            )
        ]
    )
    case = only_case()
    assert Signal.objects.get(partner_ref="P").status == SignalStatus.DECEASED
    assert not case.crisis and case.deadline == before.deadline
    assert case.tier != "crisis"


def test_attached_signals_count_in_a_later_delivery(ingest):
    # A later delivery re-reads the household's window from the database: the screened-out
    # signal that joined the case still counts for its kind.
    ingest([signal_row(id="E", signaalpartner="Energie", bedrag="300")])
    ingest([signal_row(id="LOW", signaalpartner="Huur", bedrag="20")])
    ingest([signal_row(id="E2", signaalpartner="Energie", bedrag="300", signaaldatum="2026-04-02")])
    case = only_case()
    assert Signal.objects.get(partner_ref="E2").status == SignalStatus.REPEAT
    assert case.kind == Case.Kind.MULTIPLE


# --- matching -----------------------------------------------------------------------------


def test_repeat_of_the_same_partner_without_growth_joins_the_open_case(ingest):
    ingest([signal_row(id="A", signaaldatum="2026-04-01", bedrag="300")])
    ingest([signal_row(id="B", signaaldatum="2026-04-20", bedrag="300")])
    ingest([signal_row(id="C", signaaldatum="2026-04-25", bedrag="280")])
    case = only_case()
    first, repeat, lower = case.signals.order_by("signal_date")
    assert first.status == SignalStatus.NOT_YET_PICKED_UP
    assert repeat.status == "Niet opgepakt: herhaalde melding"
    assert lower.status == SignalStatus.REPEAT
    assert repeat.case == case and lower.case == case
    assert "Herhaalde melding" in repeat.screening and "€ 300" in repeat.screening
    assert case.state == Case.State.NEW
    assert case.kind == Case.Kind.SINGLE


def test_a_repeat_with_grown_arrears_is_picked_up(ingest):
    ingest([signal_row(id="A", signaaldatum="2026-04-01", bedrag="300")])
    before = only_case()
    assert {r["rule"] for r in before.reasons} == {"amount_250"}
    ingest([signal_row(id="B", signaaldatum="2026-04-20", bedrag="1.300")])
    case = only_case()
    grown = Signal.objects.get(partner_ref="B")
    assert grown.status == SignalStatus.NOT_YET_PICKED_UP
    assert grown.case == case
    assert "gegroeid van € 300 naar € 1.300" in grown.screening
    # The case is weighed again with the grown amount: another band, another campaign.
    assert {r["rule"] for r in case.reasons} == {"amount_1000"}
    assert case.score > before.score
    assert (case.tier, case.campaign) == ("medium", "standard")
    # A third report at the grown amount is a repeat again.
    ingest([signal_row(id="C", signaaldatum="2026-04-28", bedrag="1.300")])
    assert Signal.objects.get(partner_ref="C").status == SignalStatus.REPEAT


def test_another_partner_of_the_same_type_is_not_a_repeat(ingest):
    ingest([signal_row(id="A", partner_naam="Stroom BV", bedrag="300")])
    ingest([signal_row(id="B", partner_naam="Gas BV", bedrag="300")])
    assert set(only_case().signals.values_list("status", flat=True)) == {
        SignalStatus.NOT_YET_PICKED_UP
    }


def test_two_partners_on_one_address_make_one_multiple_case(ingest):
    ingest([signal_row(id="E", signaalpartner="Energie", bedrag="250")])
    ingest(
        [
            signal_row(
                id="H",
                signaalpartner="Huur",
                bedrag="300",
                postcode="3511 ab",
                achternaam="Jansen-de Boer",
                voorletters="M.",
            )
        ]
    )
    assert Household.objects.count() == 1
    case = only_case()
    assert case.kind == "multiple"
    assert sorted(case.signals.values_list("partner_ref", flat=True)) == ["E", "H"]
    assert set(case.signals.values_list("status", flat=True)) == {SignalStatus.NOT_YET_PICKED_UP}
    rules = {r["rule"]: r["weight"] for r in case.reasons}
    assert rules["multiple_partners"] == 30
    assert rules["rent"] == 20
    assert rules["amount_250"] == 10


def test_one_partner_in_two_months_is_consecutive(ingest):
    ingest([signal_row(id="M", signaaldatum="2026-03-05")])
    ingest([signal_row(id="A", signaaldatum="2026-04-05")])
    case = only_case()
    assert case.kind == "consecutive"
    assert case.matching_start == date(2026, 3, 5)
    assert case.matching_end == date(2026, 4, 5)
    assert {r["rule"]: r["weight"] for r in case.reasons}["several_months"] == 20


def test_separate_households_get_separate_cases(ingest):
    ingest(
        [
            signal_row(id="A", huisnummer="12"),
            signal_row(id="B", huisnummer="12", huisnummertoevoeging="bis"),
            signal_row(id="C", huisnummer="14"),
        ]
    )
    assert Household.objects.count() == 3
    assert Case.objects.count() == 3


def received_on(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:30").replace(tzinfo=AMSTERDAM)


def test_deadline_is_28_days_from_receipt_not_from_the_signal_date(ingest, now):
    ingest([signal_row(id="A", signaaldatum="2026-04-01")])
    signal = Signal.objects.get()
    assert signal.received_at == now  # Friday 15 May 2026
    assert only_case().deadline == date(2026, 6, 12)


def test_a_delivery_received_earlier_counts_from_that_day(ingest, now):
    ingest([signal_row(id="A", signaaldatum="2026-04-01")], received=received_on("2026-04-02"))
    signal = Signal.objects.get()
    assert signal.received_at == received_on("2026-04-02")
    assert only_case().deadline == date(2026, 4, 30)
    assert ImportRun.objects.get().started_at == now


def test_the_receipt_day_is_the_local_date(ingest):
    # 23:30 UTC on 1 April is 01:30 on 2 April in Amsterdam.
    ingest(
        [signal_row(id="A", signaaldatum="2026-04-01")],
        received=datetime(2026, 4, 1, 23, 30, tzinfo=UTC),
    )
    assert only_case().deadline == date(2026, 4, 30)


def test_a_signal_dated_after_its_receipt_is_rejected(ingest):
    report = ingest(
        [
            signal_row(id="A", signaaldatum="2026-04-02"),
            signal_row(id="B", signaaldatum="2026-04-03", postcode="3512AB"),
        ],
        received=received_on("2026-04-02"),
    )
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.rejections == [
        {
            "row": 2,
            "field": "signaaldatum",
            "reason": "2026-04-03 is after the day the signal was received, 2026-04-02",
        }
    ]


def test_crisis_deadline_skips_weekend_and_kings_day(ingest):
    # Received Friday 24 April 2026; Monday 27 April is King's Day: Tue, Wed, Thu.
    ingest(
        [signal_row(id="A", signaaldatum="2026-04-24", crisissignaal="ja")],
        received=received_on("2026-04-24"),
    )
    case = only_case()
    assert case.crisis
    assert case.deadline == date(2026, 4, 30)


def test_crisis_deadline_skips_christmas(ingest, municipality):
    # Received Wednesday 24 December 2025; the 25th and 26th are holidays, then a weekend.
    ingest(
        [signal_row(id="X", ontstaansdatum="", signaaldatum="24-12-2025", crisissignaal="1")],
        received=received_on("2025-12-24"),
    )
    assert only_case().deadline == date(2025, 12, 31)


def test_crisis_deadline_over_easter_counts_good_friday(ingest):
    # Received Thursday 2 April 2026: Good Friday is a working day under the Algemene
    # termijnenwet, Easter Monday is not: Fri 3, Tue 7, Wed 8 April.
    ingest(
        [signal_row(id="E", signaaldatum="2026-04-01", crisissignaal="ja")],
        received=received_on("2026-04-02"),
    )
    assert only_case().deadline == date(2026, 4, 8)


def test_crisis_signal_brings_an_open_cases_deadline_forward(ingest):
    ingest([signal_row(id="A", signaaldatum="2026-04-20")], received=received_on("2026-04-20"))
    assert only_case().deadline == date(2026, 5, 18)
    ingest(
        [signal_row(id="B", signaalpartner="Water", signaaldatum="2026-04-24", crisissignaal="ja")],
        received=received_on("2026-04-24"),
    )
    case = only_case()
    assert case.deadline == date(2026, 4, 30)
    assert case.crisis
    assert (case.tier, case.campaign) == ("crisis", "crisis")
    ingest(
        [signal_row(id="C", signaalpartner="Huur", signaaldatum="2026-05-01")],
        received=received_on("2026-05-01"),
    )
    assert only_case().deadline == date(2026, 4, 30)  # a later signal never postpones it


def test_priority_reasons_list_the_fired_rules(ingest):
    ingest(
        [signal_row(id="R", signaalpartner="Huur", bedrag="1.200,00", geboortedatum="2001-01-01")]
    )
    case = only_case()
    assert [(r["rule"], r["weight"]) for r in case.reasons] == [
        ("rent", 20),
        ("amount_1000", 20),
        ("young_adult", 10),
    ]
    assert case.score == 50
    assert case.tier == "high"
    assert case.campaign == "young"  # the young-adult override
    details = [r["detail"] for r in case.reasons]
    assert (
        details[0] == "Huurachterstand, risico op huisuitzetting: signaal van signaalpartner Huur"
    )
    assert details[1] == "Totale achterstand € 1.200 (band € 1.000 tot € 2.500)"
    assert details[2] == "Jongere: jongste volwassene is 25 jaar (tot en met 27)"


def test_no_rule_fires_for_a_small_single_signal(ingest):
    ingest([signal_row(id="S", bedrag="60")])
    case = only_case()
    assert case.reasons == []
    assert (case.score, case.tier, case.campaign) == (0, "low", "light")


# --- one address however it is written ------------------------------------------------------

_houses = itertools.count(100)
POSTCODE_VARIANTS = ("1234AB", "1234 ab", " 1234aB ", "1234 AB", "1234ab")
PARTNERS = ("Energie", "Huur", "Water", "Zorg", "DUO", "Belastingdienst")


def house_variants(number: int) -> list[tuple[str, str]]:
    return [
        (f"{number}A", ""),
        (f"{number}-a", ""),
        (f"{number} A", ""),
        (str(number), "A"),
        (str(number), "a"),
        (f"{number}a", "A"),
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_address_variants_land_in_one_household_and_one_case(municipality, now, data):
    number = next(_houses)  # a fresh household for every example
    partners = data.draw(
        st.lists(st.sampled_from(PARTNERS), min_size=2, max_size=5, unique=True), label="partners"
    )
    rows = []
    for partner in partners:
        postcode = data.draw(st.sampled_from(POSTCODE_VARIANTS), label="postcode")
        house, addition = data.draw(st.sampled_from(house_variants(number)), label="house")
        rows.append(
            signal_row(
                id=f"P{number}-{partner}",
                signaalpartner=partner,
                postcode=postcode,
                huisnummer=house,
                huisnummertoevoeging=addition,
                bedrag="300",
            )
        )
    one_delivery = data.draw(st.booleans(), label="one delivery")
    deliveries = [rows] if one_delivery else [[row] for row in rows]
    for delivery in deliveries:
        report = import_rows(
            read_csv_bytes(csv_bytes(delivery)), municipality=municipality, now=now
        )
        assert report.rejected == 0, report.rejections

    households = Household.objects.filter(municipality=municipality, house_number=number)
    assert list(households.values_list("key", flat=True)) == [f"1234AB|{number}|A"]
    household = households.get()
    assert household.label == f"1234AB {number}A"
    assert Signal.objects.filter(household=household).count() == len(partners)
    cases = Case.objects.filter(household=household)
    assert cases.count() == 1
    case = cases.get()
    assert set(case.signals.values_list("partner_type", flat=True)) == set(partners)
    assert case.kind == Case.Kind.MULTIPLE
    assert Person.objects.filter(household=household).count() == 1


# --- deliveries at the same time ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_deliveries_do_not_split_households(municipality, now):
    partners = ("Energie", "Huur", "Water", "Zorg")
    postcodes = ("3511AB", "3511 ab", " 3511aB ", "3511 AB")
    deliveries = [
        csv_bytes(
            [
                signal_row(
                    id=f"{partner}-{number}",
                    signaalpartner=partner,
                    postcode=postcode,
                    huisnummer=str(number),
                )
                for number in range(1, 21)
            ]
        )
        for partner, postcode in zip(partners, postcodes, strict=True)
    ]
    barrier = threading.Barrier(len(deliveries))
    reports, errors = [], []

    def deliver(data):
        try:
            barrier.wait()
            reports.append(
                import_rows(read_csv_bytes(data), municipality=municipality, now=now, batch_size=3)
            )
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(data,)) for data in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(r.accepted for r in reports) == [20, 20, 20, 20]
    assert Household.objects.count() == 20
    assert Case.objects.count() == 20
    for case in Case.objects.all():
        assert case.signals.count() == 4
        assert case.kind == Case.Kind.MULTIPLE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_deliveries_with_the_same_new_partners_do_not_deadlock(municipality, now):
    # Each names the same new partners, in the opposite order, for households in lock slots of
    # its own: as the processes of one large file do on an empty database.
    names = [f"Partner {number:02}" for number in range(1, 41)]
    numbers = {0: [], 1: []}
    for number in itertools.count(1):
        share = numbers[household_slot(household_key("3511AB", number, "")) % 2]
        if len(share) < len(names):
            share.append(number)
        if min(len(share) for share in numbers.values()) == len(names):
            break
    deliveries = [
        csv_bytes(
            [
                signal_row(partner_naam=name, postcode="3511AB", huisnummer=str(number))
                for number, name in zip(numbers[share], order, strict=True)
            ]
        )
        for share, order in ((0, names), (1, names[::-1]))
    ]
    barrier = threading.Barrier(len(deliveries))
    reports, errors = [], []

    def deliver(data):
        try:
            barrier.wait()
            reports.append(import_rows(read_csv_bytes(data), municipality=municipality, now=now))
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(data,)) for data in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(r.accepted for r in reports) == [40, 40]
    assert sorted(SignalPartner.objects.values_list("name", flat=True)) == names


def test_surname_prefix_written_either_way_is_one_person(ingest):
    ingest(
        [
            signal_row(achternaam="van Dijk", voorvoegsel="", signaalpartner="Huur"),
            signal_row(achternaam="Dijk", voorvoegsel="van", signaalpartner="Water"),
            signal_row(achternaam="Van  DIJK", voorvoegsel="", signaalpartner="Zorg"),
        ]
    )
    assert Person.objects.count() == 1
    assert only_case().kind == Case.Kind.MULTIPLE


def test_no_dangling_references_after_deliveries(ingest):
    from outreach.intake.integrity import dangling_references

    ingest([signal_row(signaalpartner="Huur"), signal_row(signaalpartner="Water", bedrag="10")])
    ingest([signal_row(signaalpartner="Zorg", postcode="3512CD", telefoonnummer="0612345679")])
    assert Signal.objects.count() == 3
    counts = dangling_references()
    assert len(counts) == 10 and set(counts.values()) == {0}


def test_dangling_references_are_counted(ingest):
    from outreach.intake.integrity import dangling_references

    ingest([signal_row()])
    with connection.cursor() as cursor:  # what no code path does: remove a referenced row
        cursor.execute(f"DELETE FROM {Person._meta.db_table}")
    counts = dangling_references()
    assert counts["signal.person"] == 1
    assert counts["phone.person"] == 1
    assert counts["case.household"] == 0
