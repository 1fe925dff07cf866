"""Persist, then send: what a transport receives, not what the rows say. A message is committed
before its hand-over, the hand-over holds no transaction or lock, and a run that dies between
the hand-over and recording it never leads to a second hand-over: the message is looked up."""

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case, ContactAttempt
from outreach.messaging import sending
from outreach.messaging.models import Message
from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    PERMANENT,
    SENT,
    UNKNOWN,
    WAIT,
    Lookup,
    Outgoing,
    Result,
)
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = pytest.mark.usefixtures("campaign_dir")

# The lease of a claimed step, and a little more: the tick claims it again.
AFTER_LEASE = timedelta(minutes=11)


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


class Died(BaseException):
    """The worker process died: nothing after this point of the run happens."""


class Provider:
    """A transport that remembers every hand-over, and can die before or after taking one.
    `lookup` answers from what it took, or as `answer` says."""

    def __init__(self, die: str = "", answer: str = "") -> None:
        self.taken: list[int | None] = []  # message ids, once per hand-over
        self.die = die  # "before" or "after" the hand-over, once
        self.answer = answer
        self.looked_up: list[int | None] = []
        self.inside_transaction: list[bool] = []

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        self.inside_transaction.append(connection.in_atomic_block)
        if self.die == "before":
            self.die = ""
            raise Died
        self.taken += [item.message_id for item in batch]
        if self.die == "after":
            self.die = ""
            raise Died
        return [Result(SENT, transport_id=f"p-{item.message_id}") for item in batch]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        self.looked_up.append(item.message_id)
        if self.answer:
            return Lookup(self.answer, note="de aanbieder geeft geen antwoord")  # type: ignore[arg-type]
        if item.message_id in self.taken:
            return Lookup(HANDED_OVER, Result(SENT, transport_id=f"p-{item.message_id}"))
        return Lookup(ABSENT)


@pytest.fixture
def started(municipality, engine):
    """A case whose first letter is due on Friday 15 May 2026 at 09:00 (started earlier)."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, at("2026-05-15"))
    return case


def letter_step(case: Case) -> PlannedStep:
    return PlannedStep.objects.get(case=case, key="letter1")


def die_in(engine, now, provider) -> None:
    with pytest.raises(Died):
        engine(now, provider)


@pytest.mark.django_db
def test_a_run_that_dies_after_the_hand_over_never_hands_it_over_again(started, engine):
    provider = Provider(die="after")
    now = at("2026-05-15")
    die_in(engine, now, provider)
    (message,) = Message.objects.all()
    assert message.status == Message.Status.SENDING and provider.taken == [message.pk]
    assert letter_step(started).status == PlannedStep.Status.CLAIMED
    assert not ContactAttempt.objects.exists()

    engine(now + AFTER_LEASE, provider)  # claims the step again: looks the message up

    assert provider.taken == [message.pk]  # once
    assert provider.looked_up == [message.pk]
    message.refresh_from_db()
    assert (message.status, message.transport_id) == (Message.Status.SENT, f"p-{message.pk}")
    assert letter_step(started).status == PlannedStep.Status.DONE
    assert ContactAttempt.objects.filter(case=started).count() == 1


@pytest.mark.django_db
def test_a_run_that_dies_before_the_hand_over_hands_it_over_once_later(started, engine):
    provider = Provider(die="before")
    now = at("2026-05-15")
    die_in(engine, now, provider)
    (message,) = Message.objects.all()
    assert provider.taken == [] and message.status == Message.Status.SENDING

    engine(now + AFTER_LEASE, provider)

    assert provider.taken == [message.pk]  # the same row, handed over once
    assert Message.objects.get().status == Message.Status.SENT
    assert ContactAttempt.objects.filter(case=started).count() == 1


@pytest.mark.django_db
def test_a_message_still_inside_its_lease_is_left_to_the_run_handing_it_over(
    started, engine, settings
):
    settings.OUTREACH_SEND_LEASE_SECONDS = 3600  # longer than the step's lease
    provider = Provider(die="after")
    now = at("2026-05-15")
    die_in(engine, now, provider)

    engine(now + AFTER_LEASE, provider)  # the step's lease ran out, the message's did not

    assert provider.looked_up == [] and provider.taken == [Message.objects.get().pk]
    step = letter_step(started)
    assert step.status == PlannedStep.Status.PLANNED
    assert step.due_at == Message.objects.get().sending_until  # tried again when it runs out


@pytest.mark.django_db
def test_a_provider_that_cannot_tell_puts_the_message_on_the_list_to_check(started, engine):
    provider = Provider(die="after", answer=UNKNOWN)
    now = at("2026-05-15")
    die_in(engine, now, provider)

    engine(now + AFTER_LEASE, provider)

    message = Message.objects.get()
    assert message.status == Message.Status.CHECK and "geen antwoord" in message.note
    assert provider.taken == [message.pk]
    step = letter_step(started)
    assert step.status == PlannedStep.Status.DONE and "controleren" in step.note
    assert not ContactAttempt.objects.exists()  # not counted until someone knows


@pytest.mark.django_db
def test_a_provider_that_cannot_tell_yet_is_asked_again_later(started, engine):
    provider = Provider(die="after", answer=WAIT)
    now = at("2026-05-15")
    die_in(engine, now, provider)
    engine(now + AFTER_LEASE, provider)
    assert letter_step(started).status == PlannedStep.Status.PLANNED
    assert Message.objects.get().status == Message.Status.SENDING

    provider.answer = ""  # now it answers from what it took
    later = now + AFTER_LEASE + timedelta(minutes=6)
    engine(later, provider)

    assert provider.taken == [Message.objects.get().pk]
    assert Message.objects.get().status == Message.Status.SENT
    assert letter_step(started).status == PlannedStep.Status.DONE


@pytest.mark.django_db
def test_a_checked_message_is_confirmed_resent_or_cancelled_by_a_person(started, engine):
    now = at("2026-05-15")
    die_in(engine, now, Provider(die="after"))
    engine(now + AFTER_LEASE, Provider(answer=UNKNOWN))
    message = Message.objects.get()
    assert message.status == Message.Status.CHECK

    later = now + timedelta(hours=1)
    assert sending.confirm_checked(message.pk, later, "J. de Vries")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and "J. de Vries" in message.note
    assert ContactAttempt.objects.filter(case=started).count() == 1
    assert not sending.confirm_checked(message.pk, later, "J. de Vries")  # once

    Message.objects.filter(pk=message.pk).update(status=Message.Status.CHECK)
    provider = Provider()
    done = sending.resend_checked(message.pk, provider, later)
    assert done is not None and done.status == Message.Status.SENT
    assert provider.taken == [message.pk]

    Message.objects.filter(pk=message.pk).update(status=Message.Status.CHECK)
    cancelled = sending.cancel_checked(message.pk, later, "J. de Vries")
    assert cancelled is not None and cancelled.status == Message.Status.FAILED


@pytest.mark.django_db
def test_cancelling_a_checked_sms_takes_the_steps_failure_path(started, engine):
    now = at("2026-05-15")
    engine(now)  # the first letter
    sms_day = at("2026-05-18")
    die_in(engine, sms_day, Provider(die="after"))
    engine(sms_day + AFTER_LEASE, Provider(answer=UNKNOWN))
    sms = Message.objects.get(channel="sms")
    assert sms.status == Message.Status.CHECK

    sending.cancel_checked(sms.pk, sms_day + timedelta(hours=1), "J. de Vries")

    fallback = PlannedStep.objects.get(case=started, key="letter2")  # the SMS's on_failure
    assert fallback.status == PlannedStep.Status.PLANNED


@pytest.mark.django_db(transaction=True)
def test_the_hand_over_sees_the_message_committed_and_holds_no_transaction(started, engine):
    class Watching(Provider):
        def send(self, batch: Sequence[Outgoing]) -> list[Result]:
            # From another connection: the row is committed, and the step is not locked.
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        f"SELECT status FROM {Message._meta.db_table} WHERE id = %s",
                        [batch[0].message_id],
                    )
                    self.seen = cursor.fetchone()
            finally:
                other.close()
            return super().send(batch)

    provider = Watching()
    engine(at("2026-05-15"), provider)
    assert provider.seen == ("sending",)
    assert provider.inside_transaction == [False]
    assert Message.objects.get().status == Message.Status.SENT


@pytest.mark.postgres  # row locks (SQLite has one writer and no row locks)
@pytest.mark.django_db(transaction=True)
def test_the_hand_over_holds_no_lock_on_the_steps(started, engine):
    class Watching(Provider):
        def send(self, batch: Sequence[Outgoing]) -> list[Result]:
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("BEGIN")
                    cursor.execute(
                        f"SELECT id FROM {PlannedStep._meta.db_table} WHERE id = %s "
                        "FOR UPDATE NOWAIT",
                        [batch[0].step_id],
                    )
                    self.locked = cursor.fetchone()
                    cursor.execute("ROLLBACK")
            finally:
                other.close()
            return super().send(batch)

    provider = Watching()
    engine(at("2026-05-15"), provider)
    assert provider.locked is not None  # NOWAIT would have raised on a held lock


@pytest.mark.django_db
def test_an_answer_whose_hand_over_was_lost_is_settled_by_the_minute_task(started):
    provider = Provider()
    item = Outgoing(None, started.pk, "sms", "+31612345678", "Dank u wel.", "nl")
    now = at("2026-05-15")
    with transaction.atomic():
        (persisted,) = sending.persist([item], now, counts=False)
    provider.taken.append(persisted.message_id)  # it left, and the process died

    early = sending.reconcile_stepless(now + timedelta(minutes=1), provider)
    assert early == {}  # still inside its lease
    later = now + timedelta(seconds=301)
    assert sending.reconcile_stepless(later, provider) == {HANDED_OVER: 1}
    message = Message.objects.get()
    assert message.status == Message.Status.SENT and provider.taken == [message.pk]
    assert not ContactAttempt.objects.exists()  # an answer is no contact attempt


@pytest.mark.django_db
def test_the_reconcile_task_settles_answers_through_the_configured_transport(started, settings):
    from outreach.messaging.tasks import reconcile_now
    from outreach.messaging.transports.registry import reset_transports

    settings.OUTREACH_TRANSPORT = "rows"  # nothing leaves the machine: it certainly never left
    settings.OUTREACH_TRANSPORTS = {}
    reset_transports()
    item = Outgoing(None, started.pk, "sms", "+31612345678", "Dank u wel.", "nl")
    now = at("2026-05-15")
    with transaction.atomic():
        sending.persist([item], now, counts=False)

    try:
        assert reconcile_now((now + timedelta(minutes=6)).isoformat()) == {ABSENT: 1}
        assert Message.objects.get().status == Message.Status.SENT  # handed over now, once
    finally:
        reset_transports()


def checked_sms(started, engine) -> Message:
    """The case's SMS (its failure path: the second letter), lost and not confirmable."""
    engine(at("2026-05-15"))  # the first letter
    die_in(engine, at("2026-05-18"), Provider(die="after"))
    engine(at("2026-05-18") + AFTER_LEASE, Provider(answer=UNKNOWN))
    sms = Message.objects.get(channel="sms")
    assert sms.status == Message.Status.CHECK
    return sms


@pytest.mark.django_db
def test_a_resend_names_who_decided_it(started, engine):
    sms = checked_sms(started, engine)
    provider = Provider()
    done = sending.resend_checked(sms.pk, provider, at("2026-05-18", "11:00"), by="J. de Vries")
    assert done is not None and done.status == Message.Status.SENT
    sms.refresh_from_db()
    assert sms.note == "opnieuw verstuurd door J. de Vries" and provider.taken == [sms.pk]


@pytest.mark.django_db
def test_a_resend_the_provider_refuses_fails_and_takes_the_steps_failure_path(started, engine):
    class Refusing(Provider):
        def send(self, batch: Sequence[Outgoing]) -> list[Result]:
            return [Result(PERMANENT, error="not a mobile number", error_code="21614")]

    sms = checked_sms(started, engine)
    done = sending.resend_checked(sms.pk, Refusing(), at("2026-05-18", "11:00"), by="J. de Vries")
    assert done is not None and done.status == Message.Status.FAILED
    sms.refresh_from_db()
    assert (sms.status, sms.error_code) == (Message.Status.FAILED, "21614")
    fallback = PlannedStep.objects.get(case=started, key="letter2")  # the SMS's on_failure
    assert fallback.status == PlannedStep.Status.PLANNED
    assert ContactAttempt.objects.filter(case=started).count() == 1  # the first letter only


@pytest.mark.django_db
def test_a_resend_whose_transport_raises_goes_back_on_the_list(started, engine):
    class Raising(Provider):
        def send(self, batch: Sequence[Outgoing]) -> list[Result]:
            raise ConnectionError("reset")

    sms = checked_sms(started, engine)
    done = sending.resend_checked(sms.pk, Raising(), at("2026-05-18", "11:00"), by="J. de Vries")
    assert done is not None and not done.applied and done.status == Message.Status.CHECK
    sms.refresh_from_db()
    assert sms.status == Message.Status.CHECK and "fout" in sms.note
    assert sms.sending_until is None
    assert not PlannedStep.objects.filter(case=started, key="letter2").exists()
