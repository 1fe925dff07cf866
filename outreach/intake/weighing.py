"""The weighing framework (afwegingskader): from the facts of a case to a priority and a campaign.

The framework is a TOML file a policy officer writes (`campaigns/afwegingskader.toml`). Each
`[[rule]]` that fires adds its weight to the score; the score picks a `[[tier]]` and its
campaign; an `[[override]]` whose rule fired can replace the campaign (crisis first). Every
fired rule becomes a `Reason` a caseworker can read, so a priority is never a bare number.

Loading validates the whole file and reports every problem at once with file, location
(`rule[3] (id 'rent')`, 1-based, in file order), field and message: a policy officer fixes
the file in one round instead of one error per deploy.

Pure Python on purpose (no Django): the household matcher builds `CaseFacts`, this module
only weighs them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from outreach.core.tomlfile import Problem as Problem
from outreach.core.tomlfile import Table, TomlError, parse_toml, read_toml, show, suggestion

# DDAS EnumSignaalpartner, exact spelling. Duplicated from outreach.core.ddas, which needs
# Django; a test keeps the two equal.
PARTNER_TYPES: tuple[str, ...] = (
    "Energie",
    "Huur",
    "Hypotheek",
    "CAK Zorgverzekeringen",
    "Zorg",
    "Water",
    "DUO",
    "Belastingdienst",
    "CAK Eigen bijdrage",
    "Overige",
    "Dienst Toeslagen",
)

FORMAT_VERSION = 1
DEFAULT_MATCHING_WINDOW_MONTHS = 6
MAX_WEIGHT = 1000

_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


# --- facts and results -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the household matcher knows about one case, within the matching window."""

    partner_types: frozenset[str]
    months: frozenset[tuple[int, int]]
    total_amount: Decimal
    crisis: bool
    minors: bool | None
    youngest_age: int | None
    postcode: str


@dataclass(frozen=True)
class Reason:
    rule: str
    weight: int
    detail: str


@dataclass(frozen=True)
class Priority:
    score: int
    tier: str
    campaign: str
    reasons: tuple[Reason, ...]


class FrameworkError(TomlError):
    """The framework file is unusable; `problems` holds every problem found, in file order."""


# --- formatting --------------------------------------------------------------------------------


def format_euro(amount: Decimal) -> str:
    """Dutch notation: "€ 1.234", cents only when there are any ("€ 1.234,50")."""
    cents_total = int(abs(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    euros, cents = divmod(cents_total, 100)
    text = f"{euros:,}".replace(",", ".")
    if cents:
        text += f",{cents:02d}"
    sign = "-" if amount < 0 and cents_total else ""
    return f"€ {sign}{text}"


def _format_month(month: tuple[int, int]) -> str:
    year, number = month
    name = _MONTHS_NL[number - 1] if 1 <= number <= 12 else str(number)
    return f"{name} {year}"


def _with_label(label: str | None, sentence: str) -> str:
    if label is None:
        return sentence
    return f"{label}: {sentence[0].lower()}{sentence[1:]}"


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Rule(ABC):
    """One `[[rule]]`. Subclasses say when it fires and what a caseworker reads then."""

    kind: ClassVar[str] = ""
    id: str
    weight: int
    label: str | None = None

    @abstractmethod
    def observation(self, facts: CaseFacts) -> str | None:
        """The concrete sentence (Dutch) when the rule fires, else None."""

    def reason(self, facts: CaseFacts) -> Reason | None:
        sentence = self.observation(facts)
        if sentence is None:
            return None
        return Reason(self.id, self.weight, _with_label(self.label, sentence))


@dataclass(frozen=True, kw_only=True)
class MultiplePartnersRule(Rule):
    kind: ClassVar[str] = "multiple_partners"
    min: int = 2

    def observation(self, facts: CaseFacts) -> str | None:
        if len(facts.partner_types) < self.min:
            return None
        names = ", ".join(sorted(facts.partner_types))
        return f"Signalen van {len(facts.partner_types)} partners op dit adres ({names})"


@dataclass(frozen=True, kw_only=True)
class ConsecutiveMonthsRule(Rule):
    # Counts distinct months with a signal in the window, not strictly adjacent ones: a gap
    # month (a partner that reports every other month) still means arrears that persist.
    kind: ClassVar[str] = "consecutive_months"
    min: int = 2

    def observation(self, facts: CaseFacts) -> str | None:
        if len(facts.months) < self.min:
            return None
        months = ", ".join(_format_month(m) for m in sorted(facts.months))
        return f"Signalen in {len(facts.months)} verschillende maanden ({months})"


@dataclass(frozen=True, kw_only=True)
class AmountBandRule(Rule):
    kind: ClassVar[str] = "amount_band"
    min: Decimal
    max: Decimal | None = None  # exclusive; None = no upper bound

    def contains(self, amount: Decimal) -> bool:
        return self.min <= amount and (self.max is None or amount < self.max)

    @cached_property
    def band_text(self) -> str:
        if self.max is None:
            return f"vanaf {format_euro(self.min)}"
        return f"{format_euro(self.min)} tot {format_euro(self.max)}"

    def observation(self, facts: CaseFacts) -> str | None:
        if not self.contains(facts.total_amount):
            return None
        return f"Totale achterstand {format_euro(facts.total_amount)} (band {self.band_text})"


@dataclass(frozen=True, kw_only=True)
class PartnerTypeRule(Rule):
    kind: ClassVar[str] = "partner_type"
    type: str

    def observation(self, facts: CaseFacts) -> str | None:
        if self.type not in facts.partner_types:
            return None
        return f"Signaal van signaalpartner {self.type}"


@dataclass(frozen=True, kw_only=True)
class CrisisRule(Rule):
    kind: ClassVar[str] = "crisis"

    def observation(self, facts: CaseFacts) -> str | None:
        if not facts.crisis:
            return None
        return "Crisissignaal ontvangen (bijvoorbeeld een eindeleveringssignaal)"


@dataclass(frozen=True, kw_only=True)
class MinorsRule(Rule):
    kind: ClassVar[str] = "minors"

    def observation(self, facts: CaseFacts) -> str | None:
        # Unknown (None) does not fire: most signals do not tell, and guessing would
        # raise every case alike.
        if facts.minors is not True:
            return None
        return "Huishouden met minderjarige kinderen"


@dataclass(frozen=True, kw_only=True)
class YoungAdultRule(Rule):
    kind: ClassVar[str] = "young_adult"
    max_age: int = 27

    def observation(self, facts: CaseFacts) -> str | None:
        if facts.youngest_age is None or facts.youngest_age > self.max_age:
            return None
        return f"Jongste volwassene is {facts.youngest_age} jaar (tot en met {self.max_age})"


@dataclass(frozen=True, kw_only=True)
class NeighbourhoodRule(Rule):
    kind: ClassVar[str] = "neighbourhood"
    postcodes: frozenset[str]

    def observation(self, facts: CaseFacts) -> str | None:
        area = facts.postcode[:4]
        if area not in self.postcodes:
            return None
        return f"Adres in postcodegebied {area}"


@dataclass(frozen=True)
class Tier:
    name: str
    min_score: int
    campaign: str


@dataclass(frozen=True)
class Override:
    rule: str
    campaign: str
    tier: str | None = None


@dataclass(frozen=True)
class Framework:
    matching_window_months: int
    rules: tuple[Rule, ...]
    tiers: tuple[Tier, ...]
    overrides: tuple[Override, ...]

    @property
    def tier_names(self) -> frozenset[str]:
        """Every tier a case can get: the tiers and the overrides' tiers."""
        return frozenset(t.name for t in self.tiers) | {o.tier for o in self.overrides if o.tier}

    def assess(self, facts: CaseFacts) -> Priority:
        reasons = tuple(r for rule in self.rules if (r := rule.reason(facts)) is not None)
        score = sum(r.weight for r in reasons)
        eligible = [t for t in self.tiers if t.min_score <= score]
        if not eligible:
            # parse_framework guarantees a tier at 0; only a hand-built Framework gets here.
            raise ValueError(f"no tier with min_score <= {score}")
        tier = max(eligible, key=lambda t: t.min_score)
        tier_name, campaign = tier.name, tier.campaign
        fired = {r.rule for r in reasons}
        for override in self.overrides:
            if override.rule in fired:
                campaign = override.campaign
                tier_name = override.tier or tier_name
                break
        return Priority(score=score, tier=tier_name, campaign=campaign, reasons=reasons)


# --- loading and validation --------------------------------------------------------------------


def load_framework(path: Path) -> Framework:
    data, problems = read_toml(path)
    return _framework(data, problems, str(path))


def parse_framework(text: str, source: str) -> Framework:
    data, problems = parse_toml(text, source)
    return _framework(data, problems, source)


def _framework(
    data: Mapping[str, object] | None, problems: list[Problem], source: str
) -> Framework:
    """The framework of the file's tables; FrameworkError with every problem."""
    framework = None if data is None else _parse_document(Table.top(data, source, problems))
    if problems or framework is None:
        raise FrameworkError(problems)
    return framework


_TOP_KEYS = ("version", "matching_window_months", "rule", "tier", "override")
_RULE_COMMON_KEYS = ("id", "kind", "weight", "label")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


def _parse_document(top: Table) -> Framework | None:
    top.check_keys(_TOP_KEYS, "the top level")
    version = top.integer("version", required=True)
    if version is not None and version != FORMAT_VERSION:
        top.problem("version", f"must be {FORMAT_VERSION}, got {version}")
    window = top.integer(
        "matching_window_months", default=DEFAULT_MATCHING_WINDOW_MONTHS, lo=1, hi=24
    )

    rules, rule_ids = _parse_rules(top)
    tiers = _parse_tiers(top)
    overrides = _parse_overrides(top, rule_ids)
    if window is None:
        return None
    return Framework(window, tuple(rules), tuple(tiers), tuple(overrides))


@dataclass(frozen=True)
class _Common:
    id: str
    weight: int
    label: str | None


_Builder = Callable[[Table, _Common | None], Rule | None]


def _build_multiple_partners(t: Table, common: _Common | None) -> Rule | None:
    minimum = t.integer("min", default=2, lo=2, hi=len(PARTNER_TYPES))
    if common is None or minimum is None:
        return None
    return MultiplePartnersRule(id=common.id, weight=common.weight, label=common.label, min=minimum)


def _build_consecutive_months(t: Table, common: _Common | None) -> Rule | None:
    minimum = t.integer("min", default=2, lo=2, hi=25)
    if common is None or minimum is None:
        return None
    return ConsecutiveMonthsRule(
        id=common.id, weight=common.weight, label=common.label, min=minimum
    )


def _build_amount_band(t: Table, common: _Common | None) -> Rule | None:
    low = t.amount("min", required=True)
    high = t.amount("max", required=False)
    if low is not None and high is not None and high <= low:
        t.problem("max", f"must be greater than min ({low}), got {high}")
        return None
    if common is None or low is None or (high is None and t.has("max")):
        return None
    return AmountBandRule(id=common.id, weight=common.weight, label=common.label, min=low, max=high)


def _build_partner_type(t: Table, common: _Common | None) -> Rule | None:
    partner = t.text("type", required=True)
    if partner is not None and partner not in PARTNER_TYPES:
        hint = suggestion(partner, PARTNER_TYPES)
        valid = ", ".join(f"'{p}'" for p in PARTNER_TYPES)
        t.problem("type", f"unknown partner type {show(partner)}; {hint}valid: {valid}")
        return None
    if common is None or partner is None:
        return None
    return PartnerTypeRule(id=common.id, weight=common.weight, label=common.label, type=partner)


def _build_crisis(t: Table, common: _Common | None) -> Rule | None:
    if common is None:
        return None
    return CrisisRule(id=common.id, weight=common.weight, label=common.label)


def _build_minors(t: Table, common: _Common | None) -> Rule | None:
    if common is None:
        return None
    return MinorsRule(id=common.id, weight=common.weight, label=common.label)


def _build_young_adult(t: Table, common: _Common | None) -> Rule | None:
    max_age = t.integer("max_age", default=27, lo=18, hi=120)
    if common is None or max_age is None:
        return None
    return YoungAdultRule(id=common.id, weight=common.weight, label=common.label, max_age=max_age)


_POSTCODE_AREA = re.compile(r"^[1-9][0-9]{3}$")


def _build_neighbourhood(t: Table, common: _Common | None) -> Rule | None:
    areas = t.text_list("postcodes", required=True, non_empty=True)
    if areas is None:
        return None
    bad = [a for a in areas if not _POSTCODE_AREA.match(a)]
    if bad:
        t.problem(
            "postcodes",
            f"must be 4-digit postcode areas like '1102', got {show(bad[0])}",
        )
        return None
    if common is None:
        return None
    return NeighbourhoodRule(
        id=common.id, weight=common.weight, label=common.label, postcodes=frozenset(areas)
    )


# kind -> (its own keys, builder). The order here is the order in error messages.
_KINDS: dict[str, tuple[tuple[str, ...], _Builder]] = {
    "multiple_partners": (("min",), _build_multiple_partners),
    "consecutive_months": (("min",), _build_consecutive_months),
    "amount_band": (("min", "max"), _build_amount_band),
    "partner_type": (("type",), _build_partner_type),
    "crisis": ((), _build_crisis),
    "minors": ((), _build_minors),
    "young_adult": (("max_age",), _build_young_adult),
    "neighbourhood": (("postcodes",), _build_neighbourhood),
}


_ALL_RULE_KEYS = tuple(
    dict.fromkeys(_RULE_COMMON_KEYS + tuple(k for keys, _ in _KINDS.values() for k in keys))
)


def _parse_rules(top: Table) -> tuple[list[Rule], set[str]]:
    rules: list[Rule] = []
    located: dict[str, str] = {}  # rule id -> location of its first definition
    built: list[tuple[Table, Rule]] = []
    if top.data.get("rule", []) == []:
        top.problem("rule", "missing; the framework needs at least one [[rule]]")
    for t in top.tables("rule", "id"):
        location = t.location
        kind = t.text("kind", required=True)
        spec = _KINDS.get(kind) if kind is not None else None
        if kind is not None and spec is None:
            t.problem("kind", f"unknown rule kind {show(kind)}; known kinds: {', '.join(_KINDS)}")
        if spec is not None:
            t.check_keys(_RULE_COMMON_KEYS + spec[0], f"a rule of kind '{kind}'")
        else:
            # Without a valid kind, report only the keys that no kind knows.
            t.check_keys(_ALL_RULE_KEYS, "a rule of any kind")

        rule_id = t.text("id", required=True)
        if rule_id is not None:
            if not _ID_PATTERN.match(rule_id):
                t.problem("id", f"must use only letters, digits, '_' and '-', got {show(rule_id)}")
                rule_id = None
            elif rule_id in located:
                t.problem("id", f"duplicate id {show(rule_id)}, first used at {located[rule_id]}")
                rule_id = None
            else:
                located[rule_id] = location
        weight = t.integer("weight", lo=0, hi=MAX_WEIGHT, required=True)
        label = t.text("label", required=False)
        label_ok = label is not None or not t.has("label")
        common = (
            _Common(rule_id, weight, label)
            if rule_id is not None and weight is not None and label_ok
            else None
        )
        if spec is not None:
            rule = spec[1](t, common)
            if rule is not None:
                rules.append(rule)
                built.append((t, rule))
    _check_double_counting(built)
    return rules, set(located)


def _check_double_counting(built: list[tuple[Table, Rule]]) -> None:
    """Two rules that test the same thing would count one fact twice."""
    bands: list[tuple[str, AmountBandRule]] = []
    areas: dict[str, str] = {}
    conditions: dict[tuple[object, ...], str] = {}
    for t, rule in built:
        location = t.location
        if isinstance(rule, AmountBandRule):
            for other_location, other in bands:
                if _overlap(rule, other):
                    t.problem(
                        "min",
                        f"band {_band(rule)} overlaps band {_band(other)} of {other_location}; "
                        "an amount must fall in at most one band",
                    )
                    break
            bands.append((location, rule))
        elif isinstance(rule, NeighbourhoodRule):
            for area in sorted(rule.postcodes):
                if area in areas and areas[area] != location:
                    t.problem("postcodes", f"postcode area '{area}' is also in {areas[area]}")
                areas.setdefault(area, location)
        else:
            condition = _condition(rule)
            if condition in conditions:
                t.problem(
                    "kind",
                    f"tests the same as {conditions[condition]}; it would count twice",
                )
            conditions.setdefault(condition, location)


def _condition(rule: Rule) -> tuple[object, ...]:
    if isinstance(rule, MultiplePartnersRule | ConsecutiveMonthsRule):
        return (rule.kind, rule.min)
    if isinstance(rule, PartnerTypeRule):
        return (rule.kind, rule.type)
    if isinstance(rule, YoungAdultRule):
        return (rule.kind, rule.max_age)
    return (rule.kind,)


def _overlap(a: AmountBandRule, b: AmountBandRule) -> bool:
    a_below_b_end = b.max is None or a.min < b.max
    b_below_a_end = a.max is None or b.min < a.max
    return a_below_b_end and b_below_a_end


def _band(rule: AmountBandRule) -> str:
    if rule.max is None:
        return f"{rule.min} and up"
    return f"{rule.min} to {rule.max}"


def _parse_tiers(top: Table) -> list[Tier]:
    tiers: list[Tier] = []
    names: dict[str, str] = {}
    scores: dict[int, str] = {}
    for t in top.tables("tier", "name"):
        location = t.location
        t.check_keys(("name", "min_score", "campaign"), "a tier")
        name = t.text("name", required=True)
        if name is not None and name in names:
            t.problem("name", f"duplicate name {show(name)}, first used at {names[name]}")
            name = None
        min_score = t.integer("min_score", lo=0, required=True)
        if min_score is not None and min_score in scores:
            t.problem("min_score", f"{min_score} is already the min_score of {scores[min_score]}")
            min_score = None
        campaign = t.text("campaign", required=True)
        if name is not None:
            names[name] = location
        if min_score is not None:
            scores[min_score] = location
        if name is not None and min_score is not None and campaign is not None:
            tiers.append(Tier(name, min_score, campaign))
    if 0 not in scores:
        top.problem(
            "tier",
            "no [[tier]] with min_score = 0; every case needs a tier, even one no rule fires for",
        )
    return tiers


def _parse_overrides(top: Table, rule_ids: set[str]) -> list[Override]:
    overrides: list[Override] = []
    seen: dict[str, str] = {}
    for t in top.tables("override", "rule"):
        location = t.location
        t.check_keys(("rule", "campaign", "tier"), "an override")
        rule = t.text("rule", required=True)
        if rule is not None and rule not in rule_ids:
            known = ", ".join(f"'{r}'" for r in sorted(rule_ids)) or "none"
            t.problem("rule", f"no rule with id {show(rule)}; rule ids: {known}")
            rule = None
        elif rule is not None and rule in seen:
            t.problem(
                "rule", f"{seen[rule]} already overrides rule '{rule}'; this one never applies"
            )
            rule = None
        campaign = t.text("campaign", required=True)
        tier = t.text("tier", required=False)
        if rule is not None:
            seen[rule] = location
        if rule is not None and campaign is not None and (tier is not None or not t.has("tier")):
            overrides.append(Override(rule, campaign, tier))
    return overrides
