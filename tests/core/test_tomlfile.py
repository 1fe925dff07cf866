"""The one TOML reader and checker: located syntax errors, typed accessors that collect every
problem, and one wording for every file (campaigns and the weighing framework alike)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from outreach.cadence.campaigns import load_campaign
from outreach.core.tomlfile import (
    TOP,
    Problem,
    Table,
    TomlError,
    parse_toml,
    read_toml,
)
from outreach.intake.weighing import FrameworkError, load_framework

SOURCE = "campaigns/test.toml"


def table(text: str) -> tuple[Table, list[Problem]]:
    data, problems = parse_toml(text, SOURCE)
    assert data is not None, problems
    return Table.top(data, SOURCE, problems), problems


def triples(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.location, p.field, p.message) for p in problems]


# --- reading -----------------------------------------------------------------------------------


def test_syntax_error_is_a_problem_located_by_line_and_column() -> None:
    data, problems = parse_toml('label = "x"\n\nsteps = 3\nid = "call\n', SOURCE)
    assert data is None
    [problem] = problems
    assert (problem.file, problem.location, problem.field) == (SOURCE, "line 4, column 11", "")
    assert problem.message.startswith("TOML syntax error: ")
    assert str(problem).startswith(f"{SOURCE}: line 4, column 11: TOML syntax error: ")


def test_syntax_error_without_a_position_points_at_the_last_line() -> None:
    _, [problem] = parse_toml("a = 1\nb = [1,\n 2,\n", SOURCE)
    assert (problem.location, problem.message) == (
        "line 3 (end of file)",
        "TOML syntax error: Invalid value",
    )


def test_unreadable_files_are_problems_not_exceptions(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    data, [problem] = read_toml(missing)
    assert data is None
    assert str(problem) == f"{missing}: cannot read file: No such file or directory"
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'a = "x"\n# caf\xe9\n')
    _, [problem] = read_toml(latin, source="latin.toml")
    assert str(problem) == "latin.toml: line 2: not valid UTF-8"
    assert str(TomlError([problem, problem])) == f"{problem}\n{problem}"


def test_a_readable_file_gives_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text('[window]\nhours = "09:00-17:00"\n', encoding="utf-8")
    assert read_toml(path) == ({"window": {"hours": "09:00-17:00"}}, [])


# --- checking ----------------------------------------------------------------------------------


def test_problem_prints_file_location_field_and_message() -> None:
    assert str(Problem("f.toml", "step[2] (id 'sms')", "after_days", "must be 0 or more")) == (
        "f.toml: step[2] (id 'sms'): field 'after_days': must be 0 or more"
    )
    assert str(Problem("f.toml", "", "", "cannot read file")) == "f.toml: cannot read file"


def test_unknown_key_names_the_nearest_allowed_key() -> None:
    top, problems = table("lable = 'x'\nzzz = 1\nlabel = 'y'\n")
    top.check_keys(("label", "days", "step"), "a campaign")
    assert triples(problems) == [
        (
            TOP,
            "lable",
            "unknown key; did you mean 'label'? allowed in a campaign: label, days, step",
        ),
        (TOP, "zzz", "unknown key; allowed in a campaign: label, days, step"),
    ]


@pytest.mark.parametrize(
    ("value", "read", "message"),
    [
        ("'7'", lambda t: t.integer("v"), "must be an integer, got '7'"),
        ("true", lambda t: t.integer("v"), "must be an integer, got true"),
        ("1.5", lambda t: t.integer("v"), "must be an integer, got 1.5"),
        ("-1", lambda t: t.integer("v", lo=0), "must be 0 or more, got -1"),
        ("25", lambda t: t.integer("v", lo=1, hi=24), "must be between 1 and 24, got 25"),
        ("5", lambda t: t.integer("v", hi=3), "must be 3 or less, got 5"),
        (
            "5",
            lambda t: t.integer("v", lo=0, hi=3, why=" (the law)"),
            "must be 3 or less (the law), got 5",
        ),
        ("'250'", lambda t: t.amount("v"), "must be an amount in euros (a number), got '250'"),
        ("-5", lambda t: t.amount("v"), "must be a finite amount of 0 or more, got -5"),
        ("nan", lambda t: t.amount("v"), "must be a finite amount of 0 or more, got nan"),
        ("'0.5'", lambda t: t.number("v"), "must be a number, got '0.5'"),
        ("false", lambda t: t.number("v"), "must be a number, got false"),
        ("1.5", lambda t: t.number("v", lo=0, hi=1), "must be between 0 and 1, got 1.5"),
        ("-0.5", lambda t: t.number("v", lo=0), "must be 0 or more, got -0.5"),
        ("'yes'", lambda t: t.boolean("v"), "must be true or false, got 'yes'"),
        ("1", lambda t: t.boolean("v"), "must be true or false, got 1"),
        ("3", lambda t: t.text("v"), "must be a non-empty string, got 3"),
        ("'  '", lambda t: t.text("v"), "must be a non-empty string, got '  '"),
        (
            "'mail'",
            lambda t: t.choice("v", ("letter", "email")),
            "unknown value 'mail'; did you mean 'email'? use one of: letter, email",
        ),
        ("'nl'", lambda t: t.text_list("v"), "must be a list of strings, got 'nl'"),
        ("['nl', 1]", lambda t: t.text_list("v"), "must be a list of strings, got 1 in it"),
        ("['nl', 'nl']", lambda t: t.text_list("v"), "lists a value twice"),
        ("['nl', ' ']", lambda t: t.text_list("v"), "must not hold an empty string"),
        (
            "3",
            lambda t: t.text_list("v", allow_single=True),
            "must be a string or a list of strings, got 3",
        ),
        (
            "[]",
            lambda t: t.text_list("v", non_empty=True),
            "must be a non-empty list of strings, got a list",
        ),
        (
            "['mon', 'tues']",
            lambda t: t.text_list("v", choices=("mon", "tue")),
            "unknown value 'tues'; did you mean 'tue'? use one of: mon, tue",
        ),
        (
            "['nl', 'NL']",
            lambda t: t.text_list("v", pattern=re.compile("^[a-z]{2}$"), pattern_text="a code"),
            "'NL' is not a code",
        ),
        (
            "3",
            lambda t: t.table("v", "days and hours"),
            "must be a table with days and hours, got 3",
        ),
        ("3", lambda t: t.tables("v", "id"), "must be an array of tables written as [[v]]"),
    ],
)
def test_a_wrong_value_is_a_problem_and_reads_as_none(value: str, read, message: str) -> None:
    top, problems = table(f"v = {value}\n")
    assert read(top) in (None, [])
    assert triples(problems) == [(TOP, "v", message)]


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda t: t.integer("v", required=True), "missing; must be an integer"),
        (lambda t: t.integer("v", lo=0, required=True), "missing; must be an integer of 0 or more"),
        (lambda t: t.amount("v", required=True), "missing; must be an amount in euros"),
        (lambda t: t.number("v", required=True), "missing; must be a number"),
        (lambda t: t.boolean("v", required=True), "missing; must be true or false"),
        (lambda t: t.text("v", required=True), "missing; must be a non-empty string"),
        (lambda t: t.choice("v", ("a",), required=True), "missing; must be a non-empty string"),
        (lambda t: t.text_list("v", required=True), "missing; must be a list of strings"),
        (lambda t: t.table("v", "texts", required=True), "missing; must be a table with texts"),
    ],
)
def test_a_missing_required_key_is_a_problem(read, message: str) -> None:
    top, problems = table("other = 1\n")
    assert read(top) is None
    assert triples(problems) == [(TOP, "v", message)]


def test_good_values_and_defaults() -> None:
    top, problems = table(
        "n = 3\namount = 250.5\nflag = false\nname = 'x'\nlangs = ['nl', 'en']\nshare = 0.25\n"
    )
    assert top.integer("n", lo=0, hi=3) == 3
    assert top.number("share", lo=0, hi=1) == 0.25
    assert top.number("n", lo=0) == 3
    assert top.text_list("name", allow_single=True) == ("x",)
    assert top.amount("amount") == Decimal("250.5")
    assert top.boolean("flag", default=True) is False
    assert top.text("name") == "x"
    assert top.text_list("langs") == ("nl", "en")
    assert top.integer("absent", default=6) == 6
    assert top.boolean("absent", default=True) is True
    assert top.text("absent") is None
    assert problems == []


def test_several_problems_are_collected_in_file_order() -> None:
    top, problems = table("label = 3\ndays = 'weekdays'\nclose_after_days = -1\nextra = 1\n")
    top.check_keys(("label", "days", "close_after_days"), "a campaign")
    top.text("label", required=True)
    top.choice("days", ("calendar", "working"))
    top.integer("close_after_days", lo=0)
    assert triples(problems) == [
        (TOP, "extra", "unknown key; allowed in a campaign: label, days, close_after_days"),
        (TOP, "label", "must be a non-empty string, got 3"),
        (TOP, "days", "unknown value 'weekdays'; use one of: calendar, working"),
        (TOP, "close_after_days", "must be 0 or more, got -1"),
    ]


def test_nested_tables_are_located_by_array_index_name_and_field_path() -> None:
    top, problems = table(
        "[[step]]\nid = 'letter'\n\n"
        "[[step]]\nid = 'call'\n[step.window]\nhours = 9\n[[step.try]]\nwhen = 'x'\n\n"
        "[[step]]\nafter_days = 'x'\n"
    )
    steps = top.tables("step", "id")
    assert [(t.index, t.location) for t in steps] == [
        (1, "step[1] (id 'letter')"),
        (2, "step[2] (id 'call')"),
        (3, "step[3]"),
    ]
    window = steps[1].table("window", "days and hours")
    assert window is not None
    window.text("hours")
    [attempt] = steps[1].tables("try", "id")
    attempt.integer("when")
    steps[2].integer("after_days")
    assert triples(problems) == [
        ("step[2] (id 'call')", "window.hours", "must be a non-empty string, got 9"),
        ("step[2] (id 'call'), try[1]", "when", "must be an integer, got 'x'"),
        ("step[3]", "after_days", "must be an integer, got 'x'"),
    ]


def test_an_array_element_that_is_no_table_is_a_problem_at_its_index() -> None:
    top, problems = table("rule = [{ id = 'a' }, 1]\n")
    assert [t.location for t in top.tables("rule", "id")] == ["rule[1] (id 'a')"]
    assert triples(problems) == [("rule[2]", "", "must be a table written as [[rule]], got 1")]


# --- one wording for every file ----------------------------------------------------------------


def campaign_problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "test.toml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_campaign(path)
    return problems


def framework_problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "afwegingskader.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as error:
        load_framework(path)
    return error.value.problems


def test_campaign_and_framework_files_say_the_same_problem_alike(tmp_path: Path) -> None:
    broken = 'version = 1\nlabel = "unterminated\n'
    [in_campaign] = campaign_problems(tmp_path, broken)
    [in_framework] = framework_problems(tmp_path, broken)
    assert (in_campaign.location, in_campaign.message) == (
        in_framework.location,
        in_framework.message,
    )
    assert in_campaign.location == "line 2, column 22"

    latin = b"# caf\xe9\n"
    (tmp_path / "test.toml").write_bytes(latin)
    (tmp_path / "afwegingskader.toml").write_bytes(latin)
    [in_campaign] = load_campaign(tmp_path / "test.toml")[1]
    with pytest.raises(FrameworkError) as error:
        load_framework(tmp_path / "afwegingskader.toml")
    assert str(in_campaign).split(": ", 1)[1] == str(error.value).split(": ", 1)[1]
    assert str(in_campaign).endswith(": line 1: not valid UTF-8")

    campaign = campaign_problems(
        tmp_path, 'label = ""\nclose_after_days = "7"\n[[step]]\nid = "a"\nchannel = "sms"\n'
    )
    framework = framework_problems(
        tmp_path,
        'version = 1\nmatching_window_months = "7"\n'
        '[[rule]]\nid = "c"\nkind = "crisis"\nweight = 1\nlabel = ""\n'
        '[[tier]]\nname = "t"\nmin_score = 0\ncampaign = "x"\n',
    )
    assert {p.message for p in campaign} >= {
        "must be a non-empty string, got ''",
        "must be an integer, got '7'",
        "missing; must be an integer of 0 or more",
    }
    assert {p.message for p in framework} == {
        "must be a non-empty string, got ''",
        "must be an integer, got '7'",
    }
