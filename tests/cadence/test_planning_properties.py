"""Properties of the plan of any valid campaign, started at any moment: every step is due inside
its window (never at night, on a day its window leaves out or on a public holiday), no later
than its window makes it wait, and the steps lie in the campaign's order, each announcement
on a day before the visit it announces and the closing check not before the last of them.

Campaigns are drawn as TOML files and read by the same loader as `campaigns/*.toml`, beside
the shipped ones; start moments are drawn across years, most of them near the Awt's public
holidays, the changes to and from summer time, weekends and late evenings. The planner takes
no calendar of its own: the holidays are the law's (`outreach.core.calendar`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from outreach.cadence.campaigns import (
    MESSAGE_CHANNELS,
    MESSAGE_EARLIEST,
    MESSAGE_LATEST,
    WEEKDAYS,
    Campaign,
    Step,
    load_campaign,
    load_campaigns,
)
from outreach.cadence.planning import CLOSE, Planned, plan_campaign
from outreach.cadence.windows import DEFAULT_WINDOWS
from outreach.core.calendar import is_holiday, is_working_day
from tests.conftest import AMSTERDAM

SHIPPED = load_campaigns(Path(__file__).resolve().parents[2] / "campaigns")

YEARS = range(2024, 2036)


def _days(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


HOLIDAYS = [day for year in YEARS for day in _days(year) if is_holiday(day)]


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# Summer time starts on the last Sunday of March and ends on the last Sunday of October.
DST_CHANGES = [_last_sunday(year, month) for year in YEARS for month in (3, 10)]


# --- campaigns ---------------------------------------------------------------------------------

# Channels a drawn step may use; a visit is drawn with its announcement, a card only as a visit's
# fallback (the loader refuses anything else).
PLAIN_CHANNELS = ("letter", "sms", "whatsapp", "email", "phone_task")
MESSAGES = sorted(MESSAGE_CHANNELS)


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02}:{minutes % 60:02}"


@st.composite
def windows(draw: st.DrawFn) -> dict[str, object] | None:
    """No window, or one with some days and/or hours between 08:00 and 21:00."""
    if draw(st.booleans()):
        return None
    window: dict[str, object] = {}
    if draw(st.booleans()):
        days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
        window["days"] = [d for d in WEEKDAYS if d in days]
    if draw(st.booleans()):
        start = draw(st.integers(MESSAGE_EARLIEST, MESSAGE_LATEST - 1))
        end = draw(st.integers(start + 1, MESSAGE_LATEST))
        window["hours"] = f"{_clock(start)}-{_clock(end)}"
    return window


def step_table(keys: dict[str, object]) -> str:
    window = keys.pop("window", None)
    lines = ["[[step]]"] + [f"{key} = {_toml(value)}" for key, value in keys.items()]
    if isinstance(window, dict):
        lines.append("[step.window]")
        lines += [f"{key} = {_toml(value)}" for key, value in window.items()]
    return "\n".join(lines) + "\n"


@st.composite
def campaign_files(draw: st.DrawFn) -> str:
    """The text of a valid campaign file: planned steps of every kind, announced visits with
    their cards, fallbacks, windows, either day unit."""
    tables: list[dict[str, object]] = []
    count = draw(st.integers(1, 6))
    for n in range(count):
        step: dict[str, object] = {"id": f"s{n}"}
        visit = draw(st.booleans()) and draw(st.booleans())
        step["channel"] = "visit_task" if visit else draw(st.sampled_from(PLAIN_CHANNELS))
        before = draw(st.integers(1, 5)) if visit else 0
        # A visit's day is at least its announcement's days_before (the loader refuses an
        # announcement before the start).
        step["after_days"] = draw(st.integers(before, before + 10))
        if draw(st.booleans()):
            step["after"] = draw(st.sampled_from(["start", "previous"]))
        step["window"] = draw(windows())
        fallback: dict[str, object] | None = None
        if visit and draw(st.booleans()):
            fallback = {"id": f"s{n}_card", "channel": "not_home_card"}
        elif step["channel"] in MESSAGE_CHANNELS and draw(st.booleans()):
            fallback = {"id": f"s{n}_fallback", "channel": "letter", "window": draw(windows())}
        if fallback is not None:
            step["on_failure"] = fallback["id"]
        if visit:
            announcement = {
                "id": f"s{n}_announce",
                "channel": draw(st.sampled_from(MESSAGES)),
                "announces": f"s{n}",
                "days_before": before,
                "window": draw(windows()),
            }
            tables.append(announcement)
        tables.append(step)
        if fallback is not None:
            tables.append(fallback)
    top = ['label = "Getrokken"']
    if draw(st.booleans()):
        top.append(f'days = "{draw(st.sampled_from(["calendar", "working"]))}"')
    if draw(st.booleans()):
        top.append(f"close_after_days = {draw(st.integers(0, 14))}")
    return "\n".join(top) + "\n\n" + "\n".join(step_table(t) for t in tables)


_FOLDER = tempfile.TemporaryDirectory(prefix="drawn-campaigns-")  # removed at exit


def read(text: str) -> Campaign:
    """The campaign of this file text, read as `campaigns/drawn.toml` would be."""
    path = Path(_FOLDER.name) / "drawn.toml"
    path.write_text(text, encoding="utf-8")
    campaign, problems = load_campaign(path)
    assert problems == [], [str(p) for p in problems]
    assert campaign is not None
    return campaign


campaigns = st.one_of(
    st.sampled_from(sorted(SHIPPED.values(), key=lambda c: c.name)),
    campaign_files().map(read),
)


# --- start moments -----------------------------------------------------------------------------

days = st.one_of(
    st.dates(date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)),
    st.builds(lambda d, n: d + timedelta(days=n), st.sampled_from(HOLIDAYS), st.integers(-4, 4)),
    st.builds(lambda d, n: d + timedelta(days=n), st.sampled_from(DST_CHANGES), st.integers(-3, 3)),
)
minutes = st.one_of(
    # Any hour alike (plain integers would favour midnight).
    st.builds(
        lambda hour, minute: hour * 60 + minute, st.sampled_from(range(24)), st.integers(0, 59)
    ),
    st.integers(20 * 60, 24 * 60 - 1),  # late evening
    # Around the change of summer time (02:00-03:00) and the windows' edges.
    st.sampled_from([60, 120, 150, 180, 8 * 60, 9 * 60, 17 * 60 - 1, 17 * 60, 20 * 60 + 59]),
)


def _moment(day: date, minute: int) -> datetime:
    """`minute` minutes of real time after the local midnight that starts `day`, in UTC (as
    `timezone.now()` gives it): on a day summer time starts or ends, past the change."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(UTC)
    return midnight + timedelta(minutes=minute)


moments = st.builds(_moment, days, minutes)


# --- what must hold ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When a step may happen, written out here rather than asked of the planner."""

    days: tuple[str, ...]
    start: int  # minutes of the day, inclusive
    end: int  # exclusive

    @classmethod
    def of(cls, step: Step) -> Rule:
        default = DEFAULT_WINDOWS[step.channel]
        window = step.window
        days = window.days if window is not None else default.days
        hours = (window.hours if window is not None else None) or default.hours
        assert hours is not None
        return cls(days, *hours)

    def opens(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days and not is_holiday(day)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def _minute(moment: datetime) -> int:
    local = _local(moment)
    return local.hour * 60 + local.minute


def _after_working_days(start: date, count: int) -> date:
    day = start
    for _ in range(count):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return day


def _step_date(campaign: Campaign, start: date, step: Step) -> date:
    offset = campaign.days[step.id]
    if campaign.day_unit == "working":
        return _after_working_days(start, offset)
    return start + timedelta(days=offset)


def _check_step(campaign: Campaign, step: Step, plan: dict[str, datetime], start: datetime) -> None:
    rule = Rule.of(step)
    due = plan[step.id]
    local = _local(due)
    # Inside the window: never at night, never on a day it leaves out or a public holiday.
    assert MESSAGE_EARLIEST <= rule.start <= _minute(due) < rule.end <= MESSAGE_LATEST, local
    assert WEEKDAYS[local.weekday()] in rule.days, local
    assert not is_holiday(local.date()), local
    # Not before its day (the start itself on day 0), nor before a step of an earlier day
    # (the order below), nor on the day of its announcements ...
    first = _step_date(campaign, _local(start).date(), step)
    earliest = start if campaign.days[step.id] == 0 else _moment(first, 0)
    for other in campaign.planned_attempts():
        if campaign.days[other.id] < campaign.days[step.id]:
            earliest = max(earliest, plan[other.id])
        if other.announces == step.id:
            earliest = max(earliest, _moment(_local(plan[other.id]).date() + timedelta(days=1), 0))
    assert due >= earliest, (local, _local(earliest))
    # ... and no later than its window makes it wait: every day in between was closed or, on
    # the first, past the window's end; then at once, or when the window opens.
    day = _local(earliest).date()
    while day < local.date():
        passed = day == _local(earliest).date() and _minute(earliest) >= rule.end
        assert passed or not rule.opens(day), (day, local)
        day += timedelta(days=1)
    assert due == earliest or (_minute(due) == rule.start and local.second == 0), local


def _check_order(campaign: Campaign, plan: dict[str, datetime]) -> None:
    steps = {s.id: s for s in campaign.steps}
    contact = {key: due for key, due in plan.items() if key != CLOSE}
    # A step the campaign puts on a later day is never due before one on an earlier day.
    for a, due_a in contact.items():
        for b, due_b in contact.items():
            if campaign.days[a] < campaign.days[b]:
                assert due_a <= due_b, (a, due_a, b, due_b)
    # An announcement goes out on a day before the visit it announces.
    for key, due in contact.items():
        visit = steps[key].announces
        if visit is not None:
            assert _local(due).date() < _local(plan[visit]).date(), (key, due, plan[visit])
    # The closing check comes `close_after_days` after the last contact step, at midnight (with
    # 0, with the last step).
    close = _local(plan[CLOSE])
    last = max(contact.values())
    assert plan[CLOSE] >= last
    if campaign.close_after_days == 0:
        assert plan[CLOSE] == last
    else:
        assert close.date() >= _local(last).date() + timedelta(days=campaign.close_after_days)
        assert (close.hour, close.minute) == (0, 0)


# Found by this test: an announcement held back by a public holiday (New Year's Day) went out
# at the very moment of the visit it announced; a campaign closing 0 days after its last step
# planned its closing check at the start of that step's day, before the step.
NEW_YEAR_VISIT = """
label = "Bezoek na Nieuwjaar"

[[step]]
id = "announce"
channel = "email"
announces = "visit"
days_before = 1

[[step]]
id = "visit"
channel = "visit_task"
after_days = 1
"""
CLOSE_AT_ONCE = """
label = "Meteen sluiten"
close_after_days = 0

[[step]]
id = "letter"
channel = "letter"
after_days = 0
"""
# A step held back by its window (Saturdays only) was due after the steps that follow it.
SATURDAY_FIRST = """
label = "Eerst op zaterdag"

[[step]]
id = "saturday"
channel = "phone_task"
after_days = 0
[step.window]
days = ["sat"]

[[step]]
id = "letter"
channel = "letter"
after_days = 1
"""


@settings(max_examples=400, deadline=None, derandomize=True)
@given(campaign=campaigns, start=moments)
@example(campaign=read(NEW_YEAR_VISIT), start=_moment(date(2024, 1, 1), 0))
@example(campaign=read(CLOSE_AT_ONCE), start=_moment(date(2024, 1, 1), 0))
@example(campaign=read(SATURDAY_FIRST), start=_moment(date(2026, 12, 7), 10 * 60))
def test_every_step_is_due_in_its_window_and_in_order(campaign: Campaign, start: datetime):
    plan: list[Planned] = plan_campaign(campaign, start)
    keys = [p.key for p in plan]
    assert keys == [s.id for s in campaign.planned_attempts()] + [CLOSE]
    steps = {s.id: s for s in campaign.steps}
    due = {p.key: p.due_at for p in plan}
    for planned in plan[:-1]:
        assert planned.channel == steps[planned.key].channel
        _check_step(campaign, steps[planned.key], due, start)
    _check_order(campaign, due)
