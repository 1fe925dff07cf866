"""The caseworker's queue: its filters and sorts, the filter form on the page, and her own
attempts this week."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt
from outreach.core.models import Municipality
from outreach.desk import views
from outreach.desk.queue_filters import (
    DEADLINE,
    QueueFilterForm,
    QueueFilters,
    filter_queue,
    tier_choices,
)
from outreach.desk.summaries import queue, week_attempts
from outreach.intake.models import Person
from tests.cadence.conftest import ingest
from tests.casework.conftest import make_caseworker
from tests.conftest import signal_row

pytestmark = pytest.mark.django_db


def _case_at(municipality: Municipality, postcode: str, number: int) -> Case:
    return Case.objects.get(
        municipality=municipality, household__postcode=postcode, household__house_number=number
    )


@pytest.fixture
def other_municipality() -> Municipality:
    return Municipality.objects.create(code="0307", name="Amersfoort")


@pytest.fixture
def colleague(municipality) -> User:
    return make_caseworker("pieter", municipality)


@pytest.fixture
def cases(municipality, other_municipality, now, sanne, colleague) -> dict[str, Case]:
    """Four open cases in Utrecht and one closed, with every property the filters look at set
    apart; and one case in Amersfoort that matches every filter but is not Utrecht's.

    a: 3511, Energie + Huur (one multiple case), high, 80, overdue, Sanne's
    b: 3512, Zorg, Turkish, medium, 50, in 3 days, at risk, her colleague's
    c: 3811, Energie twice (one consecutive case), Dutch said, low, 20, in 7 days, Sanne's
    d: 3511, Water, crisis, 10, in 4 weeks, unassigned
    closed: 3511, an amount under the threshold (closed at screening)
    """
    ingest(
        [
            signal_row(id="A-E", signaalpartner="Energie", postcode="3511AB", huisnummer="1"),
            signal_row(id="A-H", signaalpartner="Huur", postcode="3511AB", huisnummer="1"),
            signal_row(id="B", signaalpartner="Zorg", postcode="3512CD", huisnummer="2"),
            signal_row(
                id="C-1",
                signaalpartner="Energie",
                signaaldatum="2026-03-01",
                postcode="3811XY",
                huisnummer="3",
            ),
            signal_row(id="C-2", signaalpartner="Energie", postcode="3811XY", huisnummer="3"),
            signal_row(id="D", signaalpartner="Water", postcode="3511ZZ", huisnummer="4"),
            signal_row(id="LOW", bedrag="10", postcode="3511AB", huisnummer="5"),
        ],
        municipality,
        now,
    )
    ingest(
        [signal_row(id="X", signaalpartner="Energie", postcode="3511AB", huisnummer="9")],
        other_municipality,
        now,
    )
    today = timezone.localdate(now)
    found = {
        "a": _case_at(municipality, "3511AB", 1),
        "b": _case_at(municipality, "3512CD", 2),
        "c": _case_at(municipality, "3811XY", 3),
        "d": _case_at(municipality, "3511ZZ", 4),
        "closed": _case_at(municipality, "3511AB", 5),
        "other": _case_at(other_municipality, "3511AB", 9),
    }
    assert found["a"].kind == Case.Kind.MULTIPLE and found["a"].signals.count() == 2
    assert found["c"].kind == Case.Kind.CONSECUTIVE and found["c"].signals.count() == 2
    assert found["closed"].state == Case.State.CLOSED
    setup = {
        "a": dict(tier="high", score=80, deadline=today - timedelta(days=1), assignee=sanne),
        "b": dict(tier="medium", score=50, deadline=today + timedelta(days=3), assignee=colleague),
        "c": dict(tier="low", score=20, deadline=today + timedelta(days=7), assignee=sanne),
        "d": dict(tier="crisis", crisis=True, score=10, deadline=today + timedelta(days=28)),
        # Matches every filter but lies in another municipality: never in Sanne's queue.
        "other": dict(
            tier="high",
            score=99,
            crisis=True,
            at_risk=True,
            deadline=today,
            assignee=sanne,
            kind=Case.Kind.MULTIPLE,
        ),
    }
    for name, values in setup.items():
        Case.objects.filter(pk=found[name].pk).update(**values)
    Case.objects.filter(pk=found["b"].pk).update(at_risk=True)
    Person.objects.filter(signals__case=found["b"]).update(preferred_language="tr")
    Person.objects.filter(signals__case=found["c"]).update(preferred_language="nl")
    return found


def names(result, cases: dict[str, Case]) -> list[str]:
    by_pk = {case.pk: name for name, case in cases.items()}
    return [by_pk[case.pk] for case in result]


def listed(cases, municipality, user, now, **filters) -> list[str]:
    result = filter_queue(queue([municipality]), QueueFilters(**filters), user=user, now=now)
    return names(result, cases)


# --- each filter ---------------------------------------------------------------------------


def test_without_filters_the_open_queue_is_in_priority_order(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now) == ["d", "a", "b", "c"]


def test_tier_filter_keeps_the_cases_of_that_tier(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, tier="high") == ["a"]
    assert listed(cases, municipality, sanne, now, tier="crisis") == ["d"]


def test_partner_type_filter_lists_a_case_of_several_signals_once(cases, municipality, sanne, now):
    # a: Energie and Huur; c: Energie twice.
    assert listed(cases, municipality, sanne, now, partner_type="Energie") == ["a", "c"]
    assert listed(cases, municipality, sanne, now, partner_type="Huur") == ["a"]
    assert listed(cases, municipality, sanne, now, partner_type="DUO") == []


def test_kind_filter(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, kind=Case.Kind.MULTIPLE) == ["a"]
    assert listed(cases, municipality, sanne, now, kind=Case.Kind.CONSECUTIVE) == ["c"]
    assert listed(cases, municipality, sanne, now, kind=Case.Kind.SINGLE) == ["d", "b"]


def test_language_filter_reads_no_preference_as_dutch(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, language="tr") == ["b"]
    # a: two signals of one person without a preference; c: two of one who said Dutch.
    assert listed(cases, municipality, sanne, now, language="nl") == ["d", "a", "c"]
    assert listed(cases, municipality, sanne, now, language="ar") == []


def test_postcode_area_filter_takes_the_first_four_digits(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, area="3511") == ["d", "a"]
    assert listed(cases, municipality, sanne, now, area="3811") == ["c"]
    assert listed(cases, municipality, sanne, now, area="3510") == []


def test_assigned_to_me_filter(cases, municipality, sanne, colleague, now):
    assert listed(cases, municipality, sanne, now, mine=True) == ["a", "c"]
    assert listed(cases, municipality, colleague, now, mine=True) == ["b"]


def test_deadline_within_days_counts_from_today_and_keeps_overdue_cases(
    cases, municipality, sanne, now
):
    assert listed(cases, municipality, sanne, now, days=0) == ["a"]
    assert listed(cases, municipality, sanne, now, days=3) == ["a", "b"]
    assert listed(cases, municipality, sanne, now, days=7) == ["a", "b", "c"]
    # The same filter a week later: every case is within 28 days of it.
    later = now + timedelta(days=7)
    assert listed(cases, municipality, sanne, later, days=21) == ["d", "a", "b", "c"]


def test_at_risk_filter(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, at_risk=True) == ["b"]


def test_filters_combine(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, area="3511", partner_type="Water") == ["d"]
    assert listed(cases, municipality, sanne, now, mine=True, days=3) == ["a"]
    assert listed(cases, municipality, sanne, now, tier="high", language="tr") == []
    assert listed(
        cases, municipality, sanne, now, partner_type="Energie", language="nl", days=7
    ) == ["a", "c"]


def test_tabs_combine_with_filters(cases, municipality, sanne, now):
    assert listed(cases, municipality, sanne, now, show="all", area="3511") == ["d", "a", "closed"]
    assert listed(cases, municipality, sanne, now, show="closed", area="3511") == ["closed"]
    assert listed(cases, municipality, sanne, now, show="closed", area="3811") == []


def test_sort_by_deadline_puts_the_nearest_first_and_closed_cases_last(
    cases, municipality, sanne, now
):
    assert listed(cases, municipality, sanne, now, sort=DEADLINE) == ["a", "b", "c", "d"]
    assert listed(cases, municipality, sanne, now, sort=DEADLINE, show="all")[-1] == "closed"
    assert listed(cases, municipality, sanne, now, sort=DEADLINE, area="3511") == ["a", "d"]


def test_sort_by_priority_puts_crisis_first_then_score(cases, municipality, sanne, now):
    Case.objects.filter(pk=cases["d"].pk).update(crisis=False)
    assert listed(cases, municipality, sanne, now, sort="priority") == ["a", "b", "c", "d"]
    assert listed(cases, municipality, sanne, now, sort="priority", show="all")[-1] == "closed"


# --- the form ------------------------------------------------------------------------------


def test_tier_choices_are_the_weighing_frameworks_tiers_most_urgent_first():
    assert [name for name, _ in tier_choices()] == ["crisis", "high", "medium", "low"]


def test_form_reads_the_query_string_into_filters():
    form = QueueFilterForm(
        {
            "show": "waiting",
            "tier": "medium",
            "partner": "CAK Zorgverzekeringen",
            "kind": "consecutive",
            "language": "uk",
            "area": "3511",
            "days": "14",
            "mine": "on",
            "at_risk": "on",
            "sort": "deadline",
        }
    )
    assert form.is_valid(), form.errors
    assert form.filters() == QueueFilters(
        show="waiting",
        tier="medium",
        partner_type="CAK Zorgverzekeringen",
        kind="consecutive",
        language="uk",
        area="3511",
        mine=True,
        days=14,
        at_risk=True,
        sort="deadline",
    )
    empty = QueueFilterForm({})
    assert empty.is_valid()
    assert empty.filters() == QueueFilters() and not empty.filters().narrowed


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tier", "urgent", "'urgent' is geen prioriteit van het afwegingskader."),
        ("partner", "Gas", "'Gas' is geen signaalpartner van de DDAS."),
        ("kind", "double", "'double' is geen soort zaak."),
        ("language", "fr", "'fr' is geen taal van de teksten."),
        ("days", "soon", "Vul een aantal dagen in, een heel getal zoals 7."),
        ("days", "-1", "Vul 0 of meer dagen in."),
        ("days", "1000", "Vul hoogstens 366 dagen in."),
        ("area", "351", "Vul de vier cijfers van een postcode in, bijvoorbeeld 3511."),
        ("area", "3511AB", "Vul de vier cijfers van een postcode in, bijvoorbeeld 3511."),
        ("area", "abcd", "Vul de vier cijfers van een postcode in, bijvoorbeeld 3511."),
        ("sort", "name", "Sorteer op prioriteit of op termijn."),
        ("show", "everything", "Kies een van de tabbladen"),
    ],
)
def test_form_refuses_bad_values_with_a_clear_message(field, value, message):
    form = QueueFilterForm({field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert form.errors[field][0].startswith(message)


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def browser(sanne) -> Client:
    client = Client()
    client.force_login(sanne)
    return client


def rows(response, cases) -> list[str]:
    return names([case for case, _ in response.context["rows"]], cases)


def test_page_has_a_labelled_get_form_with_a_submit_and_a_clear_link(browser, cases):
    html = browser.get("/").content.decode()
    assert '<form method="get"' in html
    assert "<legend>Filters</legend>" in html
    for control in ("tier", "partner", "kind", "language", "area", "days", "mine", "at_risk"):
        assert f'<label for="id_{control}">' in html
        assert f'id="id_{control}"' in html
    assert '<label for="id_sort">Sorteren op</label>' in html
    assert '<button type="submit">Filteren</button>' in html
    assert '<a href="?show=open">Wis filters</a>' in html
    # A phone's width: the controls wrap and the table scrolls in its own region.
    assert "flex-wrap: wrap" in html
    assert '<div class="table-scroll" role="region"' in html
    assert ".table-scroll { overflow-x: auto; }" in html


def test_page_filters_and_shows_the_chosen_values(browser, cases):
    response = browser.get(
        "/", {"partner": "Energie", "language": "nl", "days": "7", "mine": "on", "sort": "deadline"}
    )
    assert rows(response, cases) == ["a", "c"]
    html = response.content.decode()
    assert '<option value="Energie" selected>' in html
    assert '<option value="nl" selected>' in html
    assert '<option value="deadline" selected>' in html
    assert 'name="days" value="7"' in html
    assert re.search(r'<input type="checkbox" name="mine" id="id_mine" checked>', html)
    assert '<input type="checkbox" name="at_risk" id="id_at_risk">' in html
    assert "2 zaken met deze filters." in html


def test_filters_survive_pagination_and_the_tabs(browser, cases, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    first = browser.get("/", {"area": "3511", "show": "all"})
    assert rows(first, cases) == ["d"]
    html = first.content.decode()
    link = re.search(r'<a href="(\?[^"]*page=2[^"]*)">volgende</a>', html)
    assert link, html
    second = browser.get("/" + link.group(1).replace("&amp;", "&"))
    assert rows(second, cases) == ["a"]
    assert second.context["page"].number == 2
    # The tabs keep the filters and go back to the first page.
    tab = re.search(r'<a href="(\?[^"]*)">Afgesloten</a>', second.content.decode())
    assert tab
    closed = browser.get("/" + tab.group(1).replace("&amp;", "&"))
    assert closed.context["show"] == "closed"
    assert rows(closed, cases) == ["closed"]
    assert closed.context["page"].number == 1


def test_bad_input_shows_the_errors_and_the_tab_unfiltered(browser, cases):
    response = browser.get("/", {"area": "35AB", "days": "soon", "tier": "high"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "De filters zijn niet toegepast" in html
    assert "Postcodegebied: Vul de vier cijfers van een postcode in" in html
    assert '<a href="#id_days">Termijn binnen (dagen): Vul een aantal dagen in' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_area_helptext id_area_error"' in html
    assert 'value="35AB"' in html  # what she typed stays to correct it
    # The valid tier is not applied either: the open queue as it is.
    assert rows(response, cases) == ["d", "a", "b", "c"]
    closed_tab = browser.get("/", {"show": "closed", "area": "x"})
    assert rows(closed_tab, cases) == ["closed"]


def test_filters_never_reach_another_municipalitys_cases(browser, cases):
    # The Amersfoort case is in 3511, Energie, high, at risk, due today and assigned to Sanne.
    for query in (
        {},
        {"area": "3511", "show": "all"},
        {"mine": "on"},
        {"at_risk": "on"},
        {"partner": "Energie", "tier": "high", "days": "0"},
        {"sort": "deadline", "show": "all"},
    ):
        response = browser.get("/", query)
        assert "other" not in rows(response, cases), query
        assert f'href="/cases/{cases["other"].pk}/"' not in response.content.decode()


# --- her own attempts this week ------------------------------------------------------------


def attempt(case: Case, on: date, user: User | None, kind: str = "Telefoon", reached=False):
    return ContactAttempt.objects.create(
        case=case, kind=kind, reached=reached, date=on, dagdeel="Ochtend", made_by=user
    )


@pytest.fixture
def attempts(cases, sanne, colleague):
    """Sanne's attempts in the week of Friday 15 May 2026 (Monday 11 to Sunday 17), and some
    that are not hers or not of this week."""
    a, b = cases["a"], cases["b"]
    attempt(a, date(2026, 5, 11), sanne, "Telefoon", reached=True)  # Monday
    attempt(a, date(2026, 5, 13), sanne, "Telefoon")
    attempt(b, date(2026, 5, 15), sanne, "Huisbezoek", reached=True)
    attempt(b, date(2026, 5, 17), sanne, "Kaartje")  # Sunday
    attempt(a, date(2026, 5, 10), sanne, "Telefoon", reached=True)  # last week's Sunday
    attempt(a, date(2026, 5, 18), sanne, "Telefoon")  # next week's Monday
    attempt(b, date(2026, 5, 14), colleague, "Huisbezoek", reached=True)
    attempt(b, date(2026, 5, 14), None, "Brief")  # the engine's letter


def test_week_attempts_counts_her_own_monday_to_sunday(attempts, sanne, now):
    week = week_attempts(sanne, now)
    assert (week.monday, week.sunday) == (date(2026, 5, 11), date(2026, 5, 17))
    assert (week.attempts, week.reached) == (4, 2)
    assert [(k.kind, k.attempts, k.reached) for k in week.per_kind] == [
        ("Telefoon", 2, 1),
        ("Huisbezoek", 1, 1),
        ("Kaartje", 1, 0),
    ]
    # On the Monday after, the week is a new one: only that Monday's attempt.
    monday = datetime(2026, 5, 18, 0, 30, tzinfo=now.tzinfo)
    assert week_attempts(sanne, monday).attempts == 1


def test_week_attempts_of_someone_without_attempts_are_zero(attempts, municipality, now):
    nobody = make_caseworker("nieuw", municipality)
    week = week_attempts(nobody, now)
    assert (week.attempts, week.reached, week.per_kind) == (0, 0, ())


def test_queue_page_shows_her_attempts_this_week(browser, attempts, now, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: now)
    html = browser.get("/").content.decode()
    assert "Mijn pogingen deze week" in html
    assert "11 mei tot en met 17 mei 2026: <strong>4</strong> pogingen" in html
    assert "waarvan <strong>2</strong> bereikt" in html
    assert "<li>Telefoon: 2 (1 bereikt)</li>" in html
    assert "<li>Huisbezoek: 1 (1 bereikt)</li>" in html
    assert "Brief" not in html.split("Mijn pogingen deze week")[1].split("</section>")[0]


def test_a_filtered_page_takes_the_same_queries_for_more_cases(
    browser, cases, municipality, now, django_assert_num_queries
):
    query = {"partner": "Energie", "language": "nl", "area": "3511", "show": "all"}
    with CaptureQueriesContext(connection) as few:
        assert rows(browser.get("/", query), cases) == ["a", "closed"]
    ingest(
        [signal_row(id=f"M-{n}", postcode="3511AB", huisnummer=str(20 + n)) for n in range(5)],
        municipality,
        now,
    )
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(browser.get("/", query).context["rows"]) == 7
    assert len(few.captured_queries) < 20
