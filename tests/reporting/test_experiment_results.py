"""An experiment's results: the counting per variant and segment against known values (the
intervals of tests/reporting/test_experiment_stats.py), the sentences, and the households
of a campaign experiment counted from its cases with the dashboard's definitions."""

from datetime import date, timedelta

import pytest

from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.ddas import EndResult
from outreach.reporting.experiment_results import (
    ACCEPTED,
    AGE,
    KIND,
    REACHED,
    HouseholdRow,
    age_group,
    campaign_experiment_rows,
    experiment_results,
    points,
)
from outreach.reporting.stats import Rate
from tests.cadence.conftest import campaign_dir, ingest  # noqa: F401  (fixture)
from tests.conftest import signal_row


def rows(variant: str, households: int, reached: int, accepted: int = 0, **segments: str):
    """`households` rows of `variant`: the first `reached` reached, the first `accepted` also
    accepted help."""
    return [HouseholdRow(variant, segments, i < reached, i < accepted) for i in range(households)]


def comparison(results, measure):
    (found,) = [c for c in results.overall.comparisons if c.measure == measure]
    return found


def test_a_variant_is_compared_with_the_control_by_newcombes_interval():
    # Newcombe (1998), Table II, example 1: 56 of 70 against 48 of 80.
    results = experiment_results(rows("a", 80, 48) + rows("b", 70, 56), ["a", "b"])
    control, variant = results.overall.variants
    assert (control.households, control.reached) == (80, Rate(48, 80))
    assert (variant.households, variant.reached, variant.accepted) == (
        70,
        Rate(56, 70),
        Rate(0, 70),
    )
    reached = comparison(results, REACHED)
    assert (reached.variant, reached.control) == ("b", "a")
    assert reached.difference is not None
    assert reached.difference.estimate == pytest.approx(0.2)
    assert (round(reached.difference.low, 4), round(reached.difference.high, 4)) == (
        0.0524,
        0.3339,
    )
    assert reached.more_needed == 0
    assert reached.sentence == (
        "Met b is het bereik 20,0 procentpunt hoger dan met a (+20,0 procentpunt, "
        "95%-interval +5,2 tot +33,4). Dit verschil is significant: toeval is geen "
        "waarschijnlijke verklaring."
    )
    # Nobody accepted help in either: equal, so no number of households can be given.
    accepted = comparison(results, ACCEPTED)
    assert accepted.more_needed is None
    assert accepted.sentence.startswith(
        "Bij b en a is de acceptatie van hulp tot nu toe precies gelijk (0,0%)."
    )


def test_a_difference_not_yet_significant_says_how_many_more_households_a_decision_needs():
    # 30 of 100 against 20 of 100: 294 a variant are needed (Fleiss), so 2 x 194 more. The
    # interval by hand from the Wilson intervals (0.2189, 0.3958) and (0.1333, 0.2888):
    # 0.1 - sqrt(0.0811^2 + 0.0888^2) = -0.0203, 0.1 + sqrt(0.0958^2 + 0.0667^2) = 0.2167.
    results = experiment_results(
        rows("controle", 100, 20) + rows("sms", 100, 30), ["controle", "sms"]
    )
    reached = comparison(results, REACHED)
    assert reached.difference is not None and not reached.difference.significant
    assert reached.more_needed == 388
    assert reached.sentence == (
        "Het verschil in bereik tussen sms en controle (+10,0 procentpunt, 95%-interval "
        "-2,0 tot +21,7) is nog niet significant: het kan toeval zijn. Bij de percentages "
        "van nu zijn nog ongeveer 388 huishoudens nodig (beide varianten samen) om te "
        "kunnen beslissen."
    )


def test_a_lower_variant_is_said_to_be_lower():
    results = experiment_results(rows("a", 70, 56) + rows("b", 80, 48), ["a", "b"])
    assert comparison(results, REACHED).sentence.startswith(
        "Met b is het bereik 20,0 procentpunt lager dan met a (-20,0 procentpunt"
    )


def test_results_are_counted_per_segment_in_a_fixed_order():
    data = (
        rows("a", 12, 6, 3, kind="multiple", age="67_plus")
        + rows("a", 20, 4, 1, kind="single", age="under_27")
        + rows("b", 10, 5, 2, kind="single", age="under_27")
    )
    results = experiment_results(data, ["a", "b"])
    assert results.households == 42
    kinds = results.segments[KIND]
    assert [g.label for g in kinds] == ["enkelvoudig", "meervoudig"]
    single, multiple = kinds
    assert [(v.variant, v.households, v.reached, v.accepted) for v in single.variants] == [
        ("a", 20, Rate(4, 20), Rate(1, 20)),
        ("b", 10, Rate(5, 10), Rate(2, 10)),
    ]
    assert [v.households for v in multiple.variants] == [12, 0]
    assert multiple.comparisons[0].difference is None
    assert multiple.comparisons[0].sentence == (
        "Nog geen huishoudens in variant b: er is nog niets te vergelijken."
    )
    assert [g.label for g in results.segments[AGE]] == ["jonger dan 27", "67 en ouder"]


def test_a_variant_without_households_is_still_shown_and_an_unknown_one_comes_last():
    results = experiment_results(rows("b", 3, 1) + rows("x", 2, 0), ["a", "b"])
    assert results.variants == ("a", "b", "x")
    assert [v.households for v in results.overall.variants] == [0, 3, 2]
    with pytest.raises(ValueError):
        experiment_results([], [])


def test_age_groups_and_dutch_points():
    assert [age_group(a) for a in (None, 18, 26, 27, 66, 67, 90)] == [
        "unknown",
        "under_27",
        "under_27",
        "27_66",
        "27_66",
        "67_plus",
        "67_plus",
    ]
    assert (points(0.0831), points(-0.0524, signed=True)) == ("8,3", "-5,2")


# --- from the cases ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("campaign_dir")
def test_a_campaign_experiment_counts_each_drawn_household_once_with_the_dashboards_facts(
    municipality, now
):
    people = [
        ("1", "1980-02-03"),  # 46: adult
        ("2", "2003-01-01"),  # 23: young
        ("3", "1950-06-01"),  # 75: 67 and older
        ("4", "1980-02-03"),  # after the stop: not counted
        ("5", "1980-02-03"),  # another experiment
    ]
    cases = ingest(
        [
            signal_row(huisnummer=n, achternaam=f"Jansen{n}", geboortedatum=born)
            for n, born in people
        ],
        municipality,
        now,
    )
    by_number = {c.household.house_number: c for c in cases}
    arms = {1: ("proef", "a", False), 2: ("proef", "b", False), 3: ("proef", "b", False)}
    arms |= {4: ("proef", "b", True), 5: ("andere", "a", False)}
    for number, (experiment, variant, after_stop) in arms.items():
        Case.objects.filter(pk=by_number[number].pk).update(
            experiment=experiment, variant=variant, variant_after_stop=after_stop, state="active"
        )
    today = date(2026, 5, 15)
    # Household 2: reached; household 3: reached and accepted; 4 and 5 too, but not counted.
    for number in (2, 3, 4, 5):
        ContactAttempt.objects.create(
            case=by_number[number], kind="Telefoon", reached=True, date=today, dagdeel="Ochtend"
        )
    for number in (3, 4, 5):
        HelpOffer.objects.create(
            case=by_number[number],
            made_on=today,
            kind="Telefoon",
            answer="accepted",
            created_at=now,
        )
    # Household 1 signals again after its first case closed; its second case is reached.
    first = Case.objects.get(pk=by_number[1].pk)
    workflow.close(first, EndResult.NO_CONTACT.value, now)
    later = now + timedelta(days=10)
    ingest(
        [signal_row(huisnummer="1", achternaam="Jansen1", signaaldatum="2026-05-20")],
        municipality,
        later,
    )
    second = Case.objects.exclude(pk__in=[c.pk for c in cases]).get()
    Case.objects.filter(pk=second.pk).update(experiment="proef", variant="a", state="active")
    ContactAttempt.objects.create(
        case=second, kind="Brief", reached=True, date=today + timedelta(days=10), dagdeel="Middag"
    )
    found = campaign_experiment_rows(municipality, "proef", later)
    assert sorted((r.variant, r.segments[AGE], r.reached, r.accepted) for r in found) == [
        ("a", "27_66", True, False),
        ("b", "67_plus", True, True),
        ("b", "under_27", True, False),
    ]
    assert {r.segments[KIND] for r in found} == {"single"}
    results = experiment_results(found, ["a", "b"])
    assert [
        (v.households, v.reached.count, v.accepted.count) for v in results.overall.variants
    ] == [
        (1, 1, 0),
        (2, 2, 1),
    ]
    assert campaign_experiment_rows(municipality, "onbekend", later) == []
