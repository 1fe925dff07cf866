"""How the pages say where a case stands against its statutory deadline."""

from django import template

register = template.Library()


@register.filter
def deadline_text(days: int) -> str:
    """Days left to the deadline in words: "nog 3 dagen", "vandaag", "2 dagen over tijd"."""
    if days == 0:
        return "vandaag"
    count = abs(days)
    unit = "dag" if count == 1 else "dagen"
    return f"nog {count} {unit}" if days > 0 else f"{count} {unit} over tijd"
