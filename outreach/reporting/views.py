"""Partner feedback for supervisors and administrators: the partners of their municipalities
with counts per fact, and each partner's records as a CSV download."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from outreach.core import audit
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, municipalities_for, role_required
from outreach.reporting.models import PartnerFeedback
from outreach.reporting.records import (
    in_municipalities,
    partner_counts,
    partner_in,
    records,
    write_csv,
)


@role_required(SUPERVISOR, ADMINISTRATOR)
def partners(request: HttpRequest) -> HttpResponse:
    rows = partner_counts(municipalities_for(request.user))
    facts = PartnerFeedback.Outcome.choices
    return render(request, "reporting/feedback.html", {"rows": rows, "facts": facts})


@role_required(SUPERVISOR, ADMINISTRATOR)
def partner_csv(request: HttpRequest, partner_id: int) -> HttpResponse:
    municipalities = municipalities_for(request.user)
    partner = partner_in(municipalities, partner_id)
    if partner is None:
        raise Http404("no such partner in your municipalities")
    audit.record_many(
        request.user, audit.Action.EXPORTED, audit.Kind.FILE, partner.pk,
        partner.municipalities.filter(pk__in=municipalities), "terugmelding csv (partner)",
    )  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="terugmelding-{partner.pk}.csv"'
    response.write("\ufeff")  # the byte-order mark that makes Excel read UTF-8
    write_csv(records(in_municipalities(municipalities, partner)), response)
    return response
