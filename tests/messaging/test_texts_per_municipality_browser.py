"""Four eyes in a real browser (Debian's Chromium driven by Playwright): one communication
officer of Utrecht writes the municipality's own SMS invitation and proposes it, previewed on
Utrecht's letterhead and contact person; a colleague finds it among the proposals waiting for
her, approves it, and from then on Utrecht's own version is the one published and previewed,
while the shared text stays as it was."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import COMMUNICATION, ensure_role_groups
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import load_shipped
from tests.browser import Page, expect, logged_in
from tests.conftest import municipality_with_contact

PASSWORD = "een-lang-wachtwoord"
OWN_SMS = (
    "{{ salutation }}, wij helpen u gratis. Stuur {{ keywords.yes }} naar {{ reply_number }}. "
    "Of bel {{ worker_name }} van {{ municipality.name }}: {{ worker_phone }}."
)
OWN_TEXT = (
    "Beste J. de Vries, wij helpen u gratis. Stuur JA naar 06 5555 0000. "
    "Of bel Ilse Visser van Gemeente Utrecht: 030 286 9999."
)
CONTACT = {
    "worker_name": "Ilse Visser",
    "worker_phone": "030 286 9999",
    "reply_number": "06 5555 0000",
    "team": "Team Geldzorgen Utrecht",
}


@pytest.fixture
def utrecht(live_server) -> Municipality:
    """Utrecht with its contact person, two communication officers for it, and the shipped
    texts (the live server's database is flushed between tests; see test_editor_browser)."""
    if not TemplateVersion.objects.filter(origin=TemplateVersion.Origin.SHIPPED).exists():
        load_shipped(timezone.now())
    ensure_role_groups()
    place = municipality_with_contact("0344", "Utrecht", CONTACT)
    for name in ("ilse", "jan"):
        user = User.objects.create_user(name, password=PASSWORD)
        user.groups.add(Group.objects.get(name=COMMUNICATION))
        StaffProfile.objects.create(user=user).municipalities.add(place)
    return place


def type_source(page: Page, source: str) -> None:
    """Replace the editor's text and wait for the live preview's answer."""
    with page.expect_response(lambda r: r.url.endswith("/preview")) as answer:
        page.locator("#source").fill(source)
    assert answer.value.ok, answer.value.status


def test_one_proposes_another_approves_and_the_municipality_sends_its_own(utrecht, live_server):
    with logged_in(live_server.url, "ilse", PASSWORD) as page:
        # Her municipality's texts, each using the shared one until it has its own.
        expect(page.get_by_role("navigation", name="Teksten van")).to_contain_text(
            "Gemeente Utrecht"
        )
        expect(page.get_by_role("link", name="Gedeelde standaardtekst")).to_have_count(0)
        page.locator('a[href="/texts/0344/invitation/nl/"]').click()
        expect(page.locator("#uses-shared")).to_have_text(
            "Deze gemeente gebruikt de gedeelde standaardtekst (versie 1)."
        )
        # The shared text, previewed with Utrecht's contact person and reply number.
        expect(page.locator("#preview div.sms")).to_contain_text("Ilse Visser")
        expect(page.locator("#preview div.sms")).to_contain_text("06 5555 0000")

        type_source(page, OWN_SMS)
        expect(page.locator("#preview div.sms")).to_have_text(OWN_TEXT)
        expect(page.locator("button#publish")).to_have_count(0)
        page.get_by_label("Wat is er veranderd?").fill("eigen nummer")
        page.get_by_role("button", name="Voorstellen ter goedkeuring").click()
        expect(page.locator("ul.messages")).to_have_text(
            "Versie 1 wacht op goedkeuring van een collega."
        )
        expect(page.locator("#review")).to_contain_text("voorgesteld door ilse")
        expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)

    with logged_in(live_server.url, "jan", PASSWORD) as page:
        page.goto("/texts/voorstellen/")
        waiting = page.locator("#waiting li")
        expect(waiting).to_have_count(1)
        expect(waiting).to_contain_text("invitation (nl) versie 1")
        expect(waiting).to_contain_text("Gemeente Utrecht")
        waiting.get_by_role("link").click()
        expect(page).to_have_url(f"{live_server.url}/texts/0344/invitation/nl/")
        expect(page.locator("#source")).to_have_value(OWN_SMS)
        page.get_by_role("button", name="Goedkeuren").click()
        expect(page.locator("ul.messages")).to_have_text("Versie 1 is goedgekeurd en gepubliceerd.")
        expect(page.locator("#state")).to_contain_text(re.compile(r"Gepubliceerd: versie 1 \("))
        expect(page.locator("#uses-shared")).to_have_count(0)
        expect(page.locator("#preview div.sms")).to_have_text(OWN_TEXT)

        page.get_by_role("link", name="Geschiedenis").click()
        version_1 = page.locator("section#v1")
        expect(version_1).to_contain_text("door ilse")
        expect(version_1).to_contain_text(re.compile("Goedgekeurd en gepubliceerd .* door jan"))
        page.goto("/texts/0344/")
        expect(page.locator('a[href="/texts/0344/invitation/nl/"]')).to_have_text("eigen v1")
        expect(page.locator('a[href="/texts/0344/reminder/nl/"]')).to_have_text("gedeeld v1")
