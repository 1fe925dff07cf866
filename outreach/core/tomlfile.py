"""Reading and checking the project's TOML files, every problem at once.

One reader for every TOML file a person edits: the campaigns, their requirements and the
weighing framework (`campaigns/`), the linter's thresholds and word lists, the reply grammar
and the texts' wording. A file that cannot be read (missing, not UTF-8, a TOML syntax error)
gives a located `Problem` instead of an exception; `Table` checks a table's keys and values
and records a problem for each one that is wrong, so a policy officer fixes a file in one round.

A problem reads "file: location: field 'key': message", e.g.
`campaigns/crisis.toml: step[2] (id 'sms'): field 'after_days': must be 0 or more, got -1`.

Pure Python on purpose (no Django): the framework and campaign checks run without settings.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

TOP = "top level"

_TOML_POSITION = re.compile(
    r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (location, then field) and why."""

    file: str
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


class TomlError(Exception):
    """A file is unusable; `problems` holds every problem found, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --- reading -----------------------------------------------------------------------------------

Document = dict[str, object]


def parse_toml(text: str, source: str) -> tuple[Document | None, list[Problem]]:
    """The tables of `text`, or None and the syntax error located by line and column."""
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(source, text, str(exc))]


def read_toml(path: Path, source: str | None = None) -> tuple[Document | None, list[Problem]]:
    """The file's tables, or None and why (unreadable, not UTF-8, TOML syntax). `source` is
    the file's name in problems (default: the path)."""
    source = str(path) if source is None else source
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(source, "", "", f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(source, f"line {line}", "", "not valid UTF-8")]
    return parse_toml(text, source)


def _syntax_problem(source: str, text: str, error: str) -> Problem:
    match = _TOML_POSITION.match(error)
    if match is None:
        return Problem(source, "", "", f"TOML syntax error: {error}")
    if match["line"] is None:
        # tomllib reports some errors only at the end; the last line is the best pointer.
        location = f"line {max(1, len(text.splitlines()))} (end of file)"
    else:
        location = f"line {match['line']}, column {match['col']}"
    return Problem(source, location, "", f"TOML syntax error: {match['message']}")


# --- wording -----------------------------------------------------------------------------------


def show(value: object) -> str:
    """A value as it was written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if "'" not in value else f'"{value}"'
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def suggestion(value: str, choices: Sequence[str]) -> str:
    """ "did you mean 'x'? " for a near miss, else ""."""
    hint = difflib.get_close_matches(value, choices, n=1)
    return f"did you mean '{hint[0]}'? " if hint else ""


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {show(lo)} and {show(hi)}"
    if lo is not None:
        return f"{show(lo)} or more"
    return f"{show(hi)} or less"


# --- checking a table --------------------------------------------------------------------------


class Table:
    """One TOML table being checked. Each accessor returns the value, or records a problem and
    returns None (a missing optional key is None, or its default, without a problem)."""

    def __init__(
        self,
        data: Mapping[str, object],
        file: str,
        location: str,
        problems: list[Problem],
        prefix: str = "",
        index: int = 0,
    ) -> None:
        self.data = data
        self.file = file
        self.location = location
        self.problems = problems
        self.prefix = prefix  # "window." for a nested table: its fields read "window.hours"
        self.index = index  # 1-based place in its array of tables; 0 for any other table

    @classmethod
    def top(cls, data: Mapping[str, object], file: str, problems: list[Problem]) -> Table:
        """A file's top level."""
        return cls(data, file, TOP, problems)

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.location, self.prefix + key, message))

    def has(self, key: str) -> bool:
        return key in self.data

    def check_keys(self, allowed: Sequence[str], what: str) -> None:
        """A problem for every key not in `allowed`, with the nearest allowed key."""
        for key in self.data:
            if key not in allowed:
                hint = suggestion(key, allowed)
                self.problem(key, f"unknown key; {hint}allowed in {what}: {', '.join(allowed)}")

    def _missing(self, key: str, required: bool, wanted: str) -> None:
        if required:
            self.problem(key, f"missing; must be {wanted}")

    def integer(
        self,
        key: str,
        *,
        lo: int | None = None,
        hi: int | None = None,
        why: str = "",
        required: bool = False,
        default: int | None = None,
    ) -> int | None:
        """An integer from `lo` to `hi`; `why` explains the upper bound ("must be 3 or less
        (the law: ...)")."""
        if key not in self.data:
            # A lone lower bound is worth saying ("of 0 or more"); a range is told when broken.
            only_lo = f" of {lo} or more" if lo is not None and hi is None else ""
            self._missing(key, required, f"an integer{only_lo}")
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be an integer, got {show(value)}")
            return None
        if why and hi is not None and value > hi:
            self.problem(key, f"must be {hi} or less{why}, got {value}")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problem(key, f"must be {_range_text(lo, hi)}, got {value}")
            return None
        return value

    def number(
        self,
        key: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        required: bool = False,
    ) -> float | None:
        """A number (an integer or a decimal) from `lo` to `hi`."""
        if key not in self.data:
            self._missing(key, required, "a number")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"must be a number, got {show(value)}")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problem(key, f"must be {_range_text(lo, hi)}, got {show(value)}")
            return None
        return value

    def amount(self, key: str, *, required: bool = False) -> Decimal | None:
        """An amount in euros, 0 or more, exact (a Decimal of the number as written)."""
        if key not in self.data:
            self._missing(key, required, "an amount in euros")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"must be an amount in euros (a number), got {show(value)}")
            return None
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            self.problem(key, f"must be a finite amount of 0 or more, got {show(value)}")
            return None
        return amount

    def boolean(
        self, key: str, *, required: bool = False, default: bool | None = None
    ) -> bool | None:
        if key not in self.data:
            self._missing(key, required, "true or false")
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {show(value)}")
            return None
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A non-empty string."""
        if key not in self.data:
            self._missing(key, required, "a non-empty string")
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be a non-empty string, got {show(value)}")
            return None
        return value

    def choice(self, key: str, choices: Sequence[str], *, required: bool = False) -> str | None:
        """One of `choices`."""
        value = self.text(key, required=required)
        if value is not None and value not in choices:
            self._unknown_value(key, value, choices)
            return None
        return value

    def _unknown_value(self, key: str, value: str, choices: Sequence[str]) -> None:
        self.problem(
            key,
            f"unknown value {show(value)}; {suggestion(value, choices)}"
            f"use one of: {', '.join(choices)}",
        )

    def text_list(
        self,
        key: str,
        *,
        required: bool = False,
        non_empty: bool = False,
        choices: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_text: str = "",
        allow_single: bool = False,
    ) -> tuple[str, ...] | None:
        """A list of distinct non-empty strings, each one of `choices` or matching `pattern`;
        with `allow_single`, one string stands for a list of one."""
        wanted = "a non-empty list of strings" if non_empty else "a list of strings"
        if allow_single:
            wanted = f"a string or {wanted}"
        if key not in self.data:
            self._missing(key, required, wanted)
            return None
        value = self.data[key]
        if allow_single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (non_empty and not value):
            self.problem(key, f"must be {wanted}, got {show(value)}")
            return None
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.problem(key, f"must be a list of strings, got {show(item)} in it")
                return None
            if not item.strip():
                self.problem(key, "must not hold an empty string")
                return None
            if choices is not None and item not in choices:
                self._unknown_value(key, item, choices)
                return None
            if pattern is not None and not pattern.match(item):
                self.problem(key, f"{show(item)} is not {pattern_text}")
                return None
            items.append(item)
        if len(set(items)) != len(items):
            self.problem(key, "lists a value twice")
            return None
        return tuple(items)

    def table(self, key: str, what: str, *, required: bool = False) -> Table | None:
        """The nested table `[key]` (its fields read "key.field"); None when absent."""
        if key not in self.data:
            self._missing(key, required, f"a table with {what}")
            return None
        value = self.data[key]
        if not isinstance(value, dict):
            self.problem(key, f"must be a table with {what}, got {show(value)}")
            return None
        return Table(value, self.file, self.location, self.problems, f"{self.prefix}{key}.")

    def tables(self, key: str, name_key: str) -> list[Table]:
        """The tables of the array `[[key]]`, each located as `key[3] (id 'call')`: 1-based, in
        file order, named by its `name_key` when it has one."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.problem(key, f"must be an array of tables written as [[{key}]]")
            return []
        found: list[Table] = []
        for index, raw in enumerate(value, start=1):
            where = f"{self.prefix}{key}[{index}]"
            if self.location != TOP:
                where = f"{self.location}, {where}"
            if not isinstance(raw, dict):
                self.problems.append(
                    Problem(
                        self.file,
                        where,
                        "",
                        f"must be a table written as [[{key}]], got {show(raw)}",
                    )
                )
                continue
            here = located(where, name_key, raw)
            found.append(Table(raw, self.file, here, self.problems, index=index))
        return found


def located(where: str, name_key: str, data: Mapping[str, object]) -> str:
    """`step[2] (id 'sms')`: a place named by its table's `name_key`, when it has one."""
    name = data.get(name_key)
    if isinstance(name, str) and name:
        return f"{where} ({name_key} '{name}')"
    return where
