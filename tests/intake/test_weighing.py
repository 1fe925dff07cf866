"""The weighing framework (afwegingskader): rules, tiers, overrides, reasons and validation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.intake.weighing import (
    PARTNER_TYPES,
    CaseFacts,
    Framework,
    FrameworkError,
    Priority,
    Problem,
    Reason,
    format_euro,
    load_framework,
    parse_framework,
)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "campaigns" / "afwegingskader.toml"
SOURCE = "campaigns/afwegingskader.toml"

TIER_0 = '[[tier]]\nname = "low"\nmin_score = 0\ncampaign = "light"\n'


def case(
    partners: set[str] | None = None,
    months: set[tuple[int, int]] | None = None,
    amount: str | int = 0,
    crisis: bool = False,
    minors: bool | None = None,
    age: int | None = None,
    postcode: str = "9999ZZ",
) -> CaseFacts:
    return CaseFacts(
        partner_types=frozenset({"Energie"} if partners is None else partners),
        months=frozenset({(2024, 3)} if months is None else months),
        total_amount=Decimal(amount),
        crisis=crisis,
        minors=minors,
        youngest_age=age,
        postcode=postcode,
    )


def framework(rules: str, rest: str = TIER_0) -> Framework:
    return parse_framework(f"version = 1\n{rules}\n{rest}", SOURCE)


def one_rule(body: str, weight: int = 10) -> Framework:
    return framework(f'[[rule]]\nid = "r"\nweight = {weight}\n{body}\n')


def fired(fw: Framework, facts: CaseFacts) -> list[str]:
    return [r.rule for r in fw.assess(facts).reasons]


def problems(text: str) -> list[Problem]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(text, SOURCE)
    return info.value.problems


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


@pytest.fixture(scope="module")
def default() -> Framework:
    return load_framework(DEFAULT_PATH)


# --- the shipped default -----------------------------------------------------------------------


def test_default_file_loads(default: Framework) -> None:
    assert default.matching_window_months == 6
    assert [r.id for r in default.rules] == [
        "crisis",
        "multiple_partners",
        "several_months",
        "rent",
        "amount_250",
        "amount_1000",
        "amount_2500",
        "minors",
        "young_adult",
        "neighbourhood_example",
    ]
    weights = {r.id: r.weight for r in default.rules}
    assert weights["crisis"] == 100
    assert weights["multiple_partners"] == 30
    assert weights["rent"] == 20
    assert [(t.name, t.min_score, t.campaign) for t in default.tiers] == [
        ("low", 0, "light"),
        ("medium", 20, "standard"),
        ("high", 50, "intensive"),
    ]
    assert [(o.rule, o.campaign, o.tier) for o in default.overrides] == [
        ("crisis", "crisis", "crisis"),
        ("young_adult", "young", None),
    ]


@pytest.mark.parametrize(
    ("facts", "score", "tier", "campaign"),
    [
        # One small signal: no rule fires.
        (case(amount=120), 0, "low", "light"),
        (case(amount=300), 10, "low", "light"),
        # Rent arrears alone is serious enough for the standard campaign.
        (case(partners={"Huur"}, amount=300), 30, "medium", "standard"),
        # Several partners plus a second fact: intensive.
        (case(partners={"Huur", "Energie"}, amount=300), 60, "high", "intensive"),
        (case(partners={"Water", "Energie"}, amount=1000), 50, "high", "intensive"),
        (case(crisis=True), 100, "crisis", "crisis"),
    ],
)
def test_default_calibration(
    default: Framework, facts: CaseFacts, score: int, tier: str, campaign: str
) -> None:
    priority = default.assess(facts)
    assert (priority.score, priority.tier, priority.campaign) == (score, tier, campaign)


def test_partner_types_match_ddas_vocabulary() -> None:
    ddas = pytest.importorskip("outreach.core.ddas")
    assert tuple(ddas.PartnerType.values) == PARTNER_TYPES


# --- each rule kind at its boundaries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "facts", "fires"),
    [
        # multiple_partners: default min 2
        ('kind = "multiple_partners"', case(partners={"Huur"}), False),
        ('kind = "multiple_partners"', case(partners={"Huur", "Zorg"}), True),
        ('kind = "multiple_partners"\nmin = 3', case(partners={"Huur", "Zorg"}), False),
        ('kind = "multiple_partners"\nmin = 3', case(partners={"Huur", "Zorg", "DUO"}), True),
        # consecutive_months: distinct months, default min 2
        ('kind = "consecutive_months"', case(months={(2024, 3)}), False),
        ('kind = "consecutive_months"', case(months={(2024, 3), (2024, 5)}), True),
        ('kind = "consecutive_months"', case(months={(2023, 12), (2024, 1)}), True),
        ('kind = "consecutive_months"\nmin = 3', case(months={(2024, 3), (2024, 4)}), False),
        (
            'kind = "consecutive_months"\nmin = 3',
            case(months={(2024, 3), (2024, 4), (2024, 5)}),
            True,
        ),
        # amount_band: min inclusive, max exclusive
        ('kind = "amount_band"\nmin = 250\nmax = 1000', case(amount="249.99"), False),
        ('kind = "amount_band"\nmin = 250\nmax = 1000', case(amount="250"), True),
        ('kind = "amount_band"\nmin = 250\nmax = 1000', case(amount="999.99"), True),
        ('kind = "amount_band"\nmin = 250\nmax = 1000', case(amount="1000"), False),
        ('kind = "amount_band"\nmin = 2500', case(amount="2499.99"), False),
        ('kind = "amount_band"\nmin = 2500', case(amount="2500"), True),
        ('kind = "amount_band"\nmin = 2500', case(amount="1000000"), True),
        ('kind = "amount_band"\nmin = 99.5', case(amount="99.49"), False),
        ('kind = "amount_band"\nmin = 99.5', case(amount="99.50"), True),
        # partner_type
        ('kind = "partner_type"\ntype = "Huur"', case(partners={"Energie"}), False),
        ('kind = "partner_type"\ntype = "Huur"', case(partners={"Huur"}), True),
        ('kind = "partner_type"\ntype = "Huur"', case(partners={"Energie", "Huur"}), True),
        ('kind = "partner_type"\ntype = "CAK Eigen bijdrage"', case(partners={"CAK"}), False),
        # crisis
        ('kind = "crisis"', case(crisis=False), False),
        ('kind = "crisis"', case(crisis=True), True),
        # minors: unknown does not fire
        ('kind = "minors"', case(minors=None), False),
        ('kind = "minors"', case(minors=False), False),
        ('kind = "minors"', case(minors=True), True),
        # young_adult: default max_age 27, inclusive; unknown age does not fire
        ('kind = "young_adult"', case(age=None), False),
        ('kind = "young_adult"', case(age=28), False),
        ('kind = "young_adult"', case(age=27), True),
        ('kind = "young_adult"', case(age=18), True),
        ('kind = "young_adult"\nmax_age = 23', case(age=24), False),
        ('kind = "young_adult"\nmax_age = 23', case(age=23), True),
        # neighbourhood: the 4-digit area of the normalised postcode
        ('kind = "neighbourhood"\npostcodes = ["1102", "1103"]', case(postcode="1102AB"), True),
        ('kind = "neighbourhood"\npostcodes = ["1102", "1103"]', case(postcode="1103ZZ"), True),
        ('kind = "neighbourhood"\npostcodes = ["1102", "1103"]', case(postcode="1104AA"), False),
        ('kind = "neighbourhood"\npostcodes = ["1102", "1103"]', case(postcode="1011AB"), False),
    ],
)
def test_rule_fires_at_its_boundary(body: str, facts: CaseFacts, fires: bool) -> None:
    fw = one_rule(body)
    assert fired(fw, facts) == (["r"] if fires else [])
    assert fw.assess(facts).score == (10 if fires else 0)


def test_zero_weight_rule_still_gives_its_reason() -> None:
    fw = one_rule('kind = "crisis"', weight=0)
    priority = fw.assess(case(crisis=True))
    assert priority.score == 0
    assert [(r.rule, r.weight) for r in priority.reasons] == [("r", 0)]


# --- tiers -------------------------------------------------------------------------------------

# Tiers deliberately out of file order: selection goes by min_score.
TIERS = """
[[tier]]
name = "high"
min_score = 50
campaign = "intensive"

[[tier]]
name = "low"
min_score = 0
campaign = "light"

[[tier]]
name = "medium"
min_score = 20
campaign = "standard"
"""


@pytest.mark.parametrize(
    ("score", "tier", "campaign"),
    [
        (0, "low", "light"),
        (19, "low", "light"),
        (20, "medium", "standard"),
        (49, "medium", "standard"),
        (50, "high", "intensive"),
        (1000, "high", "intensive"),
    ],
)
def test_tier_is_the_highest_min_score_reached(score: int, tier: str, campaign: str) -> None:
    fw = framework(f'[[rule]]\nid = "c"\nkind = "crisis"\nweight = {score}\n', TIERS)
    priority = fw.assess(case(crisis=True))
    assert (priority.score, priority.tier, priority.campaign) == (score, tier, campaign)


def test_no_rule_fired_gives_tier_zero() -> None:
    fw = framework('[[rule]]\nid = "c"\nkind = "crisis"\nweight = 70\n', TIERS)
    assert fw.assess(case()) == Priority(score=0, tier="low", campaign="light", reasons=())


# --- overrides ---------------------------------------------------------------------------------


def test_crisis_override_wins_over_young(default: Framework) -> None:
    priority = default.assess(case(crisis=True, age=20))
    assert (priority.tier, priority.campaign) == ("crisis", "crisis")
    assert {"crisis", "young_adult"} <= {r.rule for r in priority.reasons}


def test_young_override_keeps_the_tier_it_has_no_tier_for(default: Framework) -> None:
    low = default.assess(case(age=20))
    assert (low.score, low.tier, low.campaign) == (10, "low", "young")
    high = default.assess(case(partners={"Huur", "Energie"}, age=20))
    assert (high.score, high.tier, high.campaign) == (60, "high", "young")


def test_first_override_in_file_order_wins() -> None:
    rules = """
[[rule]]
id = "crisis"
kind = "crisis"
weight = 100

[[rule]]
id = "young"
kind = "young_adult"
weight = 10
"""
    young_first = """
[[override]]
rule = "young"
campaign = "young"

[[override]]
rule = "crisis"
campaign = "crisis"
tier = "crisis"
"""
    fw = framework(rules, TIER_0 + young_first)
    both = fw.assess(case(crisis=True, age=20))
    assert (both.tier, both.campaign) == ("low", "young")
    crisis_only = fw.assess(case(crisis=True, age=40))
    assert (crisis_only.tier, crisis_only.campaign) == ("crisis", "crisis")


def test_override_of_a_rule_that_did_not_fire_changes_nothing(default: Framework) -> None:
    priority = default.assess(case(partners={"Huur"}, amount=300, age=40))
    assert (priority.tier, priority.campaign) == ("medium", "standard")


# --- reasons -----------------------------------------------------------------------------------


def test_reasons_in_file_order_with_weights_and_concrete_text(default: Framework) -> None:
    facts = case(
        partners={"Huur", "Energie"},
        months={(2024, 3), (2024, 1)},
        amount="1234.50",
        crisis=True,
        minors=True,
        age=22,
        postcode="1102AB",
    )
    priority = default.assess(facts)
    assert priority.reasons == (
        Reason(
            "crisis",
            100,
            "Contact binnen 3 werkdagen: crisissignaal ontvangen "
            "(bijvoorbeeld een eindeleveringssignaal)",
        ),
        Reason(
            "multiple_partners",
            30,
            "Meerdere signaalpartners: signalen van 2 partners op dit adres (Energie, Huur)",
        ),
        Reason(
            "several_months",
            20,
            "Achterstand houdt aan: signalen in 2 verschillende maanden (jan 2024, mrt 2024)",
        ),
        Reason(
            "rent",
            20,
            "Huurachterstand, risico op huisuitzetting: signaal van signaalpartner Huur",
        ),
        Reason("amount_1000", 20, "Totale achterstand € 1.234,50 (band € 1.000 tot € 2.500)"),
        Reason("minors", 15, "Huishouden met minderjarige kinderen"),
        Reason("young_adult", 10, "Jongere: jongste volwassene is 22 jaar (tot en met 27)"),
        Reason(
            "neighbourhood_example",
            10,
            "Aandachtswijk (voorbeeld): adres in postcodegebied 1102",
        ),
    )
    assert priority.score == 225


@pytest.mark.parametrize(
    ("body", "facts", "detail"),
    [
        (
            'kind = "multiple_partners"',
            case(partners={"Water", "Zorg", "CAK Zorgverzekeringen"}),
            "Signalen van 3 partners op dit adres (CAK Zorgverzekeringen, Water, Zorg)",
        ),
        (
            'kind = "consecutive_months"',
            case(months={(2024, 1), (2023, 12), (2023, 11)}),
            "Signalen in 3 verschillende maanden (nov 2023, dec 2023, jan 2024)",
        ),
        (
            'kind = "amount_band"\nmin = 2500',
            case(amount="12345"),
            "Totale achterstand € 12.345 (band vanaf € 2.500)",
        ),
        (
            'kind = "partner_type"\ntype = "Water"',
            case(partners={"Water"}),
            "Signaal van signaalpartner Water",
        ),
        ('kind = "young_adult"', case(age=19), "Jongste volwassene is 19 jaar (tot en met 27)"),
        (
            'kind = "neighbourhood"\npostcodes = ["1102"]',
            case(postcode="1102AB"),
            "Adres in postcodegebied 1102",
        ),
        (
            'kind = "neighbourhood"\npostcodes = ["1102"]\nlabel = "Bijlmer-Centrum"',
            case(postcode="1102AB"),
            "Bijlmer-Centrum: adres in postcodegebied 1102",
        ),
    ],
)
def test_reason_detail(body: str, facts: CaseFacts, detail: str) -> None:
    (reason,) = one_rule(body).assess(facts).reasons
    assert reason.detail == detail


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "€ 0"),
        ("5", "€ 5"),
        ("999", "€ 999"),
        ("1234", "€ 1.234"),
        ("1234.5", "€ 1.234,50"),
        ("1234.00", "€ 1.234"),
        ("1234567.891", "€ 1.234.567,89"),
        ("-12.5", "€ -12,50"),
    ],
)
def test_format_euro(amount: str, text: str) -> None:
    assert format_euro(Decimal(amount)) == text


# --- validation: every problem, precisely located ----------------------------------------------


def test_problem_str_names_file_location_field_and_message() -> None:
    text = (
        """version = 1
[[rule]]
id = "crisis"
kind = "crisis"
weight = 100

[[rule]]
id = "several"
kind = "consecutive_months"
weight = 20

[[rule]]
id = "rent"
kind = "partner_type"
type = "Huur"
weight = "ten"
"""
        + TIER_0
    )
    problem = only_problem(text)
    assert problem == Problem(
        SOURCE, "rule[3] (id 'rent')", "weight", "must be an integer, got 'ten'"
    )
    assert str(problem) == (
        "campaigns/afwegingskader.toml: rule[3] (id 'rent'): field 'weight': "
        "must be an integer, got 'ten'"
    )


def test_toml_syntax_error_has_line_and_column() -> None:
    text = 'version = 1\n\n[[rule]]\nid = "rent\nkind = "crisis"\n'
    problem = only_problem(text)
    assert problem.file == SOURCE
    assert problem.location == "line 4, column 11"
    assert problem.field == ""
    assert problem.message.startswith("TOML syntax error: ")
    assert str(problem).startswith(f"{SOURCE}: line 4, column 11: TOML syntax error: ")


def test_toml_error_at_end_of_document_points_at_last_line() -> None:
    # tomllib gives no line for some errors; the last line is the best pointer then.
    problem = only_problem("version = 1\nweights = [1,\n 2,\n")
    assert problem.location == "line 3 (end of file)"
    assert problem.message == "TOML syntax error: Invalid value"


def test_unknown_rule_kind() -> None:
    problem = only_problem(
        'version = 1\n[[rule]]\nid = "x"\nkind = "sparkle"\nweight = 1\n' + TIER_0
    )
    assert (problem.location, problem.field) == ("rule[1] (id 'x')", "kind")
    assert problem.message.startswith("unknown rule kind 'sparkle'; known kinds: multiple_partners")
    assert "neighbourhood" in problem.message


def test_unknown_key_is_named_with_a_suggestion() -> None:
    problem = only_problem(
        'version = 1\n[[rule]]\nid = "m"\nkind = "multiple_partners"\nmni = 3\nweight = 1\n'
        + TIER_0
    )
    assert (problem.location, problem.field) == ("rule[1] (id 'm')", "mni")
    assert problem.message == (
        "unknown key; did you mean 'min'? allowed in a rule of kind 'multiple_partners': "
        "id, kind, weight, label, min"
    )


def test_key_of_another_kind_is_unknown() -> None:
    problem = only_problem(
        'version = 1\n[[rule]]\nid = "c"\nkind = "crisis"\nweight = 1\nmin = 2\n' + TIER_0
    )
    assert (problem.location, problem.field) == ("rule[1] (id 'c')", "min")


@pytest.mark.parametrize(
    ("location", "field", "message", "toml"),
    [
        ("top level", "version", "must be 1, got 2", "version = 2"),
        ("top level", "version", "must be an integer, got '1'", 'version = "1"'),
        ("top level", "zoom", "unknown key", "version = 1\nzoom = 1"),
        (
            "top level",
            "matching_window_months",
            "must be between 1 and 24, got 25",
            "version = 1\nmatching_window_months = 25",
        ),
        (
            "top level",
            "matching_window_months",
            "must be an integer, got 6.5",
            "version = 1\nmatching_window_months = 6.5",
        ),
    ],
)
def test_top_level_problems(location: str, field: str, message: str, toml: str) -> None:
    text = toml + '\n[[rule]]\nid = "c"\nkind = "crisis"\nweight = 1\n' + TIER_0
    problem = only_problem(text)
    assert (problem.location, problem.field) == (location, field)
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('kind = "crisis"\nweight = true', "weight", "must be an integer, got true"),
        ('kind = "crisis"\nweight = 1.5', "weight", "must be an integer, got 1.5"),
        ('kind = "crisis"\nweight = -1', "weight", "must be between 0 and 1000, got -1"),
        ('kind = "crisis"\nweight = 1001', "weight", "must be between 0 and 1000, got 1001"),
        ('kind = "crisis"', "weight", "missing; must be an integer"),
        ('kind = "crisis"\nweight = 1\nlabel = 5', "label", "must be a non-empty string, got 5"),
        ('kind = "crisis"\nweight = 1\nlabel = ""', "label", "must be a non-empty string, got ''"),
        ("kind = 3\nweight = 1", "kind", "must be a non-empty string, got 3"),
        ("weight = 1", "kind", "missing; must be a non-empty string"),
        (
            'kind = "multiple_partners"\nweight = 1\nmin = "2"',
            "min",
            "must be an integer, got '2'",
        ),
        (
            'kind = "multiple_partners"\nweight = 1\nmin = 1',
            "min",
            "must be between 2 and 11, got 1",
        ),
        (
            'kind = "consecutive_months"\nweight = 1\nmin = 1',
            "min",
            "must be between 2 and 25, got 1",
        ),
        ('kind = "amount_band"\nweight = 1', "min", "missing; must be an amount in euros"),
        (
            'kind = "amount_band"\nweight = 1\nmin = "250"',
            "min",
            "must be an amount in euros (a number), got '250'",
        ),
        (
            'kind = "amount_band"\nweight = 1\nmin = -5',
            "min",
            "must be a finite amount of 0 or more, got -5",
        ),
        (
            'kind = "amount_band"\nweight = 1\nmin = 1000\nmax = 1000',
            "max",
            "must be greater than min (1000), got 1000",
        ),
        (
            'kind = "young_adult"\nweight = 1\nmax_age = 12',
            "max_age",
            "must be between 18 and 120, got 12",
        ),
        (
            'kind = "neighbourhood"\nweight = 1\npostcodes = "1102"',
            "postcodes",
            "must be a non-empty list of strings, got '1102'",
        ),
        (
            'kind = "neighbourhood"\nweight = 1\npostcodes = []',
            "postcodes",
            "must be a non-empty list of strings, got a list",
        ),
        (
            'kind = "neighbourhood"\nweight = 1\npostcodes = [1102]',
            "postcodes",
            "must be a list of strings, got 1102 in it",
        ),
        (
            'kind = "neighbourhood"\nweight = 1\npostcodes = ["1102", "1102AB"]',
            "postcodes",
            "must be 4-digit postcode areas like '1102', got '1102AB'",
        ),
        (
            'kind = "neighbourhood"\nweight = 1\npostcodes = ["0123"]',
            "postcodes",
            "must be 4-digit postcode areas like '1102', got '0123'",
        ),
        ('kind = "partner_type"\nweight = 1', "type", "missing; must be a non-empty string"),
    ],
)
def test_rule_field_problems(body: str, field: str, message: str) -> None:
    problem = only_problem(f'version = 1\n[[rule]]\nid = "r"\n{body}\n' + TIER_0)
    assert (problem.location, problem.field, problem.message) == (
        "rule[1] (id 'r')",
        field,
        message,
    )


def test_rule_id_problems() -> None:
    text = (
        """version = 1
[[rule]]
kind = "crisis"
weight = 1

[[rule]]
id = "rent arrears"
kind = "minors"
weight = 1
"""
        + TIER_0
    )
    found = [(p.location, p.field, p.message) for p in problems(text)]
    assert found == [
        ("rule[1]", "id", "missing; must be a non-empty string"),
        (
            "rule[2] (id 'rent arrears')",
            "id",
            "must use only letters, digits, '_' and '-', got 'rent arrears'",
        ),
    ]


def test_duplicate_rule_ids() -> None:
    text = (
        """version = 1
[[rule]]
id = "rent"
kind = "partner_type"
type = "Huur"
weight = 20

[[rule]]
id = "rent"
kind = "minors"
weight = 5
"""
        + TIER_0
    )
    problem = only_problem(text)
    assert (problem.location, problem.field) == ("rule[2] (id 'rent')", "id")
    assert problem.message == "duplicate id 'rent', first used at rule[1] (id 'rent')"


BANDS = '[[rule]]\nid = "{id}"\nkind = "amount_band"\nweight = 1\nmin = {min}\n{max}\n'


def band(rule_id: str, low: int, high: int | None) -> str:
    return BANDS.format(id=rule_id, min=low, max="" if high is None else f"max = {high}")


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ((250, 1000), (1000, 2500), False),
        ((1000, 2500), (250, 1000), False),
        ((1000, None), (250, 1000), False),
        ((250, 1000), (999, 2500), True),
        ((250, 1000), (0, 251), True),
        ((250, 1000), (500, 600), True),
        ((250, None), (5000, None), True),
        ((250, None), (100, 300), True),
    ],
)
def test_overlapping_bands(
    first: tuple[int, int | None], second: tuple[int, int | None], overlap: bool
) -> None:
    text = "version = 1\n" + band("a", *first) + band("b", *second) + TIER_0
    if not overlap:
        parse_framework(text, SOURCE)
        return
    problem = only_problem(text)
    assert (problem.location, problem.field) == ("rule[2] (id 'b')", "min")
    assert "overlaps band" in problem.message
    assert "of rule[1] (id 'a')" in problem.message


def test_overlap_message_names_both_bands() -> None:
    text = "version = 1\n" + band("a", 100, 500) + band("b", 400, None) + TIER_0
    assert only_problem(text).message == (
        "band 400 and up overlaps band 100 to 500 of rule[1] (id 'a'); "
        "an amount must fall in at most one band"
    )


def test_unknown_partner_type_lists_the_valid_ones() -> None:
    problem = only_problem(
        'version = 1\n[[rule]]\nid = "rent"\nkind = "partner_type"\ntype = "huur"\nweight = 1\n'
        + TIER_0
    )
    assert (problem.location, problem.field) == ("rule[1] (id 'rent')", "type")
    assert problem.message.startswith("unknown partner type 'huur'; did you mean 'Huur'? valid: ")
    for partner in PARTNER_TYPES:
        assert f"'{partner}'" in problem.message


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        (
            '[[rule]]\nid = "a"\nkind = "crisis"\nweight = 1\n'
            '[[rule]]\nid = "b"\nkind = "crisis"\nweight = 1\n',
            "kind",
            "tests the same as rule[1] (id 'a'); it would count twice",
        ),
        (
            '[[rule]]\nid = "a"\nkind = "partner_type"\ntype = "Huur"\nweight = 1\n'
            '[[rule]]\nid = "b"\nkind = "partner_type"\ntype = "Huur"\nweight = 1\n',
            "kind",
            "tests the same as rule[1] (id 'a'); it would count twice",
        ),
        (
            '[[rule]]\nid = "a"\nkind = "neighbourhood"\npostcodes = ["1102"]\nweight = 1\n'
            '[[rule]]\nid = "b"\nkind = "neighbourhood"\npostcodes = ["1103", "1102"]\n'
            "weight = 1\n",
            "postcodes",
            "postcode area '1102' is also in rule[1] (id 'a')",
        ),
    ],
)
def test_rules_that_would_count_one_fact_twice(rules: str, field: str, message: str) -> None:
    problem = only_problem("version = 1\n" + rules + TIER_0)
    assert (problem.location, problem.field, problem.message) == (
        "rule[2] (id 'b')",
        field,
        message,
    )


def test_stepped_rules_of_one_kind_are_allowed() -> None:
    fw = framework(
        '[[rule]]\nid = "two"\nkind = "multiple_partners"\nmin = 2\nweight = 30\n'
        '[[rule]]\nid = "three"\nkind = "multiple_partners"\nmin = 3\nweight = 20\n'
    )
    assert fw.assess(case(partners={"Huur", "Zorg", "DUO"})).score == 50


def test_override_naming_a_missing_rule() -> None:
    text = (
        'version = 1\n[[rule]]\nid = "crisis"\nkind = "crisis"\nweight = 1\n'
        + TIER_0
        + '[[override]]\nrule = "young"\ncampaign = "young"\n'
    )
    problem = only_problem(text)
    assert (problem.location, problem.field) == ("override[1] (rule 'young')", "rule")
    assert problem.message == "no rule with id 'young'; rule ids: 'crisis'"


def test_override_problems() -> None:
    text = (
        'version = 1\n[[rule]]\nid = "crisis"\nkind = "crisis"\nweight = 1\n'
        + TIER_0
        + '[[override]]\nrule = "crisis"\ncampaign = "crisis"\n'
        + '[[override]]\nrule = "crisis"\ncampaign = ""\ntier = 3\nwhy = "x"\n'
    )
    found = [(p.location, p.field, p.message) for p in problems(text)]
    loc = "override[2] (rule 'crisis')"
    assert found == [
        (loc, "why", "unknown key; allowed in an override: rule, campaign, tier"),
        (
            loc,
            "rule",
            "override[1] (rule 'crisis') already overrides rule 'crisis'; this one never applies",
        ),
        (loc, "campaign", "must be a non-empty string, got ''"),
        (loc, "tier", "must be a non-empty string, got 3"),
    ]


def test_override_of_a_rule_with_other_problems_is_not_reported_twice() -> None:
    text = (
        'version = 1\n[[rule]]\nid = "x"\nkind = "sparkle"\nweight = 1\n'
        + TIER_0
        + '[[override]]\nrule = "x"\ncampaign = "c"\n'
    )
    assert only_problem(text).location == "rule[1] (id 'x')"


def test_no_tier_at_zero() -> None:
    text = (
        'version = 1\n[[rule]]\nid = "c"\nkind = "crisis"\nweight = 1\n'
        '[[tier]]\nname = "medium"\nmin_score = 20\ncampaign = "standard"\n'
    )
    problem = only_problem(text)
    assert (problem.location, problem.field) == ("top level", "tier")
    assert problem.message.startswith("no [[tier]] with min_score = 0")


def test_no_tiers_at_all() -> None:
    problem = only_problem('version = 1\n[[rule]]\nid = "c"\nkind = "crisis"\nweight = 1\n')
    assert (problem.location, problem.field) == ("top level", "tier")


def test_tier_problems() -> None:
    text = """version = 1
[[rule]]
id = "c"
kind = "crisis"
weight = 1

[[tier]]
name = "low"
min_score = 0
campaign = "light"

[[tier]]
name = "low"
min_score = 0
campaign = 7
colour = "red"

[[tier]]
name = "high"
min_score = "50"
"""
    found = [(p.location, p.field, p.message) for p in problems(text)]
    assert found == [
        (
            "tier[2] (name 'low')",
            "colour",
            "unknown key; allowed in a tier: name, min_score, campaign",
        ),
        (
            "tier[2] (name 'low')",
            "name",
            "duplicate name 'low', first used at tier[1] (name 'low')",
        ),
        ("tier[2] (name 'low')", "min_score", "0 is already the min_score of tier[1] (name 'low')"),
        ("tier[2] (name 'low')", "campaign", "must be a non-empty string, got 7"),
        ("tier[3] (name 'high')", "min_score", "must be an integer, got '50'"),
        ("tier[3] (name 'high')", "campaign", "missing; must be a non-empty string"),
    ]


@pytest.mark.parametrize(
    ("text", "location", "field", "message"),
    [
        (
            "version = 1\n" + TIER_0,
            "top level",
            "rule",
            "missing; the framework needs at least one [[rule]]",
        ),
        (
            'version = 1\n[rule]\nid = "c"\n' + TIER_0,
            "top level",
            "rule",
            "must be an array of tables written as [[rule]]",
        ),
        (
            "version = 1\nrule = [1]\n" + TIER_0,
            "rule[1]",
            "",
            "must be a table written as [[rule]], got 1",
        ),
    ],
)
def test_rule_structure_problems(text: str, location: str, field: str, message: str) -> None:
    found = problems(text)
    assert (found[0].location, found[0].field, found[0].message) == (location, field, message)


def test_all_problems_are_collected_in_one_error() -> None:
    text = """version = 1
matching_window_months = 0

[[rule]]
id = "rent"
kind = "partner_type"
type = "huur"
weight = "ten"
colour = "red"

[[rule]]
id = "rent"
kind = "sparkle"
weight = 1

[[rule]]
id = "low"
kind = "amount_band"
min = 100
max = 500
weight = 1

[[rule]]
id = "mid"
kind = "amount_band"
min = 400
max = 1000
weight = 1

[[tier]]
name = "medium"
min_score = 20
campaign = "standard"

[[override]]
rule = "young"
campaign = "young"
"""
    with pytest.raises(FrameworkError) as info:
        parse_framework(text, SOURCE)
    found = [(p.location, p.field) for p in info.value.problems]
    assert found == [
        ("top level", "matching_window_months"),
        ("rule[1] (id 'rent')", "colour"),
        ("rule[1] (id 'rent')", "weight"),
        ("rule[1] (id 'rent')", "type"),
        ("rule[2] (id 'rent')", "kind"),
        ("rule[2] (id 'rent')", "id"),
        ("rule[4] (id 'mid')", "min"),
        ("top level", "tier"),
        ("override[1] (rule 'young')", "rule"),
    ]
    assert all(p.file == SOURCE for p in info.value.problems)
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    assert all(line.startswith(f"{SOURCE}: ") for line in lines)


def test_load_framework_uses_the_path_as_file_name(tmp_path: Path) -> None:
    path = tmp_path / "kader.toml"
    path.write_text('version = 1\n[[rule]]\nid = "c"\nkind = "crisis"\nweight = "x"\n' + TIER_0)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert str(problem).startswith(f"{path}: rule[1] (id 'c'): field 'weight': ")


def test_load_framework_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    (problem,) = info.value.problems
    assert problem == Problem(str(path), "", "", "cannot read file: No such file or directory")
    assert str(info.value) == f"{path}: cannot read file: No such file or directory"


def test_load_framework_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"version = 1\n# caf\xe9\n")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    (problem,) = info.value.problems
    assert (problem.location, problem.message) == ("line 2", "not valid UTF-8")


def test_framework_without_tier_zero_built_by_hand_fails_clearly(default: Framework) -> None:
    broken = Framework(6, default.rules, default.tiers[1:], ())
    with pytest.raises(ValueError, match="no tier"):
        broken.assess(case())


# --- properties --------------------------------------------------------------------------------

facts_strategy = st.builds(
    CaseFacts,
    partner_types=st.frozensets(st.sampled_from(PARTNER_TYPES)),
    months=st.frozensets(
        st.tuples(st.integers(2022, 2026), st.integers(1, 12)), min_size=1, max_size=8
    ),
    total_amount=st.decimals(min_value=0, max_value=100_000, places=2),
    crisis=st.booleans(),
    minors=st.none() | st.booleans(),
    youngest_age=st.none() | st.integers(18, 100),
    postcode=st.sampled_from(["1102AB", "1103CD", "1011AA", "9999ZZ"]),
)

# Every kind, some twice in steps; weights drawn per example.
RULE_BODIES = {
    "two_partners": 'kind = "multiple_partners"\nmin = 2',
    "three_partners": 'kind = "multiple_partners"\nmin = 3',
    "months": 'kind = "consecutive_months"\nmin = 2',
    "rent": 'kind = "partner_type"\ntype = "Huur"',
    "energy": 'kind = "partner_type"\ntype = "Energie"',
    "care": 'kind = "partner_type"\ntype = "Zorg"',
    "small": 'kind = "amount_band"\nmin = 100\nmax = 1000',
    "large": 'kind = "amount_band"\nmin = 1000',
    "crisis": 'kind = "crisis"',
    "minors": 'kind = "minors"',
    "young": 'kind = "young_adult"',
    "area": 'kind = "neighbourhood"\npostcodes = ["1102"]',
}

frameworks = st.fixed_dictionaries({rule_id: st.integers(0, 1000) for rule_id in RULE_BODIES}).map(
    lambda weights: framework(
        "".join(
            f'[[rule]]\nid = "{rule_id}"\nweight = {weights[rule_id]}\n{body}\n'
            for rule_id, body in RULE_BODIES.items()
        ),
        TIERS,
    )
)


@given(fw=frameworks, facts=facts_strategy)
def test_score_is_the_sum_of_the_fired_weights(fw: Framework, facts: CaseFacts) -> None:
    priority = fw.assess(facts)
    assert priority.score == sum(r.weight for r in priority.reasons)
    rule_order = [r.id for r in fw.rules]
    fired_ids = [r.rule for r in priority.reasons]
    assert fired_ids == sorted(fired_ids, key=rule_order.index)


@given(facts=facts_strategy)
def test_default_score_is_the_sum_of_the_fired_weights(facts: CaseFacts) -> None:
    fw = load_framework(DEFAULT_PATH)
    priority = fw.assess(facts)
    assert priority.score == sum(r.weight for r in priority.reasons)
    if facts.crisis:
        assert (priority.tier, priority.campaign) == ("crisis", "crisis")


@given(fw=frameworks, facts=facts_strategy, extra=st.sampled_from(PARTNER_TYPES))
def test_adding_a_partner_type_never_lowers_the_score(
    fw: Framework, facts: CaseFacts, extra: str
) -> None:
    more = CaseFacts(
        partner_types=facts.partner_types | {extra},
        months=facts.months,
        total_amount=facts.total_amount,
        crisis=facts.crisis,
        minors=facts.minors,
        youngest_age=facts.youngest_age,
        postcode=facts.postcode,
    )
    assert fw.assess(more).score >= fw.assess(facts).score
