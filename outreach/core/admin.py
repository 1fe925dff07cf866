from django.contrib import admin

from outreach.core.models import Municipality, StaffProfile


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
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


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone")
    filter_horizontal = ("municipalities",)
