"""Reading the linter's data files (thresholds, word lists, element phrases) with errors that
name the file, the place in it and what is wrong."""

import tomllib
from pathlib import Path
from typing import Any


class LintDataError(ValueError):
    """A data file of the linter is missing or malformed; the message says where and why."""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise LintDataError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise LintDataError(f"{path}: TOML syntax error: {exc}") from None


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
