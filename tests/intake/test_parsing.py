"""Field parsers: example tables for every accepted and rejected form, and properties."""

import re
from datetime import date
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from outreach.intake.parsing import (
    ParseError,
    Phone,
    _classify_nl,
    _fast_phone_nsn,
    _parse_phone_slow,
    normalise_postcode,
    parse_amount,
    parse_bool,
    parse_bsn,
    parse_date,
    parse_email,
    parse_house_number,
    parse_phone,
)


def outcome(parser, *args):
    """The parser's result, or the ParseError's class so outcomes compare as values."""
    try:
        return parser(*args)
    except ParseError:
        return ParseError


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", "45.00"),
        ("45,00", "45.00"),
        ("45.00", "45.00"),
        ("45,5", "45.50"),
        ("45.5", "45.50"),
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("€ 45,00", "45.00"),
        ("€45", "45.00"),
        ("€\xa045,00", "45.00"),
        ("EUR 45", "45.00"),
        ("eur 1.234,56", "1234.56"),
        ("45,00 €", "45.00"),
        ("45 EUR", "45.00"),
        ("45,-", "45.00"),
        ("45.-", "45.00"),
        ("45,--", "45.00"),
        ("1.234,-", "1234.00"),
        ("€ 1.234,-", "1234.00"),
        ("  45,00  ", "45.00"),
        ("0,01", "0.01"),
        ("045", "45.00"),
        # One separator and three digits: thousands, for '.' and ',' alike.
        ("1.234", "1234.00"),
        ("1,234", "1234.00"),
        ("12,345", "12345.00"),
        ("999.999", "999999.00"),
        ("9.999.999,99", "9999999.99"),
    ],
)
def test_amount_accepted(text, expected):
    result = parse_amount(text)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no amount"),
        ("   ", "no amount"),
        ("0", "more than 0"),
        ("0,00", "more than 0"),
        ("-45", "negative"),
        ("€ -45,00", "negative"),
        ("45-", "negative"),
        ("10.000.000", "too large"),
        ("10000000", "too large"),
        ("45,1234", "more than 2 decimals"),
        ("1234.5678", "more than 2 decimals"),
        ("1234.567", "not an amount"),
        ("0.123", "not an amount"),
        ("1.234.56", "not an amount"),
        ("1,234,56", "not an amount"),
        ("1.23.456", "not an amount"),
        ("1.234,567", "not an amount"),
        ("12.34,56", "not an amount"),
        ("45,-00", "not an amount"),
        ("45,50,-", "not an amount"),
        (",50", "not an amount"),
        ("45,", "not an amount"),
        ("4 5", "not an amount"),
        ("1 234,56", "not an amount"),
        ("€", "not an amount"),
        ("€ € 45", "not an amount"),
        ("$ 45", "not an amount"),
        ("45 USD", "not an amount"),
        ("vijf", "not an amount"),
        ("1e3", "not an amount"),
        ("\u0664\u0665", "not an amount"),  # Arabic-Indic digits
        ("1" * 40, "not an amount"),
    ],
)
def test_amount_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_amount(text)


def _dutch(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02}"


def _english(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02}"


AMOUNT_STYLES = [
    _dutch,
    _english,
    lambda c: f"{c // 100}.{c % 100:02}",
    lambda c: f"{c // 100},{c % 100:02}",
    lambda c: "€ " + _dutch(c),
    lambda c: "€" + _english(c),
    lambda c: "EUR " + _dutch(c),
    lambda c: _dutch(c) + " €",
]
WHOLE_EURO_STYLES = [
    lambda e: str(e),
    lambda e: f"{e:,}",
    lambda e: f"{e:,}".replace(",", "."),
    lambda e: f"{e:,}".replace(",", ".") + ",-",
    lambda e: f"€ {e},-",
    lambda e: f"EUR {e:,}",
]


@given(cents=st.integers(1, 999_999_999), style=st.sampled_from(AMOUNT_STYLES))
def test_amount_styles_round_trip(cents, style):
    assert parse_amount(style(cents)) == Decimal(cents) / 100


@given(euros=st.integers(1, 9_999_999), style=st.sampled_from(WHOLE_EURO_STYLES))
def test_whole_euro_styles_round_trip(euros, style):
    assert parse_amount(style(euros)) == Decimal(euros)


@given(cents=st.integers(1, 999_999_999))
def test_amount_is_idempotent_on_its_own_output(cents):
    amount = parse_amount(_dutch(cents))
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,}") == amount


@given(cents=st.integers(1_000_000_000, 10**15))
def test_amount_from_ten_million_is_rejected(cents):
    with pytest.raises(ParseError, match="too large"):
        parse_amount(_dutch(cents))


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024/05/01", date(2024, 5, 1)),
        ("01-05-2024", date(2024, 5, 1)),
        ("01/05/2024", date(2024, 5, 1)),
        ("1-5-2024", date(2024, 5, 1)),
        ("1/5/2024", date(2024, 5, 1)),
        ("2024-5-1", date(2024, 5, 1)),
        ("31-12-1999", date(1999, 12, 31)),
        ("29-02-2024", date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        (" 2024-05-01 ", date(2024, 5, 1)),
    ],
)
def test_date_accepted(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a date"),
        ("31-02-2023", "February 2023 has 28 days"),
        ("29-02-2023", "February 2023 has 28 days"),
        ("30-02-2024", "February 2024 has 29 days"),
        ("1900-02-29", "February 1900 has 28 days"),
        ("31-04-2024", "April 2024 has 30 days"),
        ("2024-13-01", "no month 13"),
        ("2024-00-10", "no month 0"),
        ("12-31-2024", "no month 31"),  # US order
        ("00-01-2024", "no day 0"),
        ("0000-01-01", "no year 0"),
        ("2024-05/01", "not a date"),
        ("2024.05.01", "not a date"),
        ("01-05-24", "not a date"),
        ("20240501", "not a date"),
        ("2024-05-01 00:00:00", "not a date"),
        ("001-05-2024", "not a date"),
        ("2024-005-01", "not a date"),
        ("1 mei 2024", "not a date"),
        ("\u0662\u0660\u0662\u0664-\u0660\u0665-\u0660\u0661", "not a date"),  # Arabic-Indic digits
    ],
)
def test_date_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_date(text)


@given(
    day=st.dates(min_value=date(1000, 1, 1)),
    sep=st.sampled_from("-/"),
    day_first=st.booleans(),
    pad=st.booleans(),
)
def test_date_orders_and_separators_round_trip(day, sep, day_first, pad):
    d, m = (f"{day.day:02}", f"{day.month:02}") if pad else (str(day.day), str(day.month))
    text = sep.join([d, m, str(day.year)] if day_first else [str(day.year), m, d])
    assert parse_date(text) == day


@given(year=st.integers(1000, 9999), month=st.integers(1, 12), day=st.integers(1, 31))
def test_date_is_exactly_what_datetime_accepts(year, month, day):
    try:
        expected = date(year, month, day)
    except ValueError:
        expected = None
    got = outcome(parse_date, f"{day:02}-{month:02}-{year}")
    assert got == (ParseError if expected is None else expected)


# --- postcodes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234AB", "1234AB"),
        ("1234 AB", "1234AB"),
        ("1234ab", "1234AB"),
        ("1234 ab", "1234AB"),
        ("1234aB", "1234AB"),
        (" 1234  AB ", "1234AB"),
        ("1234\tAB", "1234AB"),
        ("1234\xa0AB", "1234AB"),
        ("12 34 A B", "1234AB"),
        ("9999ZZ", "9999ZZ"),
        ("1000AA", "1000AA"),
        ("1234SB", "1234SB"),
    ],
)
def test_postcode_accepted(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "4 digits and 2 letters"),
        ("0123AB", "cannot start with 0"),
        ("0123 ab", "cannot start with 0"),
        ("1234SA", "SA are not used"),
        ("1234 sd", "SD are not used"),
        ("1234Ss", "SS are not used"),
        ("1234A", "4 digits and 2 letters"),
        ("123AB", "4 digits and 2 letters"),
        ("12345", "4 digits and 2 letters"),
        ("1234ABC", "4 digits and 2 letters"),
        ("1234-AB", "4 digits and 2 letters"),
        ("AB1234", "4 digits and 2 letters"),
        ("1234ÄB", "4 digits and 2 letters"),
        ("B-1000", "4 digits and 2 letters"),
    ],
)
def test_postcode_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        normalise_postcode(text)


UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
postcodes = st.builds(
    lambda n, a, b: f"{n}{a}{b}",
    st.integers(1000, 9999),
    st.sampled_from(UPPER),
    st.sampled_from(UPPER),
).filter(lambda p: p[4:] not in {"SA", "SD", "SS"})


@given(
    postcode=postcodes,
    lower=st.lists(st.booleans(), min_size=6, max_size=6),
    gaps=st.lists(st.sampled_from(["", "", " ", "  ", "\t", "\xa0"]), min_size=7, max_size=7),
)
def test_postcode_spacing_and_case_variants_normalise_identically(postcode, lower, gaps):
    chars = [c.lower() if low else c for c, low in zip(postcode, lower, strict=True)]
    text = gaps[0] + "".join(c + g for c, g in zip(chars, gaps[1:], strict=True))
    assert normalise_postcode(text) == postcode


@given(digits=st.integers(0, 999), letters=st.sampled_from(["SA", "SD", "SS", "sa", "Sd", "sS"]))
def test_postcode_leading_zero_or_unissued_letters_rejected(digits, letters):
    with pytest.raises(ParseError):
        normalise_postcode(f"0{digits:03}AB")
    with pytest.raises(ParseError):
        normalise_postcode(f"{1000 + digits * 9}{letters}")


# --- house numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "addition", "expected"),
    [
        ("12", "", (12, "")),
        ("12A", "", (12, "A")),
        ("12a", "", (12, "A")),
        ("12-A", "", (12, "A")),
        ("12 A", "", (12, "A")),
        ("12 bis", "", (12, "BIS")),
        ("12-3", "", (12, "3")),
        ("12hs", "", (12, "HS")),
        ("12-hs", "", (12, "HS")),
        ("12 /2", "", (12, "2")),
        ("12/2", "", (12, "2")),
        ("12.2", "", (12, "2")),
        (" 12 ", "", (12, "")),
        ("12-", "", (12, "")),
        ("012", "", (12, "")),
        ("1", "", (1, "")),
        ("99999", "", (99999, "")),
        ("12", "a", (12, "A")),
        ("12", "-A", (12, "A")),
        ("12", " A ", (12, "A")),
        ("12", "h s", (12, "HS")),
        ("12A", "2", (12, "A2")),
        ("12A", "A", (12, "A")),
        ("12-a", "A", (12, "A")),
        ("12 ABCDEF", "", (12, "ABCDEF")),
        ("12A-B-C", "", (12, "ABC")),
        ("12ABC", "DEF", (12, "ABCDEF")),
    ],
)
def test_house_number_accepted(number, addition, expected):
    assert parse_house_number(number, addition) == expected


@pytest.mark.parametrize(
    ("number", "addition", "reason"),
    [
        ("", "", "must start with digits"),
        ("A12", "", "must start with digits"),
        ("-12", "", "must start with digits"),
        ("twaalf", "", "must start with digits"),
        ("0", "", "1 to 99999"),
        ("000", "", "1 to 99999"),
        ("0A", "", "1 to 99999"),
        ("100000", "", "1 to 99999"),
        ("9" * 5000, "", "1 to 99999"),
        ("12 ABCDEFG", "", "longer than 6"),
        ("12", "ABCDEFG", "longer than 6"),
        ("12ABCD", "EFG", "longer than 6"),
        ("12#", "", "letters and digits"),
        ("12 (achter)", "", "letters and digits"),
        ("12ß", "", "letters and digits"),
        ("12é", "", "letters and digits"),
        ("12", "A+", "letters and digits"),
        ("\u0661\u0662", "", "must start with digits"),  # Arabic-Indic digits
        ("\uff11\uff12", "", "must start with digits"),  # full-width digits
    ],
)
def test_house_number_rejected(number, addition, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_house_number(number, addition)


@pytest.mark.parametrize(
    ("number", "addition"), [("12-A", ""), ("12a", ""), ("12 A", ""), ("12", "a"), ("12", "-A")]
)
def test_house_number_key_property(number, addition):
    assert parse_house_number(number, addition) == (12, "A")


additions = st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True)
SEPARATORS = ["-", " ", "/", " / ", " - ", "."]


def _cased(text: str, lower: bool) -> str:
    return text.lower() if lower else text


@given(
    number=st.integers(1, 99999),
    addition=additions,
    sep=st.sampled_from(SEPARATORS),
    lower=st.booleans(),
    zeros=st.sampled_from(["", "0", "00"]),
)
def test_house_number_variants_land_on_the_same_pair(number, addition, sep, lower, zeros):
    expected = (number, addition)
    n, a = f"{zeros}{number}", _cased(addition, lower)
    assert parse_house_number(f"{n}{sep}{a}") == expected
    assert parse_house_number(n, a) == expected
    assert parse_house_number(n, f"{sep}{a}") == expected
    assert parse_house_number(f"{n}{sep}{a}", addition) == expected  # the same twice: once
    if addition[0].isalpha():  # glued on, a digit would merge into the number
        assert parse_house_number(f"{n}{a}") == expected


@given(number=st.integers(1, 99999), glued=additions, extra=additions)
def test_house_number_joins_two_different_additions(number, glued, extra):
    assume(glued[0].isalpha())
    joined = glued if glued == extra else glued + extra
    got = outcome(parse_house_number, f"{number}{glued}", extra)
    assert got == ((number, joined) if len(joined) <= 6 else ParseError)


# --- yes/no --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["ja", "JA", "Ja", "j", "J", "true", "TRUE", "yes", "Yes", "1", "waar", " ja "]
)
def test_bool_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize(
    "text", ["nee", "NEE", "n", "N", "false", "False", "no", "NO", "0", "onwaar", "\tnee\n"]
)
def test_bool_false(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["", "y", "2", "-1", "misschien", "jaa", "0.0", "t", "f", "nein"])
def test_bool_rejected(text):
    with pytest.raises(ParseError, match="not yes or no"):
        parse_bool(text)


# --- BSN -----------------------------------------------------------------------------------

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _eleven_test(bsn: str) -> bool:
    return sum(int(c) * w for c, w in zip(bsn, WEIGHTS, strict=True)) % 11 == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("111222333", "111222333"),
        ("123456782", "123456782"),
        ("111 222 333", "111222333"),
        ("1112.22.333", "111222333"),
        (" 111.222.333 ", "111222333"),
        ("012345672", "012345672"),
        ("12345672", "012345672"),  # spreadsheet dropped the leading zero
    ],
)
def test_bsn_accepted(text, expected):
    assert _eleven_test(expected)
    assert parse_bsn(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "9 digits"),
        ("123456789", "eleven-test"),
        ("111222334", "eleven-test"),
        ("11122233", "eleven-test"),
        ("000000000", "not a BSN"),
        ("00000000", "not a BSN"),
        ("1234567", "9 digits"),
        ("1112223333", "9 digits"),
        ("111-222-333", "9 digits"),
        ("11122233A", "9 digits"),
        (
            "\u0661\u0661\u0661\u0662\u0662\u0662\u0663\u0663\u0663",
            "9 digits",
        ),  # Arabic-Indic digits
    ],
)
def test_bsn_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_bsn(text)


@st.composite
def valid_bsns(draw):
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    check = sum(d * w for d, w in zip(first, WEIGHTS, strict=False)) % 11
    assume(check < 10 and any(first))
    return "".join(map(str, first)) + str(check)


@given(bsn=valid_bsns(), grouping=st.sampled_from(["{}", "{} ", "{}.", " {} "]))
def test_valid_bsns_pass(bsn, grouping):
    assert parse_bsn(bsn) == bsn
    spaced = "".join(grouping.format(c) if i % 3 == 2 else c for i, c in enumerate(bsn))
    assert parse_bsn(spaced) == bsn
    if bsn[0] == "0":
        assert parse_bsn(bsn[1:]) == bsn


@given(bsn=valid_bsns(), position=st.integers(0, 8), delta=st.integers(1, 9))
def test_any_single_digit_change_fails_the_eleven_test(bsn, position, delta):
    changed = bsn[:position] + str((int(bsn[position]) + delta) % 10) + bsn[position + 1 :]
    with pytest.raises(ParseError):
        parse_bsn(changed)


# --- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164", "kind"),
    [
        ("06-12345678", "+31612345678", "mobile"),
        ("06 1234 5678", "+31612345678", "mobile"),
        ("0612345678", "+31612345678", "mobile"),
        ("06/12345678", "+31612345678", "mobile"),
        ("06.12.34.56.78", "+31612345678", "mobile"),
        ("+31 6 12345678", "+31612345678", "mobile"),
        ("+31612345678", "+31612345678", "mobile"),
        ("0031612345678", "+31612345678", "mobile"),
        ("0031 6 1234 5678", "+31612345678", "mobile"),
        ("+31 (0)6 12345678", "+31612345678", "mobile"),
        ("+31\xa06\xa012345678", "+31612345678", "mobile"),
        ("(020) 123 4567", "+31201234567", "fixed"),
        ("020-1234567", "+31201234567", "fixed"),
        ("0201234567", "+31201234567", "fixed"),
        ("+31 20 123 4567", "+31201234567", "fixed"),
        ("050-1234567", "+31501234567", "fixed"),
        ("0800-1234", "+318001234", "other"),  # toll free, 7 digits: slow path
        ("0800-123456", "+31800123456", "other"),  # toll free, 9 digits: fast path
        ("0900-1234567", "+319001234567", "other"),
        ("085-1234567", "+31851234567", "other"),  # VoIP
        ("088-1234567", "+31881234567", "other"),  # company numbers
        ("066-1234567", "+31661234567", "other"),  # pager
        ("+32 470 12 34 56", "+32470123456", "mobile"),
        ("+32 12 34 56 78", "+3212345678", "fixed"),
        ("+49 30 1234567", "+49301234567", "fixed"),
        ("+1 650 253 0000", "+16502530000", "other"),  # US: FIXED_LINE_OR_MOBILE
        (
            "\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
            "+31612345678",
            "mobile",
        ),  # full-width digits: slow path
    ],
)
def test_phone_accepted(text, e164, kind):
    assert parse_phone(text) == Phone(e164, kind)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a phone number"),
        ("abc", "not a phone number"),
        ("06", "not a valid phone number"),
        ("0612", "not a valid phone number"),
        ("06-1234567", "not a valid phone number"),  # one digit short
        ("06-123456789", "not a valid phone number"),  # one digit long
        ("0691234567", "not a valid phone number"),  # 069 is not issued
        ("0123456789", "not a valid phone number"),
        ("+31 12345678", "not a valid phone number"),
        ("+99 123456789", "not a phone number"),
        ("06-12345678 / 020-1234567", "not a phone number"),
    ],
)
def test_phone_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_phone(text)


def test_phone_fast_path_does_not_call_phonenumbers_parse(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("phonenumbers.parse called")

    monkeypatch.setattr(phonenumbers, "parse", refuse)
    assert parse_phone("06-12345678") == Phone("+31612345678", "mobile")
    assert parse_phone("+31 (0)20 123 4567") == Phone("+31201234567", "fixed")
    with pytest.raises(ParseError):
        parse_phone("0691234567")
    with pytest.raises(AssertionError):
        parse_phone("+32 470 12 34 56")


PHONE_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed",
}


@settings(deadline=None)
@given(prefix=st.integers(1000, 9999), suffix=st.sampled_from(["00000", "12345", "99999"]))
@example(prefix=6123, suffix="45678")
def test_fast_classifier_matches_phonenumbers_for_every_prefix(prefix, suffix):
    # A 9-digit Dutch number's type is decided by at most its first four digits.
    nsn = f"{prefix}{suffix}"
    number = phonenumbers.PhoneNumber(country_code=31, national_number=int(nsn))
    expected = (
        PHONE_KINDS.get(phonenumbers.number_type(number), "other")
        if phonenumbers.is_valid_number(number)
        else None
    )
    assert _classify_nl(nsn) == expected


def test_fast_classifier_matches_phonenumbers_exhaustively_on_prefixes():
    for prefix in range(1000, 10000):
        nsn = f"{prefix}12345"
        number = phonenumbers.PhoneNumber(country_code=31, national_number=int(nsn))
        valid = phonenumbers.is_valid_number(number)
        expected = PHONE_KINDS.get(phonenumbers.number_type(number), "other") if valid else None
        assert _classify_nl(nsn) == expected, nsn


# Dutch-looking numbers: mostly well formed, some a digit short or long or oddly prefixed.
national_numbers = st.one_of(
    st.integers(100_000_000, 999_999_999).map(str),
    st.from_regex(r"(6[0-9]|[1-5][0-9]|7[0-9]|8[0-9]|9[0-9])[0-9]{7}", fullmatch=True),
    st.from_regex(r"[0-9]{6,11}", fullmatch=True),
)
PHONE_PREFIXES = ["0", "+31", "0031", "+31 ", "+31 (0)", "0031 (0) ", "+310", "(0", "", "31", "00"]
PHONE_SEPARATORS = ["", "", "", " ", "-", ".", "/", "(", ")", "\xa0", " - "]


@st.composite
def dutch_looking_phones(draw):
    nsn = draw(national_numbers)
    seps = draw(st.lists(st.sampled_from(PHONE_SEPARATORS), min_size=len(nsn), max_size=len(nsn)))
    body = "".join(s + d for s, d in zip(seps, nsn, strict=True))
    return draw(st.sampled_from(PHONE_PREFIXES)) + body


@settings(max_examples=1000, deadline=None)
@given(text=dutch_looking_phones())
@example(text="0612345678")
@example(text="+31 (0)6 12345678")
@example(text="+31 0 6 12345678")
@example(text="0031-(0)-20-1234567")
@example(text="0800123456")
@example(text="06(12)345678")
@example(text="0691234567")
def test_fast_path_agrees_with_phonenumbers(text):
    assert outcome(parse_phone, text) == outcome(_parse_phone_slow, text)


@given(
    nsn=st.from_regex(r"[1-9][0-9]{8}", fullmatch=True),
    prefix=st.sampled_from(["0", "+31", "0031", "+31 (0)", "0031 0"]),
    sep=st.sampled_from(["", " ", "-", "."]),
)
def test_plain_dutch_notations_take_the_fast_path(nsn, prefix, sep):
    text = f"{prefix}{sep}{nsn[:2]}{sep}{nsn[2:]}"
    assert _fast_phone_nsn(text) == nsn
    assert outcome(parse_phone, text) == outcome(_parse_phone_slow, text)


# --- e-mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jan@example.nl", "jan@example.nl"),
        (" Jan.Jansen@Example.NL ", "Jan.Jansen@example.nl"),
        ("j.de.vries+schuld@gemeente-utrecht.nl", "j.de.vries+schuld@gemeente-utrecht.nl"),
        ("info@sub.domain.example.com", "info@sub.domain.example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("a@b.co", "a@b.co"),
        ("x@müller.de", "x@müller.de"),
        ("x@example.xn--p1ai", "x@example.xn--p1ai"),
        ("x_y@a1.nl", "x_y@a1.nl"),
    ],
)
def test_email_accepted(text, expected):
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no @"),
        ("jan.example.nl", "no @"),
        ("jan@@example.nl", "more than one @"),
        ("jan@example@nl", "more than one @"),
        ("jan @example.nl", "contains a space"),
        ("jan@exa mple.nl", "contains a space"),
        ("jan@example", "needs a dot"),
        ("jan@localhost", "needs a dot"),
        ("@example.nl", "not an e-mail address"),
        ("jan@", "not an e-mail address"),
        ("jan@.example.nl", "not an e-mail address"),
        ("jan@example..nl", "not an e-mail address"),
        ("jan@example.nl.", "not an e-mail address"),
        ("jan@-example.nl", "not an e-mail address"),
        ("jan@example.n", "not an e-mail address"),
        ("jan@example.123", "not an e-mail address"),
        ("jan@exa_mple.nl", "not an e-mail address"),
        (".jan@example.nl", "not an e-mail address"),
        ("jan.@example.nl", "not an e-mail address"),
        ("ja..n@example.nl", "not an e-mail address"),
        ("jan@example,nl", "not an e-mail address"),
        ("<jan@example.nl>", "not an e-mail address"),
        ("jan@example.nl; piet@example.nl", "not an e-mail address"),
        ("j" * 65 + "@example.nl", "not an e-mail address"),
        ("jan@" + "a" * 250 + ".nl", "longer than 254"),
    ],
)
def test_email_rejected(text, reason):
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_email(text)


@given(
    local=st.from_regex(r"[A-Za-z0-9+_-]{1,20}(\.[A-Za-z0-9+_-]{1,20}){0,2}", fullmatch=True),
    domain=st.from_regex(r"([a-z0-9]{1,10}\.){1,3}[a-z]{2,6}", fullmatch=True),
    upper=st.booleans(),
)
def test_email_keeps_local_part_and_lowercases_domain(local, domain, upper):
    text = f"  {local}@{domain.upper() if upper else domain} "
    assert parse_email(text) == f"{local}@{domain}"


# --- any text: a ParseError or a well-formed value, never anything else --------------------

FIELD_ALPHABET = st.sampled_from("0123456789 .,-/()+€@ABHSabhsEURjanee\t\xa0\u0663\uff11ß")


def _check_postcode(value):
    assert re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", value)
    assert value[4:] not in {"SA", "SD", "SS"}


def _check_house(value):
    number, addition = value
    assert 1 <= number <= 99999
    assert re.fullmatch(r"[A-Z0-9]{0,6}", addition)


def _check_phone(value):
    assert re.fullmatch(r"\+[1-9][0-9]{6,14}", value.e164)
    assert value.kind in {"mobile", "fixed", "other"}


ALL_PARSERS = [
    (parse_amount, lambda v: Decimal("0") < v < Decimal("1E7") and v.as_tuple().exponent == -2),
    (parse_date, lambda v: isinstance(v, date)),
    (normalise_postcode, _check_postcode),
    (parse_house_number, _check_house),
    (parse_bool, lambda v: isinstance(v, bool)),
    (parse_bsn, lambda v: len(v) == 9 and _eleven_test(v)),
    (parse_phone, _check_phone),
    (parse_email, lambda v: v.count("@") == 1 and len(v) <= 254),
]


@pytest.mark.parametrize(("parser", "check"), ALL_PARSERS, ids=lambda p: getattr(p, "__name__", ""))
@settings(deadline=None)
@given(text=st.one_of(st.text(), st.text(FIELD_ALPHABET, max_size=25)))
def test_any_text_gives_a_value_or_a_parse_error(parser, check, text):
    try:
        value = parser(text)
    except ParseError as exc:
        reason = str(exc)
        assert reason
        assert len(reason) < 200
        assert "\n" not in reason or "\n" in text
        return
    assert check(value) is not False


@given(number=st.text(), addition=st.text())
def test_any_house_number_and_addition_gives_a_pair_or_a_parse_error(number, addition):
    try:
        value = parse_house_number(number, addition)
    except ParseError as exc:
        assert str(exc)
        return
    _check_house(value)
