"""POST /api/v1/signals: partners deliver signals with their own token.

JSON bodies follow formats/signals.md ({"vroegsignalen": [...]}, or a DDAS document); CSV
bodies (Content-Type text/csv) name the municipality with ?gemeentecode=CODE. The answer is the
same report `outreach import-signals --json` prints, with the first rejections and warnings
listed and all of them counted.

A request holds at most OUTREACH_API_MAX_SIGNALS signals in at most OUTREACH_API_MAX_BYTES: a
larger one is refused whole (413) before it is read or parsed, and the partner splits it.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.core.bodies import BodyTooLarge, read_body
from outreach.core.models import Municipality
from outreach.intake.partners import partner_for_request
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import Delivery, FileRejected, parse_json, read_csv_bytes
from outreach.intake.request_limits import TooManySignals, check_json_size, take_rows


def error(status: int, message: str, **details: Any) -> JsonResponse:
    """An API error: {"error": message, ...details}."""
    return JsonResponse({"error": message, **details}, status=status)


def too_large(message: str) -> JsonResponse:
    return error(
        413,
        message,
        max_signals=settings.OUTREACH_API_MAX_SIGNALS,
        max_bytes=settings.OUTREACH_API_MAX_BYTES,
    )


def unauthorised() -> JsonResponse:
    return error(401, "missing or unknown API token (Authorization: Bearer <token>)")


@csrf_exempt
@require_POST
def post_signals(request: HttpRequest) -> JsonResponse:
    partner = partner_for_request(request)
    if partner is None:
        return unauthorised()
    content_type = request.content_type or ""
    if content_type not in ("text/csv", "application/csv", "application/json"):
        return error(415, "send application/json or text/csv")
    max_signals = settings.OUTREACH_API_MAX_SIGNALS
    try:
        body = read_body(request, settings.OUTREACH_API_MAX_BYTES)
    except BodyTooLarge as exc:
        return too_large(
            f"{exc}; a request may hold at most {max_signals} signals: split the delivery "
            "over several requests"
        )
    try:
        if content_type == "application/json":
            check_json_size(body, max_signals)
            delivery = parse_json(body)
        else:
            delivery = Delivery(read_csv_bytes(body))
        rows = take_rows(delivery.rows, max_signals)
    except TooManySignals as exc:
        return too_large(str(exc))
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
            rows,
            municipality=municipality,
            now=timezone.now(),
            partner=partner,
            source=f"api:{partner.pk}",
        )
    except FileRejected as exc:
        return error(400, str(exc))
    return JsonResponse(report.as_dict(), status=200, json_dumps_params={"ensure_ascii": False})
