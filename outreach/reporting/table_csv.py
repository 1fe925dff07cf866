"""A dashboard table as CSV, for a spreadsheet on a Dutch desk: `;` separated, decimal commas,
a header of the page's column labels. A Rate column becomes five columns (count, total,
fraction, the interval's low and high end), the last three empty for a group too small for a
fraction; every cell passes csvsafe, so no cell runs as a formula."""

from collections.abc import Iterator
from typing import Any, Protocol

from outreach.core import csvsafe
from outreach.core.csvsafe import safe_row
from outreach.reporting.stats import Rate
from outreach.reporting.tables import Cell, Table

RATE_PARTS = ("aantal", "totaal", "fractie", "95% laag", "95% hoog")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def rate_columns(table: Table) -> list[bool]:
    """Per column, whether it holds Rates (and so takes five CSV columns)."""
    return [
        any(isinstance(row[index], Rate) for row in table.rows)
        for index in range(len(table.columns))
    ]


def header(table: Table) -> list[str]:
    names: list[str] = []
    for column, is_rate in zip(table.columns, rate_columns(table), strict=True):
        if is_rate:
            names.extend(f"{column.label} {part}" for part in RATE_PARTS)
        else:
            names.append(column.label)
    return names


def fraction(value: float | None) -> str:
    """A fraction with four decimals and a decimal comma; empty for none."""
    return "" if value is None else f"{value:.4f}".replace(".", ",")


def rate_cells(cell: Cell) -> list[str]:
    """The five cells of a Rate column: a Rate's parts, or the cell itself and four empty."""
    if isinstance(cell, Rate):
        low, high = cell.interval or (None, None)
        return [
            str(cell.count),
            str(cell.total),
            fraction(cell.fraction),
            fraction(low),
            fraction(high),
        ]
    return [plain(cell), "", "", "", ""]


def plain(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell}".replace(".", ",")
    return str(cell)


def rows(table: Table) -> Iterator[list[str]]:
    """The header and then every row, each cell made safe for a spreadsheet."""
    kinds = rate_columns(table)
    yield safe_row(header(table))
    for row in table.rows:
        cells: list[str] = []
        for cell, is_rate in zip(row, kinds, strict=True):
            if is_rate:
                cells.extend(rate_cells(cell))
            else:
                cells.append(plain(cell))
        yield safe_row(cells)


def write_table_csv(table: Table, out: Writable) -> None:
    """`table` as `;`-separated CSV (the caller writes the byte-order mark Excel needs)."""
    writer = csvsafe.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows(table))
