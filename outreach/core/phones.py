"""A direct phone number as letters print it, checked with phonenumbers (as intake checks the
numbers of signals)."""

import phonenumbers
from phonenumbers import PhoneNumberFormat


def direct_phone(text: str) -> str:
    """`text` as a valid phone number in the notation letters print: a Dutch number in the
    national form ("030 286 1000", "06 12345678"), any other in the international one.
    Raises ValueError saying why the number is not usable, without the number (an error
    message ends up in a terminal, a log or a form's page: see outreach.intake.validation's
    rejection reasons)."""
    shown = text.strip()
    if not shown:
        raise ValueError("a direct phone number is required")
    try:
        number = phonenumbers.parse(shown, "NL")
    except phonenumbers.NumberParseException:
        raise ValueError(
            "not a phone number: use digits, spaces and a leading + only, e.g. 030 286 1000"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            "not a valid phone number: check the number of digits and the area code, "
            "e.g. 030 286 1000"
        )
    dutch = number.country_code == 31
    form = PhoneNumberFormat.NATIONAL if dutch else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, form)
