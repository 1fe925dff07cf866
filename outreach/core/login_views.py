"""Logging in and out: the local form (username and password) and single sign-on through the
municipality's identity provider (`outreach.core.oidc`). Every failed single sign-on ends on the
login page with a message that says what happened, in Dutch; the log says why, without personal
data."""

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from outreach.core import sso
from outreach.core.oidc import ProviderUnavailable, provider_logout_url, provider_setting

logger = logging.getLogger(__name__)


def failed() -> str:
    return (
        f"Inloggen via {sso.provider_name()} is niet gelukt. Probeer het opnieuw; lukt het dan "
        "nog niet, neem contact op met uw beheerder."
    )


def back_to_login(request: HttpRequest, message: str) -> HttpResponseRedirect:
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


class Login(LoginView):
    """Django's login page, with the button to the provider when single sign-on is on; the
    password form only while local accounts may log in."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            sso=sso.enabled(),
            sso_provider=sso.provider_name(),
            local_login=sso.local_login_enabled(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso.local_login_enabled():
            return back_to_login(
                request,
                f"Inloggen met een wachtwoord staat uit; log in via {sso.provider_name()}.",
            )
        return super().post(request, *args, **kwargs)


class Logout(LogoutView):
    """Ends the session here, and at the provider too when OUTREACH_OIDC_LOGOUT_AT_PROVIDER
    says so."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        at_provider = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


class Authenticate(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (404 while single sign-on is off)."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, **kwargs: Any) -> None:
        # The library reads the provider's endpoint here; it is looked up per request instead
        # (the discovery document may be unreachable, or single sign-on off).
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404("single sign-on is off")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as error:
            logger.warning("single sign-on: provider unavailable: %s", error)
            return back_to_login(request, failed())
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks state, nonce and token and
    logs the person in; a refusal or a failure goes back to the login page with its reason."""

    get_settings = staticmethod(provider_setting)

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404("single sign-on is off")
        try:
            return super().get(request)
        except sso.Refused as refused:
            logger.info("single sign-on: login refused: %s", refused.message)
            return back_to_login(request, refused.message)
        except (SuspiciousOperation, ProviderUnavailable, requests.RequestException) as error:
            # A bad signature, nonce, state or token, or a provider that did not answer.
            logger.warning("single sign-on: login failed: %s: %s", type(error).__name__, error)
            return back_to_login(request, failed())

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            logger.info("single sign-on: the provider answered %s", self.request.GET["error"][:100])
            return back_to_login(
                self.request,
                f"Inloggen via {sso.provider_name()} is afgebroken of geweigerd.",
            )
        logger.warning("single sign-on: login failed (no code, no login under way, or blocked)")
        return back_to_login(self.request, failed())
