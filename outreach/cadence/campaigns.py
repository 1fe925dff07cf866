"""Campaigns: the contact sequences in `campaigns/*.toml`.

A campaign file (`campaigns/intensive.toml` is the campaign "intensive") has a `label`, an
optional `days` ("calendar", the default, or "working": the unit of `after_days` and
`days_before`), an optional `close_after_days` (calendar days after the last planned step
before a campaign that reached nobody closes; default 7) and `[[step]]` tables, one contact
attempt each, in file order:

- `id`, `channel` (letter, sms, whatsapp, email, phone_task, visit_task, not_home_card);
- `after_days` (0 or more) counted from `after`: "start" (the day the campaign starts) or
  "previous" (the default: the day of the previous planned step in the file, not counting
  announcements and fallbacks);
- an announcement (`announces = "<visit step id>"`, `days_before` 1 or more) has no
  `after_days`: it is due `days_before` days before the visit it announces. Every planned
  visit is announced, by a message;
- conditions: `requires` (has_mobile, has_email, no_reply), `languages` (e.g. ["nl", "en"]),
  and a `[step.window]` with `days` (mon..sun) and `hours` ("09:00-17:00"). Calls and visits
  may be planned in the evening; no contact at all between 21:00 and 08:00. A step that its
  window (or a public holiday) holds back holds back the steps of later days too, and a visit
  comes on a later day than its announcements (`outreach.cadence.planning.plan_campaign`);
- `template`: the text a message step sends (`outreach.messaging.texts.catalogue`); without it the
  campaign's first letter is a first letter, later ones a follow-up, the first SMS an
  invitation, later ones a reminder, an announcement a visit announcement;
- `on_failure`: the step to take when this one fails (an SMS not delivered -> a letter, nobody
  home -> a not-at-home card). A step named by an `on_failure` is a fallback: it is taken as
  soon as that step fails (no `after_days`), so it does not count as a planned attempt. A
  not-at-home card is only ever a visit's fallback.

A campaign may run an experiment (issue 13): an `[experiment]` table with an `id` (lower case
letters, digits, _ or -, at most 64; recorded on every case and message; unique among the
files of a municipality's set), an optional `label` and two or more `[[experiment.variant]]`
tables, each a `name` (as the id, at most 32), the `campaign` that variant runs (the file
itself, or another campaign file of the same set) and a `share` (a relative weight above 0:
1 and 1 is half and half). The first variant is the control the others are compared with.

    [experiment]
    id = "standaard-sms-eerst-2027"
    label = "Sms voor de eerste brief?"
    [[experiment.variant]]
    name = "controle"
    campaign = "standard"          # the file itself
    share = 1
    [[experiment.variant]]
    name = "sms-eerst"
    campaign = "standard-sms-first"
    share = 1

A case that starts with this campaign runs the campaign of its household's variant
(outreach.cadence.experiments). What spans files (a variant's campaign exists and runs no
experiment of its own, the id is unique) is checked by outreach.cadence.experiment_files, and
every variant meets the minimums of the campaign it stands in for
(outreach.cadence.requirements).

Loading validates every file and reports every problem at once, as the weighing framework does
(`outreach.core.tomlfile`): file, location (`step[2] (id 'sms')`, 1-based), field, message.
`outreach.cadence.requirements` checks the municipality's minimums on top.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from outreach.core.tomlfile import (
    Document,
    Problem,
    Table,
    located,
    parse_toml,
    read_toml,
    show,
    suggestion,
)
from outreach.core.variants import check_shares
from outreach.intake.weighing import FrameworkError
from outreach.messaging.texts.catalogue import CARD, LETTER, SMS, TEMPLATES

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
DAY_UNITS: tuple[str, ...] = ("calendar", "working")
DEFAULT_CLOSE_AFTER_DAYS = 7

# The kind of text each channel sends (outreach.messaging.texts.catalogue); e-mail sends the SMS
# text until e-mail has texts of its own.
TEMPLATE_KIND: Mapping[str, str] = {
    "letter": LETTER,
    "sms": SMS,
    "whatsapp": SMS,
    "email": SMS,
    "not_home_card": CARD,
}

# Nobody is contacted at night: every window lies between these minutes of the day.
MESSAGE_EARLIEST = 8 * 60
MESSAGE_LATEST = 21 * 60

FRAMEWORK_FILE = "afwegingskader.toml"
REQUIREMENTS_FILE = "requirements.toml"
NOT_CAMPAIGNS = frozenset({FRAMEWORK_FILE, REQUIREMENTS_FILE})

ID_PATTERN = re.compile(r"^[a-z0-9_-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")

_TOP_KEYS = ("label", "days", "close_after_days", "step", "experiment")
_EXPERIMENT_KEYS = ("id", "label", "variant")
_VARIANT_KEYS = ("name", "campaign", "share")
EXPERIMENT_ID_LENGTH = 64  # Case.experiment, Message.experiment
VARIANT_NAME_LENGTH = 32  # Case.variant, Message.variant
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
    "template",
)
_WINDOW_KEYS = ("days", "hours")


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
    template: str | None = None  # the text a message step sends; None: `default_template`


@dataclass(frozen=True)
class Variant:
    name: str
    campaign: str  # the campaign this variant runs: the experiment's own file, or another
    share: float  # a relative weight (outreach.core.variants)


@dataclass(frozen=True)
class Experiment:
    id: str
    label: str
    variants: tuple[Variant, ...]  # the first is the control

    def shares(self) -> list[tuple[str, float]]:
        """(name, share) of every variant, as outreach.core.variants takes them."""
        return [(v.name, v.share) for v in self.variants]

    def variant(self, name: str) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)


@dataclass(frozen=True)
class Campaign:
    name: str
    label: str
    steps: tuple[Step, ...]
    source: str = ""
    # Day of each step (by id) counted from the campaign's start, in `day_unit`: the chain of
    # after_days; an announcement days_before its visit; a fallback on the day of its step.
    days: Mapping[str, int] = field(default_factory=dict)
    day_unit: str = "calendar"  # "calendar" or "working" (weekends and public holidays skipped)
    close_after_days: int = DEFAULT_CLOSE_AFTER_DAYS  # calendar days after the last step
    experiment: Experiment | None = None  # the experiment a case starting with it runs

    def fallbacks(self) -> frozenset[str]:
        """Ids of steps that only happen when another step fails."""
        return frozenset(s.on_failure for s in self.steps if s.on_failure)

    def planned_attempts(self) -> list[Step]:
        fallbacks = self.fallbacks()
        return [s for s in self.steps if s.id not in fallbacks]


def location(index: int, step_id: object) -> str:
    """`step[2] (id 'sms')`: 1-based, as the policy officer counts the [[step]] tables."""
    return located(f"step[{index}]", "id", {"id": step_id})


# --- loading -----------------------------------------------------------------------------------


def campaign_files(folder: Path) -> list[Path]:
    """Every `*.toml` in `folder` except the weighing framework and the requirements."""
    return [p for p in sorted(folder.glob("*.toml")) if p.name not in NOT_CAMPAIGNS]


def read_campaigns(folder: Path) -> tuple[dict[str, Campaign], list[Problem]]:
    """The valid campaigns of `folder`, and every problem of the others."""
    campaigns: dict[str, Campaign] = {}
    problems: list[Problem] = []
    for path in campaign_files(folder):
        campaign, found = load_campaign(path)
        problems.extend(found)
        if campaign is not None:
            campaigns[campaign.name] = campaign
    return campaigns, problems


def load_campaigns(folder: Path) -> dict[str, Campaign]:
    """Every campaign of `folder`; CampaignError with every problem when one is invalid."""
    campaigns, problems = read_campaigns(folder)
    if problems:
        raise CampaignError(problems)
    return campaigns


def load_campaign(path: Path) -> tuple[Campaign | None, list[Problem]]:
    """The campaign of the file at `path` (named after its stem), or its problems."""
    data, problems = read_toml(path)
    if data is None:
        return None, problems
    return _build_campaign(data, path.stem, str(path), problems)


def parse_campaign(text: str, name: str, source: str) -> tuple[Campaign | None, list[Problem]]:
    """The campaign `name` from the text of its file (a stored version), or its problems."""
    data, problems = parse_toml(text, source)
    if data is None:
        return None, problems
    return _build_campaign(data, name, source, problems)


def _build_campaign(
    data: Document, name: str, source: str, problems: list[Problem]
) -> tuple[Campaign | None, list[Problem]]:
    if not ID_PATTERN.match(name):
        problems.append(
            Problem(source, "", "", "file name must be lower case letters, digits, _ or -")
        )
    top = Table.top(data, source, problems)
    top.check_keys(_TOP_KEYS, "a campaign")
    label = top.text("label", required=True)
    day_unit = top.choice("days", DAY_UNITS) or "calendar"
    close_after_days = top.integer("close_after_days", lo=0)
    if data.get("step", []) == []:
        top.problem("step", "must have at least one step, written as [[step]]")
    tables = top.tables("step", "id")
    origins = _fallback_origins(tables)
    parsed: list[tuple[int, Step]] = []
    for t in tables:
        step = _parse_step(t, origins)
        if step is not None:
            parsed.append((t.index, step))
    _check_references(parsed, tables, origins, source, problems)
    experiment = _parse_experiment(top, name)
    steps = [step for _, step in parsed]
    days = _schedule(steps, source, problems) if not problems else {}
    if problems or label is None:
        return None, problems
    return (
        Campaign(
            name=name,
            label=label,
            steps=tuple(steps),
            source=source,
            days=days,
            day_unit=day_unit,
            close_after_days=_or(close_after_days, DEFAULT_CLOSE_AFTER_DAYS),
            experiment=experiment,
        ),
        problems,
    )


def _parse_experiment(top: Table, own_name: str) -> Experiment | None:
    """The file's `[experiment]`, or None (absent, or with problems: recorded)."""
    t = top.table("experiment", "id, label and [[experiment.variant]] tables")
    if t is None:
        return None
    before = len(t.problems)
    t.check_keys(_EXPERIMENT_KEYS, "an experiment")
    experiment_id = t.text("id", required=True)
    if experiment_id is not None:
        _check_name(t, "id", experiment_id, EXPERIMENT_ID_LENGTH)
    label = t.text("label")
    if t.data.get("variant", []) == []:
        t.problem("variant", "missing; an experiment needs two or more [[experiment.variant]]")
    variants: list[Variant] = []
    for v in t.tables("variant", "name"):
        own_before = len(v.problems)
        v.check_keys(_VARIANT_KEYS, "a variant")
        name = v.text("name", required=True)
        if name is not None:
            _check_name(v, "name", name, VARIANT_NAME_LENGTH)
        campaign = v.text("campaign", required=True)
        if campaign is not None and not ID_PATTERN.match(campaign):
            v.problem("campaign", f"{show(campaign)} is not a campaign name like '{own_name}'")
        share = v.number("share", required=True)
        if share is not None and not share > 0:
            v.problem("share", f"must be above 0, got {show(share)}")
        if len(v.problems) == own_before and name and campaign and share is not None:
            variants.append(Variant(name, campaign, float(share)))
    if len(variants) == 1 and len(t.problems) == before:
        t.problem("variant", "an experiment needs two or more variants to compare")
    # What is left to check_shares is a name used twice: each share was checked above.
    if variants:
        for message in check_shares([(v.name, v.share) for v in variants]):
            t.problem("variant", message)
    if len(t.problems) > before or experiment_id is None:
        return None
    return Experiment(experiment_id, label or experiment_id, tuple(variants))


def _check_name(t: Table, key: str, value: str, length: int) -> None:
    if not ID_PATTERN.match(value):
        t.problem(key, f"must be lower case letters, digits, _ or -, got {show(value)}")
    elif len(value) > length:
        t.problem(key, f"must be {length} characters or fewer, got {len(value)}")


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _fallback_origins(tables: list[Table]) -> dict[str, str]:
    """Fallback step id -> id of the first step whose on_failure names it."""
    origins: dict[str, str] = {}
    for t in tables:
        target, origin = t.data.get("on_failure"), t.data.get("id")
        if isinstance(target, str) and isinstance(origin, str):
            origins.setdefault(target, origin)
    return origins


def _parse_step(t: Table, origins: Mapping[str, str]) -> Step | None:
    raw, problems = t.data, t.problems
    before = len(problems)
    t.check_keys(_STEP_KEYS, "a step")
    step_id = t.text("id", required=True)
    if step_id is not None and not ID_PATTERN.match(step_id):
        t.problem("id", "must be lower case letters, digits, _ or -")
    channel = t.choice("channel", CHANNELS, required=True)
    announces = t.text("announces")
    days_before = t.integer("days_before", lo=1)
    origin = origins.get(step_id) if step_id is not None else None
    after_days: int | None = 0
    if announces is not None:
        for key in ("after_days", "after"):
            if key in raw:
                t.problem(key, "not allowed in an announcement: it is due `days_before` earlier")
        if "days_before" not in raw:
            t.problem("days_before", "missing; an announcement says how many days before (1+)")
        if channel is not None and channel not in MESSAGE_CHANNELS:
            t.problem("channel", f"only a message can announce a visit, not {channel}")
    else:
        if "days_before" in raw:
            t.problem("days_before", "only allowed with `announces`")
        if origin is not None:
            _check_fallback_timing(t, origin)
        else:
            after_days = t.integer("after_days", lo=0, required=True)
    after = t.choice("after", AFTER) or "previous"
    requires = t.text_list("requires", choices=REQUIREMENTS) or ()
    languages = t.text_list("languages", pattern=_LANGUAGE, pattern_text="a language like 'nl'")
    window = _parse_window(t, channel)
    on_failure = t.text("on_failure")
    template = _parse_template(t, channel)
    if len(problems) > before or step_id is None or channel is None or after_days is None:
        return None
    return Step(
        id=step_id,
        channel=channel,
        after_days=after_days,
        after=after,
        requires=requires,
        languages=languages or (),
        window=window,
        on_failure=on_failure,
        announces=announces,
        days_before=days_before,
        template=template,
    )


def _parse_template(t: Table, channel: str | None) -> str | None:
    name = t.text("template")
    if name is None or channel is None:
        return name
    kind = TEMPLATE_KIND.get(channel)
    if kind is None:
        t.problem("template", f"a {channel} sends no text; leave `template` out")
        return None
    spec = TEMPLATES.get(name)
    if spec is None:
        hint = suggestion(name, sorted(TEMPLATES))
        t.problem("template", f"unknown text '{name}'; {hint}see outreach/messaging/catalogue.py")
        return None
    if spec.kind != kind:
        t.problem("template", f"'{name}' is a {spec.kind} text; a {channel} step sends a {kind}")
        return None
    return name


def default_template(campaign: Campaign, step: Step) -> str | None:
    """The text a message step sends when its file names none: a visit announcement for an
    announcement; for the first letter of the campaign a first letter (`first_multiple` for
    a case with several signals, picked when sending), later letters a follow-up; the first
    SMS an invitation, later ones a reminder."""
    if step.template:
        return step.template
    if step.channel == "not_home_card":
        return "not_home_card"
    if step.channel not in MESSAGE_CHANNELS:
        return None
    if step.channel == "letter":
        if step.announces:
            return "visit_announcement"
        first = next(s for s in campaign.steps if s.channel == "letter" and not s.announces)
        return "first_single" if first.id == step.id else "follow_up"
    if step.announces:
        return "visit_announcement_sms"
    if step.channel == "whatsapp":
        return "whatsapp"
    texts = [s for s in campaign.steps if s.channel in ("sms", "email") and not s.announces]
    return "invitation" if texts[0].id == step.id else "reminder"


def _check_fallback_timing(t: Table, origin: str) -> None:
    when = f"a fallback is taken as soon as '{origin}' fails"
    if "after" in t.data:
        t.problem("after", f"not allowed: {when}")
    value = t.integer("after_days", lo=0)
    if value is not None and value != 0:
        t.problem("after_days", f"{when}; leave after_days out (or 0), got {value}")


def _parse_window(t: Table, channel: str | None) -> Window | None:
    w = t.table("window", "days and hours")
    if w is None:
        return None
    w.check_keys(_WINDOW_KEYS, "a window")
    days = w.text_list("days", choices=WEEKDAYS)
    if days is not None and not days:
        w.problem("days", "must name at least one day")
    text = w.text("hours")
    hours = _parse_hours(text, w, channel) if text is not None else None
    return Window(days=days or WEEKDAYS, hours=hours)


def _parse_hours(text: str, w: Table, channel: str | None) -> tuple[int, int] | None:
    match = _HOURS.match(text)
    if match is None:
        w.problem("hours", f"must look like '09:00-17:00', got {show(text)}")
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
        w.problem("hours", f"{text!r} is not a time of day")
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end:
        w.problem("hours", f"{text!r} ends before it starts (a window cannot cross midnight)")
        return None
    if start < MESSAGE_EARLIEST or end > MESSAGE_LATEST:
        verb = "sent" if channel in MESSAGE_CHANNELS else "planned"
        what = channel or "a step"
        w.problem("hours", f"{what} is never {verb} between 21:00 and 08:00, got {text!r}")
        return None
    return start, end


# --- references between steps ------------------------------------------------------------------


def _check_references(
    parsed: list[tuple[int, Step]],
    tables: list[Table],
    origins: Mapping[str, str],
    source: str,
    problems: list[Problem],
) -> None:
    """Ids, on_failure and announces between steps. A step with problems of its own is left
    out of `parsed`; its raw id, on_failure and announces still count here."""
    announced = {t.data.get("announces") for t in tables}
    first_index: dict[str, int] = {}
    for t in tables:
        index, step_id = t.index, t.data.get("id")
        if not isinstance(step_id, str):
            continue
        if step_id in first_index:
            t.problem(
                "id", f"duplicate step id '{step_id}', first used at step[{first_index[step_id]}]"
            )
        first_index.setdefault(step_id, index)
    by_id: dict[str, Step] = {}
    for _, step in parsed:
        by_id.setdefault(step.id, step)
    for index, step in parsed:

        def add(key: str, message: str, index: int = index, step: Step = step) -> None:
            problems.append(Problem(source, location(index, step.id), key, message))

        for key, target in (("on_failure", step.on_failure), ("announces", step.announces)):
            if target is None:
                continue
            other = by_id.get(target)
            if target not in first_index:
                hint = suggestion(target, list(first_index))
                add(key, f"no step with id '{target}'" + (f"; {hint.strip()}" if hint else ""))
            elif other is None:
                continue  # the step it names has problems of its own
            elif other is step:
                add(key, "names the step itself")
            elif key == "announces" and other.channel not in ANNOUNCED_CHANNELS:
                add(key, f"'{target}' is a {other.channel}; only a visit is announced")
            elif key == "announces" and target in origins:
                add(
                    key,
                    f"'{target}' is the fallback of '{origins[target]}'; "
                    "only a planned visit is announced",
                )
            elif key == "on_failure" and other.announces is not None:
                add(key, f"'{target}' announces a visit; an announcement cannot be a fallback")
            elif other.channel == "not_home_card" and step.channel != "visit_task":
                add(key, f"'{target}' is a not_home_card; only a visit falls back to one")
        if step.channel == "not_home_card" and step.id not in origins:
            add(
                "channel",
                "a not_home_card is left when nobody is home: name it in a visit's on_failure",
            )
        if step.channel == "visit_task" and step.id not in origins and step.id not in announced:
            add(
                "channel",
                f"a visit is announced first: add a letter or sms step with "
                f"announces = '{step.id}' and days_before",
            )


def _schedule(steps: list[Step], source: str, problems: list[Problem]) -> dict[str, int]:
    """The day of every step: planned steps chain their after_days, announcements come
    `days_before` their visit, a fallback falls on the day of the step that failed."""
    origins = {s.on_failure: s.id for s in reversed(steps) if s.on_failure}
    days: dict[str, int] = {}
    previous = 0
    for step in steps:
        if step.announces is not None or step.id in origins:
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
                    location(index, step.id),
                    "days_before",
                    f"the visit '{step.announces}' is on day {days[step.announces]}: "
                    f"{step.days_before} days before it is before the campaign starts",
                )
            )
        days[step.id] = max(day, 0)
    pending = [s for s in steps if s.id in origins and s.id not in days]
    while pending:
        resolved = [s for s in pending if origins[s.id] in days]
        if not resolved:
            break
        for step in resolved:
            days[step.id] = days[origins[step.id]]
        pending = [s for s in pending if s.id not in days]
    for step in pending:
        index = steps.index(step) + 1
        problems.append(
            Problem(
                source,
                location(index, step.id),
                "id",
                f"only the fallback of '{origins[step.id]}', which no planned step leads to "
                "(the on_failure steps go round in a circle)",
            )
        )
    return days
