"""A text experiment through the real engine: each household's message is its variant, by the
stable draw on its address, recorded on the message; a household keeps its variant across
repeat signals and changes of the shares; the draw follows the shares; and the rows for the
results view count what the dashboard counts."""

from datetime import date, timedelta
from math import sqrt
from pathlib import Path

import pytest
from django.utils import timezone

from outreach.cadence import library
from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.variants import assign, draw
from outreach.intake.models import Household
from outreach.messaging.models import Message, TextExperiment
from outreach.messaging.texts import experiments as ex
from outreach.messaging.texts.compose import PublishedTexts, Reader, compose
from outreach.messaging.texts.experiments import Household as Whom
from outreach.reporting.text_experiments import HouseholdRow, text_experiment_rows
from tests.cadence.conftest import FRAMEWORK_NAMES, ingest
from tests.conftest import signal_row
from tests.messaging.channels import make_cases

pytestmark = pytest.mark.django_db

B_TEXT = (
    "{{ salutation }}, variant B: de gemeente helpt gratis. Stuur {{ keywords.yes }} naar "
    "{{ reply_number }}. Of bel {{ worker_name }}: {{ worker_phone }}."
)
ONE_SMS = """
label = "Een sms"

[[step]]
id = "sms1"
channel = "sms"
template = "invitation"
after_days = 0
"""


@pytest.fixture
def sms_campaign(campaign_dir: Path) -> Path:
    for name in FRAMEWORK_NAMES:
        (campaign_dir / f"{name}.toml").write_text(ONE_SMS)
    library.reload()
    return campaign_dir


def running(now, name: str = "proef", shares: dict[str, int] | None = None) -> TextExperiment:
    """A running experiment on the shared SMS invitation: B in Dutch only (the Dutch readers
    take part; readers of other languages get the text itself)."""
    experiment = ex.create("invitation", None, name, None, now)
    for lang in ("en", "tr", "ar", "pl", "uk"):
        ex.drop_language(experiment, "B", lang)
    ex.save_variant(experiment, "B", "nl", B_TEXT, None, now)
    if shares:
        ex.set_shares(experiment, {k: str(v) for k, v in shares.items()})
    ex.start(experiment, None, now)
    experiment.refresh_from_db()
    return experiment


@pytest.fixture(autouse=True)
def one_person_publishes(settings) -> None:
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False


def expected(experiment: TextExperiment, household: Household) -> str:
    return assign(experiment.name, household.key, experiment.variants)


def test_each_households_message_is_its_variant_recorded_on_the_message(
    sms_campaign, municipality, engine, now
):
    experiment = running(now)
    cases = make_cases(municipality, 20, now)
    engine(now)
    variants = []
    for case in cases:
        (message,) = Message.objects.filter(case=case)
        want = expected(experiment, case.household)
        assert (message.text_experiment, message.text_variant) == ("proef", want)
        assert ("variant B:" in message.body) == (want == "B")
        if want == "B":  # B's own version number, never the text's
            assert message.template_version == ex.newest_sources(experiment)["B"]["nl"].version
        variants.append(want)
    assert set(variants) == {"A", "B"}


def test_a_reader_in_a_language_the_variants_lack_gets_the_text_outside_the_experiment(
    sms_campaign, municipality, engine, now
):
    running(now)
    (case,) = ingest([signal_row()], municipality, now)
    person = case.signals.get().person
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    engine(now)
    (message,) = Message.objects.filter(case=case)
    assert (message.language, message.text_experiment, message.text_variant) == ("en", "", "")


def test_no_experiment_no_record(sms_campaign, municipality, engine, now):
    (case,) = ingest([signal_row()], municipality, now)
    engine(now)
    (message,) = Message.objects.filter(case=case)
    assert (message.text_experiment, message.text_variant) == ("", "")


def test_a_household_keeps_its_variant_across_a_repeat_signal_and_new_shares(
    sms_campaign, municipality, engine, now
):
    experiment = running(now)
    (first,) = ingest([signal_row()], municipality, now)
    engine(now)
    had = Message.objects.get(case=first).text_variant
    # Shares under which the draw would now give this household the other variant.
    point = draw(experiment.name, first.household.key)
    other = "B" if had == "A" else "A"
    share_a = max(1, min(99, int(point * 100) + (1 if other == "A" else -1)))
    ex.set_shares(experiment, {"A": str(share_a), "B": str(100 - share_a)})
    experiment.refresh_from_db()
    assert expected(experiment, first.household) == other
    # The first case closes; a month later the household's repeat signal makes a new case.
    Case.objects.filter(pk=first.pk).update(state=Case.State.CLOSED, closed_at=now)
    later = now + timedelta(days=35)
    ingest([signal_row(signaalpartner="Huur", partner_naam="Woonstichting")], municipality, later)
    second = Case.objects.exclude(pk=first.pk).get()
    assert second.household_id == first.household_id
    engine(later)
    message = Message.objects.get(case=second)
    assert (message.text_experiment, message.text_variant) == ("proef", had)


def test_the_draw_follows_the_shares_within_binomial_tolerance(municipality, now):
    """3,000 households at 30/70. The count in A is binomial(3000, 0.3) when the hash draws
    uniformly: mean 900, standard deviation sqrt(3000 * 0.3 * 0.7) = 25.1. Four standard
    deviations (±100) leave a chance of 6e-5 that a fair draw fails; the hash is deterministic,
    so the test never flickers, and a draw skewed by 4 points or more fails it."""
    experiment = running(now, shares={"A": 30, "B": 70})
    texts = PublishedTexts()
    reader = Reader("J. de Vries", "nl", [], ["Energie"], "0344-000001")
    letterhead = {"worker_name": "Sanne", "worker_phone": "0301234567", "reply_number": "3010"}
    n, share = 3000, 0.3
    texts.remember(range(1, n + 1))  # no earlier messages: one query for all
    in_a = 0
    for i in range(1, n + 1):
        key = f"{3500 + i % 100:04d}AB|{i}|"
        text = compose(
            "invitation", reader, letterhead, now.date(), texts,
            municipality_id=municipality.pk, household=Whom(i, key),
        )  # fmt: skip
        assert text.text_experiment == experiment.name
        in_a += text.text_variant == "A"
    sd = sqrt(n * share * (1 - share))
    assert abs(in_a - n * share) <= 4 * sd, (in_a, n * share, sd)


def test_rows_per_household_with_variant_segment_reach_and_acceptance(
    sms_campaign, municipality, engine, now
):
    running(now)
    rows = [
        signal_row(huisnummer="1", geboortedatum="2003-01-01"),  # 23: young
        signal_row(huisnummer="2", geboortedatum="1950-06-01"),  # 75: 67 and older
        signal_row(huisnummer="3", geboortedatum="1980-02-03"),
        signal_row(huisnummer="3", signaalpartner="Huur", partner_naam="Woonstichting"),
        signal_row(huisnummer="4", geboortedatum=""),  # no birth date
    ]
    cases = {case.household.house_number: case for case in ingest(rows, municipality, now)}
    engine(now)
    today = timezone.localdate(now)
    ContactAttempt.objects.create(
        case=cases[1], kind="Telefoon", reached=True, date=today, dagdeel="Ochtend"
    )
    ContactAttempt.objects.create(
        case=cases[2], kind="Telefoon", reached=True, date=today, dagdeel="Ochtend"
    )
    HelpOffer.objects.create(
        case=cases[2], made_on=today, kind="Telefoon", answer="accepted", answered_on=today,
        created_at=now,
    )  # fmt: skip
    # Counted as of `now`: tomorrow's attempt is not yet there.
    ContactAttempt.objects.create(
        case=cases[3], kind="Telefoon", reached=True, date=date(2026, 5, 16), dagdeel="Ochtend"
    )
    variant = {n: Message.objects.get(case=c).text_variant for n, c in cases.items()}

    found = text_experiment_rows(municipality, "proef", now)

    assert found == [
        HouseholdRow(variant[1], {"kind": "single", "age": "under_27"}, True, False),
        HouseholdRow(variant[2], {"kind": "single", "age": "67_plus"}, True, True),
        HouseholdRow(variant[3], {"kind": "multiple", "age": "27_66"}, False, False),
        HouseholdRow(variant[4], {"kind": "single", "age": "unknown"}, False, False),
    ]
    # Another experiment, another municipality, or before the messages: no rows.
    assert text_experiment_rows(municipality, "iets-anders", now) == []
    assert text_experiment_rows(municipality, "proef", now - timedelta(minutes=1)) == []
    later = now + timedelta(days=1)
    assert [row.reached for row in text_experiment_rows(municipality, "proef", later)] == [
        True, True, True, False,
    ]  # fmt: skip
