"""The caseworkers' inbox (/inbox/) and the replies on the case page: scoped to the user's
municipalities, oldest first, marked handled by a caseworker."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from outreach.core.models import AuditEntry, Municipality, StaffProfile
from outreach.core.roles import ADMINISTRATOR, CASEWORKER, COMMUNICATION
from outreach.messaging.inbound.models import InboundMessage
from tests.cadence.conftest import ingest
from tests.conftest import signal_row
from tests.messaging.inbound_support import case, inbound_settings, reply

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def logged():
    """The lines about cases and their people: not the lists viewed or files read and made
    (tests/desk/test_audit_coverage.py)."""
    return AuditEntry.objects.exclude(kind__in=(AuditEntry.Kind.LIST, AuditEntry.Kind.FILE))


def user_for(name: str, role: str, *places: Municipality, superuser: bool = False) -> Client:
    if superuser:
        user = User.objects.create_superuser(name, password="geheim-wachtwoord-1")
    else:
        user = User.objects.create_user(name, password="geheim-wachtwoord-1")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    profile = StaffProfile.objects.create(user=user)
    profile.municipalities.add(*places)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def amersfoort(now):
    place = Municipality.objects.create(
        code="0307", name="Amersfoort", contact={"reply_number": "+3197010000002"}
    )
    ingest(
        [signal_row(postcode="3811AA", huisnummer="9", telefoonnummer="06 11112222")], place, now
    )
    return place


def test_free_text_shows_in_its_municipalitys_inbox_only(reply, case, amersfoort):
    reply(f"Wie bent u? {SCRIPT} 🙂")
    reply("Ik bel zelf wel", sender="+31611112222", to="+3197010000002")
    reply("JA")  # handled by the service: not in the inbox
    utrecht = user_for("utrecht", CASEWORKER, case.municipality)
    page = utrecht.get("/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wie bent u?" in html and "🙂" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert f"/cases/{case.pk}/" in html
    assert "Ik bel zelf wel" not in html
    assert html.count("Afgehandeld</button>") == 1
    other = user_for("amersfoort", CASEWORKER, amersfoort)
    html = other.get("/inbox/").content.decode()
    assert "Ik bel zelf wel" in html and "Wie bent u?" not in html


def test_oldest_first(reply, case):
    reply("eerste bericht")
    reply("tweede bericht")
    html = user_for("utrecht", CASEWORKER, case.municipality).get("/inbox/").content.decode()
    assert html.index("eerste bericht") < html.index("tweede bericht")


def test_marking_a_reply_handled(reply, case, amersfoort):
    reply("Kunt u mij na vijf uur bellen?")
    message = InboundMessage.objects.get()
    stranger = user_for("amersfoort", CASEWORKER, amersfoort)
    assert stranger.post("/inbox/", {"message": message.pk}).status_code == 302
    message.refresh_from_db()
    assert not message.handled  # not theirs to handle
    worker = user_for("utrecht", CASEWORKER, case.municipality)
    assert worker.post("/inbox/", {"message": "nonsense"}).status_code == 302
    response = worker.post("/inbox/", {"message": message.pk})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    message.refresh_from_db()
    assert message.handled and message.handled_by.username == "utrecht" and message.handled_at
    assert "Kunt u mij" not in worker.get("/inbox/").content.decode()


def test_marking_a_reply_handled_logs_a_change_of_its_case(reply, case, amersfoort):
    reply("Kunt u mij na vijf uur bellen?")
    message = InboundMessage.objects.get()
    user_for("amersfoort", CASEWORKER, amersfoort).post("/inbox/", {"message": message.pk})
    assert not logged().exists()  # not theirs: nothing changed, nothing logged
    user_for("utrecht", CASEWORKER, case.municipality).post("/inbox/", {"message": message.pk})
    line = logged().get()
    assert (line.actor_name, line.action, line.kind, line.object_id, line.detail) == (
        "utrecht", "changed", "case", case.pk, "antwoord afgehandeld"
    )  # fmt: skip
    assert line.municipality_id == case.municipality_id


def test_unknown_numbers_show_where_they_wrote_to(reply, case):
    reply("JA, ik ben Jan van de Kerkstraat", sender="+31699998888")
    reply("Hallo?", sender="+31699998888", to="+3197000000099")  # nobody's reply number
    worker = user_for("utrecht", CASEWORKER, case.municipality)
    html = worker.get("/inbox/").content.decode()
    assert "ik ben Jan van de Kerkstraat" in html and "onbekend nummer" in html
    assert "Hallo?" not in html
    admin = user_for("root", ADMINISTRATOR, superuser=True)
    assert "Hallo?" in admin.get("/inbox/").content.decode()


def test_login_and_role_required(case):
    response = Client().get("/inbox/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/inbox/"
    communication = user_for("tekst", COMMUNICATION, case.municipality)
    assert communication.get("/inbox/").status_code == 403
    admin = user_for("beheer", ADMINISTRATOR, case.municipality)
    assert admin.get("/inbox/").status_code == 200
    assert admin.post("/inbox/", {"message": 1}).status_code == 403  # may look, not act


def test_the_case_page_shows_the_replies(reply, case):
    reply("Ja graag 👍")
    reply(f"Nog een vraag {SCRIPT}")
    html = (
        user_for("utrecht", CASEWORKER, case.municipality)
        .get(f"/cases/{case.pk}/")
        .content.decode()
    )
    assert "Berichten van de inwoner" in html
    assert "Ja graag 👍" in html and "yes_confirmation (nl)" in html
    assert "Nog een vraag" in html and SCRIPT not in html
    assert "in de inbox</a>" in html
