"""Campaigns: the contact sequences in `campaigns/*.toml`, and the municipality's minimums.

A campaign file (`campaigns/intensive.toml` is the campaign "intensive") has a `label` and
`[[step]]` tables, one contact attempt each, in file order:

- `id`, `channel` (letter, sms, whatsapp, email, phone_task, visit_task, not_home_card);
- `after_days` (0 or more) counted from `after`: "start" (the day the campaign starts) or
  "previous" (the default: the day of the previous step in the file that is not an
  announcement);
- an announcement (`announces = "<visit step id>"`, `days_before` 1 or more) has no
  `after_days`: it is due `days_before` days before the visit it announces;
- conditions: `requires` (has_mobile, has_email, no_reply), `languages` (e.g. ["nl", "en"]),
  and a `[step.window]` with `days` (mon..sun) and `hours` ("09:00-17:00"). Calls and visits
  may be planned in the evening; messages never between 21:00 and 08:00;
- `on_failure`: the step to take when this one fails (an SMS not delivered -> a letter, nobody
  home -> a not-at-home card). A step named by an `on_failure` is a fallback: it only happens
  when the other step fails, so it does not count as a planned attempt.

Loading validates every file and reports every problem at once, as the weighing framework does
(`outreach.intake.weighing.Problem`): file, location (`step[2] (id 'sms')`, 1-based), field,
message. `check_requirements` then checks the minimums of `campaigns/requirements.toml`.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from outreach.intake.weighing import FrameworkError, Problem

CHANNELS: tuple[str, ...] = (
    "letter",
    "sms",
    "whatsapp",
    "email",
    "phone_task",
    "visit_task",
    "not_home_card",
)
MESSAGE_CHANNELS: frozenset[str] = frozenset({"letter", "sms", "whatsapp", "email"})
PERSONAL_CHANNELS: frozenset[str] = frozenset({"phone_task", "visit_task"})
ANNOUNCED_CHANNELS: frozenset[str] = frozenset({"visit_task"})
REQUIREMENTS: tuple[str, ...] = ("has_mobile", "has_email", "no_reply")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AFTER: tuple[str, ...] = ("start", "previous")

# Messages are never sent at night: only between these minutes of the day.
MESSAGE_EARLIEST = 8 * 60
MESSAGE_LATEST = 21 * 60

FRAMEWORK_FILE = "afwegingskader.toml"
REQUIREMENTS_FILE = "requirements.toml"
NOT_CAMPAIGNS = frozenset({FRAMEWORK_FILE, REQUIREMENTS_FILE})

_ID = re.compile(r"^[a-z0-9_-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")

_TOP_KEYS = ("label", "step")
_STEP_KEYS = (
    "id",
    "channel",
    "after_days",
    "after",
    "requires",
    "languages",
    "window",
    "on_failure",
    "announces",
    "days_before",
)
_WINDOW_KEYS = ("days", "hours")
_REQUIREMENT_KEYS = (
    "min_attempts",
    "personal_attempt_for",
    "crisis_campaign",
    "crisis_max_days",
    "offer_within_days",
)


class CampaignError(FrameworkError):
    """Campaign files are unusable; `problems` holds every problem found."""


@dataclass(frozen=True)
class Window:
    days: tuple[str, ...] = WEEKDAYS
    hours: tuple[int, int] | None = None  # minutes of the day: start inclusive, end exclusive


@dataclass(frozen=True)
class Step:
    id: str
    channel: str
    after_days: int = 0
    after: str = "previous"
    requires: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    window: Window | None = None
    on_failure: str | None = None
    announces: str | None = None
    days_before: int | None = None


@dataclass(frozen=True)
class Campaign:
    name: str
    label: str
    steps: tuple[Step, ...]
    source: str = ""
    # Day of each step (by id) counted from the campaign's start: the chain of after_days.
    days: Mapping[str, int] = field(default_factory=dict)

    def fallbacks(self) -> frozenset[str]:
        """Ids of steps that only happen when another step fails."""
        return frozenset(s.on_failure for s in self.steps if s.on_failure)

    def planned_attempts(self) -> list[Step]:
        fallbacks = self.fallbacks()
        return [s for s in self.steps if s.id not in fallbacks]


@dataclass(frozen=True)
class Requirements:
    min_attempts: int = 2
    personal_attempt_for: tuple[str, ...] = ("intensive", "crisis")
    crisis_campaign: str = "crisis"
    crisis_max_days: int = 3
    offer_within_days: int = 28
    source: str = REQUIREMENTS_FILE


# --- reading TOML ------------------------------------------------------------------------------


def _read_toml(path: Path) -> tuple[Mapping[str, object] | None, list[Problem]]:
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return None, [Problem(source, "", "", f"cannot read file: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(source, "", "", "not valid UTF-8")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(source, "", "", f"TOML syntax error: {exc}")]


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class _Table:
    """One TOML table being validated: accessors record a problem and return None."""

    def __init__(
        self,
        data: Mapping[str, object],
        file: str,
        location: str,
        problems: list[Problem],
        prefix: str = "",
    ) -> None:
        self.data = data
        self.file = file
        self.location = location
        self.problems = problems
        self.prefix = prefix  # "window." for a nested table: fields read "window.hours"

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.location, self.prefix + key, message))

    def check_keys(self, allowed: Sequence[str], what: str) -> None:
        for key in self.data:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"did you mean '{hint[0]}'? " if hint else ""
            self.problem(key, f"unknown key; {suggestion}allowed in {what}: {', '.join(allowed)}")

    def integer(self, key: str, *, lo: int, required: bool = False) -> int | None:
        if key not in self.data:
            if required:
                self.problem(key, f"missing; must be an integer of {lo} or more")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be an integer, got {_show(value)}")
            return None
        if value < lo:
            self.problem(key, f"must be {lo} or more, got {value}")
            return None
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        if key not in self.data:
            if required:
                self.problem(key, "missing; must be a non-empty string")
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be a non-empty string, got {_show(value)}")
            return None
        return value

    def choice(self, key: str, choices: Sequence[str], *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in choices:
            self.problem(key, f"unknown value {_show(value)}; use one of: {', '.join(choices)}")
            return None
        return value

    def text_list(
        self, key: str, choices: Sequence[str] | None = None, pattern: re.Pattern[str] | None = None
    ) -> tuple[str, ...] | None:
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"must be a list of strings, got {_show(value)}")
            return None
        items = [str(v) for v in value]
        for item in items:
            if choices is not None and item not in choices:
                self.problem(key, f"unknown value {_show(item)}; use one of: {', '.join(choices)}")
                return None
            if pattern is not None and not pattern.match(item):
                self.problem(key, f"{_show(item)} is not a two-letter language code like 'nl'")
                return None
        if len(set(items)) != len(items):
            self.problem(key, "lists a value twice")
            return None
        return tuple(items)


# --- campaigns ---------------------------------------------------------------------------------


def load_campaigns(folder: Path) -> dict[str, Campaign]:
    """Every `*.toml` in `folder` except the weighing framework and the requirements."""
    campaigns: dict[str, Campaign] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.toml")):
        if path.name in NOT_CAMPAIGNS:
            continue
        campaign, found = load_campaign(path)
        problems.extend(found)
        if campaign is not None:
            campaigns[campaign.name] = campaign
    if problems:
        raise CampaignError(problems)
    return campaigns


def load_campaign(path: Path) -> tuple[Campaign | None, list[Problem]]:
    source = str(path)
    data, problems = _read_toml(path)
    if data is None:
        return None, problems
    if not _ID.match(path.stem):
        problems.append(
            Problem(source, "", "", "file name must be lower case letters, digits, _ or -")
        )
    top = _Table(data, source, "top level", problems)
    top.check_keys(_TOP_KEYS, "a campaign")
    label = top.text("label", required=True)
    raw_steps = data.get("step", [])
    if not isinstance(raw_steps, list) or not raw_steps:
        top.problem("step", "must have at least one step, written as [[step]]")
        raw_steps = []
    steps: list[Step] = []
    for index, raw in enumerate(raw_steps, start=1):
        step = _parse_step(raw, source, index, problems)
        if step is not None:
            steps.append(step)
    if len(steps) == len(raw_steps):
        _check_references(steps, source, problems)
    days = _schedule(steps, source, problems) if not problems else {}
    if problems or label is None:
        return None, problems
    return Campaign(path.stem, label, tuple(steps), source, days), problems


def _location(index: int, raw: Mapping[str, object]) -> str:
    step_id = raw.get("id")
    if isinstance(step_id, str) and step_id:
        return f"step[{index}] (id '{step_id}')"
    return f"step[{index}]"


def _parse_step(raw: object, source: str, index: int, problems: list[Problem]) -> Step | None:
    if not isinstance(raw, dict):
        problems.append(Problem(source, f"step[{index}]", "", "must be a table written [[step]]"))
        return None
    before = len(problems)
    t = _Table(raw, source, _location(index, raw), problems)
    t.check_keys(_STEP_KEYS, "a step")
    step_id = t.text("id", required=True)
    if step_id is not None and not _ID.match(step_id):
        t.problem("id", "must be lower case letters, digits, _ or -")
    channel = t.choice("channel", CHANNELS, required=True)
    announces = t.text("announces")
    days_before = t.integer("days_before", lo=1)
    if announces is not None:
        if "after_days" in raw or "after" in raw:
            key = "after_days" if "after_days" in raw else "after"
            t.problem(key, "not allowed in an announcement: it is due `days_before` days earlier")
        if "days_before" not in raw:
            t.problem("days_before", "missing; an announcement says how many days before (1+)")
        if channel is not None and channel not in MESSAGE_CHANNELS:
            t.problem("channel", f"only a message can announce a visit, not {channel}")
        after_days: int | None = 0
    else:
        if "days_before" in raw:
            t.problem("days_before", "only allowed with `announces`")
        after_days = t.integer("after_days", lo=0, required=True)
    after = t.choice("after", AFTER) or "previous"
    requires = t.text_list("requires", choices=REQUIREMENTS) or ()
    languages = t.text_list("languages", pattern=_LANGUAGE) or ()
    window = _parse_window(raw.get("window"), t, channel)
    on_failure = t.text("on_failure")
    if len(problems) > before or step_id is None or channel is None or after_days is None:
        return None
    return Step(
        id=step_id,
        channel=channel,
        after_days=after_days,
        after=after,
        requires=requires,
        languages=languages,
        window=window,
        on_failure=on_failure,
        announces=announces,
        days_before=days_before,
    )


def _parse_window(raw: object, t: _Table, channel: str | None) -> Window | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        t.problem("window", f"must be a table with days and hours, got {_show(raw)}")
        return None
    w = _Table(raw, t.file, t.location, t.problems, prefix="window.")
    w.check_keys(_WINDOW_KEYS, "a window")
    days = w.text_list("days", choices=WEEKDAYS)
    hours = None
    text = w.text("hours")
    if text is not None:
        hours = _parse_hours(text, w, channel)
    if days is not None and not days:
        w.problem("days", "must name at least one day")
    return Window(days=days or WEEKDAYS, hours=hours)


def _parse_hours(text: str, w: _Table, channel: str | None) -> tuple[int, int] | None:
    match = _HOURS.match(text)
    if match is None:
        w.problem("hours", f"must look like '09:00-17:00', got {_show(text)}")
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
        w.problem("hours", f"{text!r} is not a time of day")
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end:
        w.problem("hours", f"{text!r} ends before it starts (a window cannot cross midnight)")
        return None
    if channel in MESSAGE_CHANNELS and (start < MESSAGE_EARLIEST or end > MESSAGE_LATEST):
        w.problem("hours", f"{channel} is never sent between 21:00 and 08:00, got {text!r}")
        return None
    return start, end


def _check_references(steps: list[Step], source: str, problems: list[Problem]) -> None:
    by_id: dict[str, Step] = {}
    for index, step in enumerate(steps, start=1):
        location = f"step[{index}] (id '{step.id}')"
        if step.id in by_id:
            problems.append(Problem(source, location, "id", f"duplicate step id '{step.id}'"))
        by_id.setdefault(step.id, step)
    ids = list(by_id)
    for index, step in enumerate(steps, start=1):
        location = f"step[{index}] (id '{step.id}')"
        for key, target in (("on_failure", step.on_failure), ("announces", step.announces)):
            if target is None:
                continue
            if target not in by_id:
                hint = difflib.get_close_matches(target, ids, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                problems.append(
                    Problem(source, location, key, f"no step with id '{target}'{suggestion}")
                )
            elif target == step.id:
                problems.append(Problem(source, location, key, "names the step itself"))
            elif key == "announces" and by_id[target].channel not in ANNOUNCED_CHANNELS:
                problems.append(
                    Problem(
                        source,
                        location,
                        key,
                        f"'{target}' is a {by_id[target].channel}; only a visit is announced",
                    )
                )


def _schedule(steps: list[Step], source: str, problems: list[Problem]) -> dict[str, int]:
    """The day of every step: the chain of `after_days`, announcements before their visit."""
    days: dict[str, int] = {}
    previous = 0
    for step in steps:
        if step.announces is not None:
            continue
        day = step.after_days + (0 if step.after == "start" else previous)
        days[step.id] = previous = day
    for index, step in enumerate(steps, start=1):
        if step.announces is None or step.days_before is None:
            continue
        day = days[step.announces] - step.days_before
        if day < 0:
            problems.append(
                Problem(
                    source,
                    f"step[{index}] (id '{step.id}')",
                    "days_before",
                    f"the visit '{step.announces}' is on day {days[step.announces]}: "
                    f"{step.days_before} days before it is before the campaign starts",
                )
            )
        days[step.id] = max(day, 0)
    return days


# --- requirements ------------------------------------------------------------------------------


def load_requirements(path: Path) -> Requirements:
    """`campaigns/requirements.toml`; a missing file means the defaults."""
    source = str(path)
    if not path.exists():
        return Requirements(source=source)
    data, problems = _read_toml(path)
    if data is None:
        raise CampaignError(problems)
    t = _Table(data, source, "top level", problems)
    t.check_keys(_REQUIREMENT_KEYS, "the requirements")
    defaults = Requirements()
    personal = t.text_list("personal_attempt_for")
    requirements = Requirements(
        min_attempts=_or(t.integer("min_attempts", lo=1), defaults.min_attempts),
        personal_attempt_for=defaults.personal_attempt_for if personal is None else personal,
        crisis_campaign=t.text("crisis_campaign") or defaults.crisis_campaign,
        crisis_max_days=_or(t.integer("crisis_max_days", lo=0), defaults.crisis_max_days),
        offer_within_days=_or(t.integer("offer_within_days", lo=0), defaults.offer_within_days),
        source=source,
    )
    if problems:
        raise CampaignError(problems)
    return requirements


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def check_requirements(
    campaigns: Mapping[str, Campaign],
    requirements: Requirements,
    afwegingskader_campaign_names: Iterable[str],
    *,
    framework_file: str = FRAMEWORK_FILE,
) -> list[Problem]:
    """The municipality's minimums; every campaign the weighing framework names must exist."""
    problems: list[Problem] = []
    for name in sorted(set(afwegingskader_campaign_names)):
        if name not in campaigns:
            problems.append(
                Problem(
                    framework_file,
                    f"campaign '{name}'",
                    "campaign",
                    f"the weighing framework sends cases to '{name}' but there is no {name}.toml",
                )
            )
    for name in requirements.personal_attempt_for:
        if name not in campaigns:
            problems.append(
                Problem(
                    requirements.source,
                    "top level",
                    "personal_attempt_for",
                    f"names campaign '{name}' but there is no {name}.toml",
                )
            )
    for campaign in campaigns.values():
        problems.extend(_check_campaign(campaign, requirements))
    return problems


def _check_campaign(campaign: Campaign, req: Requirements) -> list[Problem]:
    problems: list[Problem] = []

    def add(location: str, key: str, message: str) -> None:
        problems.append(Problem(campaign.source, location, key, message))

    attempts = len(campaign.planned_attempts())
    if attempts < req.min_attempts:
        add(
            "top level",
            "step",
            f"has {attempts} planned contact attempt(s); the minimum is {req.min_attempts} "
            "(min_attempts in requirements.toml; fallback steps do not count)",
        )
    channels = {s.channel for s in campaign.steps}
    if campaign.name in req.personal_attempt_for and not channels & PERSONAL_CHANNELS:
        add(
            "top level",
            "step",
            "needs a personal attempt (a phone_task or visit_task): "
            "personal_attempt_for in requirements.toml",
        )
    is_crisis = campaign.name == req.crisis_campaign
    if is_crisis and channels <= {"letter"}:
        add("top level", "step", "a crisis campaign must not rely on letters only")
    for index, step in enumerate(campaign.steps, start=1):
        day = campaign.days.get(step.id, 0)
        location = f"step[{index}] (id '{step.id}')"
        key = "days_before" if step.announces else "after_days"
        if is_crisis and day > req.crisis_max_days:
            add(
                location,
                key,
                f"due on day {day}; a crisis needs every step within "
                f"{req.crisis_max_days} days (crisis_max_days)",
            )
        elif day > req.offer_within_days:
            add(
                location,
                key,
                f"due on day {day}; the law wants contact within {req.offer_within_days} days "
                "of the signal (offer_within_days)",
            )
    return problems
