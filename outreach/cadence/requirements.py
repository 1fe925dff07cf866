"""The municipality's minimums for its campaigns: `campaigns/requirements.toml`.

The top level holds the defaults; a table `[municipality."0344"]` (CBS code) overrides any of
the same keys for one municipality:

- `min_attempts`: contact attempts every household gets (fallbacks and steps that need a mobile
  number, an e-mail address or a language do not count);
- `personal_attempt_for`: campaigns that need a planned call or visit (phone_task, visit_task);
- `crisis_campaign`: the campaign for threatening situations; it never relies on letters only
  and plans every step within `crisis_max_days` working days (the law: 3 at most);
- `offer_within_days`: every planned step within this many calendar days of the start (the
  law's window for the offer of a conversation: 28 at most).

A missing file means the defaults below. Pure Python on purpose (no Django).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from outreach.cadence.campaigns import (
    ID_PATTERN,
    PERSONAL_CHANNELS,
    REQUIREMENTS_FILE,
    Campaign,
    CampaignError,
    Step,
    location,
)
from outreach.core.calendar import add_working_days
from outreach.core.tomlfile import Problem, Table, read_toml

STATUTORY_CRISIS_WORKING_DAYS = 3  # Wgs art. 4: threatening situations
STATUTORY_OFFER_DAYS = 28  # contact and an offer of a conversation within 4 weeks
LETTERS = frozenset({"letter", "not_home_card"})
CONDITIONS_ON_DATA = frozenset({"has_mobile", "has_email"})

_KEYS = (
    "min_attempts",
    "personal_attempt_for",
    "crisis_campaign",
    "crisis_max_days",
    "offer_within_days",
)
_CODE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Requirements:
    min_attempts: int = 2
    personal_attempt_for: tuple[str, ...] = ("intensive", "crisis")
    crisis_campaign: str = "crisis"
    crisis_max_days: int = STATUTORY_CRISIS_WORKING_DAYS
    offer_within_days: int = STATUTORY_OFFER_DAYS
    source: str = REQUIREMENTS_FILE
    municipality: str | None = None  # set on a municipality's own requirements

    @property
    def location(self) -> str:
        return f"municipality '{self.municipality}'" if self.municipality else "top level"

    def cite(self, key: str) -> str:
        """Where a limit comes from: "min_attempts of municipality 0344 in requirements.toml"."""
        whose = f" of municipality {self.municipality}" if self.municipality else ""
        return f"{key}{whose} in {Path(self.source).name}"


@dataclass(frozen=True)
class RequirementSet:
    defaults: Requirements
    municipalities: Mapping[str, Requirements] = field(default_factory=dict)

    def for_municipality(self, code: str) -> Requirements:
        return self.municipalities.get(code, self.defaults)


# --- loading -----------------------------------------------------------------------------------


def load_requirements(path: Path) -> RequirementSet:
    """The defaults and each municipality's requirements; CampaignError lists every problem."""
    source = str(path)
    if not path.exists():
        return RequirementSet(Requirements(source=source))
    data, problems = read_toml(path)
    if data is None:
        raise CampaignError(problems)
    top = Table.top(data, source, problems)
    top.check_keys((*_KEYS, "municipality"), "the requirements")
    defaults = _parse(top, Requirements(source=source))
    municipalities: dict[str, Requirements] = {}
    raw = data.get("municipality", {})
    if not isinstance(raw, dict):
        top.problem("municipality", 'must be tables written [municipality."0344"]')
        raw = {}
    for code, table in raw.items():
        where = f"municipality '{code}'"
        if not _CODE.match(code):
            problems.append(
                Problem(source, where, "", 'must be a four-digit municipality code, like "0344"')
            )
        if not isinstance(table, dict):
            problems.append(
                Problem(source, where, "", f'must be a table written [municipality."{code}"]')
            )
            continue
        t = Table(table, source, where, problems)
        t.check_keys(_KEYS, "a municipality's requirements")
        municipalities[code] = _parse(t, replace(defaults, municipality=code))
    if problems:
        raise CampaignError(problems)
    return RequirementSet(defaults, municipalities)


def _parse(t: Table, base: Requirements) -> Requirements:
    """`base` with the keys of table `t`; a bad value leaves the base value (and a problem)."""
    names = t.text_list(
        "personal_attempt_for", pattern=ID_PATTERN, pattern_text="a campaign name like 'crisis'"
    )
    crisis = t.text("crisis_campaign")
    if crisis is not None and not ID_PATTERN.match(crisis):
        t.problem("crisis_campaign", f"'{crisis}' is not a campaign name like 'crisis'")
        crisis = None
    min_attempts = t.integer("min_attempts", lo=1)
    crisis_days = t.integer(
        "crisis_max_days",
        lo=0,
        hi=STATUTORY_CRISIS_WORKING_DAYS,
        why=" (the law: a crisis within 3 working days)",
    )
    offer_days = t.integer(
        "offer_within_days",
        lo=0,
        hi=STATUTORY_OFFER_DAYS,
        why=" (the law: an offer within 4 weeks of the signal)",
    )
    return replace(
        base,
        min_attempts=base.min_attempts if min_attempts is None else min_attempts,
        personal_attempt_for=base.personal_attempt_for if names is None else names,
        crisis_campaign=crisis or base.crisis_campaign,
        crisis_max_days=base.crisis_max_days if crisis_days is None else crisis_days,
        offer_within_days=base.offer_within_days if offer_days is None else offer_days,
    )


# --- checking ----------------------------------------------------------------------------------

# (file, location, field, requirement key): one finding of one rule, whatever its limit.
_Key = tuple[str, str, str, str]


def check_requirements(
    campaigns: Mapping[str, Campaign],
    requirements: Requirements,
    existing: Collection[str] | None = None,
) -> list[Problem]:
    """Every way the campaigns fall short of `requirements`. `existing` names every campaign
    file, also the invalid ones not in `campaigns` (default: the keys of `campaigns`)."""
    return [p for _, p in _findings(campaigns, requirements, existing)]


def check_all(
    campaigns: Mapping[str, Campaign],
    requirement_set: RequirementSet,
    municipality: str | None = None,
    existing: Collection[str] | None = None,
) -> list[Problem]:
    """One municipality's requirements; without one, the defaults and then what each
    municipality's overrides add (a shortfall the defaults already show is not repeated)."""
    if municipality is not None:
        requirements = requirement_set.for_municipality(municipality)
        return check_requirements(campaigns, requirements, existing)
    found = _findings(campaigns, requirement_set.defaults, existing)
    seen = {key for key, _ in found}
    problems = [p for _, p in found]
    for code in sorted(requirement_set.municipalities):
        own = _findings(campaigns, requirement_set.municipalities[code], existing)
        problems += [p for key, p in own if key not in seen]
    return problems


def guaranteed_attempts(campaign: Campaign) -> list[Step]:
    """The planned attempts every household gets, whatever contact data is known."""
    return [
        s
        for s in campaign.planned_attempts()
        if not (set(s.requires) & CONDITIONS_ON_DATA) and not s.languages
    ]


@cache
def longest_calendar_span(working_days: int, year: int) -> int:
    """The most calendar days `working_days` working days take, starting on any day of
    `year` or the next (weekends and Dutch public holidays)."""
    first = date(year, 1, 1)
    starts = (first + timedelta(days=n) for n in range(2 * 365))
    return max((add_working_days(day, working_days) - day).days for day in starts)


def _findings(
    campaigns: Mapping[str, Campaign],
    req: Requirements,
    existing: Collection[str] | None,
) -> list[tuple[_Key, Problem]]:
    names = set(campaigns) if existing is None else set(existing)
    found: list[tuple[_Key, Problem]] = []
    for name in req.personal_attempt_for:
        if name not in names:
            found.append(_missing(req, "personal_attempt_for", name))
    if req.crisis_campaign not in names:
        found.append(_missing(req, "crisis_campaign", req.crisis_campaign))
    for name in sorted(campaigns):
        found += _campaign_findings(campaigns[name], req)
    own = {key for key, _ in found}
    for key, owner, problem in _variant_findings(campaigns, req):
        if key not in own:  # else the variant's file falls short on its own already
            found.append(((*key[:3], f"{key[3]} as {owner}"), problem))
    return found


def _variant_findings(
    campaigns: Mapping[str, Campaign], req: Requirements
) -> list[tuple[_Key, str, Problem]]:
    """Variants never break the rules: a variant's campaign runs in place of the campaign
    whose experiment names it, so it meets the minimums of that campaign's name too (a
    variant of the crisis campaign plans every step within the crisis days, one of a campaign
    in personal_attempt_for plans a call or a visit). Each finding with the name it stands in
    for."""
    found: list[tuple[_Key, str, Problem]] = []
    for name in sorted(campaigns):
        experiment = campaigns[name].experiment
        if experiment is None:
            continue
        for variant in experiment.variants:
            other = campaigns.get(variant.campaign)
            if other is None or variant.campaign == name:
                continue  # a missing file is outreach.cadence.experiment_files's to report
            as_owner = replace(other, name=name)
            role = (
                f"; it runs as variant '{variant.name}' of experiment '{experiment.id}' "
                f"in place of campaign '{name}'"
            )
            for key, problem in _campaign_findings(as_owner, req):
                found.append((key, name, replace(problem, message=problem.message + role)))
    return found


def _missing(req: Requirements, key: str, name: str) -> tuple[_Key, Problem]:
    problem = Problem(
        req.source, req.location, key, f"names campaign '{name}' but there is no {name}.toml"
    )
    return (req.source, req.location, key, key), problem


def _campaign_findings(campaign: Campaign, req: Requirements) -> list[tuple[_Key, Problem]]:
    found: list[tuple[_Key, Problem]] = []

    def add(where: str, field_: str, key: str, message: str, more: str = "") -> None:
        problem = Problem(campaign.source, where, field_, f"{message} ({req.cite(key)}){more}")
        found.append(((campaign.source, where, field_, key), problem))

    attempts = len(guaranteed_attempts(campaign))
    if attempts < req.min_attempts:
        add(
            "top level",
            "step",
            "min_attempts",
            f"{attempts} contact attempt(s) every household gets, at least "
            f"{req.min_attempts} needed",
            "; fallbacks and steps that require has_mobile, has_email or languages do not count",
        )
    planned = campaign.planned_attempts()
    channels = {s.channel for s in planned}
    if campaign.name in req.personal_attempt_for and not channels & PERSONAL_CHANNELS:
        add(
            "top level",
            "step",
            "personal_attempt_for",
            "needs a planned personal attempt, a phone_task or visit_task",
        )
    is_crisis = campaign.name == req.crisis_campaign
    if is_crisis and channels <= LETTERS:
        add(
            "top level",
            "step",
            "crisis_campaign",
            "a crisis campaign must not rely on letters only: plan an sms, call or visit too",
        )
    planned_ids = {s.id for s in planned}
    for index, step in enumerate(campaign.steps, start=1):
        if step.id not in planned_ids:
            continue  # a fallback falls on the day of its step, which is checked
        where = location(index, step.id)
        field_ = "days_before" if step.announces else "after_days"
        day = campaign.days[step.id]
        working = campaign.day_unit == "working"
        due = f"due on {'working ' if working else ''}day {day}"
        if is_crisis and day > req.crisis_max_days:
            hint = "" if working else '; count working days with days = "working"'
            add(
                where,
                field_,
                "crisis_max_days",
                f"{due}; a crisis needs every step within {req.crisis_max_days} working days",
                hint,
            )
            continue
        span = longest_calendar_span(day, date.today().year) if working else day
        if span > req.offer_within_days:
            can_be = f", which can be calendar day {span}" if working else ""
            add(
                where,
                field_,
                "offer_within_days",
                f"{due}{can_be}; the law wants contact within {req.offer_within_days} days "
                "of the signal",
            )
    return found
