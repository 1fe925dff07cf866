"""Dutch number formatting for texts that people read."""

from decimal import Decimal


def euros(amount: Decimal | int, cents: bool = True) -> str:
    """'€ 1.234,56' (or '€ 1.234' without cents)."""
    text = f"{amount:,.2f}" if cents else f"{amount:,.0f}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")
