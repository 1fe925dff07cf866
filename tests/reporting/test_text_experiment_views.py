"""Text experiments on the supervisor's experiments pages: the list shows them beside the
campaign experiments; a text experiment's page counts, from the messages really sent, the
municipality's households per variant with the same results view as a campaign experiment,
and sends whoever wants to stop it to the text editor; another municipality's is not found."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.roles import CASEWORKER, COMMUNICATION, SUPERVISOR
from outreach.messaging.models import Message
from outreach.messaging.texts import experiments as ex
from outreach.reporting.experiment_results import whole
from outreach.reporting.experiment_views import rate_text
from outreach.reporting.stats import Rate
from tests.cadence.conftest import campaign_dir, engine  # noqa: F401  (fixture)
from tests.conftest import municipality_with_contact
from tests.messaging.channels import make_cases
from tests.messaging.test_text_experiment_sending import (  # noqa: F401  (fixtures)
    one_person_publishes,
    running,
    sms_campaign,
)
from tests.reporting.conftest import staff

pytestmark = pytest.mark.django_db


def page(name: str, code: str = "0344") -> str:
    return reverse("dashboard:text_experiment", args=[name]) + f"?municipality={code}"


@pytest.fixture
def sent(sms_campaign, municipality, engine, now) -> list[Case]:  # noqa: F811
    """The shared SMS invitation in experiment "proef", sent to 24 households of the
    municipality and 6 of another; of the municipality's, every second case reached and
    every fourth accepted help."""
    running(now)
    cases = make_cases(municipality, 24, now)
    other = municipality_with_contact("0307", "Amersfoort")
    make_cases(other, 6, now, postcode="3811AA")
    engine(now)
    assert Message.objects.filter(text_experiment="proef").count() == 30  # both municipalities
    today = timezone.localdate(now)
    for i, case in enumerate(cases):
        if i % 2 == 0:
            ContactAttempt.objects.create(
                case=case, kind="Telefoon", reached=True, date=today, dagdeel="Ochtend"
            )
        if i % 4 == 0:
            HelpOffer.objects.create(
                case=case, made_on=today, kind="Telefoon", answer="accepted",
                answered_on=today, created_at=now,
            )  # fmt: skip
    return cases


def test_a_text_experiments_page_counts_the_households_per_variant_from_the_sent_messages(
    municipality, sent
):
    expected: dict[str, list[int]] = {"A": [0, 0, 0], "B": [0, 0, 0]}
    for i, case in enumerate(sent):
        (message,) = Message.objects.filter(case=case)
        assert message.text_experiment == "proef"
        counts = expected[message.text_variant]
        counts[0] += 1
        counts[1] += i % 2 == 0
        counts[2] += i % 4 == 0
    assert all(households for households, _, _ in expected.values())  # both variants drawn
    client = staff("toezicht", SUPERVISOR, municipality)

    response = client.get(page("proef"))

    assert response.status_code == 200
    results = response.context["results"]
    assert results.variants == ("A", "B") and results.households == 24  # not the other's 6
    got = {
        v.variant: [v.households, v.reached.count, v.accepted.count]
        for v in results.overall.variants
    }
    assert got == expected
    body = response.content.decode()
    for variant, (households, reached, accepted) in expected.items():
        row = (
            f'<tr><th scope="row">{variant}</th><td class="num">{whole(households)}</td>'
            f"<td>{rate_text(Rate(reached, households))}</td>"
            f"<td>{rate_text(Rate(accepted, households))}</td></tr>"
        )
        assert row in body
    assert "Tekstexperiment" in body and "Elke variant wordt vergeleken met de eerste: A." in body
    assert "Per soort signaal" in body and "Per leeftijd" in body
    # The same sentences as a campaign experiment's: a difference with its interval, or why
    # there is nothing to say yet.
    assert "procentpunt" in body or "precies gelijk" in body
    # Stopping is the text editor's: a link there, no form here.
    assert 'name="variant"' not in body and "Tekstexperiment stoppen" in body
    editor = reverse("texts:experiment", kwargs={"scope": "gedeeld", "name": "invitation"})
    assert f'href="{editor}"' in body


def test_the_page_counts_as_of_now_and_leaves_later_messages_out(municipality, sent, now):
    Message.objects.filter(case=sent[0]).update(created_at=now + timedelta(days=400))
    client = staff("toezicht", SUPERVISOR, municipality)
    assert client.get(page("proef")).context["results"].households == 23


def test_the_list_shows_campaign_and_text_experiments_with_kind_and_status(municipality, sent, now):
    Case.objects.filter(pk=sent[0].pk).update(experiment="campagneproef", variant="a")
    own = ex.create("first_single", municipality.pk, "eigen-brief", None, now)
    client = staff("toezicht", SUPERVISOR, municipality)

    response = client.get(reverse("dashboard:experiments") + "?municipality=0344")

    rows = {row.id: row for row in response.context["experiments"]}
    assert set(rows) == {"campagneproef", "proef", "eigen-brief"}
    assert (rows["campagneproef"].kind, rows["campagneproef"].status) == ("Campagne", "Afgelopen")
    assert (rows["proef"].kind, rows["proef"].status) == ("Tekst", "Loopt")
    assert rows["proef"].size == "24 huishoudens"
    assert rows["proef"].subject == "invitation (gedeelde tekst)"
    assert rows["eigen-brief"].status == "In voorbereiding"
    body = response.content.decode()
    assert f'href="{page("proef")}"' in body and f'href="{page("eigen-brief")}"' in body
    assert 'href="' + reverse("dashboard:experiment", args=["campagneproef"]) in body

    experiment = ex.open_experiment("invitation", None)
    assert experiment is not None
    ex.stop(experiment, "B", None, now)
    response = client.get(reverse("dashboard:experiments") + "?municipality=0344")
    rows = {row.id: row for row in response.context["experiments"]}
    assert rows["proef"].status.startswith("Gestopt op ")
    assert rows["proef"].status.endswith("variant B is de tekst")
    assert own.name in rows


def test_a_shared_experiment_that_never_reached_her_readers_is_not_hers(municipality, now):
    ex.create("invitation", None, "nog-niet", None, now)  # prepared: reaches nobody yet
    other = municipality_with_contact("0307", "Amersfoort")
    ex.create("invitation", other.pk, "van-amersfoort", None, now)
    client = staff("toezicht", SUPERVISOR, municipality)
    listing = client.get(reverse("dashboard:experiments") + "?municipality=0344")
    assert listing.context["experiments"] == []
    assert client.get(page("nog-niet")).status_code == 404
    assert client.get(page("van-amersfoort")).status_code == 404
    assert client.get(page("van-amersfoort", "0307")).status_code == 404  # not on her profile


def test_a_running_shared_experiment_reaches_a_municipality_without_its_own_text(
    sms_campaign,  # noqa: F811  (fixture)
    municipality,
    now,
):
    experiment = running(now)
    assert ex.reaches(experiment, municipality.pk)
    own = ex.create("invitation", municipality.pk, "eigen-proef", None, now)
    assert ex.reaches(experiment, municipality.pk)  # hers is not running yet
    own.status = own.Status.RUNNING
    own.save(update_fields=["status"])
    assert not ex.reaches(experiment, municipality.pk)


def test_only_supervisors_and_administrators_see_a_text_experiments_results(municipality, sent):
    assert staff("consulent", CASEWORKER, municipality).get(page("proef")).status_code == 403
    assert staff("tekst", COMMUNICATION, municipality).get(page("proef")).status_code == 403
    other = municipality_with_contact("0363", "Amsterdam")
    elsewhere = staff("elders", SUPERVISOR, other)
    assert elsewhere.get(page("proef", "0344")).status_code == 404
