from django.contrib import admin

from outreach.core.models import Municipality, StaffProfile


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user",)
    filter_horizontal = ("municipalities",)
