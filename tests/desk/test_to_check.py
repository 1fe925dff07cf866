"""The list "Controleren voor opnieuw versturen": the messages in `check` of the user's
municipalities, and the three decisions a caseworker makes on them (POST, CSRF, scoped)."""

from collections.abc import Sequence
from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client

from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case, CaseEvent, ContactAttempt
from outreach.core.models import AuditEntry, Municipality, StaffProfile
from outreach.core.roles import ADMINISTRATOR, CASEWORKER, COMMUNICATION, SUPERVISOR
from outreach.desk.checks import masked
from outreach.messaging import sending
from outreach.messaging.models import Message
from outreach.messaging.transports.base import SENT, UNKNOWN, Lookup, Outgoing, Result
from outreach.messaging.transports.registry import reset_transports, transport_for
from tests.cadence.conftest import ingest
from tests.cadence.test_send_once import AFTER_LEASE, Died, Provider, at
from tests.conftest import signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

S = Message.Status
RECORDING = "tests.desk.test_to_check.Recording"
DECISIONS = ["sent", "resend", "cancel"]


def logged():
    """The lines about cases and their people: not the lists viewed or files read and made
    (tests/desk/test_audit_coverage.py)."""
    return AuditEntry.objects.exclude(kind__in=(AuditEntry.Kind.LIST, AuditEntry.Kind.FILE))


class Recording:
    """The configured transport in these tests: remembers every hand-over, takes them all."""

    def __init__(self) -> None:
        self.taken: list[int | None] = []

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        self.taken += [item.message_id for item in batch]
        return [Result(SENT, transport_id=f"r-{item.message_id}") for item in batch]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return Lookup(UNKNOWN)


@pytest.fixture
def recording(settings):
    settings.OUTREACH_TRANSPORT = RECORDING
    reset_transports()
    yield transport_for(RECORDING)
    reset_transports()


def staff(name: str, role: str, municipality: Municipality, full_name: str = "") -> Client:
    first, _, last = full_name.partition(" ")
    user = User.objects.create_user(name, first_name=first, last_name=last)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user).municipalities.add(municipality)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sanne(municipality) -> Client:
    return staff("sanne", CASEWORKER, municipality, "Sanne Visser")


@pytest.fixture
def case(municipality) -> Case:
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, at("2026-05-15"))
    return case


@pytest.fixture
def sms(case, engine) -> Message:
    """The campaign's SMS (its failure path: a letter) whose hand-over was lost on Monday 18
    May and which the provider cannot confirm; the first letter went out on the 15th."""
    engine(at("2026-05-15"))
    with pytest.raises(Died):
        engine(at("2026-05-18"), Provider(die="after"))
    engine(at("2026-05-18") + AFTER_LEASE, Provider(answer=UNKNOWN))
    message = Message.objects.get(case=case, channel="sms")
    assert message.status == S.CHECK
    return message


@pytest.fixture
def elsewhere(db) -> Message:
    """A message in `check` of a case in another municipality."""
    other = Municipality.objects.create(code="0307", name="Amersfoort")
    (case,) = ingest(
        [signal_row(postcode="3811AA", signaaldatum="2026-05-14")], other, at("2026-05-15")
    )
    item = Outgoing(None, case.pk, "sms", "+31687654321", "Dank u wel.", "nl")
    with transaction.atomic():
        (persisted,) = sending.persist([item], at("2026-05-15"), counts=False)
        sending.to_check([persisted.message_id or 0], at("2026-05-15"), "geen antwoord")
    return Message.objects.get(pk=persisted.message_id)


def decide(client: Client, message: Message, decision: str, **kwargs):
    return client.post(f"/to-check/{message.pk}/{decision}", **kwargs)


def test_the_list_shows_only_the_messages_to_check_of_the_users_municipalities(
    sanne, sms, elsewhere
):
    letter = Message.objects.get(case=sms.case, channel="letter")
    assert letter.status == S.SENT
    page = sanne.get("/to-check/").content.decode()
    assert f'id="message-{sms.pk}"' in page
    assert f'id="message-{letter.pk}"' not in page
    assert f'id="message-{elsewhere.pk}"' not in page
    assert f'href="/cases/{sms.case_id}/"' in page and sms.note in page
    assert "1 bericht wacht op een keuze" in page
    # The number shows by its last two digits only.
    assert f"nummer eindigt op {sms.to[-2:]}" in page and sms.to not in page
    # Each decision is a form of its own, named by its action and the case.
    for decision, word in [("sent", "Is verstuurd"), ("resend", "Opnieuw versturen"),
                           ("cancel", "Niet versturen")]:  # fmt: skip
        assert f'action="/to-check/{sms.pk}/{decision}"' in page
        assert f'{word}<span class="visually-hidden">: sms van zaak #{sms.case_id}' in page
    assert page.count("csrfmiddlewaretoken") >= 3


def test_the_menu_counts_the_messages_to_check_when_there_are_any(sanne, municipality, sms):
    assert "Controleren (1)" in sanne.get("/tasks/").content.decode()
    Message.objects.filter(pk=sms.pk).update(status=S.SENT)
    assert 'href="/to-check/"' not in sanne.get("/tasks/").content.decode()
    # Another municipality's do not count.
    elsewhere = Municipality.objects.create(code="0307", name="Amersfoort")
    other = staff("elders", CASEWORKER, elsewhere)
    Message.objects.filter(pk=sms.pk).update(status=S.CHECK)
    assert 'href="/to-check/"' not in other.get("/tasks/").content.decode()


def test_the_case_page_shows_its_message_to_check_with_a_link_to_the_list(sanne, sms):
    page = sanne.get(f"/cases/{sms.case_id}/").content.decode()
    assert 'id="to-check"' in page and sms.note in page
    assert f'href="/to-check/#message-{sms.pk}"' in page
    Message.objects.filter(pk=sms.pk).update(status=S.SENT)
    assert 'id="to-check"' not in sanne.get(f"/cases/{sms.case_id}/").content.decode()


def test_is_verstuurd_records_it_as_sent_and_counts_the_contact_attempt(sanne, sms):
    before = ContactAttempt.objects.filter(case=sms.case).count()
    response = decide(sanne, sms, "sent", follow=True)
    assert "vastgelegd dat het bericht is verstuurd" in response.content.decode()
    assert "Het telt als contactpoging" in response.content.decode()
    sms.refresh_from_db()
    assert sms.status == S.SENT and sms.note == "verstuurd volgens Sanne Visser"
    assert ContactAttempt.objects.filter(case=sms.case).count() == before + 1
    event = CaseEvent.objects.get(case=sms.case, action="bericht gecontroleerd")
    assert event.user.username == "sanne" and event.detail.endswith("is verstuurd.")


@pytest.mark.parametrize(
    ("decision", "detail"),
    [
        ("sent", "bericht is verstuurd"),
        ("resend", "bericht opnieuw verstuurd"),
        ("cancel", "bericht niet versturen"),
    ],
)
def test_each_decision_logs_a_change_of_the_case(sanne, sms, recording, decision, detail):
    decide(sanne, sms, decision)
    line = logged().get()
    assert (line.actor_name, line.action, line.kind, line.object_id, line.detail) == (
        "sanne", "changed", "case", sms.case_id, detail
    )  # fmt: skip
    decide(sanne, sms, decision)  # decided before: nothing changes, nothing more is logged
    assert logged().count() == 1


def test_opnieuw_versturen_hands_it_over_once_through_the_configured_transport(
    sanne, sms, recording
):
    before = ContactAttempt.objects.filter(case=sms.case).count()
    response = decide(sanne, sms, "resend", follow=True)
    assert "het bericht is opnieuw verstuurd" in response.content.decode()
    assert recording.taken == [sms.pk]
    sms.refresh_from_db()
    assert (sms.status, sms.transport_id) == (S.SENT, f"r-{sms.pk}")
    assert sms.note == "opnieuw verstuurd door Sanne Visser"
    assert ContactAttempt.objects.filter(case=sms.case).count() == before + 1
    assert CaseEvent.objects.filter(case=sms.case, detail__contains="opnieuw verstuurd").exists()

    again = decide(sanne, sms, "resend", follow=True)  # a second click, a second tab
    assert "over dit bericht is al besloten" in again.content.decode()
    assert recording.taken == [sms.pk]  # once


def test_niet_versturen_fails_it_and_the_campaign_takes_its_failure_path(sanne, sms, recording):
    before = ContactAttempt.objects.filter(case=sms.case).count()
    response = decide(sanne, sms, "cancel", follow=True)
    assert "het bericht wordt niet verstuurd" in response.content.decode()
    sms.refresh_from_db()
    assert sms.status == S.FAILED and "Sanne Visser" in sms.note
    fallback = PlannedStep.objects.get(case=sms.case, key="letter2")  # the SMS's on_failure
    assert fallback.status == PlannedStep.Status.PLANNED
    assert ContactAttempt.objects.filter(case=sms.case).count() == before
    assert recording.taken == []


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_message_someone_else_decided_on_says_so_and_changes_nothing(
    sanne, sms, recording, municipality, decision
):
    other = staff("jan", SUPERVISOR, municipality, "Jan Bakker")
    decide(other, sms, "sent")
    response = decide(sanne, sms, decision, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Zaak #{sms.case_id}: over dit bericht is al besloten." in page
    assert "Het staat nu op &#x27;verstuurd&#x27;." in page
    sms.refresh_from_db()
    assert sms.status == S.SENT and sms.note == "verstuurd volgens Jan Bakker"
    assert recording.taken == []


@pytest.mark.parametrize("decision", DECISIONS)
def test_another_municipalitys_message_is_not_found(sanne, elsewhere, recording, decision):
    assert decide(sanne, elsewhere, decision).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.CHECK and recording.taken == []


@pytest.mark.parametrize("decision", DECISIONS)
def test_decisions_are_post_only_with_a_csrf_token(sanne, sms, decision):
    assert sanne.get(f"/to-check/{sms.pk}/{decision}").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="sanne"))
    assert decide(strict, sms, decision).status_code == 403
    assert Message.objects.get(pk=sms.pk).status == S.CHECK


def test_communication_staff_never_see_the_list_and_administrators_only_look(municipality, sms):
    writer = staff("schrijver", COMMUNICATION, municipality)
    assert writer.get("/to-check/").status_code == 403
    assert 'href="/to-check/"' not in writer.get("/texts/").content.decode()
    assert Client().get("/to-check/").status_code == 302  # to the login
    admin = staff("beheer", ADMINISTRATOR, municipality)
    page = admin.get("/to-check/").content.decode()
    assert f'id="message-{sms.pk}"' in page and "/to-check/" + str(sms.pk) not in page
    for decision in DECISIONS:
        assert decide(writer, sms, decision).status_code == 403
        assert decide(admin, sms, decision).status_code == 403
    assert Message.objects.get(pk=sms.pk).status == S.CHECK


@pytest.mark.parametrize(
    ("channel", "to", "shown"),
    [
        ("sms", "+31612345678", "nummer eindigt op 78"),
        ("whatsapp", "whatsapp:+31612345678", "nummer eindigt op 78"),
        ("email", "j.jansen@example.nl", "j…@example.nl"),
        ("letter", "J. Jansen\nDorpsstraat 1\n3511 AA  Utrecht", "3511 AA Utrecht"),
        ("sms", "", ""),  # anonymised
    ],
)
def test_the_recipient_shows_no_more_than_a_check_needs(channel, to, shown):
    assert masked(channel, to) == shown
