from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from outreach.core.admin_audit import AuditedAdmin
from outreach.core.models import AuditEntry, ContactPerson, Municipality, StaffProfile


class ContactPersonInline(admin.TabularInline):
    """The people letters name: the team's (default) one and the caseworkers' profiles."""

    model = ContactPerson
    extra = 1
    fields = ("name", "phone", "email", "team", "user", "is_default", "active")
    autocomplete_fields = ("user",)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    # Every field shows with its Dutch help text; `Municipality.clean` names what is wrong.
    # An empty setting follows the environment's default (settings.OUTREACH_*).
    list_display = (
        "code",
        "name",
        "quiet_hours",
        "retention_days",
        "window_days",
        "manual_launch_tiers",
    )
    search_fields = ("code", "name")
    inlines = (ContactPersonInline,)


@admin.register(ContactPerson)
class ContactPersonAdmin(AuditedAdmin):
    list_display = ("name", "municipality", "phone", "team", "user", "is_default", "active")
    list_filter = ("municipality", "is_default", "active")
    search_fields = ("name", "team", "user__username")
    autocomplete_fields = ("user",)


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ("user",)
    filter_horizontal = ("municipalities",)


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditedAdmin):
    """Read only: the audit log is append-only (outreach.core.audit)."""

    list_display = ("at", "actor_name", "action", "kind", "object_id", "municipality", "detail")
    list_filter = ("action", "kind", "municipality")
    search_fields = ("actor_name",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
