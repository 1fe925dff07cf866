"""The dashboard's unit: a titled table of figures, shown beside its chart and downloadable as
CSV. The figures (outreach.reporting.figures) make tables; the dashboard only renders them."""

from dataclasses import dataclass, field

from outreach.reporting.stats import Rate

# A cell: a count, a label, a Rate (count out of total, with its fraction and interval), or
# None for "not applicable".
Cell = int | float | str | Rate | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the JSON key; the CSV heads a column with its label
    label: str  # Dutch, as the page heads the column


@dataclass(frozen=True, slots=True)
class Table:
    slug: str  # the anchor on the page and the CSV's file name: lower case and dashes
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Which column the chart draws, as bars per row labelled by the first column; None: no chart.
    chart_column: str | None = None
    note: str = ""  # one line under the title: what is counted, what is left out
    extra: dict[str, str] = field(default_factory=dict)  # reserved for the page (e.g. a link)

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(f"table {self.slug} has no column {key!r}")
