"""What a reply does to the case, in each language: help offer and confirmation, a call
task for today, opt-out, information, the inbox; the reply's language becomes the person's."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from outreach.cadence.models import PlannedStep
from outreach.cadence.recipients import load_recipients
from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
from outreach.core.calendar import add_working_days, is_working_day
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.intake.models import OptOut, Person
from outreach.messaging.inbound.grammar import understand
from outreach.messaging.inbound.handling import CALL_PRIORITY, Inbound, receive
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.sending import reconcile_stepless
from outreach.messaging.texts import wording
from outreach.messaging.texts.catalogue import LANGUAGES
from outreach.messaging.transports.base import PERMANENT, TRANSIENT, Result
from tests.cadence.conftest import ingest
from tests.conftest import signal_row
from tests.messaging.inbound_support import (
    PHONE,
    RecordingTransport,
    case,
    inbound_settings,
    new_sid,
    person_of,
    reply,
)

pytestmark = pytest.mark.django_db

TEMPLATE = {"yes": "yes_confirmation", "call": "yes_confirmation", "stop": "optout_confirmation"}
TEMPLATE["help"] = "info"


def refreshed(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def last_reply() -> InboundMessage:
    return InboundMessage.objects.select_related("reply").order_by("-pk").first()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("intent", ["yes", "call", "stop", "help"])
def test_each_keyword_in_each_language(reply, case, lang, intent):
    person = person_of(case)
    keyword = wording.keywords(lang)[intent]
    if not understand(keyword).language:
        # STOP is the same in every language and HELP is also Dutch: the person's own
        # language answers.
        person.preferred_language = lang
        person.save()
    reply(keyword)
    stored = last_reply()
    assert stored.intent == intent
    assert stored.language == lang
    person.refresh_from_db()
    assert person.preferred_language == lang
    (sent,) = RecordingTransport.sent
    message = Message.objects.get(case=case)
    assert message == stored.reply
    assert (message.template, message.language, message.step_id, message.status) == (
        TEMPLATE[intent],
        lang,
        None,
        "sent",
    )
    assert message.template_version == 1 and message.to == PHONE and message.channel == "sms"
    assert (sent.template, sent.language, sent.body, sent.step_id) == (
        message.template,
        lang,
        message.body,
        None,
    )
    assert message.body and "{{" not in message.body
    if intent in ("yes", "call", "help"):
        assert "Fatima el Amrani" in message.body and "030 286 0000" in message.body
    expected_state = {
        "yes": Case.State.HELP_OFFER,
        "call": Case.State.HELP_OFFER,
        "stop": Case.State.CLOSED,
        "help": Case.State.NEW,
    }[intent]
    assert refreshed(case).state == expected_state
    assert stored.handled


def test_the_reply_language_becomes_the_preferred_language(reply, case):
    person = person_of(case)
    assert person.preferred_language == ""
    reply("EVET")
    person.refresh_from_db()
    assert person.preferred_language == "tr"
    assert "Voorkeurstaal nu tr" in last_reply().action
    # A shared keyword keeps it: "info" is Dutch, English, Turkish ...
    reply("info")
    person.refresh_from_db()
    assert person.preferred_language == "tr"
    assert last_reply().reply.language == "tr"
    # Free text tells nothing: the language stays.
    reply("Ik heb een vraag over de brief")
    person.refresh_from_db()
    assert person.preferred_language == "tr"


def test_later_campaign_messages_use_the_new_language(reply, case):
    reply("نعم")
    assert load_recipients([case.pk])[case.pk].language == "ar"


def test_help_from_someone_without_a_language_stays_dutch(reply, case):
    reply("HELP")
    assert (last_reply().language, last_reply().reply.language) == ("", "nl")
    assert person_of(case).preferred_language == ""


def test_yes_stops_the_outreach_and_registers_contact(reply, case, engine, now, campaign_dir):
    engine(now)  # the campaign starts: the first letter goes, the rest is planned
    assert refreshed(case).state == Case.State.ACTIVE
    assert PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    reply("Ja graag!")
    case = refreshed(case)
    assert case.state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    reached = ContactAttempt.objects.get(case=case, reached=True)
    assert reached.kind == "SMS/Whatsapp"
    reply("ja")  # a second reply: no second attempt, and the case stays where it is
    assert ContactAttempt.objects.filter(case=case, reached=True).count() == 1
    assert refreshed(case).state == Case.State.HELP_OFFER
    assert Message.objects.filter(case=case, template="yes_confirmation").count() == 2


def test_yes_gets_the_call_its_confirmation_promises_and_registers_the_offer(reply, case, now):
    reply("JA")
    (task,) = Task.objects.filter(case=case, status="open")
    assert task.kind == "phone" and task.priority >= CALL_PRIORITY
    assert task.planned_for is not None
    offer = HelpOffer.objects.get(case=case)
    assert (offer.kind, offer.answer) == ("SMS/Whatsapp", "accepted")
    assert "belt u" in last_reply().reply.body  # the call the task plans
    reply("ja")  # one call task, one offer
    assert Task.objects.filter(case=case).count() == 1
    assert HelpOffer.objects.filter(case=case).count() == 1


def call_reply(case, now, body="BEL MIJ") -> InboundMessage:
    return receive(Inbound(new_sid(), "sms", PHONE, "+3197010000001", body), now).message


def test_call_me_plans_a_call_for_today_before_every_other_task(case, now, engine, campaign_dir):
    engine(now)
    campaign_task = Task.objects.create(
        municipality=case.municipality,
        case=ingest([signal_row(huisnummer="99", telefoonnummer="")], case.municipality, now)[-1],
        step_key="call",
        kind=Task.Kind.PHONE,
        priority=5000,
        deadline=now.date() + timedelta(days=3),
        due_on=now.date(),
        created_at=now,
    )
    stored = call_reply(case, now)
    task = Task.objects.get(case=case, status=Task.Status.OPEN)
    today = timezone.localdate(now)  # Friday 15 May 2026: a working day
    assert (task.kind, task.planned_for, task.due_on, task.deadline) == (
        "phone",
        today,
        today,
        today,
    )
    assert task.priority == case.score + CALL_PRIORITY > campaign_task.priority
    assert task.crisis == case.crisis
    assert refreshed(case).state == Case.State.HELP_OFFER
    assert stored.reply.template == "yes_confirmation"
    assert f"belafspraak op {today}" in stored.action
    # The capacity planning keeps it first: one call a day, and it is the one.
    from outreach.casework.capacity import plan_tasks

    municipality = case.municipality
    municipality.capacity = {"phone": 1}
    municipality.save()
    plan_tasks(municipality, "phone", today, 5)
    task.refresh_from_db()
    campaign_task.refresh_from_db()
    assert task.planned_for == today and campaign_task.planned_for > today
    # Asking again finds the call already planned.
    call_reply(case, now + timedelta(minutes=5), "bel me")
    assert Task.objects.filter(case=case, status=Task.Status.OPEN).count() == 1


def test_a_call_asked_for_at_the_weekend_is_planned_on_the_next_working_day(case, now):
    saturday = now + timedelta(days=1)
    assert not is_working_day(saturday.date())
    call_reply(case, saturday)
    task = Task.objects.get(case=case)
    assert task.planned_for == add_working_days(saturday.date(), 1)  # Monday


def test_a_crisis_case_gets_a_crisis_call(case, now):
    Case.objects.filter(pk=case.pk).update(crisis=True)
    call_reply(case, now)
    assert Task.objects.get(case=case).crisis


def test_stop_closes_the_case_stops_everything_and_opts_out(reply, case, engine, now, campaign_dir):
    engine(now)
    assert PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    reply("STOP")
    case = refreshed(case)
    assert case.state == Case.State.CLOSED
    assert case.result == EndResult.NO_HELP_WANTED
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    assert not Task.objects.filter(case=case, status=Task.Status.OPEN).exists()
    opt_out = OptOut.objects.get(person=person_of(case))
    assert (opt_out.municipality_id, opt_out.source) == (case.municipality_id, "sms STOP")
    stored = last_reply()
    assert stored.handled and stored.reply.template == "optout_confirmation"
    # The engine sends nothing more.
    engine(now + timedelta(days=30))
    assert (
        not Message.objects.filter(case=case)
        .exclude(step_id=None)
        .filter(created_at__gt=now)
        .exists()
    )


def test_stop_closes_every_open_case_of_the_number(reply, case, now):
    other_place = Municipality.objects.create(code="0307", name="Amersfoort")
    (second,) = ingest([signal_row(postcode="3811AA", huisnummer="9")], other_place, now)
    reply("stop", to="+3197000000099")  # a number no municipality uses
    assert refreshed(case).state == refreshed(second).state == Case.State.CLOSED
    assert OptOut.objects.count() == 2


def test_our_reply_number_picks_the_municipality(reply, case, now):
    other_place = Municipality.objects.create(
        code="0307", name="Amersfoort", contact={"reply_number": "+3197010000002"}
    )
    (second,) = ingest([signal_row(postcode="3811AA", huisnummer="9")], other_place, now)
    reply("STOP", to="+3197010000002")
    assert refreshed(second).state == Case.State.CLOSED
    assert refreshed(case).state == Case.State.NEW
    assert last_reply().municipality == other_place
    assert not OptOut.objects.filter(municipality=case.municipality).exists()


def test_help_sends_the_information_and_leaves_the_case(reply, case, engine, now, campaign_dir):
    engine(now)
    reply("HULP")
    case = refreshed(case)
    assert case.state == Case.State.ACTIVE
    assert PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    assert last_reply().reply.template == "info"
    # Having replied, the person was reached.
    assert ContactAttempt.objects.filter(case=case, reached=True).count() == 1


def test_free_text_goes_to_the_inbox_and_stops_the_outreach(reply, case, engine, now, campaign_dir):
    engine(now)
    reply("Ik heb al een betalingsregeling met Eneco, klopt dit wel?")
    stored = last_reply()
    assert (stored.intent, stored.handled, stored.case_id) == ("other", False, case.pk)
    assert stored.reply is None
    assert not [item for item in RecordingTransport.sent if item.step_id is None]
    assert refreshed(case).state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    assert "naar de inbox" in stored.action


def test_a_closed_case_is_not_reopened_by_a_reply(reply, case, now):
    Case.objects.filter(pk=case.pk).update(
        state=Case.State.CLOSED, result=EndResult.NO_CONTACT, closed_at=now
    )
    reply("JA")
    stored = last_reply()
    assert (stored.case_id, stored.handled, stored.reply) == (case.pk, False, None)
    assert refreshed(case).state == Case.State.CLOSED
    assert "Geen open zaak" in stored.action
    reply("HULP")
    assert last_reply().reply.template == "info"
    reply("STOP")
    assert last_reply().reply.template == "optout_confirmation"
    assert OptOut.objects.filter(person=person_of(case)).exists()


def test_the_most_recent_open_case_is_the_one(reply, case, now):
    later = now + timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(state=Case.State.ACTIVE)
    person = person_of(case)
    (newer,) = [
        c
        for c in ingest(
            [signal_row(postcode="3522CD", huisnummer="7", achternaam="Bakker")],
            case.municipality,
            later,
        )
        if c.pk != case.pk
    ]
    assert Person.objects.filter(phone_numbers__e164=PHONE).count() == 2
    reply("JA")
    assert last_reply().case_id == newer.pk
    assert refreshed(newer).state == Case.State.HELP_OFFER
    assert refreshed(case).state == Case.State.ACTIVE
    assert person.pk != last_reply().person_id


def test_a_failed_confirmation_is_recorded_never_raised(reply, case):
    RecordingTransport.outcome = Result(PERMANENT, error="invalid number", error_code="21211")
    reply("JA")
    stored = last_reply()
    assert refreshed(case).state == Case.State.HELP_OFFER  # the yes counts all the same
    assert (stored.reply.status, stored.reply.error_code) == ("failed", "21211")
    assert "mislukt" in stored.action
    RecordingTransport.outcome = Result(TRANSIENT, error="quiet", error_code="quiet_hours")
    reply("HULP")
    assert (last_reply().reply.status, last_reply().reply.error_code) == ("failed", "quiet_hours")


def test_a_transport_that_raises_does_not_fail_the_webhook_nor_resend_blindly(
    reply, case, monkeypatch
):
    def explode(self, batch):
        raise RuntimeError("boom")  # perhaps after the provider took it

    monkeypatch.setattr(RecordingTransport, "send", explode)
    reply("JA")
    answer = last_reply().reply
    assert answer.status == "sending"  # committed before the hand-over; its fate unknown
    assert refreshed(case).state == Case.State.HELP_OFFER

    # Once its lease runs out it is looked up; this transport cannot tell, so a person checks.
    later = timezone.now() + timedelta(seconds=settings.OUTREACH_SEND_LEASE_SECONDS + 1)
    assert reconcile_stepless(later, RecordingTransport()) == {"unknown": 1}
    answer.refresh_from_db()
    assert (answer.status, answer.sending_until) == ("check", None)
    assert "nazoeken" in answer.note


def test_a_text_that_cannot_be_made_is_a_failed_message(reply, case):
    TemplateVersion.objects.filter(name="optout_confirmation").delete()
    reply("STOP")
    stored = last_reply()
    assert refreshed(case).state == Case.State.CLOSED  # the opt-out holds
    assert (stored.reply.status, stored.reply.error_code, stored.reply.body) == (
        "failed",
        "compose",
        "",
    )
    assert not RecordingTransport.sent


def test_a_confirmation_without_the_contact_person_is_a_failed_message_not_a_blank(reply, case):
    case.municipality.contact_people.all().delete()  # nobody to name
    reply("JA")
    stored = last_reply()
    assert refreshed(case).state == Case.State.HELP_OFFER  # the yes counts all the same
    assert (stored.reply.status, stored.reply.error_code, stored.reply.body) == (
        "failed",
        "compose",
        "",
    )
    assert stored.reply.template == "yes_confirmation"
    assert not RecordingTransport.sent
    # A text that names no contact person still goes out.
    reply("STOP")
    assert (last_reply().reply.status, last_reply().reply.template) == (
        "sent",
        "optout_confirmation",
    )


def test_the_default_transport_records_the_confirmation(reply, case, settings, tmp_path):
    from outreach.messaging.transports.registry import reset_transports

    settings.OUTREACH_TRANSPORT = "rows"
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "outbox.jsonl"
    reset_transports()
    reply("JA")
    message = Message.objects.get(case=case)
    assert (message.status, message.template, message.step_id) == ("sent", "yes_confirmation", None)
