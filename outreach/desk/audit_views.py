"""The audit log for supervisors and administrators (outreach.core.audit): per case, and as a
list of their municipalities with filters. Other roles get 403; another municipality's case
404. Reading the log is not itself logged: it shows object numbers and staff, no citizen."""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from outreach.casework.models import Case
from outreach.core import audit
from outreach.core.roles import municipalities_for, role_required

PAGE_SIZE = 100


DAY = {"invalid": "Vul een datum in, bijvoorbeeld 2026-05-31."}


class AuditFilterForm(forms.Form):
    """The list's filters as the query string carries them; errors in Dutch, per field."""

    start = forms.DateField(
        label="Van", required=False, error_messages=DAY, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label="Tot en met",
        required=False,
        error_messages=DAY,
        widget=forms.DateInput({"type": "date"}),
    )
    actor = forms.CharField(
        label="Medewerker",
        required=False,
        max_length=150,
        help_text="De gebruikersnaam, precies.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Soort",
        required=False,
        choices=[("", "Alle soorten"), *audit.Kind.choices],
        error_messages={"invalid_choice": "'%(value)s' is geen soort van het logboek."},
    )
    action = forms.ChoiceField(
        label="Handeling",
        required=False,
        choices=[("", "Alle handelingen"), *audit.Action.choices],
        error_messages={"invalid_choice": "'%(value)s' is geen handeling van het logboek."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "Kies een dag op of na de dag bij Van.")
        return data

    def filters(self) -> audit.AuditFilters:
        data = self.cleaned_data
        return audit.AuditFilters(
            start=data.get("start"),
            end=data.get("end"),
            actor=(data.get("actor") or "").strip(),
            kind=data.get("kind") or "",
            action=data.get("action") or "",
        )


@role_required(*audit.AUDIT_ROLES)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Every entry of the user's municipalities, newest first. Bad filter values are shown at
    their fields and the list is then unfiltered, as the page says."""
    form = AuditFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else audit.AuditFilters()
    entries = audit.filtered(audit.visible_entries(request.user), filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/audit.html",
        {
            "form": form,
            "page": page,
            "narrowed": filters != audit.AuditFilters(),
            "municipalities": municipalities_for(request.user),
        },
    )


@role_required(*audit.AUDIT_ROLES)
def case_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """Who viewed or changed this case, its household and its signals, newest first."""
    case = get_object_or_404(
        Case.objects.select_related("municipality"),
        pk=pk,
        municipality__in=municipalities_for(request.user),
    )
    objects: dict[str, list[int]] = {
        audit.Kind.CASE: [case.pk],
        audit.Kind.HOUSEHOLD: [case.household_id],
        audit.Kind.SIGNAL: list(case.signals.values_list("pk", flat=True)),
    }
    entries = audit.about(audit.visible_entries(request.user), objects)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/case_audit.html", {"case": case, "page": page})
