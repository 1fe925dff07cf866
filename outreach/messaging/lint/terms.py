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

from outreach.core.tomlfile import Problem, Table, show
from outreach.messaging.lint.data import raise_problems, read_toml
from outreach.messaging.lint.findings import ERROR, LEVELS, WARNING, Finding
from outreach.messaging.lint.text import line_at

WORDS_DIR = Path(__file__).with_name("words")
KINDS = {"jargon": WARNING, "threat": ERROR}
_TERM_KEYS = ("text", "kind", "level", "plain", "note", "unless")
_TERM_SHAPE = (
    "a word or phrase (letters, with single spaces, hyphens or apostrophes between words, and "
    "an optional * at the start or end)"
)
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


def compile_term(text: str) -> re.Pattern[str] | None:
    """The regular expression of a term: whole words, any case, `*` for any letters; None when
    `text` is not a word or phrase."""
    if not _TERM_TEXT.fullmatch(text):
        return None
    body = text.strip("*")
    regex = r"\s+".join(re.escape(part) for part in body.split(" "))
    prefix = r"\w*" if text.startswith("*") else ""
    suffix = r"\w*" if text.endswith("*") else ""
    return re.compile(rf"(?<!\w){prefix}{regex}{suffix}(?!\w)", re.IGNORECASE)


def _patterns(t: Table, key: str, texts: tuple[str, ...]) -> tuple[re.Pattern[str], ...] | None:
    """Each text's pattern, or None after a problem for the first that is not a term."""
    patterns = []
    for text in texts:
        pattern = compile_term(text)
        if pattern is None:
            t.problem(key, f"{show(text)} is not {_TERM_SHAPE}")
            return None
        patterns.append(pattern)
    return tuple(patterns)


def _term(t: Table) -> Term | None:
    """The term of one [[term]] table; None when a problem was recorded."""
    before = len(t.problems)
    t.check_keys(_TERM_KEYS, "[[term]]")
    text = t.text("text", required=True)
    kind = t.choice("kind", tuple(KINDS), required=True)
    level = t.choice("level", LEVELS) if t.has("level") else KINDS.get(kind or "")
    plain = t.text_list("plain", non_empty=True, allow_single=True) or ()
    note = t.text("note") or ""
    if not t.has("plain") and not t.has("note"):
        t.problem("plain", "missing; a term needs `plain` (the alternatives) or a `note`")
    unless = t.text_list("unless", non_empty=True) or ()
    pattern = _patterns(t, "text", (text,)) if text is not None else None
    unless_patterns = _patterns(t, "unless", unless)
    if len(t.problems) > before:
        return None
    assert text is not None and kind is not None and level is not None
    assert pattern is not None and unless_patterns is not None
    return Term(
        text=text,
        kind=kind,
        level=level,
        plain=plain,
        note=note.strip(),
        pattern=pattern[0],
        unless=unless_patterns,
    )


def load_word_list(path: Path, lang: str | None = None) -> WordList:
    """The terms of a word list; LintDataError listing every problem in it."""
    problems: list[Problem] = []
    top = Table.top(read_toml(path), str(path), problems)
    top.check_keys(("abbreviations", "term"), "a word list (`abbreviations` and [[term]] tables)")
    abbreviations = top.text_list("abbreviations", non_empty=True) or ()
    terms = [_term(table) for table in top.tables("term", "text")]
    raise_problems(problems)
    return WordList(
        lang=lang or path.stem,
        terms=tuple(term for term in terms if term is not None),
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
