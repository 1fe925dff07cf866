"""The simulator's chart: cumulative reach over the days, one line per campaign, as SVG.

Drawn in the dashboard's style (outreach.reporting.charts: its ink, grid, halo and scale), as a
line chart: the dashboard's bars show one figure per group, this shows a figure over time.
Lines differ in colour (the Okabe-Ito palette, safe for colour blindness) and in dash, and
each is named at its end with its final reach, so nothing is told by colour alone. Every text
passes through format_html, which escapes it.
"""

from collections.abc import Callable, Mapping, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from outreach.reporting.cells import percent
from outreach.reporting.charts import FONT, GRID, HALO, INK, MUTED, nice_top

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 56, 200, 24, 48  # room for the scales and the lines' names
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "8 4", "2 3", "12 4 2 4", "4 4", "1 6", "16 6")


def reach_chart(series: Mapping[str, Sequence[float]], title: str = "") -> str:
    """An SVG document: per campaign, the share reached by the end of each day (day 1 first)."""
    days = max((len(values) for values in series.values()), default=0)
    top = min(1.0, nice_top(max((max(v, default=0.0) for v in series.values()), default=0.0)))
    title = title or "Bereik per campagne over de dagen van de simulatie"
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: int) -> float:
        return LEFT + plot_w * day / max(days, 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(value, top) / top)

    lines = []
    labels: list[tuple[float, str, str, str]] = []
    for number, (name, values) in enumerate(series.items()):
        colour, dash = COLOURS[number % len(COLOURS)], DASHES[number % len(DASHES)]
        points = " ".join(f"{x(day):.1f},{y(v):.1f}" for day, v in enumerate([0.0, *values]))
        final = values[-1] if values else 0.0
        lines.append(
            format_html(
                '<g class="series" data-campaign="{}"><title>{}: {}</title>'
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/></g>',
                name,
                name,
                percent(final),
                points,
                colour,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
            )
        )
        labels.append((y(final), name, percent(final), colour))
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" '
            'height="{}" role="img" aria-labelledby="reach-title reach-desc" '
            'font-family="sans-serif" font-size="{}">'
            '<title id="reach-title">{}</title><desc id="reach-desc">{}</desc>'
            '<rect width="100%" height="100%" fill="#fff"/>',
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            FONT - 3,
            title,
            _description(series, days),
        ),
        _grid(top, days, x, y),
        mark_safe("".join(lines)),
        _names(labels),
        mark_safe("</svg>"),
    ]
    return "".join(parts) + "\n"


def _description(series: Mapping[str, Sequence[float]], days: int) -> str:
    finals = "; ".join(
        f"{name}: {percent(values[-1] if values else 0.0)}" for name, values in series.items()
    )
    return (
        f"Lijndiagram: per campagne het deel van de opgevolgde zaken dat bereikt is, dag 0 tot "
        f"{days}. Bereik aan het eind: {finals}."
    )


def _grid(
    top: float, days: int, x: Callable[[int], float], y: Callable[[float], float]
) -> SafeString:
    """Horizontal lines at each quarter of the scale, vertical ones every week or month."""
    rows = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}"/>'
        '<text x="{4}" y="{2}" text-anchor="end" dominant-baseline="middle" fill="{5}">'
        "{6}</text>",
        (
            (LEFT, WIDTH - RIGHT, _at(y(step * top)), GRID, LEFT - 6, MUTED, percent(step * top))
            for step in (0, 0.25, 0.5, 0.75, 1)
        ),
    )
    every = 7 if days <= 70 else 30
    columns = format_html_join(
        "",
        '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{3}"/>'
        '<text x="{0}" y="{4}" text-anchor="middle" fill="{5}">{6}</text>',
        (
            (_at(x(day)), TOP, HEIGHT - BOTTOM, GRID, HEIGHT - BOTTOM + 18, MUTED, day)
            for day in range(0, days + 1, every)
        ),
    )
    axis = format_html(
        '<text x="{}" y="{}" text-anchor="middle" fill="{}">dagen</text>',
        LEFT + (WIDTH - LEFT - RIGHT) / 2,
        HEIGHT - 8,
        INK,
    )
    return mark_safe(rows + columns + axis)


def _names(labels: list[tuple[float, str, str, str]]) -> SafeString:
    """Each line's name and final reach at its end, moved apart where lines end close."""
    placed: list[float] = []
    parts = []
    for wanted, name, final, colour in sorted(labels):
        at = max(wanted, placed[-1] + FONT if placed else wanted)
        placed.append(at)
        parts.append(
            format_html(
                '<text x="{}" y="{}" dominant-baseline="middle" fill="{}" {}>'
                '<tspan fill="{}">&#9632;</tspan> {} {}</text>',
                WIDTH - RIGHT + 8,
                _at(at),
                INK,
                HALO,
                colour,
                name,
                final,
            )
        )
    return mark_safe("".join(parts))


def _at(coordinate: float) -> str:
    """A coordinate with one decimal: enough for a drawing, short in the file."""
    return f"{coordinate:.1f}"
