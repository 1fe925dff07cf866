"""The OpenID Connect side of single sign-on: mozilla-django-oidc does the code flow (state,
nonce, PKCE, the token request, the signature against the provider's keys); this module finds
the provider's endpoints (its discovery document, or each one from the environment), checks
what the library leaves out (the ID token's issuer, audience and expiry; the userinfo answer's
subject) and hands the confirmed claims to `outreach.core.sso.sign_in`."""

import logging
import time
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from outreach.core import sso

logger = logging.getLogger(__name__)

BACKEND = "outreach.core.oidc.OIDCBackend"

# Each endpoint setting and its key in the provider's discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
# A provider's endpoints rarely change; its keys are fetched at every login anyway.
DISCOVERY_SECONDS = 3600.0
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be fetched or is not the provider's."""


def discovery(url: str, now: float) -> dict[str, Any]:
    """The provider's discovery document at `url`, kept for DISCOVERY_SECONDS (`now`: a
    monotonic clock). Its issuer must be the address it was fetched from (OpenID Connect
    Discovery 4.3), so a document served elsewhere cannot name another provider's keys."""
    cached = _discovered.get(url)
    if cached and now - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    try:
        response = requests.get(
            url,
            timeout=settings.OIDC_TIMEOUT,
            verify=settings.OIDC_VERIFY_SSL,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery document {url}: {error}") from error
    expected = url.removesuffix(DISCOVERY_SUFFIX).rstrip("/")
    issuer = document.get("issuer") if isinstance(document, dict) else None
    if not isinstance(issuer, str) or issuer.rstrip("/") != expected:
        raise ProviderUnavailable(
            f"discovery document {url}: its issuer {issuer!r} is not {expected!r}"
        )
    _discovered[url] = (now, document)
    return document


def provider_setting(attr: str, *default: Any) -> Any:
    """A setting for the library: an endpoint from the environment, else from the provider's
    discovery document (OIDC_OP_DISCOVERY); anything else from the settings."""
    if attr not in ENDPOINTS:
        return import_from_settings(attr, *default)
    explicit = getattr(settings, attr, "")
    if explicit:
        return explicit
    if settings.OIDC_OP_DISCOVERY:
        value = discovery(settings.OIDC_OP_DISCOVERY, time.monotonic()).get(ENDPOINTS[attr])
        if value:
            return value
    if default:
        return default[0]
    raise ImproperlyConfigured(
        f"{attr} is not set and no discovery document (OIDC_OP_DISCOVERY) names it"
    )


def id_token_problem(claims: dict[str, Any], client_id: str, issuer: str) -> str | None:
    """What makes a signed ID token not one for us (OpenID Connect Core 3.1.3.7), or None.
    The signature, the nonce and the expiry's value the library has checked already."""
    if claims.get("iss") != issuer:
        return "the ID token's issuer is not the provider's"
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        return "the ID token is not meant for this client (aud)"
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        return "the ID token was issued to another client (azp)"
    for claim in ("exp", "iat", "sub"):
        if claim not in claims:
            return f"the ID token has no {claim}"
    return None


class OIDCBackend(OIDCAuthenticationBackend):
    """Logs in the person the provider confirmed, as `sso.sign_in` decides: never by e-mail
    address, never into a local account; `sso.Refused` goes up to the callback view, which
    shows its message."""

    get_settings = staticmethod(provider_setting)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = super().verify_token(token, **kwargs)
        except jwt.PyJWTError as error:  # e.g. expired: the library turns only some into this
            raise SuspiciousOperation(f"the token is not valid: {error}") from error
        if "nonce" in kwargs:  # the ID token (a signed userinfo answer has no nonce to check)
            problem = id_token_problem(
                claims, self.OIDC_RP_CLIENT_ID, provider_setting("OIDC_OP_ISSUER")
            )
            if problem:
                raise SuspiciousOperation(problem)
        return claims

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims with the userinfo endpoint's on top; both must be about the
        same person (OpenID Connect Core 5.3.2)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the userinfo answer is about another subject")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        return sso.sign_in(self.get_userinfo(access_token, id_token, payload))

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # Only what logging out at the provider needs (its id_token_hint).
        if settings.OUTREACH_OIDC_LOGOUT_AT_PROVIDER:
            self.request.session["oidc_id_token"] = id_token


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where to send someone who logs out, to end her session at the provider too
    (OUTREACH_OIDC_LOGOUT_AT_PROVIDER, for a login through the provider with an end-session
    endpoint); None: only here. Read before the session is cleared."""
    if not (sso.enabled() and settings.OUTREACH_OIDC_LOGOUT_AT_PROVIDER):
        return None
    if request.session.get(BACKEND_SESSION_KEY) != BACKEND:
        return None
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
    except ProviderUnavailable as error:
        logger.warning("single sign-on: logout only here: %s", error)
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
