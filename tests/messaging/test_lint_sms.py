"""SMS encoding and segments (outreach.messaging.lint.sms) and the linter's SMS rules, which
count the text rendered with the sample context."""

import pytest

from outreach.messaging.lint import lint_template, sms_preview
from outreach.messaging.lint.sms import GSM7, UCS2, length, measure, segments, sms_encoding

EMOJI = "\U0001f642"  # outside the BMP: two UTF-16 code units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beste mevrouw, bel ons gerust: 020 123 4567.", (GSM7, None)),
        (
            "Café à Malmö: é è ù ì ò Ç Ø å Ä Ö Ñ Ü ß ä ö ñ ü £ $ ¥ @ _ { } [ ] ~ ^ | \\ €",
            (GSM7, None),
        ),
        ("Dag Zoë, tot dinsdag", (UCS2, "ë")),
        ("financiële hulp", (UCS2, "ë")),
        ("It\u2019s free", (UCS2, "\u2019")),  # a curly apostrophe
        ("ç", (UCS2, "ç")),  # GSM-7 has only the capital Ç
        (f"Tot ziens {EMOJI}", (UCS2, EMOJI)),
        ("", (GSM7, None)),
    ],
)
def test_encoding_names_the_first_character_that_forces_ucs2(text, expected) -> None:
    assert sms_encoding(text) == expected


@pytest.mark.parametrize(
    ("text", "units", "parts"),
    [
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),  # 2 x 153
        ("a" * 307, 307, 3),
        # Extension characters take two septets.
        ("a" * 158 + "€", 160, 1),
        ("a" * 159 + "€", 161, 2),
        ("€" * 80, 160, 1),
        ("€" * 81, 162, 2),
        # An escape pair is never split: 76 pairs fill a segment (152 septets), so 153 pairs
        # (306 septets) take three segments, and 152 septets + "€" do not fit in 153.
        ("[" * 152, 304, 2),
        ("[" * 153, 306, 3),
        ("a" * 152 + "€" + "a" * 152, 306, 3),
        ("a" * 151 + "€" + "a" * 153, 306, 2),
        # UCS-2: 70 in one message, 67 a segment.
        ("ë" * 70, 70, 1),
        ("ë" * 71, 71, 2),
        ("ë" * 134, 134, 2),
        ("ë" * 135, 135, 3),
        # An emoji is two code units and is never split either.
        (EMOJI * 35, 70, 1),
        (EMOJI * 36, 72, 2),
        ("ë" * 66 + EMOJI + "ë" * 66, 134, 3),
        ("ë" * 65 + EMOJI + "ë" * 67, 134, 2),
        ("", 0, 0),
    ],
)
def test_segment_boundaries(text: str, units: int, parts: int) -> None:
    assert length(text) == units
    assert segments(text) == parts
    assert measure(text).segments == parts


def sms_findings(source: str, lang: str = "nl", name: str = "optout_confirmation"):
    """Findings of an SMS template that requires no elements."""
    return [f for f in lint_template(name, lang, source, "sms") if f.rule.startswith("sms-")]


def test_ucs2_in_a_dutch_sms_is_a_warning_naming_the_character_and_its_line() -> None:
    source = "U bent afgemeld.\nWij helpen bij financiële zorgen.\nGroet, {{ worker_name }}"
    [finding] = sms_findings(source)
    assert (finding.level, finding.rule, finding.line) == ("warning", "sms-encoding", 2)
    assert finding.message.startswith('UCS-2, because of "ë" (U+00EB): not in GSM-7')
    assert "(1 segment(s) now)" in finding.message
    # Turkish needs UCS-2 anyway: no warning (thresholds.toml: ucs2_warning = ["nl", "en"]).
    assert sms_findings("Ücretsiz yard\u0131m.", "tr") == []


def test_segments_are_counted_on_the_rendered_text() -> None:
    """{{ worker_name }} renders as "Sanne Bakker" (12 characters) with the sample context."""
    fits = "a" * 293 + " {{ worker_name }}"  # 293 + 1 + 12 = 306: two segments
    assert sms_preview(fits, "nl").length == 306
    assert sms_findings(fits) == []
    too_long = "a" * 294 + " {{ worker_name }}"  # 307: three segments
    [finding] = sms_findings(too_long)
    assert (finding.level, finding.rule, finding.line) == ("error", "sms-segments", 1)
    assert finding.message == ("3 segments (GSM-7, 307 characters with the sample data); at most 2")


def test_a_too_long_ucs2_sms_names_the_character() -> None:
    source = "Zoë, " + "a" * 130  # 135 code units
    findings = sms_findings(source)
    assert [(f.level, f.rule) for f in findings] == [
        ("error", "sms-segments"),
        ("warning", "sms-encoding"),
    ]
    assert findings[0].message == (
        '3 segments (UCS-2, because of "ë" (U+00EB), 135 characters with the sample data); '
        "at most 2"
    )


def test_a_character_from_the_sample_data_is_said_to_be_so() -> None:
    # The Turkish date (3 Aral\u0131k 2026) brings the dotless i; the source itself is GSM-7.
    source = "{{ letter_date }}: " + "a" * 130
    [finding] = sms_findings(source, "tr")
    assert finding.rule == "sms-segments"
    assert '"\u0131" (U+0131) (from the sample data)' in finding.message


def test_letters_get_no_sms_rules() -> None:
    long_letter = "<p>" + "Wij helpen u graag. " * 40 + "</p>"
    assert [
        f for f in lint_template("draft", "nl", long_letter, "letter") if f.rule.startswith("sms")
    ] == []


def test_an_sms_that_does_not_render_is_an_error_with_its_line() -> None:
    # Parses, names only known variables, but fails when rendered: `appointment.date.x`.
    source = "Hallo.\nTot {{ appointment.date.nope }}."
    findings = [f for f in lint_template("reminder", "nl", source, "sms") if f.rule == "render"]
    assert [(f.level, f.line) for f in findings] == [("error", 2)]
    assert "nope" in findings[0].message
