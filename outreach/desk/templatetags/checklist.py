"""`{% checks_waiting user as count %}`: how many messages wait on the user's list
"Controleren voor opnieuw versturen", for the menu."""

from typing import Any

from django import template

from outreach.desk.checks import waiting_count

register = template.Library()


@register.simple_tag
def checks_waiting(user: Any) -> int:
    return waiting_count(user) if user.is_authenticated else 0
