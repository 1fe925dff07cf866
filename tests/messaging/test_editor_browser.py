"""The text editor in a real browser: Debian's Chromium driven by Playwright against the live
server. Staff log in through the login form, edit an SMS with its live preview and findings,
save, publish, read the history, see a letter's preview in a sandboxed frame, and run an
experiment on a text (variant, shares, refused start, start, stop).

Skipped where /usr/bin/chromium or the playwright package is missing (CI has both). Never
downloads a browser: Playwright only drives the system Chromium."""

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from outreach.core.roles import COMMUNICATION, ensure_role_groups
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import load_shipped
from tests.browser import Page, expect, logged_in

USERNAME, PASSWORD = "communicatie", "een-lang-wachtwoord"

GOOD_SMS = "Hallo {{ name }}, wij helpen u gratis. Bel {{ worker_name }} op {{ worker_phone }}."
GOOD_SMS_TEXT = "Hallo J. de Vries, wij helpen u gratis. Bel Sanne Bakker op 020 123 4567."
BAD_SMS = "Hallo {{ name }}, uw IBAN is {{ iban }}. Financiële hulp is gratis."


@pytest.fixture
def staff(live_server, settings) -> None:
    """A communication user, and the shipped texts: the live server's transactional database
    is flushed between tests, and the flush's post_migrate loads the texts again; loading is
    idempotent, so a missing set is loaded here. Runs before the browser starts: Django's ORM
    refuses to run in the thread while Playwright's event loop is running."""
    if not TemplateVersion.objects.filter(origin=TemplateVersion.Origin.SHIPPED).exists():
        load_shipped(timezone.now())
    assert TemplateVersion.objects.filter(name="invitation", lang="nl", version=1).exists()
    ensure_role_groups()
    user = User.objects.create_user(USERNAME, password=PASSWORD)
    user.groups.add(Group.objects.get(name=COMMUNICATION))
    # The shared texts, published by one person (four eyes off): the four-eyes flow of a
    # municipality's own texts is in test_texts_per_municipality_browser.py.
    user.user_permissions.add(Permission.objects.get(codename="edit_shared_texts"))
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False


@pytest.fixture
def page(staff, live_server) -> Iterator[Page]:
    """A fresh browser page, logged in through the real login form."""
    with logged_in(live_server.url, USERNAME, PASSWORD) as page:
        # Communication staff land on the texts, never on the case queue.
        expect(page).to_have_url(f"{live_server.url}/texts/")
        yield page


def type_source(page: Page, source: str, *, keys: bool = False) -> None:
    """Replace the editor's text and wait for the live preview's answer (debounced 400 ms)."""
    box = page.locator("#source")
    with page.expect_response(
        lambda r: r.url.endswith("/preview") and r.request.method == "POST"
    ) as answer:
        if keys:  # key by key, as a person types: the debounce sends one request at the end
            box.press("Control+a")
            box.press_sequentially(source)
        else:
            box.fill(source)
    assert answer.value.ok, answer.value.status


def test_staff_edit_preview_save_publish_and_read_the_history_of_an_sms(page, live_server):
    # 1. The list of texts, per kind and language; click through to the Dutch SMS invitation.
    expect(page.get_by_role("heading", name="Teksten", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Sms en WhatsApp")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="SMS invitation")).to_have_count(1)
    page.locator('a[href="/texts/gedeeld/invitation/nl/"]').click()
    expect(page).to_have_url(f"{live_server.url}/texts/gedeeld/invitation/nl/")
    expect(page.get_by_role("heading", name="SMS invitation")).to_be_visible()
    expect(page.locator("#source")).to_have_value(re.compile("gratis"))  # the shipped text
    publish = page.locator("button#publish")

    # 2. A valid short SMS: the live preview renders it on the invented sample data.
    type_source(page, GOOD_SMS)
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)
    expect(page.locator("#preview p")).to_have_text(
        f"{len(GOOD_SMS_TEXT)} tekens, GSM-7, 1 sms-deel/delen."
    )
    expect(page.locator("#counts")).to_have_text(re.compile(r"^0 fout\(en\), "))
    expect(publish).to_be_enabled()

    # 3. An unknown field and a character outside GSM-7: the render fails, publishing can't.
    type_source(page, BAD_SMS, keys=True)
    expect(page.locator("#source")).to_have_value(BAD_SMS)
    expect(page.locator("#preview .finding-error")).to_contain_text(
        "De tekst kan niet worden gemaakt: 'iban' is undefined"
    )
    expect(page.locator("#preview div.sms")).to_have_count(0)
    expect(page.locator("#findings li.finding-error").filter(has_text="iban")).to_have_count(1)
    expect(page.locator("#counts")).to_have_text(re.compile(r"^[1-9]\d* fout\(en\), "))
    expect(publish).to_be_disabled()

    # ... and a valid text enables it again.
    type_source(page, GOOD_SMS)
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)
    expect(publish).to_be_enabled()

    # 4. Save as a draft, then publish it.
    page.get_by_label("Wat is er veranderd?").fill("korter")
    page.get_by_role("button", name="Bewaar als concept").click()
    expect(page.locator("ul.messages")).to_have_text("Concept versie 2 is bewaard.")
    expect(page.get_by_text("Concept: versie 2.")).to_be_visible()
    expect(page.get_by_text("Gepubliceerd: versie 1 ")).to_be_visible()
    expect(page.locator("#source")).to_have_value(GOOD_SMS)
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)  # rendered by the server
    expect(publish).to_be_enabled()

    publish.click()
    expect(page.locator("ul.messages")).to_have_text("Versie 2 is gepubliceerd.")
    expect(page.get_by_text(re.compile(r"Gepubliceerd: versie 2 \("))).to_be_visible()
    expect(page.get_by_text("Concept: versie")).to_have_count(0)

    # The history shows version 2 against the shipped version 1, line by line.
    page.get_by_role("link", name="Geschiedenis").click()
    expect(page).to_have_url(f"{live_server.url}/texts/gedeeld/invitation/nl/history/")
    version_2 = page.locator("section#v2")
    expect(version_2.get_by_role("heading")).to_contain_text("Versie 2")
    expect(version_2).to_contain_text("Wijziging: korter")
    expect(version_2.locator("pre.diff .add")).to_have_text([f"+{GOOD_SMS}"])
    expect(version_2.locator("pre.diff .remove")).to_have_text(
        [re.compile(r"^-\{\{ salutation \}\}, dit is een bericht van")]
    )
    expect(page.locator("section#v1")).to_be_visible()


def test_a_letter_previews_in_a_sandboxed_frame_on_sample_data(page, live_server):
    page.goto("/texts/gedeeld/first_single/nl/")
    frame = page.locator("#preview iframe")
    expect(frame).to_have_attribute("sandbox", "")  # no scripts, no same origin
    expect(frame).to_have_attribute("srcdoc", re.compile("J. de Vries"))  # the sample reader
    expect(page.frame_locator("#preview iframe").get_by_text("J. de Vries").first).to_be_visible()

    # The live preview builds a new frame: sandboxed as well, with the edited text.
    source = page.locator("#source").input_value()
    old = "Samen vinden we vaak een oplossing."
    assert old in source
    type_source(page, source.replace(old, "Samen zoeken we een oplossing."))
    frame = page.locator("#preview iframe")
    expect(frame).to_have_attribute("srcdoc", re.compile("Samen zoeken we een oplossing."))
    expect(frame).to_have_attribute("sandbox", "")
    expect(frame).to_have_attribute("srcdoc", re.compile("J. de Vries"))
    expect(page.locator("button#publish")).to_be_enabled()


def test_a_late_answer_for_an_older_text_never_replaces_the_newer_preview(page):
    page.goto("/texts/gedeeld/invitation/nl/")
    held = []  # the first preview request, held back as on a slow line

    def hold(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/preview", hold)
    with page.expect_request("**/preview"):
        page.locator("#source").fill(BAD_SMS)
    type_source(page, GOOD_SMS)
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)

    (late,) = held
    with page.expect_response("**/preview") as answer:
        late.continue_()
    assert answer.value.json()["errors"] >= 1  # the answer for the text with {{ iban }}
    # The answer for the text no longer in the editor came last: the page keeps the newer one.
    page.wait_for_timeout(100)  # the page's script handles the answer within this, if it would
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)
    expect(page.locator("#counts")).to_have_text(re.compile(r"^0 fout\(en\), "))
    expect(page.locator("button#publish")).to_be_enabled()


def test_staff_run_an_experiment_on_an_sms_and_keep_the_variant_that_won(page, live_server):
    # From the SMS's editor to its experiment page; variant B starts as a copy of the text.
    page.goto("/texts/gedeeld/invitation/nl/")
    page.get_by_role("link", name="Experiment").click()
    expect(page).to_have_url(f"{live_server.url}/texts/gedeeld/invitation/experiment/")
    page.get_by_label("Naam van het experiment").fill("uitnodiging-kort")
    page.get_by_role("button", name="Maak variant B").click()
    expect(page.locator("ul.messages")).to_have_text(
        "Experiment uitnodiging-kort is aangemaakt met variant B."
    )
    expect(page.locator("#variant-B td").first).to_have_text("50%")

    # Shares that do not add up are refused with the reason.
    page.locator('#shares input[name="A"]').fill("60")
    page.get_by_role("button", name="Bewaar aandelen").click()
    expect(page.locator("ul.messages")).to_have_text(
        "De aandelen tellen op tot 110%, niet tot 100%."
    )

    # Variant B in Dutch with an unknown field: starting is refused, the page says which.
    page.locator("#variant-B").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Variant B"))).to_be_visible()
    page.locator("#source").fill(BAD_SMS)
    page.get_by_role("button", name="Bewaar variant").click()
    expect(page.locator("#findings li.finding-error").filter(has_text="iban")).to_have_count(1)
    page.get_by_role("link", name="Experiment uitnodiging-kort").click()
    page.get_by_role("button", name="Start het experiment").click()
    expect(page.locator("ul.messages")).to_have_text(
        "Het experiment kan niet starten: elke variant moet door de controle."
    )
    expect(page.locator("#failures")).to_contain_text("Variant B (nl)")
    expect(page.locator("#failures")).to_contain_text("iban")

    # A good variant B: it starts; then it is stopped and B becomes the text.
    page.locator("#variant-B").get_by_role("link").first.click()
    page.locator("#source").fill(GOOD_SMS)
    page.get_by_role("button", name="Bewaar variant").click()
    expect(page.locator("#preview div.sms")).to_have_text(GOOD_SMS_TEXT)
    page.get_by_role("link", name="Experiment uitnodiging-kort").click()
    expect(page.locator("#checks-ok")).to_be_visible()
    page.get_by_role("button", name="Start het experiment").click()
    expect(page.locator("ul.messages")).to_have_text("Experiment uitnodiging-kort loopt.")
    expect(page.locator("#experiment-state")).to_contain_text("loopt")

    page.get_by_role("radio", name="Variant B").check()
    page.get_by_role("button", name="Stop het experiment").click()
    expect(page.locator("ul.messages")).to_contain_text("variant B is de tekst")
    page.goto("/texts/gedeeld/invitation/nl/")
    expect(page.locator("#source")).to_have_value(GOOD_SMS)
    expect(page.get_by_text(re.compile(r"Gepubliceerd: versie 2 \("))).to_be_visible()
