"""`wording.toml` is checked when it is read: every problem at once, each located."""

from pathlib import Path

import pytest

from outreach.core.tomlfile import TomlError
from outreach.messaging.texts.wording import WORDING_FILE, load_wording


def test_the_shipped_wording_loads() -> None:
    assert load_wording(WORDING_FILE)["nl"]["keywords"]["stop"] == "STOP"


def test_a_broken_wording_file_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "wording.toml"
    path.write_text(
        "[nl]\n"
        'salutation = "Beste"\n'
        '[nl.keywords]\nyes = ""\n'
        '[nl.partners]\nHuur = "uw verhuurder"\n'
        '[en]\ngreeting = "Dear {name}"\n'
        '[de]\nsalutation = "Hallo {name}"\n',
        encoding="utf-8",
    )
    with pytest.raises(TomlError) as error:
        load_wording(path)
    assert [(p.location, p.field, p.message) for p in error.value.problems] == [
        (
            "top level",
            "de",
            "unknown key; allowed in the wording (a table per language): nl, en, tr, ar, pl, uk",
        ),
        ("top level", "nl.salutation", "must contain {name}, where the addressee's name goes"),
        ("top level", "nl.anonymous", "missing; must be a non-empty string"),
        ("top level", "nl.keywords.yes", "must be a non-empty string, got ''"),
        ("top level", "nl.partners.other", "missing; the phrase for a partner not named here"),
        (
            "top level",
            "en.greeting",
            "unknown key; allowed in a language's wording: salutation, anonymous, keywords, "
            "partners",
        ),
    ]


def test_a_syntax_error_in_the_wording_is_located(tmp_path: Path) -> None:
    path = tmp_path / "wording.toml"
    path.write_text('[nl]\nsalutation = "Beste {name}\n', encoding="utf-8")
    with pytest.raises(TomlError, match=r"wording\.toml: line 2, column \d+: TOML syntax error"):
        load_wording(path)
