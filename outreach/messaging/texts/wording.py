"""The per-language words of `wording.toml`: salutation, reply keywords, partner names.
A language missing there (or a word missing in it) falls back to Dutch, which must be complete."""

from functools import cache
from pathlib import Path
from typing import Any

from outreach.core.tomlfile import Table, TomlError, read_toml
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE, LANGUAGES

WORDING_FILE = Path(__file__).with_name("wording.toml")
OTHER = "other"
_WORDS = ("salutation", "anonymous", "keywords", "partners")


def load_wording(path: Path = WORDING_FILE) -> dict[str, Any]:
    """The words per language, checked; TomlError with every problem."""
    data, problems = read_toml(path)
    if data is not None:
        _check(Table.top(data, str(path), problems))
    if data is None or problems:
        raise TomlError(problems)
    return data


def _check(top: Table) -> None:
    top.check_keys(LANGUAGES, "the wording (a table per language)")
    for lang in LANGUAGES:
        complete = lang == DEFAULT_LANGUAGE  # every other language falls back to it
        words = top.table(lang, ", ".join(_WORDS), required=complete)
        if words is None:
            continue
        words.check_keys(_WORDS, "a language's wording")
        salutation = words.text("salutation", required=complete)
        if salutation is not None and "{name}" not in salutation:
            words.problem("salutation", "must contain {name}, where the addressee's name goes")
        words.text("anonymous", required=complete)
        for key in ("keywords", "partners"):
            table = words.table(key, "texts", required=complete)
            if table is None:
                continue
            for name in table.data:
                table.text(name, required=True)
            if complete and key == "partners" and OTHER not in table.data:
                table.problem(OTHER, "missing; the phrase for a partner not named here")


@cache
def _wording() -> dict[str, Any]:
    return load_wording()


def _words(lang: str) -> dict[str, Any]:
    data = _wording()
    return {**data[DEFAULT_LANGUAGE], **data.get(lang, {})}


def salutation(lang: str, name: str) -> str:
    words = _words(lang)
    return str(words["salutation"]).format(name=name) if name else str(words["anonymous"])


def keywords(lang: str) -> dict[str, str]:
    return {**_wording()[DEFAULT_LANGUAGE]["keywords"], **_words(lang)["keywords"]}


def partner_phrase(lang: str, partner_type: str) -> str:
    partners = _words(lang)["partners"]
    return str(partners.get(partner_type, partners[OTHER]))
