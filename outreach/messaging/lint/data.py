"""Reading the linter's data files (thresholds, word lists, element phrases) with errors that
name the file, the place in it and what is wrong."""

from pathlib import Path
from typing import Any

from outreach.core import tomlfile


class LintDataError(ValueError):
    """A data file of the linter is missing or malformed; the message says where and why."""


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; LintDataError when it cannot be read (located by line and column)."""
    data, problems = tomlfile.read_toml(path)
    if data is None:
        raise LintDataError(str(problems[0]))
    return data


def describe(value: Any) -> str:
    """A value as the error message shows it: its repr and its TOML type."""
    if value is None:
        return "nothing"
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    kind = kinds.get(type(value), "table" if isinstance(value, dict) else type(value).__name__)
    return f"{value!r} ({kind})" if not isinstance(value, dict | list) else kind


def string_list(value: Any, where: str, *, allow_single: bool = False) -> tuple[str, ...]:
    """A non-empty array of non-empty strings (or one string when `allow_single`)."""
    if allow_single and isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        wanted = "a string or an array of strings" if allow_single else "an array of strings"
        raise LintDataError(f"{where}: expected {wanted}, none empty; got {describe(value)}")
    return tuple(value)
