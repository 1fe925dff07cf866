"""Reading the TOML files of `campaigns/` and validating their tables, every problem at once.

Shared by the campaign files and `requirements.toml`. Problems have the weighing framework's
shape (`outreach.intake.weighing.Problem`) and wording, so a policy officer reads one style.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from outreach.intake.weighing import Problem
from outreach.intake.weighing import _syntax_problem as syntax_problem


def read_toml(path: Path) -> tuple[Mapping[str, object] | None, list[Problem]]:
    """The file's tables, or None and the reason (unreadable, not UTF-8, TOML syntax)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(source, "", "", f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(source, f"line {line}", "", "not valid UTF-8")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [syntax_problem(source, text, str(exc))]


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


class Table:
    """One TOML table being validated: accessors record a problem and return None."""

    def __init__(
        self,
        data: Mapping[str, object],
        file: str,
        location: str,
        problems: list[Problem],
        prefix: str = "",
    ) -> None:
        self.data = data
        self.file = file
        self.location = location
        self.problems = problems
        self.prefix = prefix  # "window." for a nested table: fields read "window.hours"

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.location, self.prefix + key, message))

    def check_keys(self, allowed: Sequence[str], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                hint = suggestion(key, allowed)
                self.problem(key, f"unknown key; {hint}allowed in {what}: {', '.join(allowed)}")

    def integer(
        self, key: str, *, lo: int, hi: int | None = None, why: str = "", required: bool = False
    ) -> int | None:
        """An integer from `lo` to `hi`; `why` explains the upper bound."""
        if key not in self.data:
            if required:
                self.problem(key, f"missing; must be an integer of {lo} or more")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be an integer, got {show(value)}")
            return None
        if value < lo:
            self.problem(key, f"must be {lo} or more, got {value}")
            return None
        if hi is not None and value > hi:
            self.problem(key, f"must be {hi} or less{why}, got {value}")
            return None
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        if key not in self.data:
            if required:
                self.problem(key, "missing; must be a non-empty string")
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be a non-empty string, got {show(value)}")
            return None
        return value

    def choice(self, key: str, choices: Sequence[str], *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in choices:
            self.problem(
                key,
                f"unknown value {show(value)}; {suggestion(value, choices)}"
                f"use one of: {', '.join(choices)}",
            )
            return None
        return value

    def text_list(
        self,
        key: str,
        choices: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_text: str = "",
    ) -> tuple[str, ...] | None:
        """A list of distinct strings, each one of `choices` or matching `pattern`."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"must be a list of strings, got {show(value)}")
            return None
        items = [str(v) for v in value]
        for item in items:
            if choices is not None and item not in choices:
                self.problem(
                    key,
                    f"unknown value {show(item)}; {suggestion(item, choices)}"
                    f"use one of: {', '.join(choices)}",
                )
                return None
            if pattern is not None and not pattern.match(item):
                self.problem(key, f"{show(item)} is not {pattern_text}")
                return None
        if len(set(items)) != len(items):
            self.problem(key, "lists a value twice")
            return None
        return tuple(items)
