"""Who may act on which texts in the editor: communication staff only for the municipalities
on their staff profile, the shared defaults only with the permission `edit_shared_texts`.
Every text address of another owner answers 403 or 404 and changes nothing. And the four-eyes
flow through the web: propose, approve by a colleague, send back with a comment."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import COMMUNICATION, ensure_role_groups
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import published, save_draft
from tests.conftest import CONTACT, municipality_with_contact
from tests.messaging.test_texts_per_municipality import NOW, OWN_SMS

pytestmark = pytest.mark.django_db
Status = TemplateVersion.Status


@pytest.fixture
def places(db) -> tuple[Municipality, Municipality]:
    utrecht = municipality_with_contact(
        "0344",
        "Utrecht",
        {**CONTACT, "worker_name": "Ilse Utrecht", "team": "Team Geldzorgen Utrecht"},
    )
    amersfoort = municipality_with_contact("0307", "Amersfoort")
    return utrecht, amersfoort


def writer(name: str, *places: Municipality, shared: bool = False) -> Client:
    """A logged-in communication officer for `places` (and the shared texts with `shared`)."""
    ensure_role_groups()
    user = User.objects.create_user(name)
    user.groups.add(Group.objects.get(name=COMMUNICATION))
    StaffProfile.objects.create(user=user).municipalities.add(*places)
    if shared:
        user.user_permissions.add(Permission.objects.get(codename="edit_shared_texts"))
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        TemplateVersion.objects.order_by("pk").values_list(
            "pk", "municipality", "version", "status", "source", "published_by",
            "returned_by", "review_comment",
        )
    )  # fmt: skip


def every_text_request(scope: str, version: int) -> list[tuple[str, str, dict[str, str]]]:
    """(method, address, form) for every address of the editor that names `scope`."""
    text = f"/texts/{scope}/invitation/nl/"
    letter = f"/texts/{scope}/first_single/nl/"
    change = {"source": OWN_SMS + " Anders.", "reason": "nodig", "note": "x"}
    return [
        ("get", f"/texts/{scope}/", {}),
        ("get", text, {}),
        ("post", text, {**change, "action": "save"}),
        ("post", text, {**change, "action": "propose"}),
        ("post", text, {**change, "action": "publish"}),
        ("post", text + "preview", {"source": OWN_SMS}),
        ("post", letter + "pdf", {"source": "<p>brief</p>"}),
        ("get", text + "history/", {}),
        ("post", text + f"rollback/{version}", {"reason": "terug"}),
        ("post", text + f"approve/{version}", {"reason": "goed"}),
        ("post", text + f"send-back/{version}", {"comment": "nee"}),
        # The wrong method as well: refused before it is looked at.
        ("get", text + f"approve/{version}", {}),
        ("get", text + "preview", {}),
    ]


def test_staff_of_another_municipality_reach_none_of_its_text_addresses(places):
    utrecht, amersfoort = places
    author = writer("ilse", utrecht)
    author.post(
        "/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "propose", "note": "eigen"}
    )
    proposal = TemplateVersion.objects.get(municipality=utrecht, name="invitation", lang="nl")
    assert proposal.status == Status.PROPOSED
    outsider = writer("bas", amersfoort)
    before = snapshot()
    for method, address, form in every_text_request("0344", proposal.version):
        answer = getattr(outsider, method)(address, form)
        assert answer.status_code in (403, 404), (method, address, answer.status_code)
    assert snapshot() == before
    # Nor through the shared texts, nor an unknown municipality.
    for method, address, form in every_text_request("gedeeld", 1):
        assert getattr(outsider, method)(address, form).status_code in (403, 404), address
    assert outsider.get("/texts/9999/").status_code == 404
    assert snapshot() == before
    # The proposal is not on the outsider's list, nor the other municipality in her menu.
    assert "invitation" not in outsider.get("/texts/voorstellen/").content.decode()
    page = outsider.get("/texts/").content.decode()
    assert "Gemeente Amersfoort" in page
    assert "Gemeente Utrecht" not in page and "Gedeelde standaardtekst" not in page


def test_the_shared_texts_need_the_permission(places, settings):
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False
    utrecht, _ = places
    plain = writer("ilse", utrecht)
    before = snapshot()
    for method, address, form in every_text_request("gedeeld", 1):
        assert getattr(plain, method)(address, form).status_code in (403, 404), address
    assert snapshot() == before
    editor = writer("redactie", shared=True)
    assert "Gedeelde standaardtekst" in editor.get("/texts/").content.decode()
    editor.post("/texts/gedeeld/invitation/nl/", {"source": OWN_SMS, "action": "publish"})
    assert published("invitation", "nl").source == OWN_SMS


def test_a_proposal_is_approved_by_a_colleague_not_by_its_proposer(places):
    utrecht, _ = places
    ilse, jan = writer("ilse", utrecht), writer("jan", utrecht)
    page = ilse.get("/texts/0344/invitation/nl/").content.decode()
    assert "Deze gemeente gebruikt de gedeelde standaardtekst (versie 1)" in page
    assert "Voorstellen ter goedkeuring" in page and 'id="publish"' not in page
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "publish"})
    assert not TemplateVersion.objects.filter(municipality=utrecht, status=Status.PUBLISHED)
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "propose"})
    proposal = TemplateVersion.objects.get(municipality=utrecht, status=Status.PROPOSED)

    own_page = ilse.get("/texts/0344/invitation/nl/").content.decode()
    assert "wacht op goedkeuring" in own_page and 'id="approve"' not in own_page
    ilse.post(f"/texts/0344/invitation/nl/approve/{proposal.version}")
    assert published("invitation", "nl", utrecht.pk).municipality_id is None

    waiting = jan.get("/texts/voorstellen/").content.decode()
    assert 'href="/texts/0344/invitation/nl/"' in waiting and "ilse" in waiting
    assert 'id="approve"' in jan.get("/texts/0344/invitation/nl/").content.decode()
    jan.post(f"/texts/0344/invitation/nl/approve/{proposal.version}")
    assert published("invitation", "nl", utrecht.pk).pk == proposal.pk
    history = jan.get("/texts/0344/invitation/nl/history/").content.decode()
    assert "door ilse" in history and "Goedgekeurd en gepubliceerd" in history
    assert "door jan" in history
    assert "eigen v1" in jan.get("/texts/0344/").content.decode()


def test_a_colleague_sends_back_with_a_comment_shown_in_the_history(places):
    utrecht, _ = places
    ilse, jan = writer("ilse", utrecht), writer("jan", utrecht)
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "propose"})
    jan.post("/texts/0344/invitation/nl/send-back/1", {"comment": "Het 0800-nummer klopt niet."})
    returned = TemplateVersion.objects.get(municipality=utrecht)
    assert (returned.status, returned.returned_by.username) == (Status.RETURNED, "jan")
    page = ilse.get("/texts/0344/invitation/nl/").content.decode()
    assert "teruggestuurd door jan: Het 0800-nummer klopt niet." in page
    history = ilse.get("/texts/0344/invitation/nl/history/").content.decode()
    assert "Opmerking: Het 0800-nummer klopt niet." in history


def test_a_rollback_with_four_eyes_waits_for_approval(places):
    utrecht, _ = places
    ilse, jan = writer("ilse", utrecht), writer("jan", utrecht)
    first = save_draft("invitation", "nl", OWN_SMS, None, NOW, municipality_id=utrecht.pk)
    TemplateVersion.objects.filter(pk=first.pk).update(status=Status.RETIRED)
    second = save_draft(
        "invitation", "nl", OWN_SMS + " Hoi.", None, NOW, municipality_id=utrecht.pk
    )
    TemplateVersion.objects.filter(pk=second.pk).update(status=Status.PUBLISHED)
    ilse.post("/texts/0344/invitation/nl/rollback/1", {"reason": "terug"})
    assert published("invitation", "nl", utrecht.pk).pk == second.pk
    back = TemplateVersion.objects.get(municipality=utrecht, version=3)
    assert (back.status, back.origin) == (Status.PROPOSED, "rollback")
    jan.post("/texts/0344/invitation/nl/approve/3")
    assert published("invitation", "nl", utrecht.pk).source == OWN_SMS


def test_the_preview_shows_the_municipalitys_letterhead_and_contact_person(places):
    utrecht, amersfoort = places
    ilse = writer("ilse", utrecht, amersfoort)
    sms = ilse.post("/texts/0344/invitation/nl/preview", {"source": OWN_SMS}).json()
    assert "Ilse Utrecht" in sms["preview"]["text"]
    assert CONTACT["reply_number"] in sms["preview"]["text"]
    other = ilse.post("/texts/0307/invitation/nl/preview", {"source": OWN_SMS}).json()
    assert CONTACT["worker_name"] in other["preview"]["text"]
    letter = ilse.get("/texts/0344/first_single/nl/").content.decode()
    assert "Team Geldzorgen Utrecht" in letter and "Ilse Utrecht" in letter
    assert "Voorbeeldstad" not in letter.split("srcdoc=")[1].split("Kerkstraat")[0]


def test_the_shared_texts_take_four_eyes_too_by_default(places):
    redactie, tweede = writer("redactie", shared=True), writer("tweede", shared=True)
    redactie.post("/texts/gedeeld/invitation/nl/", {"source": OWN_SMS, "action": "publish"})
    assert published("invitation", "nl").version == 1
    redactie.post("/texts/gedeeld/invitation/nl/", {"source": OWN_SMS, "action": "propose"})
    waiting = tweede.get("/texts/voorstellen/").content.decode()
    assert (
        'href="/texts/gedeeld/invitation/nl/"' in waiting and "Gedeelde standaardtekst" in waiting
    )
    # The refused publication kept the text as draft 2; proposing it changed nothing else.
    tweede.post("/texts/gedeeld/invitation/nl/approve/2")
    shared = published("invitation", "nl")
    assert (shared.version, shared.source, shared.published_by.username) == (2, OWN_SMS, "tweede")
    assert shared.proposed_by.username == "redactie"


def test_a_draft_saved_after_a_proposal_leaves_the_proposal_to_review(places):
    utrecht, _ = places
    ilse, jan = writer("ilse", utrecht), writer("jan", utrecht)
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "propose"})
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS + " Hoi.", "action": "save"})
    page = jan.get("/texts/0344/invitation/nl/").content.decode()
    assert "Versie 1 wacht op goedkeuring" in page and 'id="approve"' in page
    assert "nieuwer concept bewaard (versie 2)" in page
    jan.post("/texts/0344/invitation/nl/approve/1")
    assert published("invitation", "nl", utrecht.pk).source == OWN_SMS
