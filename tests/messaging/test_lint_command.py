"""`outreach lint-templates [PATH ...] [--json] [--config FILE]`: files and folders, names and
languages from the path, the JSON shape, the exit status; and the shipped templates."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from outreach.cli import main
from outreach.messaging.lint import lint_paths, template_files

CLEAN_LETTER = """{% extends "letters/_layout.html" %}
{% block body %}
<p>{{ salutation }},</p>
<p>Misschien is er een rekening blijven liggen. Dat kan iedereen overkomen.
Onze hulp is gratis en zonder verplichtingen. Wij kregen uw naam van {{ partners[0] }}.</p>
<p>Mijn naam is {{ worker_name }}. Bel mij op {{ worker_phone }}.</p>
{% endblock %}
"""
CLEAN_SMS = "{{ salutation }}, wij helpen gratis. Bel {{ worker_name }}: {{ worker_phone }}."
BAD_SMS = "Wij helpen gratis.\nIndien u niet betaalt, komt de deurwaarder. {{ worker_nmae }}"

KEYS = ["template", "lang", "level", "rule", "line", "message"]


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A templates folder with a clean letter and SMS, and a layout that would fail."""
    root = tmp_path / "templates"
    write(root / "letters/first_single/nl.html", CLEAN_LETTER)
    write(root / "sms/invitation/nl.txt", CLEAN_SMS)
    write(root / "letters/_layout.html", "{% if %}  deurwaarder")  # a partial: skipped
    write(root / "letters/first_single/_notes.html", "{% if %}")  # also skipped
    write(root / "letters/first_single/notes.md", "{% if %}")  # not a template
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: object) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("lint_templates", *[str(a) for a in args], stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_clean_folder_exits_zero(templates: Path) -> None:
    out, error = run(templates, "--json")
    assert error is None
    assert json.loads(out) == []
    out, error = run(templates)
    assert error is None
    assert out == "0 error(s), 0 warning(s) in 2 template(s)\n"
    assert template_files([templates]) == [
        templates / "letters/first_single/nl.html",
        templates / "sms/invitation/nl.txt",
    ]


def test_json_shape_and_non_zero_exit_on_error(templates: Path) -> None:
    bad = write(templates / "sms/reminder/nl.txt", BAD_SMS)
    out, error = run(templates, "--json")
    assert error is not None
    assert str(error) == "3 error(s), 1 warning(s) in 3 template(s)"
    document = json.loads(out)
    assert all(list(item) == KEYS for item in document)
    assert [(f["template"], f["lang"], f["level"], f["rule"], f["line"]) for f in document] == [
        ("reminder", "nl", "error", "missing-element", 1),
        ("reminder", "nl", "error", "threat", 2),
        ("reminder", "nl", "error", "undefined-variable", 2),
        ("reminder", "nl", "warning", "jargon", 2),
    ]
    assert {f["message"] for f in document if f["rule"] == "jargon"} == {'"Indien": say "als"'}
    # Only the bad file: the same findings.
    out, error = run(bad, "--json")
    assert error is not None
    assert json.loads(out) == document


def test_readable_report(templates: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(templates.parent)
    write(templates / "sms/reminder/nl.txt", BAD_SMS)
    out, error = run("templates/sms")
    assert error is not None
    lines = out.splitlines()
    assert 'templates/sms/reminder/nl.txt:2: warning jargon "Indien": say "als"' in lines
    assert (
        'templates/sms/reminder/nl.txt:2: error threat "deurwaarder": bailiff\'s word: leave it out'
        in lines
    )
    assert all(line.startswith("templates/sms/reminder/nl.txt:") for line in lines)


@pytest.mark.django_db  # the console runs the system checks, which read the municipalities
def test_console_exit_status(templates: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["outreach", "lint-templates", str(templates), "--json"])  # returns: status 0
    assert json.loads(capsys.readouterr().out) == []
    write(templates / "sms/reminder/nl.txt", BAD_SMS)
    with pytest.raises(SystemExit) as info:
        main(["outreach", "lint-templates", str(templates), "--json"])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["template"] == "reminder"
    assert "error(s)" in captured.err


def test_without_path_lints_the_templates_dir(templates: Path, settings) -> None:
    settings.OUTREACH_TEMPLATES_DIR = templates
    write(templates / "letters/follow_up/en.html", "<p>We will send the bailiff.</p>")
    out, error = run("--json")
    assert error is not None
    assert {(f["template"], f["lang"]) for f in json.loads(out)} == {("follow_up", "en")}


def test_unknown_name_gets_language_checks_with_the_kind_of_its_folder(templates: Path) -> None:
    long_text = "Wij helpen u graag. " * 20  # 400 characters: three SMS segments
    as_sms = write(templates / "sms/newsletter/nl.txt", long_text)
    as_letter = write(templates / "letters/newsletter/nl.html", f"<p>{long_text}</p>")
    sms_rules = {(f.level, f.rule) for f in lint_paths([as_sms])}
    assert sms_rules == {("warning", "unknown-template"), ("error", "sms-segments")}
    letter_rules = {(f.level, f.rule) for f in lint_paths([as_letter])}
    assert letter_rules == {("warning", "unknown-template")}
    # The language checks apply to both.
    write(as_sms, "Indien u wilt, bel ons.")
    assert [f.rule for f in lint_paths([as_sms])] == ["jargon", "unknown-template"]


def test_unknown_language_is_an_error(templates: Path) -> None:
    path = write(templates / "sms/invitation/de.txt", "Hallo {{ worker_name }}.")
    [finding] = lint_paths([path])
    assert (finding.level, finding.rule, finding.lang) == ("error", "unknown-language", "de")


def test_missing_path_and_bad_config_are_command_errors(templates: Path, tmp_path: Path) -> None:
    _, error = run(templates / "nope")
    assert error is not None and "no such file or directory" in str(error)
    config = write(tmp_path / "lint.toml", "[sentence]\nwarning_above = 'x'\n")
    _, error = run(templates, "--config", config)
    assert error is not None
    assert (
        f"{config}: top level: field 'sentence.warning_above': must be an integer, got 'x'"
        in str(error)
    )


def test_config_option_changes_a_threshold(templates: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "lint.toml", "[sentence]\nwarning_above = 5\nerror_above = 6\n")
    out, error = run(templates, "--json", "--config", config)
    assert error is not None
    rules = {(f["level"], f["rule"]) for f in json.loads(out)}
    assert rules == {("error", "sentence-length"), ("warning", "sentence-length")}


# --- the shipped templates ---------------------------------------------------------------------


def test_shipped_templates_have_no_errors() -> None:
    """Every template under templates/ passes (warnings are allowed, errors are not)."""
    shipped = Path(django_settings.OUTREACH_TEMPLATES_DIR)
    findings = lint_paths([shipped])
    errors = [f"{f.file}:{f.line}: {f.rule} {f.message}" for f in findings if f.is_error]
    assert errors == []
