"""`{% has_role user "supervisor" "administrator" as allowed %}`: roles in templates."""

from typing import Any

from django import template

from outreach.core import roles

register = template.Library()


@register.simple_tag
def has_role(user: Any, *names: str) -> bool:
    return roles.has_role(user, *names)
