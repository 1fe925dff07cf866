"""`outreach check-campaigns`: the minimum requirements (per municipality), the weighing
framework's campaigns, and the command's output and exit status."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from outreach.cadence.campaigns import CampaignError
from outreach.cadence.checking import check_folder
from outreach.cadence.requirements import (
    Requirements,
    load_requirements,
    longest_calendar_span,
)
from outreach.cli import main
from outreach.core.models import Municipality
from outreach.intake.weighing import Problem
from tests.cadence.test_campaigns import LETTER, SHIPPED, campaign, step

# The command also reads the registered municipalities' contact details.
pytestmark = pytest.mark.django_db

NAMES = ["crisis", "intensive", "letters-only", "light", "standard", "young"]
FEWER = "; fallbacks and steps that require has_mobile, has_email or languages do not count"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped campaigns folder."""
    target = tmp_path / "campaigns"
    shutil.copytree(SHIPPED, target)
    return target


def check(*args: Any) -> tuple[str, CommandError | None]:
    """The command's stdout, and its CommandError when it failed."""
    out = io.StringIO()
    try:
        call_command("check_campaigns", *[str(a) for a in args], stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def problems_in(folder: Path, name: str, municipality: str | None = None) -> list[Problem]:
    return [p for p in check_folder(folder, municipality).problems if Path(p.file).name == name]


def triples(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.location, p.field, p.message) for p in problems]


# --- the shipped folder ------------------------------------------------------------------------


def test_shipped_campaigns_pass(run_command: Callable[..., str]) -> None:
    assert run_command("check-campaigns") == f"6 campaigns OK: {', '.join(NAMES)}\n"
    document = json.loads(run_command("check-campaigns", "--json"))
    assert document == {
        "ok": True,
        "campaigns": NAMES,
        "municipality_folders": [],
        "problems": [],
    }
    assert run_command("check-campaigns", "--municipality", "0344").startswith(
        "6 campaigns OK for municipality 0344: crisis"
    )


def test_console_entry_point_exit_status(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["outreach", "check-campaigns", "--dir", str(folder)])  # returns: exit status 0
    assert capsys.readouterr().out.startswith("6 campaigns OK")
    (folder / "light.toml").write_text("label = [\n")
    with pytest.raises(SystemExit) as info:
        main(["outreach", "check-campaigns", "--dir", str(folder)])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert f"{folder / 'light.toml'}: line 1 (end of file): TOML syntax error" in captured.out
    assert "1 problem(s)" in captured.err


def test_default_folder_comes_from_settings(folder: Path, settings: Any) -> None:
    settings.CAMPAIGNS_DIR = folder
    (folder / "light.toml").unlink()
    out, error = check()
    assert error is not None
    assert "names campaign 'light' but there is no light.toml" in out


# --- the minimum requirements ------------------------------------------------------------------


def test_crisis_letters_only(folder: Path) -> None:
    (folder / "crisis.toml").write_text(
        campaign(LETTER, step("letter2", "letter", after_days=1), top='days = "working"')
    )
    assert triples(problems_in(folder, "crisis.toml")) == [
        (
            "top level",
            "step",
            "needs a planned personal attempt, a phone_task or visit_task "
            "(personal_attempt_for in requirements.toml)",
        ),
        (
            "top level",
            "step",
            "a crisis campaign must not rely on letters only: plan an sms, call or visit too "
            "(crisis_campaign in requirements.toml)",
        ),
    ]


def test_crisis_step_beyond_3_working_days(folder: Path) -> None:
    steps = (LETTER, step("sms", "sms", after_days=0), step("call", "phone_task", after_days=4))
    (folder / "crisis.toml").write_text(campaign(*steps, top='days = "working"'))
    assert triples(problems_in(folder, "crisis.toml")) == [
        (
            "step[3] (id 'call')",
            "after_days",
            "due on working day 4; a crisis needs every step within 3 working days "
            "(crisis_max_days in requirements.toml)",
        )
    ]
    # Counted in calendar days, day 4 may be more than 3 working days: also refused.
    (folder / "crisis.toml").write_text(campaign(*steps))
    (problem,) = problems_in(folder, "crisis.toml")
    assert problem.message == (
        "due on day 4; a crisis needs every step within 3 working days "
        '(crisis_max_days in requirements.toml); count working days with days = "working"'
    )


def test_intensive_without_a_personal_attempt(folder: Path) -> None:
    # A call that is only the SMS's fallback is not planned: it does not count.
    (folder / "intensive.toml").write_text(
        campaign(
            LETTER,
            step("sms", "sms", after_days=2, on_failure="call"),
            step("call", "phone_task"),
            step("letter2", "letter", after_days=7),
        )
    )
    assert triples(problems_in(folder, "intensive.toml")) == [
        (
            "top level",
            "step",
            "needs a planned personal attempt, a phone_task or visit_task "
            "(personal_attempt_for in requirements.toml)",
        )
    ]


def test_too_few_attempts(folder: Path) -> None:
    (folder / "light.toml").write_text(
        campaign(
            LETTER,
            step("sms", "sms", after_days=3, requires=["has_mobile"]),
            step("email", "email", after_days=0, requires=["has_email"]),
            step("english", "letter", after_days=0, languages=["en"]),
        )
    )
    (problem,) = problems_in(folder, "light.toml")
    assert (problem.location, problem.field) == ("top level", "step")
    assert problem.message == (
        "1 contact attempt(s) every household gets, at least 2 needed "
        "(min_attempts in requirements.toml)" + FEWER
    )


def test_step_after_day_28(folder: Path) -> None:
    (folder / "standard.toml").write_text(
        campaign(
            LETTER, step("call", "phone_task", after_days=7), step("late", "letter", after_days=22)
        )
    )
    assert triples(problems_in(folder, "standard.toml")) == [
        (
            "step[3] (id 'late')",
            "after_days",
            "due on day 29; the law wants contact within 28 days of the signal "
            "(offer_within_days in requirements.toml)",
        )
    ]


def test_working_days_are_checked_at_their_longest_in_calendar_days(folder: Path) -> None:
    # 19 working days fit in 28 calendar days in a plain month, but not around Christmas.
    span = longest_calendar_span(19, date.today().year)
    assert span > 28
    assert longest_calendar_span(15, date.today().year) <= 28
    (folder / "standard.toml").write_text(
        campaign(LETTER, step("call", "phone_task", after_days=19), top='days = "working"')
    )
    assert triples(problems_in(folder, "standard.toml")) == [
        (
            "step[2] (id 'call')",
            "after_days",
            f"due on working day 19, which can be calendar day {span}; the law wants contact "
            "within 28 days of the signal (offer_within_days in requirements.toml)",
        )
    ]


def test_announcements_are_checked_with_their_own_field(folder: Path) -> None:
    text = (folder / "intensive.toml").read_text()
    (folder / "intensive.toml").write_text(text.replace("after_days = 7\n", "after_days = 27\n"))
    # The visit moves to day 32: the letter announcing it 4 days before is on day 28, in
    # time; the SMS the day before is not.
    found = triples(problems_in(folder, "intensive.toml"))
    assert [(location, field) for location, field, _ in found] == [
        ("step[6] (id 'announce_visit_sms')", "days_before"),
        ("step[7] (id 'visit')", "after_days"),
        ("step[9] (id 'letter2')", "after_days"),
        ("step[10] (id 'call_evening')", "after_days"),
    ]
    assert found[1][2].startswith("due on day 32; the law wants contact within 28 days")


# --- the weighing framework --------------------------------------------------------------------


def test_weighing_framework_naming_a_missing_campaign(folder: Path) -> None:
    (folder / "young.toml").unlink()
    out, error = check("--dir", folder)
    framework = str(folder / "afwegingskader.toml")
    assert check_folder(folder).problems == (
        Problem(
            framework,
            "override[2] (rule 'young_adult')",
            "campaign",
            "names campaign 'young' but there is no young.toml next to this file",
        ),
    )
    assert out == (
        f"{framework}: override[2] (rule 'young_adult'): campaign: "
        "names campaign 'young' but there is no young.toml next to this file\n"
    )
    assert error is not None and error.returncode == 1


def test_an_invalid_campaign_file_is_not_also_missing(folder: Path) -> None:
    (folder / "young.toml").write_text("label = 1\n")
    found = check_folder(folder).problems
    assert [(Path(p.file).name, p.field) for p in found] == [
        ("young.toml", "label"),
        ("young.toml", "step"),
    ]


def test_weighing_framework_problems_are_reported(folder: Path) -> None:
    (folder / "afwegingskader.toml").write_text("version = 2\n")
    found = [p for p in check_folder(folder).problems if p.file.endswith("afwegingskader.toml")]
    assert ("top level", "version", "must be 1, got 2") in triples(found)


# --- requirements per municipality -------------------------------------------------------------


def add_requirements(folder: Path, text: str) -> None:
    path = folder / "requirements.toml"
    path.write_text(path.read_text() + "\n" + text)


def test_municipality_override_stricter_than_default(folder: Path) -> None:
    add_requirements(folder, '[municipality."0344"]\nmin_attempts = 3\n')
    lines = "".join(
        f"{folder / name}: top level: step: 2 contact attempt(s) every household gets, at least 3 "
        "needed (min_attempts of municipality 0344 in requirements.toml)" + FEWER + "\n"
        for name in ("letters-only.toml", "light.toml")
    )
    out, error = check("--dir", folder, "--municipality", "0344")
    assert (out, str(error)) == (lines, f"2 problem(s) in {folder}")
    out, error = check("--dir", folder, "--municipality", "0363")
    assert error is None
    assert out == f"6 campaigns OK for municipality 0363: {', '.join(NAMES)}\n"
    # Without --municipality: the defaults and every override.
    out, error = check("--dir", folder)
    assert out == lines


def test_a_shortfall_of_the_defaults_is_not_repeated_per_municipality(folder: Path) -> None:
    path = folder / "requirements.toml"
    path.write_text(path.read_text().replace("min_attempts = 2", "min_attempts = 3"))
    add_requirements(folder, '[municipality."0344"]\nmin_attempts = 4\n')
    found = [(Path(p.file).name, p.message.split(";")[0]) for p in check_folder(folder).problems]
    assert found == [
        (
            name,
            "2 contact attempt(s) every household gets, at least 3 needed "
            "(min_attempts in requirements.toml)",
        )
        for name in ("letters-only.toml", "light.toml")
    ] + [
        (
            "young.toml",
            "3 contact attempt(s) every household gets, at least 4 needed "
            "(min_attempts of municipality 0344 in requirements.toml)",
        ),
    ]
    messages = [p.message.split(";")[0] for p in check_folder(folder, "0344").problems]
    assert [m.split(" (")[1] for m in messages] == [
        "min_attempts of municipality 0344 in requirements.toml)"
    ] * 3


def test_municipality_naming_a_missing_campaign(folder: Path) -> None:
    add_requirements(folder, '[municipality."0344"]\npersonal_attempt_for = ["extra"]\n')
    assert check_folder(folder).problems == (
        Problem(
            str(folder / "requirements.toml"),
            "municipality '0344'",
            "personal_attempt_for",
            "names campaign 'extra' but there is no extra.toml",
        ),
    )


def test_load_requirements_defaults_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "requirements.toml"
    assert load_requirements(path).defaults == Requirements(source=str(path))
    path.write_text(
        "min_attempts = 3\n"
        '[municipality."0344"]\ncrisis_max_days = 2\n'
        '[municipality."0363"]\npersonal_attempt_for = []\n'
    )
    loaded = load_requirements(path)
    assert loaded.defaults.min_attempts == 3
    utrecht = loaded.for_municipality("0344")
    assert (utrecht.min_attempts, utrecht.crisis_max_days, utrecht.municipality) == (3, 2, "0344")
    assert loaded.for_municipality("0363").personal_attempt_for == ()
    assert loaded.for_municipality("0518") is loaded.defaults


def test_requirements_problems_all_at_once(tmp_path: Path) -> None:
    path = tmp_path / "requirements.toml"
    path.write_text(
        "min_attempt = 2\n"
        "crisis_max_days = 5\n"
        "offer_within_days = 30\n"
        'personal_attempt_for = "intensive"\n'
        '[municipality."344"]\nmin_attempts = 0\n'
        '[municipality."0363"]\ncrisis_campain = "x"\n'
    )
    with pytest.raises(CampaignError) as info:
        load_requirements(path)
    assert triples(info.value.problems) == [
        (
            "top level",
            "min_attempt",
            "unknown key; did you mean 'min_attempts'? allowed in the requirements: "
            "min_attempts, personal_attempt_for, crisis_campaign, crisis_max_days, "
            "offer_within_days, municipality",
        ),
        ("top level", "personal_attempt_for", "must be a list of strings, got 'intensive'"),
        (
            "top level",
            "crisis_max_days",
            "must be 3 or less (the law: a crisis within 3 working days), got 5",
        ),
        (
            "top level",
            "offer_within_days",
            "must be 28 or less (the law: an offer within 4 weeks of the signal), got 30",
        ),
        ("municipality '344'", "", 'must be a four-digit municipality code, like "0344"'),
        ("municipality '344'", "min_attempts", "must be 1 or more, got 0"),
        (
            "municipality '0363'",
            "crisis_campain",
            "unknown key; did you mean 'crisis_campaign'? allowed in a municipality's "
            "requirements: min_attempts, personal_attempt_for, crisis_campaign, "
            "crisis_max_days, offer_within_days",
        ),
    ]


def test_requirements_problems_through_the_command(folder: Path) -> None:
    (folder / "requirements.toml").write_text("min_attempts = 'two'\n")
    out, error = check("--dir", folder)
    path = folder / "requirements.toml"
    assert out == f"{path}: top level: min_attempts: must be an integer, got 'two'\n"
    assert error is not None


# --- the command -------------------------------------------------------------------------------


def test_several_problems_at_once(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.parent)
    (folder / "young.toml").unlink()
    text = (folder / "crisis.toml").read_text()
    (folder / "crisis.toml").write_text(text.replace('id = "sms"', 'id = "sms"\nchanel = "sms"'))
    (folder / "light.toml").write_text(campaign(LETTER, step("late", "letter", after_days=30)))
    out, error = check("--dir", "campaigns")
    assert out.splitlines() == [
        "campaigns/afwegingskader.toml: override[2] (rule 'young_adult'): campaign: "
        "names campaign 'young' but there is no young.toml next to this file",
        "campaigns/crisis.toml: step[2] (id 'sms'): chanel: unknown key; did you mean "
        "'channel'? allowed in a step: id, channel, after_days, after, requires, languages, "
        "window, on_failure, announces, days_before, template",
        "campaigns/light.toml: step[2] (id 'late'): after_days: due on day 30; the law wants "
        "contact within 28 days of the signal (offer_within_days in requirements.toml)",
    ]
    assert str(error) == "3 problem(s) in campaigns"


def test_json_output_with_problems(folder: Path) -> None:
    (folder / "light.toml").write_text(campaign(step("sms", "sms", after_days=0, on_failure="x")))
    out, error = check("--dir", folder, "--json")
    assert error is not None
    document = json.loads(out)
    assert document["ok"] is False
    assert document["campaigns"] == NAMES
    assert document["problems"] == [
        {
            "file": str(folder / "light.toml"),
            "location": "step[1] (id 'sms')",
            "field": "on_failure",
            "message": "no step with id 'x'",
        }
    ]


def test_a_municipality_without_contact_details_is_named_with_what_it_lacks(
    folder: Path, municipality: Municipality
) -> None:
    Municipality.objects.create(code="0307", name="Amersfoort", contact={"reply_number": "06 1"})
    out, error = check("--dir", folder)
    assert out == (
        "municipality 0307 (Amersfoort): contact: lacks worker_name, worker_phone: its "
        'campaigns do not start; set them with `outreach add-municipality 0307 "Amersfoort" '
        "--contact worker_name=... --contact worker_phone=...`\n"
    )
    assert str(error) == "1 municipality(ies) without contact details"
    document = json.loads(check("--dir", folder, "--json", "--municipality", "0307")[0])
    assert document["ok"] is False
    assert [(p["location"], p["field"]) for p in document["problems"]] == [
        ("municipality 0307 (Amersfoort)", "contact")
    ]
    # The complete one passes on its own.
    assert check("--dir", folder, "--municipality", "0344") == (
        f"6 campaigns OK for municipality 0344: {', '.join(NAMES)}\n",
        None,
    )
    (folder / "light.toml").write_text("label = [\n")
    assert str(check("--dir", folder)[1]) == (
        f"1 problem(s) in {folder}; 1 municipality(ies) without contact details"
    )


def test_bad_arguments(folder: Path) -> None:
    with pytest.raises(CommandError, match="four-digit code like 0344, got '344'"):
        call_command("check_campaigns", "--municipality", "344")
    out, error = check("--dir", folder / "nowhere")
    assert out == f"{folder / 'nowhere'}: no such directory\n"
    assert error is not None


# --- municipality folders (campaigns/<code>/) ---------------------------------------------------

LETTERS_ONLY = campaign(LETTER, step("letter2", "letter", after_days=7))


def own(folder: Path, code: str, name: str, text: str) -> Path:
    (folder / code).mkdir(exist_ok=True)
    path = folder / code / name
    path.write_text(text)
    return path


def test_a_municipalitys_bad_override_is_reported_for_that_municipality(folder: Path) -> None:
    bad = own(folder, "0363", "intensive.toml", LETTERS_ONLY)
    out, error = check("--dir", folder, "--municipality", "0363")
    assert error is not None
    assert (
        f"{bad}: top level: step: needs a planned personal attempt, a phone_task or visit_task "
        "(personal_attempt_for in requirements.toml)"
    ) in out
    # The shared intensive.toml is not in 0363's set: only its own file is judged.
    assert f"{folder / 'intensive.toml'}:" not in out
    # Another municipality keeps the shared files, which pass.
    out, error = check("--dir", folder, "--municipality", "0344")
    assert error is None and out.startswith("6 campaigns OK for municipality 0344")


def test_a_municipalitys_good_override_passes(folder: Path) -> None:
    shipped = (folder / "intensive.toml").read_text()
    own(folder, "0363", "intensive.toml", shipped.replace("after_days = 5", "after_days = 3"))
    own(folder, "0363", "extra.toml", campaign(LETTER, step("sms", "sms", after_days=2)))
    out, error = check("--dir", folder, "--municipality", "0363")
    assert error is None, out
    assert out.splitlines() == [
        "7 campaigns OK for municipality 0363: crisis, extra, intensive, letters-only, light, "
        "standard, young",
        "own files of municipality 0363: extra.toml, intensive.toml",
    ]
    out, error = check("--dir", folder)
    assert error is None, out
    assert out.splitlines()[1] == "municipality 0363: own files OK: extra.toml, intensive.toml"


def test_without_a_municipality_every_folder_is_checked(folder: Path) -> None:
    bad = own(folder, "0363", "intensive.toml", LETTERS_ONLY)
    (folder / "utrecht").mkdir()
    out, error = check("--dir", folder, "--json")
    document = json.loads(out)
    assert error is not None and not document["ok"]
    assert document["municipality_folders"] == ["0363"]
    found = {(Path(p["file"]).name, p["field"], p["message"][:40]) for p in document["problems"]}
    assert found == {
        ("intensive.toml", "step", "needs a planned personal attempt, a phon"),
        ("utrecht", "", "folder 'utrecht' is not a municipality: "),
    }
    assert any(p["file"].endswith(str(Path("0363") / bad.name)) for p in document["problems"])
    message = next(p["message"] for p in document["problems"] if p["file"].endswith("utrecht"))
    assert "four-digit CBS code, like 0363" in message


def test_a_municipalitys_own_framework_is_checked_against_its_own_set(folder: Path) -> None:
    framework = (folder / "afwegingskader.toml").read_text()
    # Its medium tier takes a campaign only this municipality has.
    own(folder, "0363", "afwegingskader.toml", framework.replace('"standard"', '"eigen"'))
    assert problems_in(folder, "afwegingskader.toml", "0363") == [
        Problem(
            str(folder / "0363" / "afwegingskader.toml"),
            "tier[2] (name 'medium')",
            "campaign",
            f"names campaign 'eigen' but there is no eigen.toml next to this file or in {folder}",
        )
    ]
    own(folder, "0363", "eigen.toml", campaign(LETTER, step("sms", "sms", after_days=2)))
    assert check_folder(folder, "0363").ok
    assert check_folder(folder).ok
    assert check_folder(folder, "0344").ok  # the shared framework still names standard


def test_requirements_in_a_municipality_folder_are_refused(folder: Path) -> None:
    path = own(folder, "0363", "requirements.toml", "min_attempts = 3\n")
    problems = check_folder(folder, "0363").problems
    assert [(p.file, p.message) for p in problems] == [
        (
            str(path),
            "requirements are shared, not per folder: move these values into "
            f'[municipality."0363"] of {folder / "requirements.toml"}',
        )
    ]


def test_a_municipalitys_requirements_judge_its_own_set(folder: Path) -> None:
    with (folder / "requirements.toml").open("a") as requirements:
        requirements.write('\n[municipality."0363"]\npersonal_attempt_for = ["eigen"]\n')
    # The shared set has no eigen.toml, but 0363 has its own: no problem for anyone.
    own(folder, "0363", "eigen.toml", campaign(LETTER, step("call", "phone_task", after_days=2)))
    assert check_folder(folder).ok
    assert check_folder(folder, "0363").ok
