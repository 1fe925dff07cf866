"""The dashboard's simulation pages: the form and the list, starting a run, a run's page with
its progress, figures and chart or its failure, and who may see them."""

# The fixture `supervisor` is imported by name: pytest finds it here.
# ruff: noqa: F401, F811

import pytest
from django.test import Client
from django.urls import reverse

from outreach.core.roles import CASEWORKER, SUPERVISOR
from outreach.simulation import runs
from outreach.simulation.models import SimulationRun
from outreach.simulation.report import COLUMNS
from outreach.simulation.views import LABELS, figure_text
from tests.conftest import municipality_with_contact
from tests.reporting.conftest import staff
from tests.simulation.dashboard_support import a_run, supervisor

pytestmark = pytest.mark.django_db
Status = SimulationRun.Status
VALID = {"campaigns": ["letters-only", "intensive"], "signals": "300", "days": "30", "seed": "7"}
FIGURES = {
    "signals": 300, "followed_up": 224, "reached_cases": 10, "accepted_cases": 3,
    "reach": 0.0446, "acceptance": 0.3, "attempts_per_signal": 1.52, "staff_hours": 1.8,
    "cost_per_reached": 54.5, "deadline_compliance": 1.0, "capacity_shortfall": 0,
    "reach_by_day": [0.0, 0.01, 0.0446],
}  # fmt: skip
RESULT = {
    "campaigns": {
        "letters-only": FIGURES,
        "intensive": {**FIGURES, "reach": 0.5, "reach_by_day": [0.1, 0.3, 0.5]},
    },
    "signals": 300, "households": 280, "start": "2026-02-02", "end": "2026-02-04", "days": 3,
    "seed": 1, "seconds": 4.2,
}  # fmt: skip


def runs_url(code: str = "0344") -> str:
    return reverse("simulation:runs") + f"?municipality={code}"


def start_url(code: str = "0344") -> str:
    return reverse("simulation:start") + f"?municipality={code}"


@pytest.fixture
def dispatched(monkeypatch) -> list[int]:
    handed: list[int] = []
    monkeypatch.setattr(runs, "dispatch", handed.append)
    return handed


def test_the_dashboard_links_to_the_simulations(supervisor, municipality):
    page = supervisor.get(reverse("dashboard:page")).content.decode()
    assert f'href="{runs_url()}"' in page.replace("&amp;", "&")


def test_the_form_offers_the_municipalitys_campaigns_as_checkboxes(supervisor):
    page = supervisor.get(runs_url()).content.decode()
    for name in ("letters-only", "intensive", "standard", "crisis"):
        assert f'type="checkbox" name="campaigns" value="{name}"' in page
    assert "Ten hoogste 20.000." in page
    assert "Er zijn nog geen simulaties" in page


def test_starting_a_run_queues_it_with_its_options_and_shows_its_page(
    supervisor, municipality, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(start_url(), {**VALID, "visits": "8"})
    run = SimulationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "simulation:run", args=[run.pk]
    )
    assert dispatched == [run.pk]
    assert (run.municipality, run.requested_by_name, run.status) == (
        municipality,
        "teamleider",
        Status.QUEUED,
    )
    assert (run.campaigns, run.signals, run.days, run.seed, run.capacity) == (
        ["letters-only", "intensive"], 300, 30, 7, {"visit": 8},
    )  # fmt: skip
    page = supervisor.get(response["Location"]).content.decode()
    assert "In de wachtrij" in page and 'data-progress="' in page
    assert "8 huisbezoeken; telefoongesprekken zoals de gemeente heeft ingesteld" in page


def test_a_form_with_mistakes_starts_nothing_and_says_what_is_wrong(supervisor, dispatched):
    response = supervisor.post(start_url(), {"signals": "veel", "days": "3", "seed": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "De simulatie is niet gestart" in page
    assert "Campagnes: kies ten minste één campagne." in page
    assert "Aantal signalen: vul een heel getal in van 1 tot en met 20.000." in page
    assert "Aantal dagen: vul een heel getal in van 7 tot en met 730." in page
    assert 'aria-invalid="true"' in page
    assert not SimulationRun.objects.exists() and dispatched == []


def test_while_a_run_is_going_the_page_says_so_and_a_second_is_refused(
    supervisor, municipality, dispatched
):
    active = a_run(municipality, status=Status.RUNNING, progress_done=12)
    page = supervisor.get(runs_url()).content.decode()
    assert "Er loopt al een simulatie voor Utrecht" in page
    assert "Dag 12 van 30" in page and 'value="12"' in page
    response = supervisor.post(start_url(), VALID, follow=True)
    assert "Er loopt al een simulatie voor deze gemeente" in response.content.decode()
    assert list(SimulationRun.objects.all()) == [active] and dispatched == []


def test_the_progress_is_given_as_json(supervisor, municipality):
    run = a_run(municipality, status=Status.RUNNING, progress_done=12)
    data = supervisor.get(reverse("simulation:progress", args=[run.pk])).json()
    assert data == {
        "status": "running",
        "status_text": "bezig",
        "done": 12,
        "total": 30,
        "percent": 40,
    }


def test_a_finished_run_shows_the_commands_table_in_dutch_and_the_chart(supervisor, municipality):
    run = a_run(municipality, status=Status.DONE, result=RESULT)
    page = supervisor.get(reverse("simulation:run", args=[run.pk])).content.decode()
    for label in LABELS.values():
        assert f">{label}</th>" in page
    assert "4,5% (10 van 224)" in page and "€ 54,50" in page and "1,52" in page
    assert (
        "<svg" in page
        and 'data-campaign="intensive"' in page
        and 'data-campaign="letters-only"' in page
    )
    assert "300 signalen van 280 huishoudens" in page
    assert "outreach simulate --municipality 0344 --campaigns letters-only,intensive" in page
    assert "data-progress" not in page and "<script" not in page  # nothing left to follow


def test_the_table_has_every_column_of_the_commands_table():
    assert list(LABELS) == [key for key, _, _ in COLUMNS]


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("reach", 0.0446, "4,5% (10 van 224)"),
        ("deadline_compliance", None, "n.v.t."),
        ("cost_per_reached", 1234.5, "€ 1.234,50"),
        ("staff_hours", 1500.25, "1.500,2"),
        ("signals", 20000, "20.000"),
    ],
)
def test_figures_are_written_dutch_style(key, value, text):
    assert figure_text(key, {**FIGURES, key: value}) == text


def test_a_failed_run_shows_a_plain_message_and_nothing_else(supervisor, municipality):
    run = a_run(municipality, status=Status.FAILED, failure=runs.RUN_FAILED)
    page = supervisor.get(reverse("simulation:run", args=[run.pk])).content.decode()
    assert runs.RUN_FAILED in page and 'role="alert"' in page
    assert "Traceback" not in page and "<svg" not in page


def test_a_run_of_another_municipality_does_not_exist_for_her(supervisor, municipality):
    other = municipality_with_contact("0307", "Amersfoort")
    theirs = a_run(other, status=Status.DONE, result=RESULT)
    assert supervisor.get(reverse("simulation:run", args=[theirs.pk])).status_code == 404
    assert supervisor.get(reverse("simulation:progress", args=[theirs.pk])).status_code == 404
    assert supervisor.get(runs_url("0307")).status_code == 404
    assert supervisor.post(start_url("0307"), VALID).status_code == 404
    assert not SimulationRun.objects.filter(municipality=municipality).exists()
    # Their own supervisor sees it.
    theirs_supervisor = staff("teamleider-amersfoort", SUPERVISOR, other)
    assert theirs_supervisor.get(reverse("simulation:run", args=[theirs.pk])).status_code == 200


def test_the_list_shows_only_her_municipalitys_runs(supervisor, municipality):
    mine = a_run(municipality, status=Status.DONE, result=RESULT)
    theirs = a_run(municipality_with_contact("0307", "Amersfoort"), status=Status.FAILED)
    page = supervisor.get(runs_url()).content.decode()
    assert f"Simulatie {mine.pk}<" in page and f"Simulatie {theirs.pk}<" not in page


def test_caseworkers_are_refused(municipality):
    caseworker = staff("behandelaar", CASEWORKER, municipality)
    run = a_run(municipality)
    assert caseworker.get(runs_url()).status_code == 403
    assert caseworker.post(start_url(), VALID).status_code == 403
    assert caseworker.get(reverse("simulation:run", args=[run.pk])).status_code == 403
    assert caseworker.get(reverse("simulation:progress", args=[run.pk])).status_code == 403
    assert SimulationRun.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login(municipality):
    response = Client().get(runs_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
