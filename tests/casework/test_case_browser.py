"""The case page in a real browser: a caseworker logs in through the form and steers a running
case (pause, resume, switch the campaign, register the offer of help and then its answer); the
page and the database are checked after each step.

Debian's Chromium driven by Playwright (as tests/messaging/test_editor_browser.py); skipped
where /usr/bin/chromium or the playwright package is missing. Never downloads a browser."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case, CaseEvent, HelpOffer
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import load_shipped
from tests.browser import Page, expect, logged_in
from tests.cadence.conftest import ingest
from tests.casework.conftest import make_caseworker
from tests.conftest import signal_row

USERNAME, PASSWORD = "sanne", "geheim-wachtwoord-1"


@pytest.fixture
def running_case(live_server, campaigns, municipality, engine, monkeypatch) -> Case:
    """A case whose campaign runs, and its caseworker; made before the browser starts."""
    # The test reads the database between browser steps, in the thread where Playwright's
    # event loop runs; Django refuses that unless told it is safe (it is: one test thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not TemplateVersion.objects.filter(origin=TemplateVersion.Origin.SHIPPED).exists():
        load_shipped(timezone.now())
    make_caseworker(USERNAME, municipality, name="Sanne Visser", phone="030 286 1234")
    now = timezone.now()
    yesterday = timezone.localdate(now) - timedelta(days=1)
    ingest([signal_row(signaaldatum=yesterday.isoformat())], municipality, now)
    engine(now)
    case = Case.objects.get(municipality=municipality)
    assert case.state == Case.State.ACTIVE and case.campaign != "short"
    return case


@pytest.fixture
def page(running_case, live_server) -> Iterator[Page]:
    """A fresh browser page, logged in through the real login form, on the case page."""
    with logged_in(live_server.url, USERNAME, PASSWORD, reads_between_steps=True) as page:
        expect(page.get_by_role("heading", name="Werkvoorraad")).to_be_visible()
        page.locator(f'a[href="/cases/{running_case.pk}/"]').click()
        expect(page).to_have_url(f"{live_server.url}/cases/{running_case.pk}/")
        yield page


def latest_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).select_related("user").latest("at", "pk")


def test_a_caseworker_pauses_resumes_switches_and_registers_the_offer_and_its_answer(
    page, running_case
):
    case = running_case
    state = page.locator("#state")
    history = page.locator("#history tbody tr").first
    expect(state).to_have_text("contact loopt")

    # 1. Pause: the steps wait.
    page.get_by_role("button", name="Pauzeren").click()
    expect(state).to_contain_text("gepauzeerd")
    expect(page.get_by_role("button", name="Hervatten")).to_be_visible()
    expect(page.get_by_role("button", name="Pauzeren")).to_have_count(0)
    expect(history).to_contain_text("Sanne Visser")
    expect(history).to_contain_text("Campagne gepauzeerd.")
    case.refresh_from_db()
    assert case.state == Case.State.PAUSED
    assert PlannedStep.objects.filter(case=case, status="paused").exists()
    assert not PlannedStep.objects.filter(case=case, status="planned").exists()
    assert (latest_event(case).action, latest_event(case).user.username) == ("gepauzeerd", USERNAME)

    # 2. Resume: planned again.
    page.get_by_role("button", name="Hervatten").click()
    expect(state).to_have_text("contact loopt")
    expect(history).to_contain_text("Campagne hervat")
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE
    assert not PlannedStep.objects.filter(case=case, status="paused").exists()
    assert latest_event(case).action == "hervat"

    # 3. Switch to the short campaign, planned from now.
    page.locator('form[action$="/campaign"] select[name="campaign"]').select_option("short")
    page.get_by_role("button", name="Campagne wisselen").click()
    expect(page.locator(".messages")).to_contain_text("Campagne gewisseld naar Kort (short).")
    expect(history).to_contain_text("naar Kort (short)")
    case.refresh_from_db()
    assert case.campaign == "short"
    call = PlannedStep.objects.get(case=case, key="short.call")
    assert call.status == "planned" and call.due_at >= latest_event(case).at
    assert latest_event(case).action == "campagne"

    # 4. Register the offer of help, no answer yet: the case moves to the offer.
    offer_form = page.locator('form[action$="/offer"]')
    offer_form.locator('select[name="kind"]').select_option("Telefoon")
    page.get_by_role("button", name="Hulpaanbod registreren").click()
    expect(page.locator("#offer-answer")).to_contain_text("nog geen antwoord")
    expect(state).to_have_text("hulpaanbod")
    expect(page.get_by_role("button", name="Pauzeren")).to_have_count(0)
    offer = HelpOffer.objects.get(case=case)
    assert (offer.kind, offer.answer, offer.recorded_by.username) == (
        "Telefoon",
        HelpOffer.Answer.PENDING,
        USERNAME,
    )
    assert offer.made_on == timezone.localdate()
    case.refresh_from_db()
    assert case.state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=case, status="planned").exclude(key="close").exists()

    # 5. The answer: accepted.
    page.locator('form[action$="/offer/answer"] select[name="answer"]').select_option("accepted")
    page.get_by_role("button", name="Antwoord opslaan").click()
    expect(page.locator("#offer-answer")).to_contain_text("geaccepteerd")
    expect(history).to_contain_text("Antwoord op het aanbod: geaccepteerd.")
    offer.refresh_from_db()
    assert offer.answer == HelpOffer.Answer.ACCEPTED and offer.answered_on == timezone.localdate()
    assert list(
        CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("action", flat=True)
    ) == ["gepauzeerd", "hervat", "campagne", "aanbod", "antwoord"]
    assert set(CaseEvent.objects.filter(case=case).values_list("user__username", flat=True)) == {
        USERNAME
    }
