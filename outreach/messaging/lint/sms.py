"""SMS encoding and segments, as the carriers count them (also for the transport).

GSM-7 (3GPP TS 23.038): 160 septets in one message, 153 a segment when concatenated; the
extension characters (^ { } \\ [ ~ ] | and the euro sign) take two septets and are never split
over two segments. Any character outside GSM-7 makes the whole message UCS-2: 70 UTF-16 code
units in one message, 67 a segment; a character outside the BMP (an emoji) takes two code units
and is never split either.
"""

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "GSM-7", "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


def _units(char: str, encoding: str) -> int:
    if encoding == GSM7:
        return len(char.encode("gsm03.38"))
    return 2 if ord(char) > 0xFFFF else 1


def _gsm_ok(char: str) -> bool:
    try:
        return len(char.encode("gsm03.38")) in (1, 2)
    except UnicodeEncodeError:
        return False


def sms_encoding(text: str) -> tuple[str, str | None]:
    """("GSM-7", None), or ("UCS-2", the first character that forces UCS-2)."""
    for char in text:
        if not _gsm_ok(char):
            return UCS2, char
    return GSM7, None


def length(text: str, encoding: str | None = None) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    encoding = encoding or sms_encoding(text)[0]
    return sum(_units(char, encoding) for char in text)


def segments(text: str) -> int:
    """How many messages the text is sent as (0 for an empty text)."""
    encoding = sms_encoding(text)[0]
    if length(text, encoding) <= SINGLE[encoding]:
        return 1 if text else 0
    count, used = 1, 0
    for char in text:
        units = _units(char, encoding)
        if used + units > PART[encoding]:
            count, used = count + 1, 0
        used += units
    return count


@dataclass(frozen=True)
class SmsMeasure:
    encoding: str
    forcing_char: str | None  # the first character that forces UCS-2
    length: int  # septets or code units
    segments: int


def measure(text: str) -> SmsMeasure:
    encoding, char = sms_encoding(text)
    return SmsMeasure(encoding, char, length(text, encoding), segments(text))


def describe_char(char: str) -> str:
    """A character as a message names it: '"ë" (U+00EB)', or only 'U+00A0' when invisible."""
    code = f"U+{ord(char):04X}"
    return f'"{char}" ({code})' if char.isprintable() and not char.isspace() else code
