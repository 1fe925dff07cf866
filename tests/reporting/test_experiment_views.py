"""The experiments pages: a supervisor sees her own municipality's experiments and their
results and stops one there; another municipality's are not found; a caseworker is refused."""

import pytest
from django.urls import reverse

from outreach.cadence.models import ExperimentDecision
from outreach.casework.models import Case
from outreach.core.models import AuditEntry, Municipality
from outreach.core.roles import CASEWORKER, SUPERVISOR
from tests.cadence.conftest import campaign_dir, engine, ingest  # noqa: F401  (fixture)
from tests.cadence.test_experiments import experiment_dir, households  # noqa: F401  (fixture)
from tests.reporting.conftest import staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("experiment_dir")]


@pytest.fixture
def started(municipality, engine, now) -> Case:  # noqa: F811
    """Twenty households drawn into the experiment of their campaign; one of their cases."""
    ingest(households(20), municipality, now)
    engine(now)
    return Case.objects.exclude(experiment="").first()


def page(experiment: str, code: str = "0344") -> str:
    return reverse("dashboard:experiment", args=[experiment]) + f"?municipality={code}"


def test_a_supervisor_sees_her_experiments_and_their_results(municipality, started):
    client = staff("toezicht", SUPERVISOR, municipality)
    listing = client.get(reverse("dashboard:experiments") + "?municipality=0344")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f"Proef {started.campaign}" in text or started.experiment in text
    assert "Loopt" in text
    response = client.get(page(started.experiment))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alle huishoudens" in body and "Per soort signaal" in body and "Per leeftijd" in body
    # Nobody has been reached yet: equal rates, so the page says no number can be given.
    assert "tot nu toe precies gelijk" in body
    assert "Experiment stoppen" in body and 'name="variant" value="sms"' in body


def test_stopping_on_the_page_records_the_decision_and_hides_the_form(municipality, started):
    client = staff("toezicht", SUPERVISOR, municipality)
    url = reverse("dashboard:experiment_stop", args=[started.experiment]) + "?municipality=0344"
    response = client.post(url, {"variant": "sms"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Experiment gestopt. Nieuwe zaken krijgen vanaf nu variant sms" in body
    assert "Experiment stoppen" not in body and "verder met variant sms" in body
    decision = ExperimentDecision.objects.get()
    assert (decision.municipality, decision.experiment, decision.variant) == (
        municipality,
        started.experiment,
        "sms",
    )
    assert decision.decided_by is not None and decision.decided_by.username == "toezicht"
    assert AuditEntry.objects.filter(kind="experiment", object_id=decision.pk).exists()
    again = client.post(url, {"variant": "controle"}, follow=True)
    assert "Niet gestopt: Dit experiment is al gestopt op" in again.content.decode()
    assert ExperimentDecision.objects.get().variant == "sms"


def test_a_stop_without_a_variant_is_refused_with_the_choices(municipality, started):
    client = staff("toezicht", SUPERVISOR, municipality)
    url = reverse("dashboard:experiment_stop", args=[started.experiment]) + "?municipality=0344"
    response = client.post(url, {}, follow=True)
    assert "Niet gestopt: Kies een variant om mee verder te gaan: controle, sms." in (
        response.content.decode()
    )
    assert not ExperimentDecision.objects.exists()


def test_another_municipalitys_experiment_is_not_found_and_a_caseworker_is_refused(
    municipality, started
):
    other = Municipality.objects.create(code="0307", name="Amersfoort")
    outsider = staff("elders", SUPERVISOR, other)
    assert outsider.get(page(started.experiment, "0344")).status_code == 404
    # Her own municipality has no such experiment (no case of hers ran it).
    assert outsider.get(page("onbekend", "0307")).status_code == 404
    url = reverse("dashboard:experiment_stop", args=[started.experiment]) + "?municipality=0344"
    assert outsider.post(url, {"variant": "sms"}).status_code == 404
    caseworker = staff("consulent", CASEWORKER, municipality)
    assert caseworker.get(page(started.experiment)).status_code == 403
    assert caseworker.post(url, {"variant": "sms"}).status_code == 403
    assert caseworker.get(reverse("dashboard:experiments")).status_code == 403
    assert not ExperimentDecision.objects.exists()
