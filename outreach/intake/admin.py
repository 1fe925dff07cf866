from django.contrib import admin

from outreach.core.admin_audit import AuditedAdmin
from outreach.intake.models import ImportRun, SignalPartner


@admin.register(SignalPartner)
class SignalPartnerAdmin(AuditedAdmin):
    list_display = ("name", "type")
    list_filter = ("type",)
    exclude = ("token_hash",)
    filter_horizontal = ("municipalities",)


@admin.register(ImportRun)
class ImportRunAdmin(AuditedAdmin):
    list_display = ("started_at", "municipality", "partner", "source")
    readonly_fields = ("municipality", "partner", "source", "started_at", "report")
