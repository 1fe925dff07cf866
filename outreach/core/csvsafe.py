"""CSV cells a spreadsheet will not run: a cell that begins with =, +, -, @, a tab or a carriage
return is a formula to Excel and LibreOffice (CSV injection), so it gets a leading '.

Every CSV the system writes for people (reports, feedback records, the print house's manifest)
is written with `writer`, which makes every cell safe; tests/core/test_csvsafe_everywhere.py
fails when a module of the package writes CSV with the csv module directly.
"""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as a CSV cell's text, with a ' before a leading formula character."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Any]) -> list[str]:
    """Every cell of a row made safe, for csv.writer.writerow. (Idempotent: a safe cell
    starts with ' or with no formula character.)"""
    return [safe_cell(value) for value in values]


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """A csv.writer whose rows pass `safe_row` (the header too: it costs nothing)."""

    def __init__(self, out: Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(safe_row(row) for row in rows)


def writer(out: Writable, **fmtparams: Any) -> SafeWriter:
    """`csv.writer(out, **fmtparams)` that makes every cell safe."""
    return SafeWriter(out, **fmtparams)
