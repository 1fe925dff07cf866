"""Citizens' replies: Twilio's inbound webhook (POST /webhooks/twilio/inbound) and the
caseworker's inbox (/inbox/)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    return HttpResponse("not yet", status=501)


def inbox(request: HttpRequest) -> HttpResponse:
    return HttpResponse("not yet", status=501)
