"""POST /api/v1/signals: partners deliver signals with their own token.

JSON bodies follow formats/signals.md ({"vroegsignalen": [...]}, or a DDAS document); CSV
bodies (Content-Type text/csv) name the municipality with ?gemeentecode=CODE. The answer is the
same report `outreach import-signals --json` prints.
"""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.core.models import Municipality
from outreach.intake.partners import partner_for_request
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import Delivery, FileRejected, parse_json, read_csv_bytes


def error(status: int, message: str) -> JsonResponse:
    """An API error: {"error": message}."""
    return JsonResponse({"error": message}, status=status)


def unauthorised() -> JsonResponse:
    return error(401, "missing or unknown API token (Authorization: Bearer <token>)")


@csrf_exempt
@require_POST
def post_signals(request: HttpRequest) -> JsonResponse:
    partner = partner_for_request(request)
    if partner is None:
        return unauthorised()
    content_type = request.content_type or ""
    try:
        if content_type in ("text/csv", "application/csv"):
            delivery = Delivery(read_csv_bytes(request.body))
        elif content_type == "application/json":
            delivery = parse_json(request.body)
        else:
            return error(415, "send application/json or text/csv")
    except FileRejected as exc:
        return error(400, str(exc))
    code = request.GET.get("gemeentecode") or delivery.municipality_code
    if not code:
        return error(400, "name the municipality: gemeentecode in the document or the query")
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None or not partner.municipalities.filter(pk=municipality.pk).exists():
        return error(403, f"this token may not report signals to municipality {code}")
    try:
        report = import_rows(
            delivery.rows,
            municipality=municipality,
            now=timezone.now(),
            partner=partner,
            source=f"api:{partner.pk}",
        )
    except FileRejected as exc:
        return error(400, str(exc))
    return JsonResponse(report.as_dict(), status=200, json_dumps_params={"ensure_ascii": False})
