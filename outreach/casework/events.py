"""The case's history (CaseEvent): who did what, and when."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from outreach.casework.models import Case, CaseEvent

User = AbstractBaseUser | AnonymousUser | None

# The actions by which a caseworker chose a case's campaign (launch, switch): intake leaves a
# chosen campaign of a case that has not started yet alone.
LAUNCHED, SWITCHED = "gestart", "campagne"
CAMPAIGN_CHOSEN = (LAUNCHED, SWITCHED)


def user_id(user: User) -> int | None:
    """The acting user's id; None for the system (and an anonymous request)."""
    return user.pk if user is not None and user.is_authenticated else None


def record_event(case: Case, now: datetime, user: User, action: str, detail: str) -> CaseEvent:
    """One line of the case's history. `detail` is Dutch and holds no more personal data than
    the case page shows."""
    return CaseEvent.objects.create(
        case=case, at=now, user_id=user_id(user), action=action, detail=detail[:300]
    )
