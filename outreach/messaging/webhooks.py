"""Twilio's delivery status callbacks (POST /webhooks/twilio/status)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    return HttpResponse("not yet", status=501)
