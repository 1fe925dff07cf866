"""Parse the loosely formatted fields of a delivered signal into clean values.

Pure and fast: this runs per field on every row of large deliveries. Every parser raises
ParseError with a short reason a partner can act on; nothing else escapes for any text. The
reason repeats the value only where it is not personal data (amounts, dates, yes/no): for a
BSN, phone number, e-mail address, postcode or house number it says what is wrong without it,
since reports go back to partners and into logs (the row and field say where).
"""

import calendar
import re
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberFormat, PhoneNumberType

__all__ = [
    "ParseError",
    "Phone",
    "normalise_postcode",
    "parse_amount",
    "parse_bool",
    "parse_bsn",
    "parse_date",
    "parse_email",
    "parse_house_number",
    "parse_phone",
]


class ParseError(ValueError):
    """A field that cannot be read; str() is the reason, in English."""


def _show(text: str) -> str:
    """The offending text, quoted and cut short so a reason stays one readable line."""
    text = text.strip()
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def _subject(text: str, personal: bool) -> str:
    """What a reason starts with: the text and 'is', or nothing for personal data."""
    return "" if personal else f"{_show(text)} is "


# --- amounts -------------------------------------------------------------------------------

# One separator followed by exactly three digits ("1.234", "1,234") is read as a thousands
# separator for both '.' and ','. Arrears are whole euros or cents, never tenths of cents, so
# thousands is the only meaningful reading; three decimals are rejected rather than rounded.
_AMOUNT_RE = re.compile(
    r"(?P<plain>[0-9]+)(?:[.,](?P<plain_cents>[0-9]{1,2}))?"
    r"|(?P<nl>[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,(?P<nl_cents>[0-9]{1,2}))?"
    r"|(?P<en>[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.(?P<en_cents>[0-9]{1,2}))?"
)
_LAST_GROUP_RE = re.compile(r"[.,]([0-9]*)$")
_MAX_CENTS = 10_000_000 * 100  # exclusive; larger is a unit or typing error, not arrears
_AMOUNT_HINT = "use 1234,56 or 1234.56"


def parse_amount(text: str) -> Decimal:
    """Euros, > 0 and < 10,000,000, in Dutch or English notation, as a Decimal with 2 places."""
    s = text.strip()
    if not s:
        raise ParseError("no amount given")
    if s[0] == "€":
        s = s[1:].lstrip()
    elif s[:3].upper() == "EUR":
        s = s[3:].lstrip()
    elif s[-1] == "€":
        s = s[:-1].rstrip()
    elif s[-3:].upper() == "EUR":
        s = s[:-3].rstrip()
    whole_euros = s.endswith((",-", ".-", ",--", ".--"))  # "45,-" is Dutch for 45 euros flat
    if whole_euros:
        s = s.rstrip("-")[:-1]
    if s[:1] == "-" or (s[-1:] == "-" and not whole_euros):
        raise ParseError(f"{_show(text)} is negative: the amount must be more than 0")
    match = _AMOUNT_RE.fullmatch(s) if len(s) <= 32 else None
    if match is None:
        last = _LAST_GROUP_RE.search(s)
        bare = s.replace(".", "").replace(",", "")
        if last is not None and len(last[1]) > 3 and bare.isascii() and bare.isdigit():
            raise ParseError(f"{_show(text)} has more than 2 decimals")
        raise ParseError(f"{_show(text)} is not an amount: {_AMOUNT_HINT}")
    euros = match["plain"] or match["nl"] or match["en"]
    cents = match["plain_cents"] or match["nl_cents"] or match["en_cents"]
    if cents is not None and whole_euros:
        raise ParseError(f"{_show(text)} is not an amount: {_AMOUNT_HINT}")
    total = int(euros.replace(".", "").replace(",", "")) * 100
    if cents is not None:
        total += int(cents) * 10 if len(cents) == 1 else int(cents)
    if total <= 0:
        raise ParseError(f"{_show(text)} is zero: the amount must be more than 0")
    if total >= _MAX_CENTS:
        raise ParseError(f"{_show(text)} is too large: the amount must be below 10.000.000")
    return Decimal(total).scaleb(-2)


# --- dates ---------------------------------------------------------------------------------

_DATE_YMD_RE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_DATE_DMY_RE = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_DATE_HINT = "use YYYY-MM-DD or DD-MM-YYYY"


def parse_date(text: str, *, personal: bool = False) -> date:
    """YYYY-MM-DD or DD-MM-YYYY, '-' or '/', one-digit day and month allowed. `personal`
    (a date of birth or death): the reason does not repeat the text.

    Day-first is the Dutch order; a month-first (US) date is read day-first or rejected.
    """
    s = text.strip()
    match = _DATE_YMD_RE.fullmatch(s)
    if match is not None:
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    else:
        match = _DATE_DMY_RE.fullmatch(s)
        if match is None:
            raise ParseError(f"{_subject(text, personal)}not a date: {_DATE_HINT}")
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(
            f"{_subject(text, personal)}not a date: {_impossible_date(year, month, day)}"
        ) from None


def _impossible_date(year: int, month: int, day: int) -> str:
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        hint = " (day and month swapped?)" if 1 <= day <= 12 else ""
        return f"there is no month {month}{hint}"
    if day == 0:
        return "there is no day 0"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days"


# --- postcodes -----------------------------------------------------------------------------

_POSTCODE_RE = re.compile(r"[1-9][0-9]{3}[A-Za-z]{2}")
_UNISSUED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})  # PostNL never issues these


def normalise_postcode(text: str) -> str:
    """A Dutch postcode in any spacing and case, as '1234AB'."""
    s = "".join(text.split())
    if _POSTCODE_RE.fullmatch(s) is None:
        if s[:1] == "0" and len(s) == 6:
            raise ParseError("not a postcode: it cannot start with 0")
        raise ParseError("not a postcode: use 4 digits and 2 letters, like 1234 AB")
    s = s.upper()
    if s[4:] in _UNISSUED_POSTCODE_LETTERS:
        raise ParseError(f"not a postcode: the letters {s[4:]} are not used")
    return s


# --- house numbers -------------------------------------------------------------------------

_HOUSE_NUMBER_RE = re.compile(r"([0-9]+)(.*)", re.DOTALL)
_ADDITION_SEPARATORS_RE = re.compile(r"[\s\-/.,_]+")
_ADDITION_RE = re.compile(r"[A-Za-z0-9]*")
_MAX_ADDITION = 6


def parse_house_number(number: str, addition: str = "") -> tuple[int, str]:
    """(number, addition) from a huisnummer, possibly with a glued-on addition, and the
    separate huisnummertoevoeging; the addition upper-cased without separators."""
    s = number.strip()
    if s.isascii() and s.isdigit():  # the common case, without regexes
        digits, glued = s, ""
    else:
        match = _HOUSE_NUMBER_RE.fullmatch(s)
        if match is None:
            raise ParseError("not a house number: it must start with digits")
        digits, glued = match[1], _normalise_addition(match[2])
    # Strip zeros before measuring: int() of a huge digit string is slow, and refused > 4300.
    significant = digits.lstrip("0")
    if not significant or len(significant) > 5:
        raise ParseError("not a house number: use 1 to 99999")
    extra = _normalise_addition(addition) if addition else ""
    if glued and extra and glued != extra:
        joined = glued + extra
        if len(joined) > _MAX_ADDITION:
            raise ParseError(
                f"the two additions together are longer than {_MAX_ADDITION} characters"
            )
        return int(significant), joined
    return int(significant), glued or extra


def _normalise_addition(text: str) -> str:
    if not text:
        return ""
    s = _ADDITION_SEPARATORS_RE.sub("", text)
    # Check (ASCII-only) before upper(): 'ß'.upper() is 'SS', which would slip through.
    if _ADDITION_RE.fullmatch(s) is None:
        raise ParseError("the addition may only contain letters and digits")
    if len(s) > _MAX_ADDITION:
        raise ParseError(f"the addition is longer than {_MAX_ADDITION} characters")
    return s.upper()


# --- yes/no --------------------------------------------------------------------------------

_BOOLS = {
    **dict.fromkeys(("ja", "j", "true", "yes", "1", "waar"), True),
    **dict.fromkeys(("nee", "n", "false", "no", "0", "onwaar"), False),
}


def parse_bool(text: str) -> bool:
    """ja/nee, j/n, true/false, yes/no, 1/0, waar/onwaar, in any case."""
    value = _BOOLS.get(text.strip().lower())
    if value is None:
        raise ParseError(f"{_show(text)} is not yes or no: use ja/nee, true/false or 1/0")
    return value


# --- BSN -----------------------------------------------------------------------------------

_BSN_SEPARATORS = str.maketrans("", "", " .")
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def parse_bsn(text: str) -> str:
    """A burgerservicenummer passing the eleven-test, as 9 digits.

    Eight digits get a leading zero back: spreadsheets drop it. The reasons never repeat the
    value: a BSN with one wrong digit still names someone, and reasons reach reports and logs.
    """
    s = text.strip().translate(_BSN_SEPARATORS)
    if len(s) not in (8, 9) or not (s.isascii() and s.isdigit()):
        raise ParseError("not a BSN: it needs 9 digits")
    if len(s) == 8:
        s = "0" + s
    if s == "000000000":
        raise ParseError("not a BSN: it cannot be all zeros")
    if sum(int(c) * w for c, w in zip(s, _BSN_WEIGHTS, strict=True)) % 11:
        raise ParseError("not a BSN: it fails the eleven-test")
    return s


# --- phone numbers -------------------------------------------------------------------------


class Phone(NamedTuple):
    e164: str
    kind: str  # "mobile" | "fixed" | "other"


_KINDS = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.FIXED_LINE: "fixed"}
# FIXED_LINE_OR_MOBILE (e.g. US numbers) is "other": we cannot tell whether it takes SMS.

# Fast path: phonenumbers.parse costs ~50 us; plain Dutch notations are decided here with
# phonenumbers' own NL metadata, mirroring phonenumberutil._number_type_helper, so the
# outcome is the same as the slow path (a property test checks that).
_FAST_PHONE_DROP = str.maketrans("", "", " \t\xa0-./()")
# 0 + 9 digits; +31 / 0031, optionally with the national 0 that "+31 (0)6 ..." keeps. A
# national number starting with 0 is left to phonenumbers, which strips prefixes differently.
_FAST_PHONE_RE = re.compile(r"(?:0|(?:\+|00)310?)([1-9][0-9]{8})")


def _nl_pattern(*descs: PhoneNumberDesc | None) -> re.Pattern[str] | None:
    """One pattern for the descriptions that can match a 9-digit national number."""
    parts = [
        f"(?:{d.national_number_pattern})"
        for d in descs
        if d is not None
        and d.national_number_pattern
        and (not d.possible_length or 9 in d.possible_length)
    ]
    return re.compile("|".join(parts)) if parts else None


_NL_METADATA = PhoneMetadata.metadata_for_region("NL")
if _NL_METADATA is None:  # pragma: no cover - phonenumbers always ships NL
    raise RuntimeError("phonenumbers has no metadata for NL")
_NL_GENERAL = _nl_pattern(_NL_METADATA.general_desc)
_NL_SPECIAL = _nl_pattern(  # the types _number_type_helper checks before fixed and mobile
    _NL_METADATA.premium_rate,
    _NL_METADATA.toll_free,
    _NL_METADATA.shared_cost,
    _NL_METADATA.voip,
    _NL_METADATA.personal_number,
    _NL_METADATA.pager,
    _NL_METADATA.uan,
    _NL_METADATA.voicemail,
)
_NL_FIXED = _nl_pattern(_NL_METADATA.fixed_line)
_NL_MOBILE = _nl_pattern(_NL_METADATA.mobile)
_NL_SAME_FIXED_MOBILE = _NL_METADATA.same_mobile_and_fixed_line_pattern


def _fast_phone_nsn(text: str) -> str | None:
    """The 9-digit national number of a plain Dutch notation, or None for the slow path."""
    match = _FAST_PHONE_RE.fullmatch(text.strip().translate(_FAST_PHONE_DROP))
    return None if match is None else match[1]


def _classify_nl(nsn: str) -> str | None:
    """The kind of a 9-digit Dutch national number, or None if phonenumbers deems it invalid."""
    if _NL_GENERAL is None or _NL_GENERAL.fullmatch(nsn) is None:
        return None
    if _NL_SPECIAL is not None and _NL_SPECIAL.fullmatch(nsn) is not None:
        return "other"
    is_mobile = _NL_MOBILE is not None and _NL_MOBILE.fullmatch(nsn) is not None
    if _NL_FIXED is not None and _NL_FIXED.fullmatch(nsn) is not None:
        return "other" if _NL_SAME_FIXED_MOBILE or is_mobile else "fixed"
    return "mobile" if is_mobile and not _NL_SAME_FIXED_MOBILE else None


def parse_phone(text: str) -> Phone:
    """A valid phone number in any common notation (Dutch by default), in E.164."""
    nsn = _fast_phone_nsn(text)
    if nsn is None:
        return _parse_phone_slow(text)
    kind = _classify_nl(nsn)
    if kind is None:
        raise ParseError("not a valid phone number")
    return Phone("+31" + nsn, kind)


def _parse_phone_slow(text: str) -> Phone:
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        raise ParseError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ParseError("not a valid phone number")
    return Phone(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        _KINDS.get(phonenumbers.number_type(number), "other"),
    )


# --- e-mail --------------------------------------------------------------------------------

_LOCAL_ATOM = r"[^\s@\"(),:;<>\[\]\\.\x00-\x1f\x7f]+"
_DOMAIN_LABEL = r"[^\W_]+(?:-+[^\W_]+)*"  # letters and digits, inner hyphens
_EMAIL_RE = re.compile(
    rf"({_LOCAL_ATOM}(?:\.{_LOCAL_ATOM})*)"
    rf"@((?:{_DOMAIN_LABEL}\.)+(?:[^\W\d_]{{2,}}|[Xx][Nn]--[A-Za-z0-9-]+))"
)
_MAX_EMAIL = 254


def parse_email(text: str) -> str:
    """local@domain.tld, trimmed, with the domain lower-cased."""
    s = text.strip()
    if len(s) > _MAX_EMAIL:
        raise ParseError(f"not an e-mail address: longer than {_MAX_EMAIL} characters")
    match = _EMAIL_RE.fullmatch(s)
    if match is None or len(match[1]) > 64:
        raise ParseError(f"not an e-mail address{_email_problem(s)}")
    return f"{match[1]}@{match[2].lower()}"


def _email_problem(s: str) -> str:
    if "@" not in s:
        return ": it has no @"
    if s.count("@") > 1:
        return ": it has more than one @"
    if any(c.isspace() for c in s):
        return ": it contains a space"
    if "." not in s.rpartition("@")[2]:
        return ": the domain needs a dot"
    return ""
