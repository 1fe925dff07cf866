"""Jargon and threat words per language, from `words/<lang>.toml`, and where a text uses them.

A term is a word or phrase, matched as whole words regardless of case; a `*` at its start or
end stands for any letters (compounds, inflections: "deurwaarder*" finds "deurwaarders").
`unless` lists phrases that make an occurrence fine ("verplicht*" is not jargon inside "zonder
verplichting*", which a first letter must say). Each term is "jargon" (a warning unless its
`level` says otherwise) or "threat" (an error), with `plain` alternatives or a `note`.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from outreach.messaging.lint.data import LintDataError, describe, read_toml, string_list
from outreach.messaging.lint.findings import ERROR, LEVELS, WARNING, Finding
from outreach.messaging.lint.text import line_at

WORDS_DIR = Path(__file__).with_name("words")
KINDS = {"jargon": WARNING, "threat": ERROR}
_TERM_KEYS = ("text", "kind", "level", "plain", "note", "unless")
_TERM_TEXT = re.compile(r"\*?[^\W\d_](?:[^\W_]|['\u2019 -](?=[^\W_]))*\*?")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str
    level: str
    plain: tuple[str, ...]
    note: str
    pattern: re.Pattern[str]
    unless: tuple[re.Pattern[str], ...]

    def advice(self) -> str:
        if self.plain:
            return "say " + " or ".join(f'"{alternative}"' for alternative in self.plain)
        return self.note


@dataclass(frozen=True)
class WordList:
    lang: str
    terms: tuple[Term, ...]
    abbreviations: frozenset[str]


def compile_term(text: str, where: str) -> re.Pattern[str]:
    """The regular expression of a term: whole words, any case, `*` for any letters."""
    if not _TERM_TEXT.fullmatch(text):
        raise LintDataError(
            f"{where}: {text!r} is not a word or phrase (letters, with single spaces, hyphens "
            f"or apostrophes between words, and an optional * at the start or end)"
        )
    body = text.strip("*")
    regex = r"\s+".join(re.escape(part) for part in body.split(" "))
    prefix = r"\w*" if text.startswith("*") else ""
    suffix = r"\w*" if text.endswith("*") else ""
    return re.compile(rf"(?<!\w){prefix}{regex}{suffix}(?!\w)", re.IGNORECASE)


def _term(item: Any, where: str) -> Term:
    if not isinstance(item, dict):
        raise LintDataError(f"{where}: expected a table, got {describe(item)}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LintDataError(f"{where} text: expected a word or phrase, got {describe(text)}")
    where = f"{where} ({text!r})"
    unknown = [key for key in item if key not in _TERM_KEYS]
    if unknown:
        raise LintDataError(
            f"{where}: unknown key {unknown[0]!r}; expected some of {', '.join(_TERM_KEYS)}"
        )
    kind = item.get("kind")
    if kind not in KINDS:
        raise LintDataError(
            f"{where} kind: expected one of {', '.join(KINDS)}, got {describe(kind)}"
        )
    level = item.get("level", KINDS[kind])
    if level not in LEVELS:
        raise LintDataError(
            f"{where} level: expected one of {', '.join(LEVELS)}, got {describe(level)}"
        )
    plain: tuple[str, ...] = ()
    if "plain" in item:
        plain = string_list(item["plain"], f"{where} plain", allow_single=True)
    note = item.get("note", "")
    if not isinstance(note, str):
        raise LintDataError(f"{where} note: expected a string, got {describe(note)}")
    if not plain and not note.strip():
        raise LintDataError(f"{where}: needs `plain` (the alternatives) or a `note`")
    unless = string_list(item["unless"], f"{where} unless") if "unless" in item else ()
    return Term(
        text=text,
        kind=kind,
        level=level,
        plain=plain,
        note=note.strip(),
        pattern=compile_term(text, f"{where} text"),
        unless=tuple(compile_term(phrase, f"{where} unless") for phrase in unless),
    )


def load_word_list(path: Path, lang: str | None = None) -> WordList:
    data = read_toml(path)
    unknown = [key for key in data if key not in ("abbreviations", "term")]
    if unknown:
        raise LintDataError(
            f"{path}: unknown key {unknown[0]!r}; expected `abbreviations` and [[term]] tables"
        )
    terms = data.get("term", [])
    if not isinstance(terms, list):
        raise LintDataError(f"{path}: term: expected [[term]] tables, got {describe(terms)}")
    abbreviations = (
        string_list(data["abbreviations"], f"{path}: abbreviations")
        if "abbreviations" in data
        else ()
    )
    return WordList(
        lang=lang or path.stem,
        terms=tuple(_term(item, f"{path}: term[{i}]") for i, item in enumerate(terms, start=1)),
        abbreviations=frozenset(a.lower().rstrip(".") for a in abbreviations),
    )


@cache
def word_list(lang: str) -> WordList:
    """The shipped list of a language (cached); an empty list for a language without one."""
    path = WORDS_DIR / f"{lang}.toml"
    if not path.is_file():
        return WordList(lang, (), frozenset())
    return load_word_list(path, lang)


def find_terms(text: str, words: WordList, template: str) -> list[Finding]:
    """A finding for every occurrence of a term in a checkable text."""
    findings = []
    for term in words.terms:
        excused = [
            (match.start(), match.end())
            for pattern in term.unless
            for match in pattern.finditer(text)
        ]
        for match in term.pattern.finditer(text):
            if any(start <= match.start() and match.end() <= end for start, end in excused):
                continue
            found = " ".join(match.group(0).split())
            findings.append(
                Finding(
                    template=template,
                    lang=words.lang,
                    level=term.level,
                    rule=term.kind,
                    line=line_at(text, match.start()),
                    message=f'"{found}": {term.advice()}',
                )
            )
    return findings
