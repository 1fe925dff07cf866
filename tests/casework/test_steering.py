"""A caseworker steers a case by hand: the plain functions, with the engine running beside them."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User

from outreach.cadence import steering as engine_steering
from outreach.cadence.models import PlannedStep
from outreach.cadence.outcomes import record_task_outcome
from outreach.cadence.periodic import run_housekeeping
from outreach.casework import steering
from outreach.casework.models import Case, CaseEvent, ContactAttempt, Task
from outreach.casework.steering import SteeringError
from outreach.core.ddas import EndResult, SignalStatus
from outreach.core.models import Municipality
from outreach.core.roles import COMMUNICATION
from outreach.intake import corrections
from outreach.intake.models import OptOut, Signal
from outreach.messaging.direct import send_direct
from outreach.messaging.models import Message
from outreach.reporting.feedback import record_feedback
from outreach.reporting.models import PartnerFeedback
from tests.cadence.conftest import ingest
from tests.casework.conftest import make_caseworker
from tests.conftest import AMSTERDAM, set_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaigns")]

TIERS = ["low", "medium", "high", "crisis"]


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def steps_of(case: Case) -> dict[str, PlannedStep]:
    return {s.key: s for s in PlannedStep.objects.filter(case=case)}


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).latest("at", "pk")


@pytest.fixture
def case(municipality, now):
    ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return Case.objects.get(household__postcode="3511AB")


@pytest.fixture
def running(case, engine, now):
    """The case with its campaign started: the first letter went out at `now`."""
    engine(now)
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE
    return case


# --- pause and resume ------------------------------------------------------------------------


def test_a_paused_case_is_skipped_by_the_engine_and_resumes_shifted_by_the_pause(
    running, engine, sanne, now
):
    planned = {k: s.due_at for k, s in steps_of(running).items() if s.status == "planned"}
    assert planned["sms1"] == at("2026-05-18")
    paused_at = at("2026-05-16", "10:00")
    steering.pause(running, paused_at, sanne)
    running.refresh_from_db()
    assert running.state == Case.State.PAUSED
    assert {s.status for k, s in steps_of(running).items() if k in planned} == {"paused"}
    event = last_event(running)
    assert (event.user, event.action, event.at) == (sanne, "gepauzeerd", paused_at)

    # The sms and the call fall due during the pause: nothing is done.
    engine(at("2026-05-22", "12:00"))
    assert Message.objects.filter(case=running).count() == 1  # only the first letter
    assert not Task.objects.filter(case=running).exists()

    resumed_at = at("2026-05-26", "10:00")
    steering.resume(running, resumed_at, sanne)
    running.refresh_from_db()
    assert running.state == Case.State.ACTIVE
    shift = resumed_at - paused_at
    after = steps_of(running)
    for key, due in planned.items():
        assert after[key].status == "planned"
        assert after[key].due_at == max(due + shift, resumed_at)
    assert last_event(running).action == "hervat"
    engine(after["sms1"].due_at)
    assert Message.objects.filter(case=running, channel="sms").count() == 1


def test_pausing_a_closed_case_is_refused_with_a_clear_message(running, sanne, now):
    engine_steering.record_opt_out(running, "telefoon", now, sanne)
    with pytest.raises(SteeringError, match="status 'afgesloten' kunt u niet pauzeren"):
        steering.pause(running, now, sanne)
    with pytest.raises(SteeringError, match="niet hervatten"):
        steering.resume(running, now, sanne)


def test_a_case_that_has_not_started_cannot_be_paused(case, sanne, now):
    with pytest.raises(SteeringError, match="status 'nieuw' kunt u niet pauzeren"):
        steering.pause(case, now, sanne)
    assert not CaseEvent.objects.filter(case=case).exists()


# --- stop ------------------------------------------------------------------------------------


def test_stopping_cancels_steps_and_tasks_but_the_case_still_ends_by_itself(running, engine, sanne):
    engine(at("2026-05-22"))  # the call task is made
    assert Task.objects.get(case=running).status == "open"
    stopped_at = at("2026-05-22", "11:00")
    cancelled = engine_steering.stop(running, stopped_at, sanne)
    steps = steps_of(running)
    assert cancelled == len([s for k, s in steps.items() if s.status == "cancelled"]) > 0
    assert {s.status for k, s in steps.items() if k != "close"} <= {"done", "cancelled"}
    assert steps["close"].status == "planned"
    assert Task.objects.get(case=running).status == "cancelled"
    assert "sluit vanzelf op 03-06-2026" in last_event(running).detail

    engine(steps["close"].due_at)
    running.refresh_from_db()
    assert running.state == Case.State.CLOSED
    assert running.result == EndResult.NO_CONTACT


def test_a_stopped_case_is_not_escalated_near_its_deadline(running, sanne):
    engine_steering.stop(running, at("2026-05-16"), sanne)
    near = at("2026-06-08")  # deadline 12 June: within the escalation horizon
    run_housekeeping(near.isoformat())
    assert not PlannedStep.objects.filter(case=running, key="escalation").exists()
    running.refresh_from_db()
    assert not running.at_risk


def test_stopping_a_paused_case_keeps_its_closing_check_running(running, sanne):
    steering.pause(running, at("2026-05-16"), sanne)
    engine_steering.stop(running, at("2026-05-18"), sanne)
    running.refresh_from_db()
    assert running.state == Case.State.ACTIVE
    steps = steps_of(running)
    assert steps["close"].status == "planned"
    assert not [k for k, s in steps.items() if s.status in ("planned", "paused") and k != "close"]


def test_a_new_case_cannot_be_stopped(case, sanne, now):
    with pytest.raises(SteeringError, match="niet stoppen"):
        engine_steering.stop(case, now, sanne)


# --- switching the campaign ------------------------------------------------------------------


def test_switching_plans_the_new_campaign_from_now(running, engine, sanne):
    switched_at = at("2026-05-19", "14:00")
    engine_steering.switch_campaign(running, "short", switched_at, sanne)
    running.refresh_from_db()
    assert running.campaign == "short"
    steps = steps_of(running)
    assert steps["letter1"].status == "done"  # what was done stays done
    assert steps["sms1"].status == "cancelled" and "short" in steps["sms1"].note
    assert steps["short.call"].due_at == switched_at and steps["short.call"].status == "planned"
    assert steps["close"].due_at == at("2026-05-21", "00:00")  # two days after the call
    event = last_event(running)
    assert event.user == sanne and "naar Kort (short)" in event.detail
    engine(switched_at)
    assert Task.objects.get(case=running, step_key="short.call").kind == "phone"


def test_a_weaker_campaign_is_taken_when_the_caseworker_chooses_it(running, sanne):
    # The test campaign has a call and a visit; "short" only a call: the upgrade rule would
    # keep the running plan, the caseworker's choice does not.
    engine_steering.switch_campaign(running, "short", at("2026-05-16"), sanne)
    assert steps_of(running)["short.call"].status == "planned"


def test_switching_back_and_forth_never_loses_a_step(running, sanne):
    engine_steering.switch_campaign(running, "short", at("2026-05-18"), sanne)
    engine_steering.switch_campaign(running, "standard", at("2026-05-19"), sanne)
    engine_steering.switch_campaign(running, "short", at("2026-05-20"), sanne)
    steps = steps_of(running)
    assert steps["short.call"].status == "cancelled"
    assert steps["short#2.call"].status == "planned"
    assert steps["short#2.call"].due_at == at("2026-05-20")
    assert steps["standard.letter1"].status == "cancelled"


def test_switching_refuses_an_unknown_or_the_same_campaign(running, sanne, now):
    with pytest.raises(SteeringError, match="geen campagne 'nope'"):
        engine_steering.switch_campaign(running, "nope", now, sanne)
    with pytest.raises(SteeringError, match="al campagne"):
        engine_steering.switch_campaign(running, running.campaign, now, sanne)


def test_switching_a_new_case_starts_it_with_that_campaign(case, engine, sanne, now):
    engine_steering.switch_campaign(case, "short", now, sanne)
    engine(now)
    assert set(steps_of(case)) == {"call", "close"}


# --- launching a waiting case ----------------------------------------------------------------


@pytest.fixture
def waiting(municipality, now):
    municipality.manual_launch_tiers = TIERS
    municipality.save()
    ingest([signal_row(signaaldatum="2026-05-14", postcode="3512CD")], municipality, now)
    case = Case.objects.get(household__postcode="3512CD")
    assert case.state == Case.State.WAITING and case.campaign
    return case


def test_a_waiting_case_starts_only_when_a_caseworker_launches_it(waiting, engine, sanne, now):
    engine(now)
    assert not PlannedStep.objects.filter(case=waiting).exists()
    proposed = waiting.campaign
    engine_steering.launch(waiting, "short", now, sanne)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.campaign) == (Case.State.NEW, "short")
    started = f"Gestart met campagne Kort (short) (voorgesteld: {proposed})."
    assert last_event(waiting).detail == started
    engine(now)
    waiting.refresh_from_db()
    assert waiting.state == Case.State.ACTIVE
    assert set(steps_of(waiting)) == {"call", "close"}


def test_a_new_signal_does_not_put_the_proposal_over_the_caseworkers_choice(
    waiting, municipality, engine, sanne, now
):
    engine_steering.launch(waiting, "short", now, sanne)
    # Before the tick starts it, another partner reports the same household.
    ingest(
        [signal_row(signaaldatum="2026-05-14", postcode="3512CD", signaalpartner="Water")],
        municipality,
        now,
    )
    waiting.refresh_from_db()
    assert (waiting.state, waiting.campaign) == (Case.State.NEW, "short")
    assert waiting.signals.count() == 2  # the signal joined the case and re-weighed it
    engine(now)
    assert set(steps_of(waiting)) == {"call", "close"}


def test_launch_refuses_an_unknown_campaign_and_a_case_that_runs(running, waiting, sanne, now):
    with pytest.raises(SteeringError, match="geen campagne 'bestaat-niet'"):
        engine_steering.launch(waiting, "bestaat-niet", now, sanne)
    waiting.refresh_from_db()
    assert waiting.state == Case.State.WAITING
    with pytest.raises(SteeringError, match="niet starten"):
        engine_steering.launch(running, "short", now, sanne)


def test_a_waiting_case_goes_on_the_at_risk_list_near_its_deadline(municipality, now):
    municipality.manual_launch_tiers = TIERS
    municipality.save()
    # The deadlines count from receipt: 18 May and 12 June.
    received = now.replace(month=4, day=20)
    ingest([signal_row(signaaldatum="2026-04-20", postcode="3511AB")], municipality, now, received)
    ingest([signal_row(signaaldatum="2026-05-14", postcode="3512CD")], municipality, now)
    near = Case.objects.get(household__postcode="3511AB")
    far = Case.objects.get(household__postcode="3512CD")
    assert {near.state, far.state} == {Case.State.WAITING}
    run_housekeeping(now.isoformat())
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.at_risk and "Wacht op start" in near.at_risk_reason
    assert not far.at_risk


# --- assigning -------------------------------------------------------------------------------


def test_the_assigned_caseworker_owns_the_tasks_and_her_name_and_number_are_in_the_letter(
    case, engine, sanne, now
):
    steering.assign(case, sanne, now, sanne)
    engine(now)
    letter = Message.objects.get(case=case, channel="letter")
    assert "Sanne Visser" in letter.body and "030 286 1234" in letter.body
    engine(at("2026-05-22"))
    assert Task.objects.get(case=case, step_key="call").assignee == sanne
    assert last_event(case).detail == "Toegewezen aan Sanne Visser."


def test_without_an_assignee_the_letter_names_the_municipalitys_contact(
    municipality, case, engine, now
):
    set_contact(
        municipality,
        {**municipality.contact, "worker_name": "Gerda Gemeente", "worker_phone": "030 000 1111"},
    )
    nameless = make_caseworker("zonder", municipality, name="Piet Nummerloos")
    steering.assign(case, nameless, now, nameless)  # no contact profile: not named in letters
    engine(now)
    letter = Message.objects.get(case=case, channel="letter")
    assert "Gerda Gemeente" in letter.body and "030 000 1111" in letter.body
    assert "Piet" not in letter.body


def test_assigning_moves_open_tasks_and_refuses_other_municipalities_and_roles(
    running, engine, sanne, now
):
    engine(at("2026-05-22"))
    steering.assign(running, sanne, now, sanne)
    assert Task.objects.get(case=running).assignee == sanne
    elsewhere = make_caseworker(
        "ander", Municipality.objects.create(code="0307", name="Amersfoort"), name="Ans Ander"
    )
    with pytest.raises(SteeringError, match="Ans Ander is geen consulent van Utrecht"):
        steering.assign(running, elsewhere, now, sanne)
    writer = User.objects.create_user("schrijver", first_name="Tess")
    writer.groups.add(Group.objects.get_or_create(name=COMMUNICATION)[0])
    with pytest.raises(SteeringError, match="geen consulent"):
        steering.assign(running, writer, now, sanne)
    running.refresh_from_db()
    assert running.assignee == sanne
    steering.assign(running, None, now, sanne)
    assert Task.objects.get(case=running).assignee is None


def test_a_recorded_call_names_who_made_it(running, engine, sanne):
    engine(at("2026-05-22"))
    task = Task.objects.get(case=running)
    record_task_outcome(task, Task.Outcome.NOT_REACHED, at("2026-05-22", "10:00"), sanne)
    attempt = ContactAttempt.objects.get(case=running, kind="Telefoon")
    assert attempt.made_by == sanne and not attempt.reached
    assert last_event(running).detail == "Bellen: niet bereikt."


# --- contact attempts by hand ----------------------------------------------------------------


def test_a_reached_attempt_by_hand_moves_the_case_to_the_offer(running, sanne, now):
    attempt = steering.register_attempt(
        running, kind="Telefoon", on=date(2026, 5, 15), dagdeel="Middag", reached=True,
        now=now, user=sanne,
    )  # fmt: skip
    assert (attempt.made_by, attempt.dagdeel, attempt.reached) == (sanne, "Middag", True)
    running.refresh_from_db()
    assert running.state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=running, status="planned").exists()
    assert last_event(running).detail == "Telefoon op 15-05-2026 (Middag): bereikt."


def test_an_attempt_that_did_not_reach_keeps_the_outreach_running(running, sanne, now):
    steering.register_attempt(
        running, kind="Huisbezoek", on=date(2026, 5, 15), dagdeel="Avond", reached=False,
        now=now, user=sanne,
    )  # fmt: skip
    running.refresh_from_db()
    assert running.state == Case.State.ACTIVE


def test_a_waiting_case_reached_by_phone_goes_to_the_offer(waiting, sanne, now):
    steering.register_attempt(
        waiting, kind="Telefoon", on=date(2026, 5, 15), dagdeel="Ochtend", reached=True,
        now=now, user=sanne,
    )  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.state == Case.State.HELP_OFFER


@pytest.mark.parametrize(
    ("kind", "on", "dagdeel", "message"),
    [
        ("Telefoon", date(2026, 5, 16), "Ochtend", "in de toekomst"),
        ("Duif", date(2026, 5, 15), "Ochtend", "geen DDAS-contactsoort"),
        ("Telefoon", date(2026, 5, 15), "Nacht", "geen dagdeel"),
        ("Telefoon", date(2026, 5, 1), "Ochtend", "vóór het ontstaan van de zaak"),
    ],
)
def test_a_bad_attempt_is_refused(running, sanne, now, kind, on, dagdeel, message):
    with pytest.raises(SteeringError, match=message):
        steering.register_attempt(
            running, kind=kind, on=on, dagdeel=dagdeel, reached=False, now=now, user=sanne
        )
    assert not ContactAttempt.objects.filter(case=running).exclude(kind="Brief").exists()


# --- language, opt-out, notes ----------------------------------------------------------------


def test_the_preferred_language_is_used_by_every_later_message(case, engine, sanne, now):
    corrections.set_language(case, "tr", now, sanne)
    assert set(case.signals.values_list("person__preferred_language", flat=True)) == {"tr"}
    engine(now)
    assert Message.objects.get(case=case, channel="letter").language == "tr"
    with pytest.raises(SteeringError, match="geen taal"):
        corrections.set_language(case, "de", now, sanne)


def test_an_opt_out_by_phone_lists_the_person_and_closes_the_case(running, sanne, now):
    engine_steering.record_opt_out(running, "aan de deur", now, sanne)
    running.refresh_from_db()
    assert running.state == Case.State.CLOSED
    assert running.result == EndResult.NO_HELP_WANTED
    person = running.signals.get().person
    assert OptOut.objects.get(person=person).source == "aan de deur"
    assert not PlannedStep.objects.filter(case=running, status="planned").exists()
    assert last_event(running).user == sanne
    with pytest.raises(SteeringError, match="hoe de afmelding"):
        engine_steering.record_opt_out(running, "duif", now, sanne)


def test_a_note_is_kept_in_the_history_and_an_empty_one_refused(case, sanne, now):
    steering.add_note(case, "  Belde  zelf, terugbellen na 14:00 ", now, sanne)
    event = last_event(case)
    assert (event.action, event.detail, event.user) == (
        "notitie",
        "Belde zelf, terugbellen na 14:00",
        sanne,
    )
    with pytest.raises(SteeringError, match="lege notitie"):
        steering.add_note(case, "   ", now, sanne)


# --- unjustified signals ---------------------------------------------------------------------


@pytest.fixture
def two_signals(municipality, now):
    (case,) = ingest(
        [
            signal_row(id="E-1", signaalpartner="Energie", signaaldatum="2026-05-14"),
            signal_row(id="H-1", signaalpartner="Huur", signaaldatum="2026-05-14"),
        ],
        municipality,
        now,
    )
    return case, Signal.objects.get(partner_ref="E-1"), Signal.objects.get(partner_ref="H-1")


def test_an_unjustified_signal_is_not_followed_up_and_its_partner_learns_only_that(
    two_signals, sanne, now
):
    case, energy, rent = two_signals
    corrections.mark_unjustified(case, energy.pk, "Rekening al betaald", now, sanne)
    energy.refresh_from_db()
    assert energy.status == SignalStatus.UNJUSTIFIED and energy.screening == "Rekening al betaald"
    case.refresh_from_db()
    assert case.state != Case.State.CLOSED  # the rent signal is still followed up
    with pytest.raises(SteeringError, match="al afgehandeld"):
        corrections.mark_unjustified(case, energy.pk, "nogmaals", now, sanne)
    engine_steering.record_opt_out(case, "telefoon", now, sanne)
    record_feedback(now)
    outcomes = dict(PartnerFeedback.objects.values_list("signal_id", "outcome"))
    assert outcomes[energy.pk] == PartnerFeedback.Outcome.NOT_PICKED_UP
    assert outcomes[rent.pk] == PartnerFeedback.Outcome.NOT_REACHED


def test_when_every_signal_is_unjustified_the_case_closes_as_unjustified(two_signals, sanne, now):
    case, energy, rent = two_signals
    corrections.mark_unjustified(case, energy.pk, "dubbel", now, sanne)
    corrections.mark_unjustified(case, rent.pk, "verkeerd adres", now + timedelta(minutes=1), sanne)
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.result == EndResult.UNJUSTIFIED


def test_a_signal_of_another_case_or_without_reason_is_refused(
    two_signals, municipality, sanne, now
):
    own, energy, _ = two_signals
    ingest([signal_row(id="W-1", postcode="3512CD")], municipality, now)
    other = Signal.objects.get(partner_ref="W-1")
    assert other.case_id != own.pk
    with pytest.raises(SteeringError, match="hoort niet bij deze zaak"):
        corrections.mark_unjustified(own, other.pk, "reden", now, sanne)
    with pytest.raises(SteeringError, match="Geef een reden"):
        corrections.mark_unjustified(own, energy.pk, "  ", now, sanne)


def test_a_direct_answer_names_the_assigned_caseworker(running, sanne, now):
    assigned = steering.assign(running, sanne, now, sanne)
    person = running.signals.get().person
    sent = send_direct(assigned, person, "+31612345678", "sms", "yes_confirmation", "nl", now)
    assert sent.status == Message.Status.SENT, sent.error_code
    assert "Sanne Visser" in sent.body and "030 286 1234" in sent.body
