"""A table cell as the page writes it: counts beside every fraction, Dutch number style."""

from outreach.reporting.stats import MIN_CASES, Rate
from outreach.reporting.tables import Cell

NOT_APPLICABLE = "n.v.t."
TOO_FEW = "te weinig voor een percentage"
RANGE = "\u2013"  # the en dash between an interval's ends


def percent(fraction: float) -> str:
    """A fraction as a whole percentage, halves rounded up (not to even, as round() does)."""
    return f"{int(fraction * 100 + 0.5)}%"


def number(value: int | float) -> str:
    """A count as it is; any other number with one decimal and a decimal comma."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}".replace(".", ",")


def rate_text(rate: Rate) -> str:
    """'12 van 40 (30%; 95%: 18-45%)' (with an en dash), or for a small group '3 van 7 (te
    weinig voor een percentage)'."""
    counts = f"{rate.count} van {rate.total}"
    if rate.fraction is None or rate.interval is None:
        return f"{counts} ({TOO_FEW})"
    low, high = rate.interval
    return f"{counts} ({percent(rate.fraction)}; 95%: {percent(low)[:-1]}{RANGE}{percent(high)})"


def rate_short(rate: Rate) -> str:
    """The value beside a bar: '30% (12/40)', or 'n < 10 (3/7)' for a small group."""
    counts = f"{rate.count}/{rate.total}"
    if rate.fraction is None:
        return f"n < {MIN_CASES} ({counts})"
    return f"{percent(rate.fraction)} ({counts})"


def cell_text(cell: Cell) -> str:
    if cell is None:
        return NOT_APPLICABLE
    if isinstance(cell, Rate):
        return rate_text(cell)
    if isinstance(cell, int | float):
        return number(cell)
    return cell


def is_numeric(cell: Cell) -> bool:
    """Whether the cell is a number or a Rate (right aligned on the page)."""
    return isinstance(cell, int | float | Rate)
