"""The simulator's figures as a table to read in a terminal."""

from typing import Any

COLUMNS = (
    ("signals", "signals", "{:,}"),
    ("reach", "reach", "{:.1%}"),
    ("acceptance", "accepted", "{:.1%}"),
    ("attempts_per_signal", "attempts/signal", "{:.2f}"),
    ("staff_hours", "staff hours", "{:,.1f}"),
    ("cost_per_reached", "EUR/reached", "{:,.2f}"),
    ("deadline_compliance", "in time", "{:.1%}"),
    ("capacity_shortfall", "short", "{:,}"),
)


def cell(value: Any, form: str) -> str:
    return "-" if value is None else form.format(value)


def table(result: dict[str, Any]) -> str:
    """One row per campaign; under it what was simulated."""
    campaigns = result["campaigns"]
    names = ["campaign", *(label for _, label, _ in COLUMNS)]
    rows = [
        [name, *(cell(figures.get(key), form) for key, _, form in COLUMNS)]
        for name, figures in campaigns.items()
    ]
    widths = [max(len(row[i]) for row in [names, *rows]) for i in range(len(names))]

    def line(values: list[str]) -> str:
        first, *rest = values
        return "  ".join(
            [first.ljust(widths[0]), *(v.rjust(w) for v, w in zip(rest, widths[1:], strict=True))]
        )

    out = [line(names), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    out.append("")
    out.append(
        f"{result['signals']:,} signals for {result['households']:,} households, "
        f"{result['start']} to {result['end']} ({result['days']} days), seed {result['seed']}; "
        f"the same households for every campaign. {result['seconds']} s."
    )
    out.append(
        "reach: followed-up cases reached; accepted: of those reached; in time: first attempt "
        "by the statutory deadline; short: most calls and visits without room in the capacity."
    )
    return "\n".join(out)
