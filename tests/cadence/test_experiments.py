"""Campaign experiments through the real engine: a starting case runs its household's variant,
records it, and so do its messages; a household keeps its variant across repeat signals, also
when the shares change; a stopped experiment gives new cases the chosen variant and leaves
running ones alone; a caseworker's choice is never drawn over."""

from datetime import timedelta
from math import sqrt
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from outreach.cadence import experiments, library
from outreach.cadence.campaigns import Experiment, Variant
from outreach.cadence.experiments import ExperimentError, arm_for, stop_experiment
from outreach.cadence.models import ExperimentDecision, PlannedStep
from outreach.cadence.steering import switch_campaign
from outreach.casework import workflow
from outreach.casework.models import Case, CaseEvent
from outreach.core.ddas import EndResult
from outreach.core.models import AuditEntry
from outreach.core.variants import assign
from outreach.messaging.models import Message
from tests.cadence.conftest import FRAMEWORK_NAMES, TEST_CAMPAIGN, ingest
from tests.conftest import signal_row

pytestmark = [pytest.mark.django_db]

# Variant "sms" of every framework campaign: the test campaign with an SMS first, so the
# first message tells which variant ran.
SMS_FIRST = TEST_CAMPAIGN.replace(
    'id = "letter1"\nchannel = "letter"', 'id = "sms0"\nchannel = "sms"', 1
)


def experiment_block(name: str, shares: tuple[float, float] = (1, 1)) -> str:
    return f"""
[experiment]
id = "proef-{name}"
label = "Proef {name}"
[[experiment.variant]]
name = "controle"
campaign = "{name}"
share = {shares[0]}
[[experiment.variant]]
name = "sms"
campaign = "sms-first"
share = {shares[1]}
"""


def write_experiments(folder: Path, shares: tuple[float, float] = (1, 1)) -> None:
    for name in FRAMEWORK_NAMES:
        (folder / f"{name}.toml").write_text(TEST_CAMPAIGN + experiment_block(name, shares))
    (folder / "sms-first.toml").write_text(SMS_FIRST)
    library.reload()


@pytest.fixture
def experiment_dir(campaign_dir: Path) -> Path:
    """Every campaign the framework names runs an experiment "proef-<name>": half stay, half
    run `sms-first`."""
    write_experiments(campaign_dir)
    return campaign_dir


def households(count: int, start: int = 1) -> list[dict[str, str]]:
    """A signal for each of `count` households (house numbers from `start`)."""
    return [
        signal_row(huisnummer=str(n), achternaam=f"Jansen{n}", signaaldatum="2026-05-14")
        for n in range(start, start + count)
    ]


def expected(case: Case, shares: list[tuple[str, float]]) -> str:
    return assign(case.experiment, case.household.key, shares)


def test_a_started_case_runs_its_households_variant_and_every_message_records_it(
    experiment_dir, municipality, engine, now
):
    cases = ingest(households(24), municipality, now)
    proposed = {case.pk: case.campaign for case in cases}
    engine(now)
    seen = set()
    for case in Case.objects.filter(pk__in=proposed).select_related("household"):
        assert case.state == Case.State.ACTIVE
        assert case.experiment == f"proef-{proposed[case.pk]}"
        assert case.variant == expected(case, [("controle", 1), ("sms", 1)])
        assert not case.variant_after_stop
        campaign = proposed[case.pk] if case.variant == "controle" else "sms-first"
        assert (case.campaign, case.campaign_file) == (campaign, f"{campaign}.toml")
        assert {s.campaign for s in PlannedStep.objects.filter(case=case)} == {campaign}
        (message,) = Message.objects.filter(case=case)
        # The variant's campaign ran: its first step is an SMS, the control's a letter.
        assert message.channel == ("letter" if case.variant == "controle" else "sms")
        assert (message.experiment, message.variant) == (case.experiment, case.variant)
        event = CaseEvent.objects.get(case=case, action=experiments.EXPERIMENT_EVENT)
        assert f"variant {case.variant}, campagne {campaign}" in event.detail
        seen.add(case.variant)
    assert seen == {"controle", "sms"}


def test_a_repeat_signal_keeps_the_households_variant_even_when_the_shares_changed(
    experiment_dir, municipality, engine, now
):
    (first,) = ingest(households(1), municipality, now)
    engine(now)
    first.refresh_from_db()
    kept = first.variant
    other = "sms" if kept == "controle" else "controle"
    workflow.close(first, EndResult.NO_CONTACT.value, now + timedelta(days=1))
    # The shares change so that a fresh draw would now give this household the other variant.
    shares = (1e-6, 1.0) if kept == "controle" else (1.0, 1e-6)
    write_experiments(experiment_dir, shares)
    fresh = [("controle", shares[0]), ("sms", shares[1])]
    assert assign(first.experiment, first.household.key, fresh) == other
    # Later, the same partner again (in the same month: the framework picks the same campaign).
    later = now + timedelta(days=40)
    ingest(
        [signal_row(huisnummer="1", achternaam="Jansen1", signaaldatum="2026-05-20")],
        municipality,
        later,
    )
    repeat = Case.objects.exclude(pk=first.pk).get()
    assert repeat.household_id == first.household_id
    engine(later)
    repeat.refresh_from_db()
    assert (repeat.experiment, repeat.variant) == (first.experiment, kept)
    # A household new to the experiment is drawn with the shares as they are now.
    (newcomer,) = [
        c
        for c in ingest(households(1, start=50), municipality, later)
        if c.pk != repeat.pk and c.pk != first.pk
    ]
    engine(later)
    newcomer.refresh_from_db()
    assert newcomer.variant == expected(newcomer, fresh)


def test_the_draw_follows_the_shares_over_many_households():
    experiment = Experiment("proef", "Proef", (Variant("a", "x", 3), Variant("b", "y", 1)))
    n = 4_000
    drawn = [arm_for(experiment, f"3511AB|{i}|", None, None).variant for i in range(n)]
    # An honest draw of 4,000 with p = 0.75 has a standard deviation of sqrt(pq/n) = 0.0068;
    # four of them (0.027) leave it out once in 16,000 draws. The hash is fixed, so the count
    # is too: this guards against a draw that ignores the shares, not against chance.
    tolerance = 4 * sqrt(0.75 * 0.25 / n)
    assert abs(drawn.count("a") / n - 0.75) < tolerance
    # And a household always lands where it landed.
    assert drawn == [arm_for(experiment, f"3511AB|{i}|", None, None).variant for i in range(n)]


def test_a_decision_or_an_earlier_variant_the_file_no_longer_has_is_passed_over():
    experiment = Experiment("proef", "Proef", (Variant("a", "x", 1), Variant("b", "y", 1)))
    draw = arm_for(experiment, "3511AB|1|", None, None)
    assert arm_for(experiment, "3511AB|1|", "gone", "gone") == draw
    assert arm_for(experiment, "3511AB|1|", None, "b").variant == "b"
    chosen = arm_for(experiment, "3511AB|1|", "a", "b")
    assert (chosen.variant, chosen.campaign, chosen.after_stop) == ("a", "x", True)


def test_stopping_gives_new_cases_the_chosen_variant_and_leaves_running_ones_alone(
    experiment_dir, municipality, engine, now
):
    running = ingest(households(12), municipality, now)
    engine(now)
    before = {
        c.pk: (c.campaign, c.variant, PlannedStep.objects.filter(case=c).count())
        for c in Case.objects.filter(pk__in=[c.pk for c in running])
    }
    experiment_id = Case.objects.get(pk=running[0].pk).experiment
    supervisor = User.objects.create_user("toezicht")
    later = now + timedelta(hours=2)
    decision = stop_experiment(municipality, experiment_id, "sms", supervisor, later)
    assert (decision.variant, decision.decided_by, decision.decided_at) == (
        "sms",
        supervisor,
        later,
    )
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPERIMENT, object_id=decision.pk)
    assert (entry.actor, entry.action, entry.municipality) == (
        supervisor,
        AuditEntry.Action.CREATED,
        municipality,
    )
    new = [c for c in ingest(households(12, start=100), municipality, later) if c.pk not in before]
    engine(later)
    for case in Case.objects.filter(pk__in=[c.pk for c in new]):
        if case.experiment != experiment_id:
            continue  # another campaign's experiment, not stopped
        assert (case.variant, case.campaign, case.variant_after_stop) == ("sms", "sms-first", True)
    assert any(
        c.experiment == experiment_id for c in Case.objects.filter(pk__in=[c.pk for c in new])
    )
    for case in Case.objects.filter(pk__in=before):
        steps = PlannedStep.objects.filter(case=case).count()
        assert (case.campaign, case.variant, steps) == before[case.pk]


def test_an_experiment_is_stopped_once_with_one_of_its_variants(experiment_dir, municipality, now):
    with pytest.raises(ExperimentError, match="geen lopend experiment 'onbekend'"):
        stop_experiment(municipality, "onbekend", "sms", None, now)
    with pytest.raises(ExperimentError, match=r"Kies een variant .*: controle, sms"):
        stop_experiment(municipality, "proef-light", "andere", None, now)
    stop_experiment(municipality, "proef-light", "controle", None, now)
    with pytest.raises(ExperimentError, match="al gestopt op 15-05-2026, met variant controle"):
        stop_experiment(municipality, "proef-light", "sms", None, now)
    assert ExperimentDecision.objects.count() == 1


def test_a_campaign_a_caseworker_chose_is_not_drawn_over(experiment_dir, municipality, engine, now):
    (case,) = ingest(households(1), municipality, now)
    chosen = "standard" if case.campaign != "standard" else "light"
    switch_campaign(case, chosen, now, None)
    engine(now)
    case.refresh_from_db()
    assert (case.campaign, case.experiment, case.variant) == (chosen, "", "")
    assert Message.objects.get(case=case).experiment == ""


def test_a_set_whose_variant_campaign_is_missing_holds_its_cases_up(
    experiment_dir, municipality, engine, now
):
    (experiment_dir / "sms-first.toml").unlink()
    library.reload()
    (case,) = ingest(households(1), municipality, now)
    engine(now)
    case.refresh_from_db()
    assert case.state == Case.State.NEW and case.at_risk
    assert "no campaign 'sms-first'" in case.at_risk_reason
