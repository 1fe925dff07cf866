from django.contrib import admin

from outreach.core.models import Municipality, StaffProfile


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "manual_launch_tiers")
    search_fields = ("code", "name")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone")
    filter_horizontal = ("municipalities",)
