"""CSV cells a spreadsheet will not run: a cell that begins with =, +, -, @, a tab or a carriage
return is a formula to Excel and LibreOffice (CSV injection), so it gets a leading '."""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as a CSV cell's text, with a ' before a leading formula character."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Any]) -> list[str]:
    """Every cell of a row made safe, for csv.writer.writerow."""
    return [safe_cell(value) for value in values]
