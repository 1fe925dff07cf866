"""The text editor of communication staff: roles, preview on sample data, drafts, publication,
history and rollback through the web app, on the shared texts published by one person (four
eyes off; test_texts_per_municipality.py has municipalities' own texts and four eyes)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from outreach.core.roles import ensure_role_groups
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import published
from tests.cadence.conftest import ingest
from tests.conftest import signal_row

pytestmark = pytest.mark.django_db

Status = TemplateVersion.Status
GOOD_SMS = (
    "{{ salutation }}, wij helpen u graag. Het is gratis. "
    "Bel {{ worker_name }}: {{ worker_phone }}."
)


def client_for(role: str) -> Client:
    ensure_role_groups()
    user = User.objects.create_user(role, password="x")
    user.groups.add(Group.objects.get(name=role))
    user.user_permissions.add(Permission.objects.get(codename="edit_shared_texts"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def one_person_publishes(settings) -> None:
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False


@pytest.fixture
def staff() -> Client:
    return client_for("communication")


def test_only_communication_staff_and_administrators_edit_texts(db):
    assert client_for("caseworker").get("/texts/").status_code == 403
    assert client_for("administrator").get("/texts/").status_code == 200
    assert Client().get("/texts/").status_code == 302  # to the login


def test_communication_staff_land_on_the_texts_and_never_see_cases(staff, municipality, now):
    (case,) = ingest([signal_row()], municipality, now)
    assert staff.get("/").url == "/texts/"
    assert staff.get(f"/cases/{case.pk}/").status_code == 403


def test_the_list_shows_each_text_per_language(staff):
    page = staff.get("/texts/").content.decode()
    assert "First letter, one signal" in page and "SMS invitation" in page
    assert 'href="/texts/gedeeld/first_single/ar/"' in page


def test_the_editor_previews_on_sample_data_never_a_citizen(staff, municipality, now):
    ingest([signal_row(voornaam="Pietje", achternaam="Puk")], municipality, now)
    page = staff.get("/texts/gedeeld/first_single/nl/").content.decode()
    assert "J. de Vries" in page  # the sample reader
    # As words: the page's random CSRF token may hold the letters "Puk".
    assert re.search(r"\b(Pietje|Puk)\b", page) is None
    assert "srcdoc=" in page and 'sandbox=""' in page


def test_saving_makes_a_draft_and_publishing_needs_no_errors(staff):
    staff.post(
        "/texts/gedeeld/invitation/nl/", {"source": GOOD_SMS, "action": "save", "note": "korter"}
    )
    draft = TemplateVersion.objects.get(name="invitation", lang="nl", version=2)
    assert (draft.status, draft.note) == (Status.DRAFT, "korter")
    assert published("invitation", "nl").version == 1

    bad = GOOD_SMS + " {{ rekeningnummer }}"
    page = staff.post(
        "/texts/gedeeld/invitation/nl/", {"source": bad, "action": "publish"}, follow=True
    ).content.decode()
    assert "rekeningnummer&#x27; is not in the template context" in page
    assert "fix them first" in page
    assert published("invitation", "nl").version == 1
    # The rejected source was kept as a draft: nothing typed is lost.
    assert TemplateVersion.objects.get(name="invitation", lang="nl", version=3).source == bad

    staff.post("/texts/gedeeld/invitation/nl/", {"source": GOOD_SMS, "action": "publish"})
    assert published("invitation", "nl").version == 4


def test_live_preview_answers_with_the_render_and_the_findings(staff):
    answer = staff.post("/texts/gedeeld/invitation/nl/preview", {"source": GOOD_SMS}).json()
    assert answer["preview"]["text"].startswith("Beste J. de Vries, wij helpen")
    assert answer["preview"]["sms"]["encoding"] == "GSM-7"
    assert answer["errors"] == 0

    answer = staff.post("/texts/gedeeld/invitation/nl/preview", {"source": "Hoi {{ x }} ë"}).json()
    assert answer["preview"]["error"]
    assert answer["errors"] >= 1
    assert any(f["rule"] == "render" and "'x'" in f["message"] for f in answer["findings"])

    umlaut = staff.post(
        "/texts/gedeeld/invitation/nl/preview", {"source": GOOD_SMS + " Financiële"}
    ).json()
    assert umlaut["preview"]["sms"]["encoding"] == "UCS-2"
    assert "ë" in umlaut["preview"]["sms"]["culprit"]


def test_the_letter_preview_is_a_pdf(staff):
    source = published("first_single", "nl").source
    response = staff.post("/texts/gedeeld/first_single/nl/pdf", {"source": source})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    broken = staff.post("/texts/gedeeld/first_single/nl/pdf", {"source": "{% extends 'x' %"})
    assert broken.status_code == 400


def test_history_shows_the_diff_and_rolls_back(staff):
    original = published("invitation", "nl").source
    staff.post("/texts/gedeeld/invitation/nl/", {"source": GOOD_SMS, "action": "publish"})
    page = staff.get("/texts/gedeeld/invitation/nl/history/").content.decode()
    assert "Versie 2" in page and 'class="add"' in page and 'class="remove"' in page
    staff.post(
        "/texts/gedeeld/invitation/nl/rollback/1", {"reason": "terug naar de standaardtekst"}
    )
    current = published("invitation", "nl")
    assert (current.version, current.origin, current.source) == (3, "rollback", original)


def test_unknown_texts_are_not_found(staff):
    assert staff.get("/texts/gedeeld/aanmaning/nl/").status_code == 404
    assert staff.get("/texts/gedeeld/invitation/de/").status_code == 404
