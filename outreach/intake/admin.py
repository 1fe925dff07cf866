from django.contrib import admin

from outreach.intake.models import ImportRun, SignalPartner


@admin.register(SignalPartner)
class SignalPartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "type")
    list_filter = ("type",)
    exclude = ("token_hash",)
    filter_horizontal = ("municipalities",)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "municipality", "partner", "source")
    readonly_fields = ("municipality", "partner", "source", "started_at", "report")
