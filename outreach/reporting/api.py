"""GET /api/v1/feedback: a partner fetches the feedback on its own signals with its token.

`?limit=N` (1 to 5000, default 500); `?after=N` reads the records changed after change N and
leaves the remembered position alone; without it the position moves on. The answer:
{"records": [...], "next": N, "more": bool}.
"""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from outreach.core import audit
from outreach.intake.api import error, unauthorised
from outreach.intake.partners import partner_for_request
from outreach.reporting.delivery import DEFAULT_LIMIT, MAX_LIMIT, fetch
from outreach.reporting.openapi import document


class BadParameter(ValueError):
    pass


def _number(request: HttpRequest, name: str, low: int, high: int) -> int | None:
    """The query parameter as a whole number in [low, high]; None when absent."""
    text = request.GET.get(name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


@require_GET
def get_feedback(request: HttpRequest) -> JsonResponse:
    partner = partner_for_request(request)
    if partner is None:
        return unauthorised()
    try:
        after = _number(request, "after", 0, 2**63 - 1)
        limit = _number(request, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
    except BadParameter as exc:
        return error(400, str(exc))
    now = timezone.now()
    with transaction.atomic():  # the position moved on and its audit line commit together
        page = fetch(partner, now, after=after, limit=limit)
        if page.records:
            audit.record_many(
                None, audit.Action.EXPORTED, audit.Kind.FILE, partner.pk,
                partner.municipalities.all(),
                f"terugmelding via api (partner): {len(page.records)} regels", now,
            )  # fmt: skip
    return JsonResponse(
        {"records": [r.as_dict() for r in page.records], "next": page.next, "more": page.more},
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def get_openapi(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI description: public, the same for everyone, no personal data."""
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
