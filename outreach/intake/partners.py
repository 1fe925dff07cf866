"""Signal partners and their API tokens (stored as SHA-256 digests, shown once)."""

import hashlib
import secrets

from django.http import HttpRequest

from outreach.core.models import Municipality
from outreach.intake.models import SignalPartner


def token_digest(token: str) -> str:
    # Tokens are 256-bit random values, so a fast digest suffices (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(partner: SignalPartner) -> str:
    """A new token for the partner; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    partner.token_hash = token_digest(token)
    partner.save(update_fields=["token_hash"])
    return token


def partner_for_token(token: str) -> SignalPartner | None:
    if not token:
        return None
    return SignalPartner.objects.filter(token_hash=token_digest(token)).first()


def partner_for_request(request: HttpRequest) -> SignalPartner | None:
    """The partner whose token the request carries (`Authorization: Bearer <token>`), or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in ("bearer", "token"):
        return None
    return partner_for_token(token.strip())


def register_partner(
    partner_type: str, name: str, municipalities: list[Municipality]
) -> SignalPartner:
    partner, _ = SignalPartner.objects.get_or_create(type=partner_type, name=name)
    partner.municipalities.add(*municipalities)
    return partner
