"""A table's chart as SVG made on the server: one horizontal bar per row, labelled by the first
column. A Rate is drawn as its fraction with the 95% interval as a whisker, and a group under
MIN_CASES gets no bar, only its counts; a count is drawn as itself. Every value is also written
as text beside its bar, so nothing is told by colour or length alone.

Made as a string: every piece of text passes through format_html (which escapes it), so a
label such as "<script>" is drawn as text. Each label stands above its bar, so the drawing can
be narrow: with a fixed viewBox and width 100% it scales down to a phone and its text stays
readable. The table beside the chart is the accessible and exact form of the figures.
"""

from dataclasses import dataclass
from math import floor, log10

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from outreach.reporting.cells import NOT_APPLICABLE, cell_text, number, percent, rate_short
from outreach.reporting.stats import MIN_CASES, Rate
from outreach.reporting.tables import Cell, Table

WIDTH = 400
BAR_X = 12  # room for half the scale's first number
BAR_WIDTH = 230
VALUE_X = BAR_X + BAR_WIDTH + 8  # the value beside the bar, in a column of its own
TOP = 28  # room for the scale's numbers
ROW = 50  # a row: its label, and its bar under it
BAR = 18
FONT = 16
MAX_LABEL = 46  # characters; a longer label is cut (the table has it in full)

# Contrast (WCAG 2.1 AA): text #1b1b1b and the scale's #595959 on white are above 4.5:1; the
# bars (#3f7fb0) stand 4.3:1 against white and 4.0:1 against the dark whisker drawn over them.
# Text gets a white outline, so a grid line behind it never makes it harder to read.
INK = "#1b1b1b"
MUTED = "#595959"
BAR_FILL = "#3f7fb0"
GRID = "#c8c8c8"
HALO = mark_safe('stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"')


@dataclass(frozen=True, slots=True)
class Scale:
    """What a full bar stands for, and how the scale's ticks are written."""

    top: float
    rate: bool

    def x(self, value: float) -> float:
        return BAR_X + BAR_WIDTH * max(0.0, min(value, self.top)) / self.top

    def tick_text(self, value: float) -> str:
        if self.rate:
            return percent(value)
        return number(int(value) if value == int(value) else value)


def nice_top(largest: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least `largest` (1 for none)."""
    if largest <= 0:
        return 1.0
    power = 10.0 ** floor(log10(largest))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= largest)


def bar_chart(table: Table) -> SafeString | None:
    """The SVG of `table`'s chart column, or None when the table has no chart."""
    if table.chart_column is None:
        return None
    index = table.column_index(table.chart_column)
    cells = [row[index] for row in table.rows]
    rate = any(isinstance(cell, Rate) for cell in cells)
    counts = [float(cell) for cell in cells if isinstance(cell, int | float)]
    scale = Scale(1.0, True) if rate else Scale(nice_top(max(counts, default=0)), False)
    height = TOP + ROW * len(table.rows) + 4
    ids = f"chart-{table.slug}"
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
            'width="100%" role="img" aria-labelledby="{}-title {}-desc" '
            'font-family="system-ui, sans-serif" font-size="{}">',
            WIDTH,
            height,
            ids,
            ids,
            FONT,
        ),
        format_html('<title id="{}-title">{}</title>', ids, table.title),
        format_html('<desc id="{}-desc">{}</desc>', ids, _description(table, index, rate)),
        _grid(scale, height),
    ]
    for number_, (row, cell) in enumerate(zip(table.rows, cells, strict=True)):
        parts.append(_row(TOP + ROW * number_, row[0], cell, scale))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _description(table: Table, index: int, rate: bool) -> str:
    what = table.columns[index].label
    per = table.columns[0].label
    drawn = (
        f"Elke staaf is het percentage, de lijn erover het 95%-betrouwbaarheidsinterval; "
        f"een groep met minder dan {MIN_CASES} gevallen heeft geen staaf."
        if rate
        else "Elke staaf is het aantal."
    )
    return (
        f"Staafdiagram van {what.lower()} per {per.lower()}, {len(table.rows)} rijen. "
        f"{drawn} Alle cijfers staan in de tabel bij deze grafiek."
    )


def _grid(scale: Scale, height: int) -> SafeString:
    """Vertical lines at 0, each quarter (rates) or the half (counts) and the top, numbered
    above."""
    steps = (0, 0.25, 0.5, 0.75, 1) if scale.rate else (0, 0.5, 1)
    return format_html_join(
        "",
        '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="1"/>'
        '<text x="{0}" y="{4}" text-anchor="middle" fill="{5}">{6}</text>',
        (
            (
                _at(scale.x(step * scale.top)),
                TOP - 6,
                height,
                GRID,
                TOP - 11,
                MUTED,
                scale.tick_text(step * scale.top),
            )
            for step in steps
        ),
    )


def _row(top: int, label_cell: Cell, cell: Cell, scale: Scale) -> SafeString:
    """The label at the top of the row, the bar (and whisker) under it, the value beside."""
    label = cell_text(label_cell)
    shown = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
    middle = top + ROW - BAR / 2 - 4  # of the bar
    parts = [
        format_html(
            '<text class="label" x="{}" y="{}" fill="{}" {}>{}{}</text>',
            BAR_X,
            top + FONT + 2,
            INK,
            HALO,
            shown,
            format_html("<title>{}</title>", label) if shown != label else "",
        )
    ]
    value: float | None = None
    if isinstance(cell, Rate):
        value, text = cell.fraction, rate_short(cell)
    elif isinstance(cell, int | float):
        value, text = cell, number(cell)
    else:
        text = NOT_APPLICABLE
    if value is None:  # no bar: a small group, or nothing to draw
        parts.append(_text(BAR_X + 4, middle, text))
        return mark_safe("".join(parts))
    parts.append(
        format_html(
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            BAR_X,
            middle - BAR / 2,
            _at(scale.x(value) - BAR_X),
            BAR,
            BAR_FILL,
        )
    )
    if isinstance(cell, Rate) and cell.interval is not None:
        parts.append(_whisker(scale.x(cell.interval[0]), scale.x(cell.interval[1]), middle))
    parts.append(_text(VALUE_X, middle, text))
    return mark_safe("".join(parts))


def _whisker(low: float, high: float, middle: float) -> SafeString:
    """The interval: a line from low to high with a short cap at each end."""
    cap = BAR / 2 + 2
    return format_html(
        '<g class="interval" stroke="{}" stroke-width="2">'
        '<line x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}"/></g>',
        INK,
        _at(low),
        _at(high),
        middle,
        middle,
        _at(low),
        _at(low),
        middle - cap / 2,
        middle + cap / 2,
        _at(high),
        _at(high),
        middle - cap / 2,
        middle + cap / 2,
    )


def _text(x: float, middle: float, text: str) -> SafeString:
    return format_html(
        '<text class="value" x="{}" y="{}" dominant-baseline="middle" fill="{}" {}>{}</text>',
        _at(x),
        middle,
        INK,
        HALO,
        text,
    )


def _at(coordinate: float) -> str:
    """A coordinate with one decimal: enough for a drawing, short in the page."""
    return f"{coordinate:.1f}"
