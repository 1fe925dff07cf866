"""Registering DDAS contact attempts (contactpogingen) the moment they happen."""

from datetime import datetime

from django.utils import timezone

from outreach.casework.models import ContactAttempt
from outreach.core.ddas import ContactKind, Dagdeel

# The DDAS contact kind of each channel and task.
KIND_BY_CHANNEL: dict[str, str] = {
    "letter": ContactKind.LETTER.value,
    "sms": ContactKind.SMS_WHATSAPP.value,
    "whatsapp": ContactKind.SMS_WHATSAPP.value,
    "email": ContactKind.MAIL.value,
    "phone_task": ContactKind.PHONE.value,
    "visit_task": ContactKind.HOME_VISIT.value,
    "not_home_card": ContactKind.CARD.value,
}
PERSONAL_KINDS = (ContactKind.PHONE.value, ContactKind.HOME_VISIT.value)


def dagdeel(moment: datetime) -> str:
    hour = timezone.localtime(moment).hour
    if hour < 12:
        return Dagdeel.MORNING.value
    if hour < 18:
        return Dagdeel.AFTERNOON.value
    return Dagdeel.EVENING.value


def new_attempt(case_id: int, kind: str, reached: bool, moment: datetime) -> ContactAttempt:
    return ContactAttempt(
        case_id=case_id,
        kind=kind,
        reached=reached,
        date=timezone.localdate(moment),
        dagdeel=dagdeel(moment),
    )
