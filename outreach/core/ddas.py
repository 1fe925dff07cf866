"""The DDAS vocabulary (VNG Realisatie, v0.9): stored values are DDAS's exact strings."""

from django.db import models


class PartnerType(models.TextChoices):
    ENERGIE = "Energie"
    HUUR = "Huur"
    HYPOTHEEK = "Hypotheek"
    CAK_ZORGVERZEKERINGEN = "CAK Zorgverzekeringen"
    ZORG = "Zorg"
    WATER = "Water"
    DUO = "DUO"
    BELASTINGDIENST = "Belastingdienst"
    CAK_EIGEN_BIJDRAGE = "CAK Eigen bijdrage"
    OVERIGE = "Overige"
    DIENST_TOESLAGEN = "Dienst Toeslagen"


class SignalStatus(models.TextChoices):
    NOT_YET_PICKED_UP = "Nog niet opgepakt"
    UNJUSTIFIED = "Niet opgepakt: onterecht signaal"
    DECEASED = "Inwoner is overleden"
    NOT_RESIDENT = "Persoon is geen inwoner (meer) in de gemeente"
    REPEAT = "Niet opgepakt: herhaalde melding"
    OTHER_REASON = "Niet opgepakt: andere reden"


# The statuses of signals the municipality follows up: a repeat joins its case as followed up.
FOLLOWED_UP: tuple[str, ...] = (SignalStatus.NOT_YET_PICKED_UP.value, SignalStatus.REPEAT.value)


class EndResult(models.TextChoices):
    REPEAT = "Niet opgepakt: herhaalde melding"
    UNJUSTIFIED = "Niet opgepakt: onterecht signaal"
    DECEASED = "Inwoner is overleden"
    NOT_RESIDENT = "Persoon is geen inwoner (meer) in de gemeente"
    OTHER_REASON = "Niet opgepakt: andere reden"
    KNOWN_TO_DEBT_HELP = "Inwoner al bekend bij schuldhulpverlening"
    OTHER_TRAJECTORY = "Inwoner heeft al een ander lopend traject"
    NO_CONTACT = "Definitief geen contact kunnen krijgen"
    NO_RESPONSE_AFTER_CONTACT = "Geen reactie na eerder contact"
    NO_HELP_WANTED = "Inwoner hoeft geen hulp vanuit vroegsignalering"
    ALREADY_PAID = "Inwoner heeft zelf al betaald/betalingsregeling getroffen"
    ADVICE_OR_QUICK_FIX = "(Budget)advies en/of quick fix"
    FOLLOW_UP_FINANCIAL = "Vervolghulp en/of verwijzing financieel"
    REFERRAL_WITHOUT_CONTACT = "Verwijzing zonder contact"
    FOLLOW_UP_NON_FINANCIAL = "Vervolghulp en/of verwijzing niet financieel"


class ContactKind(models.TextChoices):
    MAIL = "Mail"
    LETTER = "Brief"
    SMS_WHATSAPP = "SMS/Whatsapp"
    PHONE = "Telefoon"
    HOME_VISIT = "Huisbezoek"
    CARD = "Kaartje"
    OTHER = "Overige"
    ADMINISTRATIVE = "Administratief"


class Dagdeel(models.TextChoices):
    MORNING = "Ochtend"
    AFTERNOON = "Middag"
    EVENING = "Avond"


def partner_type_from_text(text: str) -> str | None:
    """The DDAS spelling of a partner type given in any case, or None."""
    return _PARTNER_BY_LOWER.get(text.strip().lower())


_PARTNER_BY_LOWER = {value.lower(): value for value in PartnerType.values}
