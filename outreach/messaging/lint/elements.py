"""The elements a text must carry (catalogue.TemplateSpec.required): per language the phrases
of `elements.toml`; the contact person is the {{ worker_name }} and {{ worker_phone }}
placeholders in the source."""

import re
from functools import cache
from pathlib import Path

from outreach.core.tomlfile import Problem, Table
from outreach.messaging.lint.data import raise_problems, read_toml
from outreach.messaging.lint.findings import ERROR, Finding
from outreach.messaging.texts.catalogue import (
    CONTACT_PERSON,
    DATA_SOURCE,
    ELEMENTS,
    FREE,
    LANGUAGES,
    NO_OBLIGATION,
    NORMALISING,
)

ELEMENTS_FILE = Path(__file__).with_name("elements.toml")
PHRASED = tuple(element for element in ELEMENTS if element != CONTACT_PERSON)
CONTACT_PLACEHOLDERS = ("worker_name", "worker_phone")
DESCRIPTIONS = {
    FREE: "that help is free",
    NO_OBLIGATION: "that help is without obligation",
    CONTACT_PERSON: "a named contact person with a direct number",
    DATA_SOURCE: "how the data reached us",
    NORMALISING: "a normalising sentence (this can happen to anyone)",
}
_COMMENT = re.compile(r"\{#.*?#\}", re.S)

Phrases = dict[str, dict[str, tuple[str, ...]]]  # lang -> element -> phrases


def load_elements(path: Path = ELEMENTS_FILE) -> Phrases:
    """Per language, each element's phrases; LintDataError listing every problem in the file."""
    problems: list[Problem] = []
    top = Table.top(read_toml(path), str(path), problems)
    top.check_keys(LANGUAGES, "the elements file (a table per language)")
    phrases: Phrases = {}
    for lang in LANGUAGES:
        table = top.table(lang, f"the phrases of {', '.join(PHRASED)}", required=True)
        if table is None:
            continue
        table.check_keys(PHRASED, f"[{lang}]")
        found = {
            element: table.text_list(element, required=True, non_empty=True) for element in PHRASED
        }
        phrases[lang] = {element: found[element] or () for element in PHRASED}
    raise_problems(problems)
    return phrases


@cache
def shipped_elements() -> Phrases:
    return load_elements()


@cache
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(phrase) for phrase in phrases), re.IGNORECASE)


def has_placeholder(source: str, name: str) -> bool:
    """Whether a `{{ ... }}` outside Jinja comments uses the variable `name`."""
    pattern = rf"\{{\{{[^}}]*(?<![\w.]){re.escape(name)}\b[^}}]*\}}\}}"
    return re.search(pattern, _COMMENT.sub("", source)) is not None


def present(element: str, lang: str, source: str, text: str) -> bool:
    if element == CONTACT_PERSON:
        return all(has_placeholder(source, name) for name in CONTACT_PLACEHOLDERS)
    phrases = shipped_elements().get(lang, {}).get(element, ())
    return bool(phrases) and _phrase_pattern(phrases).search(text) is not None


def check_elements(
    template: str, lang: str, source: str, text: str, required: tuple[str, ...]
) -> list[Finding]:
    findings = []
    for element in required:
        if present(element, lang, source, text):
            continue
        if element == CONTACT_PERSON:
            how = "needs both {{ worker_name }} and {{ worker_phone }}"
        else:
            phrases = shipped_elements()[lang][element]
            how = "say it with " + " or ".join(f'"{phrase}"' for phrase in phrases)
        findings.append(
            Finding(
                template=template,
                lang=lang,
                level=ERROR,
                rule="missing-element",
                line=1,
                message=f"missing {element}: {DESCRIPTIONS[element]}; {how}",
            )
        )
    return findings
