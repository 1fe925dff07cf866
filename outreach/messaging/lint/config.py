"""The linter's thresholds: `thresholds.toml` next to this file, overridden key by key by the
file the setting (or environment variable) OUTREACH_LINT_CONFIG names.

Both files are checked when loaded: an unknown key, a value of the wrong type or a warning
threshold stricter than its error threshold is a LintDataError naming the file and the key.
"""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from outreach.messaging.lint.data import LintDataError, describe, read_toml
from outreach.messaging.texts.catalogue import LANGUAGES

DEFAULTS_FILE = Path(__file__).with_name("thresholds.toml")
SETTING = "OUTREACH_LINT_CONFIG"

FLESCH_DOUMA, FLESCH, LENGTH = "flesch-douma", "flesch", "length"
MEASURES = (FLESCH_DOUMA, FLESCH, LENGTH)
# Languages with a hyphenation dictionary (Pyphen), which the reading-ease measures need.
SYLLABLE_LANGUAGES = frozenset({"nl", "en", "pl", "uk"})

Keys = dict[str, type | tuple[type, ...]]
_SENTENCE_KEYS: Keys = {"warning_above": int, "error_above": int}
_SMS_KEYS: Keys = {"max_segments": int, "ucs2_warning": list}
_READABILITY_KEYS: Keys = {"min_words": int}
_LANGUAGE_KEYS: Keys = {
    "measure": str,
    "warning_below": (int, float),
    "error_below": (int, float),
    "average_warning_above": (int, float),
    "average_error_above": (int, float),
    "long_word_letters": int,
    "long_share_warning_above": (int, float),
    "long_share_error_above": (int, float),
}
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
    data = read_toml(defaults)
    _check_keys(data, defaults)
    sources = [str(defaults)]
    if override is not None:
        extra = read_toml(override)
        _check_keys(extra, override)
        data = _merge(data, extra)
        sources.append(str(override))
    return _build(data, " + ".join(sources))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_type(value: Any, wanted: type | tuple[type, ...], where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, wanted):
        names = {int: "an integer", float: "a number", str: "a string", list: "an array"}
        kinds = wanted if isinstance(wanted, tuple) else (wanted,)
        expected = "a number" if float in kinds else names[kinds[0]]
        raise LintDataError(f"{where}: expected {expected}, got {describe(value)}")
    if isinstance(value, int | float) and value < 0:
        raise LintDataError(f"{where}: must not be negative, got {value!r}")


def _check_table(
    table: Any, keys: Keys, path: Path, section: str, *, languages: bool = False
) -> None:
    if not isinstance(table, dict):
        raise LintDataError(f"{path}: [{section}]: expected a table, got {describe(table)}")
    for key, value in table.items():
        where = f"{path}: [{section}] {key}"
        if key in keys:
            _check_type(value, keys[key], where)
        elif languages and key in LANGUAGES:
            if section == "sentence":
                _check_table(value, _SENTENCE_KEYS, path, f"sentence.{key}")
            else:
                _check_table(value, _LANGUAGE_KEYS, path, f"{section}.{key}")
        else:
            allowed = sorted(keys) + ([f"a language ({', '.join(LANGUAGES)})"] if languages else [])
            raise LintDataError(f"{where}: unknown key; expected one of {', '.join(allowed)}")


def _check_keys(data: dict[str, Any], path: Path) -> None:
    """Each file on its own: known sections and keys, values of the right type."""
    sections = {"sentence": _SENTENCE_KEYS, "sms": _SMS_KEYS, "readability": _READABILITY_KEYS}
    for name, table in data.items():
        if name not in sections:
            raise LintDataError(
                f"{path}: [{name}]: unknown section; expected one of {', '.join(sections)}"
            )
        _check_table(table, sections[name], path, name, languages=name != "sms")
    sms = data.get("sms", {})
    if "ucs2_warning" in sms:
        for lang in sms["ucs2_warning"]:
            if lang not in LANGUAGES:
                raise LintDataError(
                    f"{path}: [sms] ucs2_warning: unknown language {lang!r}; "
                    f"expected some of {', '.join(LANGUAGES)}"
                )
    for lang, table in data.get("readability", {}).items():
        measure = table.get("measure") if isinstance(table, dict) else None
        if measure is not None and measure not in MEASURES:
            raise LintDataError(
                f"{path}: [readability.{lang}] measure: expected one of "
                f"{', '.join(MEASURES)}, got {measure!r}"
            )


def _limits(table: dict[str, Any], source: str, section: str) -> SentenceLimits:
    missing = [key for key in _SENTENCE_KEYS if key not in table]
    if missing:
        raise LintDataError(f"{source}: [{section}] {missing[0]}: missing")
    limits = SentenceLimits(table["warning_above"], table["error_above"])
    if limits.error_above < limits.warning_above:
        raise LintDataError(
            f"{source}: [{section}] error_above ({limits.error_above}) is below "
            f"warning_above ({limits.warning_above})"
        )
    return limits


def _build(data: dict[str, Any], source: str) -> LintConfig:
    """The merged tables as a LintConfig: everything needed present, and consistent."""
    sentence_table = data.get("sentence", {})
    sentence = _limits(sentence_table, source, "sentence")
    by_language = {
        lang: _limits({**sentence_table, **table}, source, f"sentence.{lang}")
        for lang, table in sentence_table.items()
        if lang in LANGUAGES
    }
    sms = data.get("sms", {})
    readability_table = data.get("readability", {})
    for section, table, key in (
        ("sms", sms, "max_segments"),
        ("sms", sms, "ucs2_warning"),
        ("readability", readability_table, "min_words"),
    ):
        if key not in table:
            raise LintDataError(f"{source}: [{section}] {key}: missing")
    readability = {}
    for lang in LANGUAGES:
        table = readability_table.get(lang)
        if table is None:
            raise LintDataError(f"{source}: [readability.{lang}]: missing")
        measure = table.get("measure")
        if measure in (FLESCH, FLESCH_DOUMA) and lang not in SYLLABLE_LANGUAGES:
            raise LintDataError(
                f"{source}: [readability.{lang}] measure: {measure!r} needs syllables, and "
                f"there is no hyphenation dictionary for {lang!r}; use {LENGTH!r}"
            )
        readability[lang] = _readability(table, source, f"readability.{lang}")
    return LintConfig(
        sentence=sentence,
        sentence_by_language=by_language,
        sms_max_segments=sms["max_segments"],
        ucs2_warning=frozenset(sms["ucs2_warning"]),
        min_words=readability_table["min_words"],
        readability=readability,
        source=source,
    )


def _readability(table: dict[str, Any], source: str, section: str) -> Readability:
    if "measure" not in table:
        raise LintDataError(f"{source}: [{section}] measure: missing")
    measure = table["measure"]
    for key in _NEEDED[measure]:
        if key not in table:
            raise LintDataError(f"{source}: [{section}] {key}: missing (measure {measure!r})")
    values = {key: table[key] for key in _NEEDED[measure]}
    result = Readability(measure, **values)
    if measure == LENGTH:
        pairs = [
            ("average_warning_above", "average_error_above"),
            ("long_share_warning_above", "long_share_error_above"),
        ]
        for warning, error in pairs:
            if values[error] < values[warning]:
                raise LintDataError(
                    f"{source}: [{section}] {error} ({values[error]}) is below "
                    f"{warning} ({values[warning]})"
                )
        for key in ("long_share_warning_above", "long_share_error_above"):
            if values[key] > 1:
                raise LintDataError(
                    f"{source}: [{section}] {key}: a share between 0 and 1, got {values[key]}"
                )
    elif values["error_below"] > values["warning_below"]:
        raise LintDataError(
            f"{source}: [{section}] error_below ({values['error_below']}) is above "
            f"warning_below ({values['warning_below']})"
        )
    return result
