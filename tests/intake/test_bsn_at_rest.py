"""The BSN at rest: encrypted in every table, never listed or logged, used only for matching
with the debt-help clients and the population register."""

import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from outreach.casework.models import Case
from outreach.core.bsn import BsnKeyError, Keyring, blind_index, open_
from outreach.core.ddas import EndResult, SignalStatus
from outreach.intake.models import DebtHelpClient, ImportRun, Person, RegisterEntry, Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes, without_bsn
from outreach.intake.source_files import load_clients, load_register
from tests.casework.conftest import make_caseworker
from tests.conftest import csv_bytes, signal_row

pytestmark = pytest.mark.django_db

CLIENT_BSN, RESIDENT_BSN, SIGNAL_BSN = "111222333", "123456782", "012345672"
TYPO = "123456789"  # one digit off a BSN: it fails the eleven-test, but still names someone


def ingest(rows, municipality, now):
    return import_rows(
        read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now, source="test.csv"
    )


@pytest.fixture
def delivered(municipality, now, write_csv):
    """A client and a resident loaded from the sources, and signals about both and another."""
    clients = [{"bsn": CLIENT_BSN, "achternaam": "Anders", "postcode": "9999AA", "huisnummer": "1"}]
    # Registered at other addresses than the signals give: only the BSN finds them.
    register = [
        {"bsn": bsn, "achternaam": name, "postcode": "9999ZZ", "huisnummer": "3"}
        for bsn, name in ((RESIDENT_BSN, "Jansen"), (SIGNAL_BSN, "Visser"))
    ]
    assert load_clients(write_csv(clients, "clients.csv"), municipality).loaded == 1
    assert load_register(write_csv(register, "register.csv"), municipality).loaded == 2
    report = ingest(
        [
            signal_row(id="CLIENT", bsn=CLIENT_BSN, postcode="3522CD", huisnummer="7"),
            signal_row(id="RESIDENT", bsn=RESIDENT_BSN),
            signal_row(id="SPACED", bsn="012 345 672", achternaam="Visser", postcode="3533EF"),
            signal_row(id="TYPO", bsn=TYPO),
        ],
        municipality,
        now,
    )
    assert (report.accepted, report.rejected) == (3, 1)
    return report


def every_stored_value() -> str:
    """Every row of every table, as the database holds it."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            texts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(texts)


def test_no_table_holds_a_bsn_in_plain(delivered):
    stored = every_stored_value()
    for bsn in (CLIENT_BSN, RESIDENT_BSN, SIGNAL_BSN, "012 345 672", TYPO):
        assert bsn not in stored
    person = Person.objects.get(signals__partner_ref="RESIDENT")
    assert open_(person.bsn_encrypted) == RESIDENT_BSN
    assert person.bsn_index == blind_index(RESIDENT_BSN)
    entry = RegisterEntry.objects.get(surname="Visser")
    assert (open_(entry.bsn_encrypted), entry.bsn_index) == (SIGNAL_BSN, blind_index(SIGNAL_BSN))
    assert DebtHelpClient.objects.get().bsn_index == blind_index(CLIENT_BSN)


def test_the_raw_row_keeps_everything_but_the_bsn(delivered):
    raw = json.loads(Signal.objects.get(partner_ref="CLIENT").raw)
    assert "bsn" not in raw
    assert raw["achternaam"] == "Jansen" and raw["postcode"] == "3522CD"


def test_matching_by_bsn_still_finds_the_client_and_the_resident(delivered):
    # Both are in the sources at other addresses than the signals give.
    client = Signal.objects.get(partner_ref="CLIENT")
    assert client.status == SignalStatus.OTHER_REASON
    assert client.case.result == EndResult.KNOWN_TO_DEBT_HELP
    for reference in ("RESIDENT", "SPACED"):
        assert Signal.objects.get(partner_ref=reference).status == SignalStatus.NOT_YET_PICKED_UP


def test_no_bsn_in_the_report_or_the_logs(municipality, now, caplog):
    caplog.set_level(logging.DEBUG)
    report = ingest(
        [signal_row(id="A", bsn=CLIENT_BSN), signal_row(id="B", bsn=TYPO)], municipality, now
    )
    assert report.rejections == [
        {"row": 2, "field": "bsn", "reason": "not a BSN: it fails the eleven-test"}
    ]
    told = json.dumps(report.as_dict()) + caplog.text + json.dumps(ImportRun.objects.get().report)
    assert CLIENT_BSN not in told and TYPO not in told


def test_the_admin_and_the_case_page_do_not_show_the_bsn(delivered, municipality):
    admin = Client()
    admin.force_login(User.objects.create_superuser("beheer", password="geheim-wachtwoord-1"))
    run = ImportRun.objects.get(source="test.csv")
    pages = [
        admin.get("/admin/intake/importrun/"),
        admin.get(f"/admin/intake/importrun/{run.pk}/change/"),
    ]
    caseworker = Client()
    caseworker.force_login(make_caseworker("sanne", municipality))
    case = Case.objects.get(signals__partner_ref="RESIDENT")
    pages.append(caseworker.get(f"/cases/{case.pk}/"))
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert (
            RESIDENT_BSN not in text
            and Person.objects.get(signals__partner_ref="RESIDENT").bsn_encrypted not in text
        )
    assert "Jansen" in pages[-1].content.decode()  # the page does show the person


def test_with_a_wrong_key_intake_stops_with_a_clear_error(delivered, municipality, now, settings):
    settings.OUTREACH_BSN_KEY = Fernet.generate_key().decode()
    with pytest.raises(BsnKeyError, match="does not open with any key in OUTREACH_BSN_KEY"):
        ingest([signal_row(id="LATER", bsn=CLIENT_BSN)], municipality, now)
    assert not Signal.objects.filter(partner_ref="LATER").exists()


def test_after_a_new_key_is_put_first_matching_goes_on_and_rekey_moves_every_bsn(
    delivered, municipality, now, settings, run_command
):
    old = settings.OUTREACH_BSN_KEY
    new = Fernet.generate_key().decode()
    settings.OUTREACH_BSN_KEY = f"{new},{old}"
    ingest([signal_row(id="AGAIN", bsn=CLIENT_BSN, bedrag="900,00")], municipality, now)
    assert Signal.objects.get(partner_ref="AGAIN").status == SignalStatus.OTHER_REASON

    out = run_command("rekey-bsn")
    assert "intake_debthelpclient: 1 BSN(s) moved to the first key" in out
    assert "intake_registerentry: 2 BSN(s)" in out and "intake_person: 3 BSN(s)" in out
    settings.OUTREACH_BSN_KEY = new  # the old key is out of the list
    keys = Keyring([new.encode()])
    assert keys.open(DebtHelpClient.objects.get().bsn_encrypted) == CLIENT_BSN
    ingest([signal_row(id="THIRD", bsn=CLIENT_BSN, bedrag="950,00")], municipality, now)
    assert Signal.objects.get(partner_ref="THIRD").status == SignalStatus.OTHER_REASON
    assert "0 BSN(s)" in run_command("rekey-bsn")  # nothing left to move


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_plain_bsns_and_clears_them_from_the_raw_rows(municipality):
    before, after = [("intake", "0004_optout")], [("intake", "0005_bsn_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        place = municipality.pk  # the core app stays migrated
        home = old.get_model("intake", "Household").objects.create(
            municipality_id=place, key="3511AB|12|", postcode="3511AB", house_number=12
        )
        person = old.get_model("intake", "Person").objects.create(
            municipality_id=place, household=home, key="k", bsn=RESIDENT_BSN, surname="Jansen"
        )
        old.get_model("intake", "Person").objects.create(
            municipality_id=place, household=home, key="n", bsn="", surname="Visser"
        )
        old.get_model("intake", "DebtHelpClient").objects.create(
            municipality_id=place, bsn=CLIENT_BSN, address_key="-", surname="Anders"
        )
        partner = old.get_model("intake", "SignalPartner").objects.create(type="Energie", name="X")
        delivered_rows = [
            {"id": "1", "BSN": RESIDENT_BSN, "achternaam": "Jansen"},
            {"ID": "2", "client": {"Burgerservicenummer": CLIENT_BSN, "Achternaam": "Anders"}},
            {"id": "3", "bsn": "", "achternaam": "Visser"},
        ]
        for number, row in enumerate(delivered_rows):
            old.get_model("intake", "Signal").objects.create(
                municipality_id=place, partner=partner, partner_type="Energie",
                dedupe_key=str(number), amount=100, signal_date="2026-04-01", person=person,
                household=home, received_at="2026-04-02T08:00:00Z", raw=json.dumps(row),
            )  # fmt: skip

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        assert RESIDENT_BSN not in every_stored_value() and CLIENT_BSN not in every_stored_value()
        person = Person.objects.get(key="k")
        assert (open_(person.bsn_encrypted), person.bsn_index) == (
            RESIDENT_BSN,
            blind_index(RESIDENT_BSN),
        )
        assert Person.objects.get(key="n").bsn_encrypted == ""
        assert open_(DebtHelpClient.objects.get().bsn_encrypted) == CLIENT_BSN
        raws = [json.loads(s.raw) for s in Signal.objects.order_by("dedupe_key")]
        assert raws == [
            {"id": "1", "achternaam": "Jansen"},
            {"ID": "2", "client": {"Achternaam": "Anders"}},
            {"id": "3", "bsn": "", "achternaam": "Visser"},
        ]
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())


def test_the_bsn_leaves_the_raw_row_under_any_spelling_and_the_row_itself_is_untouched():
    row = {" Burgerservicenummer": CLIENT_BSN, "achternaam": "Jansen", "BSN": ""}
    assert without_bsn(row) == {"achternaam": "Jansen", "BSN": ""}
    assert row[" Burgerservicenummer"] == CLIENT_BSN  # a CSV row's raw is also its fields
    item = {"ID": "1", "client": {"burgerservicenummer": 111222333, "Achternaam": "Jansen"}}
    assert without_bsn(item) == {"ID": "1", "client": {"Achternaam": "Jansen"}}
    assert item["client"]["burgerservicenummer"] == 111222333
