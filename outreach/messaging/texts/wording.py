"""The per-language words of `wording.toml`: salutation, reply keywords, partner names.
A language missing there (or a word missing in it) falls back to Dutch."""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE

WORDING_FILE = Path(__file__).with_name("wording.toml")
OTHER = "other"


@cache
def _wording() -> dict[str, Any]:
    with WORDING_FILE.open("rb") as handle:
        return tomllib.load(handle)


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
