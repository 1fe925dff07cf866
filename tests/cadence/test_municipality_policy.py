"""Two municipalities in one installation, each with its own quiet hours and outreach window:
the engine keeps each case to its own municipality's."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from outreach.cadence import library
from outreach.cadence.claims import claim_due_steps
from outreach.cadence.execution import execute_steps
from outreach.cadence.expiry import expire
from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case, Task
from outreach.core.models import Municipality
from outreach.messaging.models import Message
from outreach.messaging.transports.base import ABSENT, SENT, Lookup, Outgoing, Result
from tests.cadence.conftest import FRAMEWORK_NAMES, TEST_CAMPAIGN, ingest
from tests.conftest import AMSTERDAM, municipality_with_contact, signal_row

pytestmark = pytest.mark.django_db

LEASE = timedelta(minutes=10)
# The test campaign with an SMS that may go until 21:00.
EVENING_SMS = 'id = "sms1"\nchannel = "sms"\nafter_days = 3\n'
EVENING_CAMPAIGN = TEST_CAMPAIGN.replace(
    EVENING_SMS, EVENING_SMS + 'window = { hours = "09:00-21:00" }\n'
)


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


@pytest.fixture
def evening_campaigns(campaign_dir: Path) -> Path:
    assert EVENING_CAMPAIGN != TEST_CAMPAIGN
    for name in FRAMEWORK_NAMES:
        (campaign_dir / f"{name}.toml").write_text(EVENING_CAMPAIGN)
    library.reload()
    return campaign_dir


@pytest.fixture
def other(db) -> Municipality:
    return municipality_with_contact("0307", "Amersfoort")


def one_case(place: Municipality, now: datetime, postcode: str) -> Case:
    (case,) = ingest([signal_row(signaaldatum="2026-05-14", postcode=postcode)], place, now)
    return case


def sms_step(case: Case) -> PlannedStep:
    return PlannedStep.objects.get(case=case, key="sms1")


class Recording:
    """Sends everything and keeps what it was handed."""

    def __init__(self) -> None:
        self.items: list[Outgoing] = []

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        self.items += batch
        return [Result(SENT, transport_id=f"r-{item.step_id}") for item in batch]


# --- quiet hours ---------------------------------------------------------------------------


@pytest.mark.usefixtures("evening_campaigns")
def test_an_sms_waits_for_the_end_of_its_municipality_s_quiet_hours(
    municipality, other, engine, now, settings
):
    settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    other.quiet_hours = "20:00-08:00"
    other.save()
    default_case, early_case = one_case(municipality, now, "3511AB"), one_case(other, now, "3811AB")
    engine(now)  # starts both campaigns and sends the first letters
    evening = at("2026-05-18", "20:30")  # Monday: both SMS steps are due, the window is open
    ids = claim_due_steps(evening, LEASE, 100)
    assert set(ids) == {sms_step(default_case).pk, sms_step(early_case).pk}
    transport = Recording()
    assert execute_steps(ids, evening, transport) == {"done": 1, "planned": 1}
    held = sms_step(early_case)
    assert (held.status, held.retries) == ("planned", 0)
    assert held.due_at == at("2026-05-19")  # quiet until 08:00, the window opens at 09:00
    assert held.note == "stille uren (20:00-08:00)"
    assert not Message.objects.filter(case=early_case, channel="sms").exists()
    assert sms_step(default_case).status == "done"
    (item,) = transport.items
    assert (item.case_id, item.quiet_hours) == (default_case.pk, "21:00-08:00")
    # The next morning it goes, carrying its municipality's quiet hours to the transport.
    morning = at("2026-05-19")
    execute_steps(claim_due_steps(morning, LEASE, 100), morning, transport)
    assert sms_step(early_case).status == "done"
    assert [(i.case_id, i.quiet_hours) for i in transport.items[1:] if i.channel == "sms"] == [
        (early_case.pk, "20:00-08:00")
    ]


@pytest.mark.usefixtures("evening_campaigns")
def test_a_step_held_back_by_the_transport_waits_for_its_own_quiet_hours(
    municipality, other, engine, now, settings
):
    """The transport checks again just before it sends: a hold-back postpones the step to the
    end of the quiet hours the message carried, not a minute at a time through the night."""
    from outreach.messaging.transports.ratelimit import QUIET_HOURS

    other.quiet_hours = "20:31-07:00"
    other.save()
    case = one_case(other, now, "3811AB")
    engine(now)
    evening = at("2026-05-18", "20:30")

    class HoldsBack:
        def send(self, batch: Sequence[Outgoing]) -> list[Result]:
            return [Result("transient", error="stille uren", error_code=QUIET_HOURS)] * len(batch)

    execute_steps(claim_due_steps(evening, LEASE, 100), evening, HoldsBack())
    step = sms_step(case)
    assert (step.status, step.retries, step.due_at) == ("planned", 0, at("2026-05-19"))
    assert not Message.objects.filter(case=case, channel="sms").exists()


class Raises:
    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        raise ConnectionError("down")


class NeverHadIt(Recording):
    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return Lookup(ABSENT)


@pytest.mark.usefixtures("evening_campaigns")
def test_a_hand_over_settled_after_a_crash_keeps_its_municipality_s_quiet_hours(
    municipality, other, engine, now
):
    other.quiet_hours = "20:45-08:00"
    other.save()
    early_case = one_case(other, now, "3811AB")
    default_case = one_case(municipality, now, "3511AB")
    engine(now)
    evening = at("2026-05-18", "20:30")
    execute_steps(claim_due_steps(evening, LEASE, 100), evening, Raises())
    assert set(Message.objects.filter(channel="sms").values_list("status", flat=True)) == {
        "sending"
    }
    later = evening + LEASE + timedelta(minutes=1)
    transport = NeverHadIt()
    execute_steps(claim_due_steps(later, LEASE, 100), later, transport)
    assert sorted((i.case_id, i.quiet_hours) for i in transport.items) == sorted(
        [(early_case.pk, "20:45-08:00"), (default_case.pk, None)]
    )


# --- the outreach window -------------------------------------------------------------------


def run_until_tasks(cases: Sequence[Case], engine, start: datetime) -> datetime:
    day = start
    while Task.objects.filter(case__in=cases).count() < 2 * len(cases):
        engine(day)
        day += timedelta(days=1)
        assert day < start + timedelta(days=30)
    return day


@pytest.mark.usefixtures("campaign_dir")
def test_a_call_expires_at_the_end_of_its_municipality_s_window(
    municipality, other, engine, now, settings
):
    settings.OUTREACH_WINDOW_DAYS = 7
    other.window_days = 2
    other.save()
    default_case, short_case = one_case(municipality, now, "3511AB"), one_case(other, now, "3811AB")
    engine(now)
    default_case.refresh_from_db()
    short_case.refresh_from_db()
    assert default_case.deadline == short_case.deadline
    assert default_case.window_ends is not None and short_case.window_ends is not None
    assert default_case.window_ends - short_case.window_ends == timedelta(days=5)
    run_until_tasks([default_case, short_case], engine, now)

    def expire_on(day: date) -> None:
        expire(timezone.make_aware(datetime.combine(day, time(10))))

    def statuses(case: Case) -> set[str]:
        return set(Task.objects.filter(case=case).values_list("status", flat=True))

    expire_on(short_case.window_ends)  # its last day: still open
    assert statuses(short_case) == statuses(default_case) == {"open"}
    expire_on(short_case.window_ends + timedelta(days=1))
    assert statuses(short_case) == {"expired"}
    assert statuses(default_case) == {"open"}
    expire_on(default_case.window_ends + timedelta(days=1))
    assert statuses(default_case) == {"expired"}


@pytest.mark.usefixtures("campaign_dir")
def test_without_a_window_end_the_deadline_and_the_municipality_s_days_decide(
    municipality, other, engine, now, settings
):
    settings.OUTREACH_WINDOW_DAYS = 7
    other.window_days = 2
    other.save()
    default_case, short_case = one_case(municipality, now, "3511AB"), one_case(other, now, "3811AB")
    engine(now)
    run_until_tasks([default_case, short_case], engine, now)
    Case.objects.update(window_ends=None)  # a case started before windows were recorded
    deadline = Case.objects.get(pk=short_case.pk).deadline
    expire(timezone.make_aware(datetime.combine(deadline + timedelta(days=3), time(10))))
    open_left = Task.objects.filter(status="open").values_list("case_id", flat=True)
    assert set(open_left) == {default_case.pk}
