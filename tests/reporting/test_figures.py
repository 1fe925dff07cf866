"""The supervisor's figures, counted in the database: which cases a period holds, the deadline
measures, the segments, the small-group rule, and the dashboard's tables."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from outreach.casework.models import Case, HelpOffer, Task
from outreach.core.ddas import SignalStatus
from outreach.intake.models import Signal
from outreach.intake.received import received_on
from outreach.reporting.casefacts import case_facts, case_groups
from outreach.reporting.deadlines import median
from outreach.reporting.figures import collect, report
from outreach.reporting.period import Period, PeriodError, period_cases
from outreach.reporting.stats import MIN_CASES, Rate
from outreach.reporting.tables import Table, dashboard_tables
from tests.conftest import AMSTERDAM
from tests.reporting.figure_data import add_signal, attempt, make_case, offer


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def in_period(municipality, start: str, end: str) -> set[int]:
    period = Period(municipality, date.fromisoformat(start), date.fromisoformat(end))
    return set(period_cases(period).values_list("id", flat=True))


def table(tables: list[Table], slug: str) -> Table:
    (found,) = [t for t in tables if t.slug == slug]
    return found


def column(t: Table, key: str) -> dict[str, object]:
    """The table's column `key` by the row's label (the first cell)."""
    index = t.column_index(key)
    return {str(row[0]): row[index] for row in t.rows}


# Which cases a period holds


def test_a_signal_received_late_on_new_years_eve_in_utc_is_received_on_new_years_day(
    municipality,
):
    case = make_case(municipality, datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert received_on(case.signals.all()) == date(2026, 1, 1)
    assert in_period(municipality, "2026-01-01", "2026-01-31") == {case.pk}
    assert in_period(municipality, "2025-12-01", "2025-12-31") == set()


def test_a_case_received_on_the_last_day_of_the_period_counts(municipality):
    last = make_case(municipality, at("2026-04-30", "23:59"))
    make_case(municipality, at("2026-05-01", "00:00"))
    first = make_case(municipality, at("2026-04-01", "00:00"))
    make_case(municipality, at("2026-03-31", "23:59"))
    assert in_period(municipality, "2026-04-01", "2026-04-30") == {first.pk, last.pk}


def test_a_case_counts_from_its_first_followed_up_signal(municipality):
    # Received first as a screened-out signal, then a followed-up one joined: the clock runs
    # from the followed-up one, in `cases --json` and in the figures alike.
    case = make_case(municipality, at("2026-03-30"), status=SignalStatus.UNJUSTIFIED)
    add_signal(case, None, at("2026-04-02"))
    add_signal(case, None, at("2026-04-20"), status=SignalStatus.REPEAT)
    assert received_on(case.signals.all()) == date(2026, 4, 2)
    assert in_period(municipality, "2026-04-01", "2026-04-30") == {case.pk}
    assert in_period(municipality, "2026-03-01", "2026-03-31") == set()


def test_a_case_closed_at_screening_counts_from_its_first_signal(municipality):
    case = make_case(municipality, at("2026-03-30"), status=SignalStatus.UNJUSTIFIED)
    add_signal(case, None, at("2026-04-02"), status=SignalStatus.DECEASED)
    assert received_on(case.signals.all()) == date(2026, 3, 30)
    assert in_period(municipality, "2026-03-01", "2026-03-31") == {case.pk}


def test_another_municipalitys_cases_are_not_counted(municipality):
    from outreach.core.models import Municipality

    other = Municipality.objects.create(code="0307", name="Amersfoort")
    make_case(other, at("2026-04-02"))
    own = make_case(municipality, at("2026-04-02"))
    assert in_period(municipality, "2026-04-01", "2026-04-30") == {own.pk}


def test_a_period_that_ends_before_it_starts_is_refused(municipality):
    with pytest.raises(PeriodError, match="after it ends"):
        Period(municipality, date(2026, 4, 2), date(2026, 4, 1))


# Deadlines


def test_deadline_met_counts_first_attempts_on_or_before_the_deadline(municipality, now):
    on_time = make_case(municipality, at("2026-03-02"))  # deadline 30 March
    attempt(on_time, date(2026, 3, 30))
    late = make_case(municipality, at("2026-03-03"))
    attempt(late, date(2026, 4, 1))
    never = make_case(municipality, at("2026-03-04"))  # deadline passed without an attempt
    make_case(municipality, at("2026-05-01"))  # deadline 29 May: not due yet
    make_case(municipality, at("2026-03-05"), status=SignalStatus.UNJUSTIFIED)  # not followed
    figures = report(municipality, date(2026, 3, 1), date(2026, 5, 31), now)
    assert figures["cases"] == 5 and figures["followed_up"] == 4
    assert figures["deadline"]["count"] == 1 and figures["deadline"]["total"] == 3
    assert figures["deadline_met"] == pytest.approx(1 / 3)
    assert figures["late_cases"] == 2
    late_list = table(dashboard_tables(municipality, date(2026, 3, 1), date(2026, 5, 31), now),
                      "te-late-zaken")  # fmt: skip
    assert [row[0] for row in late_list.rows] == [late.reference, never.reference]
    assert late_list.rows[0][3] == "2026-04-01" and late_list.rows[1][3] is None


def test_deadline_met_is_null_when_no_case_is_due(municipality, now):
    make_case(municipality, at("2026-05-14"))
    figures = report(municipality, date(2026, 5, 1), date(2026, 5, 31), now)
    assert figures["deadline_met"] is None and figures["deadline"]["total"] == 0


def test_a_crisis_case_has_its_three_working_days(municipality, now):
    # Received Thursday 30 April; King's Day is past, 5 May is a holiday: the third working
    # day after is Wednesday 6 May (1, 4, 6 May).
    crisis = make_case(municipality, at("2026-04-30"), crisis=True, deadline=date(2026, 5, 6))
    attempt(crisis, date(2026, 5, 7), "Telefoon")
    figures = report(municipality, date(2026, 4, 1), date(2026, 4, 30), now)
    assert (figures["deadline"]["count"], figures["deadline"]["total"]) == (0, 1)


def test_a_first_attempt_on_the_next_working_day_counts_as_within_one(municipality, now):
    friday = make_case(municipality, at("2026-04-03"))  # Good Friday is a working day
    attempt(friday, date(2026, 4, 7))  # Tuesday: Easter Monday is not a working day
    liberation = make_case(municipality, at("2026-05-04"))  # 5 May is not a working day
    attempt(liberation, date(2026, 5, 7))  # Thursday: two working days after
    waiting = make_case(municipality, at("2026-05-14"))  # Thursday; Friday 15 May is today
    figures = collect(municipality, date(2026, 4, 1), date(2026, 5, 31), now)
    first_day = figures.deadlines.first_working_day
    assert (first_day.count, first_day.total) == (1, 2)
    assert waiting.pk  # inside its working day still: not counted either way


def test_the_offer_counts_when_made_by_the_deadline(municipality, now):
    in_time = make_case(municipality, at("2026-03-02"))
    offer(in_time, date(2026, 3, 30))
    late = make_case(municipality, at("2026-03-02"))
    offer(late, date(2026, 3, 31), HelpOffer.Answer.PENDING)
    make_case(municipality, at("2026-03-02"))  # no offer, deadline passed
    figures = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert (figures["offer_in_time"]["count"], figures["offer_in_time"]["total"]) == (1, 3)
    assert figures["accepted_cases"] == 1


def test_medians_count_days_from_receipt(municipality, now):
    for offset, reached_after in ((0, 2), (1, None), (3, 5), (10, 12)):
        case = make_case(municipality, at("2026-03-02"))
        attempt(case, date(2026, 3, 2) + timedelta(days=offset))
        if reached_after is not None:
            attempt(case, date(2026, 3, 2) + timedelta(days=reached_after), reached=True)
    make_case(municipality, at("2026-03-02"))  # no attempt: in neither median
    figures = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert figures["median_days_to_first_attempt"] == 2.0  # 0, 1, 3, 10
    assert figures["median_days_to_contact"] == 5.0  # 2, 5, 12


def test_median_of_counted_values():
    assert median({}) is None
    assert median({4: 1}) == 4.0
    assert median({1: 2, 3: 1}) == 1.0
    assert median({1: 1, 3: 1}) == 2.0
    assert median({0: 5, 9: 5}) == 4.5


# Attempts and reach


def test_attempts_per_case_channel_dagdeel_and_caseworker(municipality, now):
    sanne = User.objects.create_user("sanne", first_name="Sanne", last_name="Visser")
    one = make_case(municipality, at("2026-03-02"))
    attempt(one, date(2026, 3, 2))
    attempt(one, date(2026, 3, 5), "SMS/Whatsapp", dagdeel="Middag")
    attempt(one, date(2026, 3, 9), "Telefoon", reached=True, dagdeel="Avond", by=sanne)
    many = make_case(municipality, at("2026-03-03"), campaign="intensive")
    for n in range(5):
        attempt(many, date(2026, 3, 3 + n), "Huisbezoek", dagdeel="Middag", by=sanne)
    make_case(municipality, at("2026-03-04"))
    figures = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert figures["attempts"] == 8
    assert figures["attempts_per_case"] == {"0": 1, "1": 0, "2": 0, "3": 1, "4+": 1}
    assert figures["per_channel"] == {
        "Brief": {"attempts": 1, "reached": 0},
        "SMS/Whatsapp": {"attempts": 1, "reached": 0},
        "Telefoon": {"attempts": 1, "reached": 1},
        "Huisbezoek": {"attempts": 5, "reached": 0},
    }
    assert figures["per_dagdeel"] == {
        "Ochtend": {"attempts": 1, "reached": 0},
        "Middag": {"attempts": 6, "reached": 0},
        "Avond": {"attempts": 1, "reached": 1},
    }
    assert figures["reached_cases"] == 1
    tables = dashboard_tables(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    workers = column(table(tables, "pogingen-per-medewerker"), "pogingen")
    assert workers == {"systeem": 2, "Sanne Visser": 6}
    campaigns = column(table(tables, "pogingen-per-campagne"), "pogingen")
    assert campaigns == {"intensive": 5, "standard": 3}


def test_expired_tasks_are_counted_per_kind(municipality, now):
    case = make_case(municipality, at("2026-03-02"))
    for n, (kind, status) in enumerate(
        [("phone", Task.Status.EXPIRED), ("phone", Task.Status.DONE), ("visit", "expired")]
    ):
        Task.objects.create(
            municipality=municipality, case=case, step_key=f"s{n}", kind=kind, status=status,
            deadline=case.deadline, due_on=date(2026, 3, 5), created_at=at("2026-03-02"),
        )  # fmt: skip
    figures = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert figures["expired_tasks"] == 2
    assert figures["expired_per_kind"] == {"phone": 1, "visit": 1}
    expired = table(
        dashboard_tables(municipality, date(2026, 3, 1), date(2026, 3, 31), now), "verlopen-taken"
    )
    assert column(expired, "verlopen") == {"bellen": Rate(1, 2), "huisbezoek": Rate(1, 1)}


def test_segments_by_age_at_receipt_language_area_and_partner(municipality, now):
    # 27 on the day of receipt: in the 27-44 band; a day short: under 27.
    make_case(municipality, at("2026-03-02"), birth_date=date(1999, 3, 2), language="tr",
              postcode="1234AB", partner_type="Huur")  # fmt: skip
    make_case(municipality, at("2026-03-02"), birth_date=date(1999, 3, 3), postcode="1234CD")
    make_case(municipality, at("2026-03-02"), birth_date=date(1959, 3, 2))  # 67
    make_case(municipality, at("2026-03-02"), birth_date=date(2000, 2, 29))  # 26
    make_case(municipality, at("2026-03-02"))  # no birth date
    with case_facts(Period(municipality, date(2026, 3, 1), date(2026, 3, 31)), now) as facts:
        groups = case_groups(facts)
    ages = {k: c.cases for k, c in groups.of("age_band").items()}
    assert ages == {"27_44": 1, "under_27": 2, "67_plus": 1, "unknown": 1}
    assert {k: c.cases for k, c in groups.of("language").items()} == {"tr": 1, "": 4}
    assert {k: c.cases for k, c in groups.of("area").items()} == {"1234": 2, "3511": 3}
    assert {k: c.cases for k, c in groups.of("partner_type").items()} == {
        "Huur": 1,
        "Energie": 4,
    }


def test_reach_shows_a_fraction_only_from_ten_cases(municipality, now):
    for n in range(MIN_CASES + 2):
        case = make_case(municipality, at("2026-03-02"), campaign="standard")
        attempt(case, date(2026, 3, 3), "Telefoon", reached=n < 3)
        if n == 0:
            offer(case, date(2026, 3, 3))
    for n in range(MIN_CASES - 1):
        case = make_case(municipality, at("2026-03-02"), campaign="young")
        attempt(case, date(2026, 3, 3), "SMS/Whatsapp", reached=n < 4)
    tables = dashboard_tables(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    reach = column(table(tables, "bereik-per-campagne"), "bereikt")
    standard, young = reach["standard"], reach["young"]
    assert isinstance(standard, Rate) and isinstance(young, Rate)
    assert (standard.count, standard.total) == (3, 12) and standard.shown
    low, high = standard.interval or (0, 0)
    assert low < 0.25 < high
    assert (young.count, young.total) == (4, 9) and young.fraction is None
    accepted = column(table(tables, "bereik-per-campagne"), "geaccepteerd")
    assert accepted["standard"] == Rate(1, 12)


def test_reach_rates_leave_out_cases_closed_at_screening(municipality, now):
    reached = make_case(municipality, at("2026-03-02"))
    attempt(reached, date(2026, 3, 3), "Telefoon", reached=True)
    make_case(municipality, at("2026-03-02"), status=SignalStatus.UNJUSTIFIED)
    figures = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert figures["cases"] == 2 and figures["attempts_per_case"]["0"] == 1
    assert (figures["reached"]["count"], figures["reached"]["total"]) == (1, 1)


# The dashboard's tables


def test_every_table_is_well_formed(municipality, now):
    case = make_case(municipality, at("2026-03-02"))
    attempt(case, date(2026, 3, 2))
    tables = dashboard_tables(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    slugs = [t.slug for t in tables]
    assert len(slugs) == len(set(slugs))
    for t in tables:
        assert t.slug == t.slug.lower() and " " not in t.slug
        assert all(len(row) == len(t.columns) for row in t.rows), t.slug
        if t.chart_column is not None:
            t.column_index(t.chart_column)
    assert set(slugs) >= {
        "pogingen-per-zaak",
        "pogingen-per-contactsoort",
        "pogingen-per-dagdeel",
        "pogingen-per-medewerker",
        "pogingen-per-campagne",
        "verlopen-taken",
        "bereik-per-aantal-pogingen",
        "bereik-per-campagne",
        "bereik-per-partnertype",
        "bereik-per-soort-zaak",
        "bereik-per-leeftijd",
        "bereik-per-taal",
        "bereik-per-postcodegebied",
        "termijnen",
        "doorlooptijden",
        "te-late-zaken",
        "taken-per-dag",
        "tekort",
        "zaken-per-status",
        "terugmelding-per-partner",
    }


def test_open_tasks_per_day_against_capacity(municipality, now):
    municipality.capacity = {"phone": 3}
    municipality.save()
    case = make_case(municipality, at("2026-05-11"), state=Case.State.ACTIVE)
    Case.objects.filter(pk=case.pk).update(at_risk=True)
    monday = date(2026, 5, 18)
    planned = [monday, monday, None, date(2026, 5, 14), date(2026, 6, 10)]
    for n, day in enumerate(planned):
        Task.objects.create(
            municipality=municipality, case=case, step_key=f"s{n}", kind="phone",
            deadline=date(2026, 6, 8), due_on=date(2026, 5, 14), planned_for=day,
            created_at=at("2026-05-11"),
        )  # fmt: skip
    tables = dashboard_tables(municipality, date(2026, 5, 1), date(2026, 5, 31), now)
    per_day = table(tables, "taken-per-dag")
    assert column(per_day, "phone")["2026-05-15"] == 0
    assert column(per_day, "phone")["2026-05-18"] == 2
    assert column(per_day, "capaciteit_phone")["2026-05-18"] == 3
    shortfall = column(table(tables, "tekort"), "tekort")
    # Overdue (14 May), unplanned, planned after the deadline (10 June).
    assert shortfall["bellen"] == 3
    states = table(tables, "zaken-per-status")
    assert column(states, "risico") == {"contact loopt": 1}
    assert "1 open zaken, waarvan 1 op de risicolijst" in states.note


def test_partner_feedback_sent_and_outstanding(municipality, now):
    from outreach.reporting.feedback import record_feedback

    old = make_case(municipality, at("2026-03-02"))  # 28 days passed: feedback made
    make_case(municipality, at("2026-05-11"), partner_type="Huur")  # not due yet
    record_feedback(now)
    make_case(municipality, at("2026-03-03"))  # due, but no sweep since: overdue
    tables = dashboard_tables(municipality, date(2026, 3, 1), date(2026, 5, 31), now)
    feedback = table(tables, "terugmelding-per-partner")
    energy, rent = "Energie partner (Energie)", "Huur partner (Huur)"
    assert column(feedback, "signalen") == {energy: 2, rent: 1}
    assert column(feedback, "teruggemeld") == {energy: 1, rent: 0}
    assert column(feedback, "not_reached") == {energy: 1, rent: 0}
    assert column(feedback, "openstaand") == {energy: 1, rent: 1}
    assert column(feedback, "te_laat") == {energy: 1, rent: 0}
    assert Signal.objects.filter(case=old, feedback__isnull=False).exists()


def test_a_report_leaves_no_temporary_table_behind(municipality, now):
    from django.db import DatabaseError, connection, transaction

    from outreach.reporting.casefacts import FACTS_TABLE, PERIOD_TABLE

    make_case(municipality, at("2026-03-02"))
    report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)["cases"] == 1
    for table in (FACTS_TABLE, PERIOD_TABLE):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table}")


def test_a_failed_report_leaves_no_temporary_table_behind(municipality, now):
    from django.db import DatabaseError, connection, transaction

    from outreach.reporting.casefacts import FACTS_TABLE

    make_case(municipality, at("2026-03-02"))
    period = Period(municipality, date(2026, 3, 1), date(2026, 3, 31))
    with pytest.raises(RuntimeError), case_facts(period, now):
        raise RuntimeError("a figure failed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {FACTS_TABLE}")
    assert report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)["cases"] == 1


def test_a_period_of_a_century_is_counted_like_a_month(municipality, now):
    case = make_case(municipality, at("2026-03-02"))
    attempt(case, date(2026, 3, 3))
    century = report(municipality, date(1950, 1, 1), date(2049, 12, 31), now)
    month = report(municipality, date(2026, 3, 1), date(2026, 3, 31), now)
    assert century == {**month, "from": "1950-01-01", "to": "2049-12-31"}
    assert century["first_attempt_within_1_working_day"]["count"] == 1
