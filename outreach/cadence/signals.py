"""What the engine tells the apps above it, which receive it: the engine never imports them.

`housekeeping`: sent at the end of every housekeeping run (every ten minutes), with `now`. A
receiver does its own periodic work after the engine's (partner feedback follows the cases
the engine just closed) and answers with a (name, figure) pair for the run's report.
"""

from datetime import datetime
from typing import Any, cast

from django.dispatch import Signal

housekeeping = Signal()


def after_housekeeping(now: datetime) -> dict[str, Any]:
    """Tell the receivers; their figures, by name."""
    figures: dict[str, Any] = {}
    for _, answer in housekeeping.send(sender=None, now=now):
        if answer:
            name, figure = cast(tuple[str, Any], answer)
            figures[name] = figure
    return figures
