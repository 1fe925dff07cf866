"""PLACEHOLDER, replaced by the real figures on merge.

The dashboard's figures: `dashboard_tables` makes the tables the supervisor's page shows. This
stand-in returns two hand-built tables so the page, its charts and its CSV downloads can be
developed; it reads nothing from the database and its numbers mean nothing.
"""

from datetime import date, datetime

from outreach.core.models import Municipality
from outreach.reporting.stats import Rate
from outreach.reporting.tables import Column, Table


def dashboard_tables(
    municipality: Municipality, start: date, end: date, now: datetime
) -> list[Table]:
    """PLACEHOLDER (replaced by the real figures on merge): the tables of `municipality` for
    the signals received from `start` to `end`, both days included, as known at `now`."""
    reach = Table(
        slug="bereik-per-partner",
        title="Bereik per signaalpartner (voorbeeld)",
        columns=(
            Column("partner", "Signaalpartner"),
            Column("signals", "Signalen"),
            Column("reached", "Bereikt"),
        ),
        rows=(
            ("Energie", 40, Rate(12, 40)),
            ("Huur", 25, Rate(9, 25)),
            ("Water", 7, Rate(3, 7)),
        ),
        chart_column="reached",
        note="Voorbeeldcijfers: de echte cijfers volgen.",
    )
    attempts = Table(
        slug="pogingen-per-kanaal",
        title="Contactpogingen per kanaal (voorbeeld)",
        columns=(Column("kind", "Soort contact"), Column("attempts", "Pogingen")),
        rows=(("Brief", 60), ("SMS/Whatsapp", 35), ("Telefoon", 18), ("Huisbezoek", 4)),
        chart_column="attempts",
        note="Voorbeeldcijfers: de echte cijfers volgen.",
    )
    return [reach, attempts]
