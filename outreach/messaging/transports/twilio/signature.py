"""Is this request really from Twilio? Twilio signs every webhook with the account's auth token
over the public URL it called and the POST parameters (`X-Twilio-Signature`). Behind a proxy
the URL Django sees differs from the one Twilio called: `OUTREACH_PUBLIC_BASE_URL` gives it.

Checking the signature means reading the POST parameters, so a webhook first refuses a body
over OUTREACH_WEBHOOK_MAX_BYTES (Twilio's are a few KB) by its Content-Length, unread
(`twilio_webhook`)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from twilio.request_validator import RequestValidator

from outreach.core.bodies import limit_body


def public_url(request: HttpRequest) -> str:
    base = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/")
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


def validator() -> RequestValidator:
    return RequestValidator(settings.TWILIO_AUTH_TOKEN)


def is_from_twilio(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    params = {key: request.POST.get(key, "") for key in request.POST}
    return bool(validator().validate(public_url(request), params, signature))


def sign(url: str, params: dict[str, str]) -> str:
    """The signature Twilio would send (for `outreach reply` and the tests)."""
    return str(validator().compute_signature(url, params))


def body_too_large(limit: int) -> HttpResponse:
    return HttpResponse(
        f"request body larger than {limit} bytes", status=413, content_type="text/plain"
    )


# Outermost but for csrf_exempt and require_POST: before the view reads the body.
twilio_webhook = limit_body(lambda: int(settings.OUTREACH_WEBHOOK_MAX_BYTES), body_too_large)
