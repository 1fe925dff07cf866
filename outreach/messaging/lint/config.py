"""The linter's thresholds: `thresholds.toml` next to this file, overridden key by key by the
file the setting (or environment variable) OUTREACH_LINT_CONFIG names.

Both files are checked when loaded, through the one TOML checker: every unknown key, value of
the wrong type or warning threshold stricter than its error threshold is a problem naming the
file and the key, and a LintDataError lists them all.
"""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from outreach.core.tomlfile import Problem, Table, show
from outreach.messaging.lint.data import raise_problems, read_toml
from outreach.messaging.texts.catalogue import LANGUAGES

DEFAULTS_FILE = Path(__file__).with_name("thresholds.toml")
SETTING = "OUTREACH_LINT_CONFIG"

FLESCH_DOUMA, FLESCH, LENGTH = "flesch-douma", "flesch", "length"
MEASURES = (FLESCH_DOUMA, FLESCH, LENGTH)
# Languages with a hyphenation dictionary (Pyphen), which the reading-ease measures need.
SYLLABLE_LANGUAGES = frozenset({"nl", "en", "pl", "uk"})

SECTIONS = ("sentence", "sms", "readability")
SENTENCE_KEYS = ("warning_above", "error_above")
SMS_KEYS = ("max_segments", "ucs2_warning")
LANGUAGE_KEYS = (
    "measure",
    "warning_below",
    "error_below",
    "average_warning_above",
    "average_error_above",
    "long_word_letters",
    "long_share_warning_above",
    "long_share_error_above",
)
_NEEDED = {
    FLESCH_DOUMA: ("warning_below", "error_below"),
    FLESCH: ("warning_below", "error_below"),
    LENGTH: (
        "average_warning_above",
        "average_error_above",
        "long_word_letters",
        "long_share_warning_above",
        "long_share_error_above",
    ),
}
_INTEGERS = frozenset({"warning_above", "error_above", "long_word_letters"})
_SHARES = frozenset({"long_share_warning_above", "long_share_error_above"})


@dataclass(frozen=True)
class SentenceLimits:
    warning_above: int
    error_above: int


@dataclass(frozen=True)
class Readability:
    measure: str
    warning_below: float = 0.0
    error_below: float = 0.0
    average_warning_above: float = 0.0
    average_error_above: float = 0.0
    long_word_letters: int = 0
    long_share_warning_above: float = 0.0
    long_share_error_above: float = 0.0


@dataclass(frozen=True)
class LintConfig:
    sentence: SentenceLimits
    sentence_by_language: dict[str, SentenceLimits]
    sms_max_segments: int
    ucs2_warning: frozenset[str]
    min_words: int
    readability: dict[str, Readability]
    source: str  # the files it was read from, for messages

    def sentence_limits(self, lang: str) -> SentenceLimits:
        return self.sentence_by_language.get(lang, self.sentence)


def override_path() -> Path | None:
    """The override file: the setting OUTREACH_LINT_CONFIG, else the environment variable."""
    value: Any = None
    try:
        from django.conf import settings

        value = getattr(settings, SETTING, None)
    except Exception:  # settings not configured: the linter also runs without Django
        value = None
    value = value or os.environ.get(SETTING)
    return Path(value) if value else None


def current_config(override: Path | None = None) -> LintConfig:
    """The defaults, overridden by `override` or else the configured override file. Cached
    until a file changes."""
    path = override if override is not None else override_path()
    return _cached(_stamp(DEFAULTS_FILE), _stamp(path) if path else None)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1  # read_toml says it cannot read the file
    return str(path), stat.st_mtime_ns, stat.st_size


@cache
def _cached(defaults: tuple[str, int, int], override: tuple[str, int, int] | None) -> LintConfig:
    return load_config(Path(defaults[0]), Path(override[0]) if override else None)


def load_config(defaults: Path = DEFAULTS_FILE, override: Path | None = None) -> LintConfig:
    """The thresholds of `defaults` overridden by `override`; LintDataError with every problem:
    first each file's own (unknown keys, wrong types), then those of the two together (a value
    missing from both, a warning threshold stricter than its error threshold)."""
    paths = [defaults] if override is None else [defaults, override]
    files = [(path, read_toml(path)) for path in paths]
    problems: list[Problem] = []
    for path, data in files:
        _check_file(Table.top(data, str(path), problems))
    raise_problems(problems)
    merged: dict[str, Any] = {}
    for _, data in files:
        merged = _merge(merged, data)
    config = _build(Table.top(merged, " + ".join(str(path) for path in paths), problems))
    raise_problems(problems)
    assert config is not None  # no problems: every part was built
    return config


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- one file on its own: known keys, values of the right type ----------------------------------


def _check_file(top: Table) -> None:
    top.check_keys(SECTIONS, "a thresholds file")
    sentence = top.table("sentence", "the words per sentence")
    if sentence is not None:
        sentence.check_keys(SENTENCE_KEYS + LANGUAGES, "[sentence]")
        _check_values(sentence)
        for lang in LANGUAGES:
            by_language = (
                sentence.table(lang, "the words per sentence") if lang in sentence.data else None
            )
            if by_language is not None:
                by_language.check_keys(SENTENCE_KEYS, f"[sentence.{lang}]")
                _check_values(by_language)
    sms = top.table("sms", "the SMS limits")
    if sms is not None:
        sms.check_keys(SMS_KEYS, "[sms]")
        sms.integer("max_segments", lo=1)
        sms.text_list("ucs2_warning", choices=LANGUAGES)
    readability = top.table("readability", "the reading-ease limits")
    if readability is not None:
        readability.check_keys(("min_words", *LANGUAGES), "[readability]")
        readability.integer("min_words", lo=0)
        for lang in LANGUAGES:
            table = readability.table(lang, "a measure") if lang in readability.data else None
            if table is not None:
                table.check_keys(LANGUAGE_KEYS, f"[readability.{lang}]")
                table.choice("measure", MEASURES)
                _check_values(table)


def _check_values(table: Table) -> None:
    """Each threshold present: an integer or a number of 0 or more (a share at most 1)."""
    for key in SENTENCE_KEYS + LANGUAGE_KEYS[1:]:
        if key in _INTEGERS:
            table.integer(key, lo=0)
        elif key in _SHARES:
            table.number(key, lo=0, hi=1)
        else:
            table.number(key, lo=0)


# --- the files together: everything needed present, and consistent -----------------------------


def _build(top: Table) -> LintConfig | None:
    """The merged tables as a LintConfig; None when a problem was recorded."""
    before = len(top.problems)
    sentence_table = top.table("sentence", "the words per sentence", required=True)
    sentence = _limits(sentence_table) if sentence_table is not None else None
    # A part that is None recorded its problem, so the config is not built; only the rest is kept.
    by_language: dict[str, SentenceLimits] = {}
    if sentence_table is not None:
        for lang in LANGUAGES:
            if lang in sentence_table.data:
                own = {**sentence_table.data, **sentence_table.data[lang]}  # type: ignore[dict-item]
                limits = _limits(
                    Table(own, top.file, top.location, top.problems, f"sentence.{lang}.")
                )
                if limits is not None:
                    by_language[lang] = limits
    sms = top.table("sms", "the SMS limits", required=True)
    max_segments = sms.integer("max_segments", required=True) if sms is not None else None
    ucs2 = sms.text_list("ucs2_warning", required=True) if sms is not None else None
    readability_table = top.table("readability", "the reading-ease limits", required=True)
    min_words = None
    readability: dict[str, Readability] = {}
    if readability_table is not None:
        min_words = readability_table.integer("min_words", required=True)
        for lang in LANGUAGES:
            table = readability_table.table(lang, "a measure", required=True)
            measured = _readability(table, lang) if table is not None else None
            if measured is not None:
                readability[lang] = measured
    if len(top.problems) > before:
        return None
    assert sentence is not None and max_segments is not None and ucs2 is not None
    assert min_words is not None
    return LintConfig(
        sentence=sentence,
        sentence_by_language=by_language,
        sms_max_segments=max_segments,
        ucs2_warning=frozenset(ucs2),
        min_words=min_words,
        readability=readability,
        source=top.file,
    )


def _ordered(table: Table, lower: str, higher: str, what: str) -> None:
    """A problem when the threshold `higher` is below `lower` (`what`: how they relate)."""
    low, high = table.data.get(lower), table.data.get(higher)
    if isinstance(low, int | float) and isinstance(high, int | float) and high < low:
        table.problem(higher, f"must be {what} {lower} ({show(low)}), got {show(high)}")


def _limits(table: Table) -> SentenceLimits | None:
    warning = table.integer("warning_above", required=True)
    error = table.integer("error_above", required=True)
    if warning is None or error is None:
        return None
    if error < warning:
        _ordered(table, "warning_above", "error_above", "at least")
        return None
    return SentenceLimits(warning, error)


def _readability(table: Table, lang: str) -> Readability | None:
    measure = table.choice("measure", MEASURES, required=True)
    if measure is None:
        return None
    if measure in (FLESCH, FLESCH_DOUMA) and lang not in SYLLABLE_LANGUAGES:
        table.problem(
            "measure",
            f"{show(measure)} needs syllables, and there is no hyphenation dictionary for "
            f"{show(lang)}; use {show(LENGTH)}",
        )
        return None
    before = len(table.problems)
    values: dict[str, Any] = {}
    for key in _NEEDED[measure]:
        if key not in table.data:
            table.problem(key, f"missing; measure {show(measure)} needs it")
        else:
            values[key] = table.data[key]
    if measure == LENGTH:
        _ordered(table, "average_warning_above", "average_error_above", "at least")
        _ordered(table, "long_share_warning_above", "long_share_error_above", "at least")
    else:
        _ordered(table, "error_below", "warning_below", "at least")
    if len(table.problems) > before:
        return None
    return Readability(measure, **values)
