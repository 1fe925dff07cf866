"""Reading the linter's data files (thresholds, word lists, element phrases): through the one
TOML reader, with every problem of a file reported at once, each naming the file, the place in
it and what is wrong."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from outreach.core import tomlfile


class LintDataError(tomlfile.TomlError, ValueError):
    """A data file of the linter is missing or malformed; `problems` says where and why."""


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; LintDataError when it cannot be read (located by line and column)."""
    data, problems = tomlfile.read_toml(path)
    if data is None:
        raise LintDataError(problems)
    return data


def raise_problems(problems: Sequence[tomlfile.Problem]) -> None:
    """LintDataError with every problem found, if there is one."""
    if problems:
        raise LintDataError(problems)
