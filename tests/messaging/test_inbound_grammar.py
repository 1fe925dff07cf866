"""The keyword grammar of replies: normalisation, the matching rule, the languages, and the
loader's precise errors."""

# Turkish, Arabic and full-width letters are what these tests are about.
# ruff: noqa: RUF001

from pathlib import Path

import pytest
from django.conf import settings

from outreach.messaging.inbound.apps import check_grammar
from outreach.messaging.inbound.grammar import (
    CALL,
    HELP,
    OTHER,
    STOP,
    YES,
    GrammarError,
    load_grammar,
    normalise,
    reset_grammar,
    understand,
)
from outreach.messaging.texts import wording
from outreach.messaging.texts.catalogue import LANGUAGES

SHIPPED = Path(settings.BASE_DIR) / "outreach" / "messaging" / "inbound" / "intents"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("intent", [YES, CALL, STOP, HELP])
def test_every_keyword_our_texts_ask_for_is_understood(lang, intent):
    keyword = wording.keywords(lang)[intent]
    for written in (keyword, keyword.lower(), f" {keyword}! ", f"{keyword} 🙂"):
        assert understand(written).intent == intent, (lang, written)


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("JA", YES, "nl"),
        ("ja graag!", YES, "nl"),
        ("Ik wil hulp", YES, "nl"),
        ("BEL MIJ", CALL, "nl"),
        ("bel me maar", CALL, "nl"),
        ("afmelden", STOP, "nl"),
        ("HULP", HELP, "nl"),
        ("Yes please", YES, "en"),
        ("call me", CALL, "en"),
        ("unsubscribe", STOP, "en"),
        ("evet", YES, "tr"),
        ("BENİ ARAYIN", CALL, "tr"),
        ("beni arayin", CALL, "tr"),
        ("YARDIM", HELP, "tr"),
        ("yardım", HELP, "tr"),
        ("durdur", STOP, "tr"),
        ("نعم", YES, "ar"),
        ("نَعَمْ", YES, "ar"),  # with vowel marks
        ("اتصلوا بي", CALL, "ar"),
        ("إيقاف", STOP, "ar"),
        ("ايقاف", STOP, "ar"),  # alef without hamza
        ("مساعدة", HELP, "ar"),
        ("مساعده", HELP, "ar"),  # heh for taa marbuta
        ("مســاعدة", HELP, "ar"),  # tatweel
        ("tak", YES, "pl"),
        ("Zadzwoń do mnie", CALL, "pl"),
        ("zadzwon", CALL, "pl"),
        ("pomoc", HELP, "pl"),
        ("Так", YES, "uk"),
        ("подзвоніть мені", CALL, "uk"),
        ("СТОП", STOP, "uk"),
        ("допомога", HELP, "uk"),
    ],
)
def test_phrases_in_six_languages(text, intent, language):
    match = understand(text)
    assert (match.intent, match.language) == (intent, language)


def test_normalisation():
    assert normalise("  Ja!!! 👍🏽 ") == ("ja",)
    assert normalise("JA,GRAAG.") == ("ja", "graag")
    assert normalise("ＪＡ") == ("ja",)  # full-width: NFKC
    assert normalise("İSTİYORUM") == normalise("istiyorum") == normalise("ıstıyorum")
    assert normalise("أريد") == normalise("اريد") == normalise("إريد")
    assert normalise("зв'язок") == normalise("звʼязок") == ("звязок",)
    assert normalise("👨‍👩‍👧 ❤️") == ()


@pytest.mark.parametrize(
    "text",
    [
        "Ja, ik heb al betaald bij de woningcorporatie",  # a sentence that starts with ja
        "hallo, ja",  # does not begin with the keyword
        "ik zeg geen ja",
        "ja stop",  # two intents
        "ja, help",
        "stop maar niet",  # STOP must be the whole message
        "stop stop",
        "👍",
        "",
        "   ",
        "nee",
        "Wie bent u?",
    ],
)
def test_free_text_is_other(text):
    assert understand(text).intent == OTHER


def test_at_most_two_words_after_a_keyword(settings):
    assert understand("ja graag, dank u").intent == YES
    assert understand("ja graag, dank u wel").intent == OTHER
    grammar = load_grammar(SHIPPED, extra_words=0)
    assert grammar.match("ja").intent == YES
    assert grammar.match("ja hoor").intent == YES  # a phrase of its own
    assert grammar.match("ja dank").intent == OTHER


def test_shared_keywords_detect_no_language_but_keep_the_readers():
    stop = understand("STOP")
    assert stop.language == "" and set(stop.languages) == set(LANGUAGES)
    assert stop.language_for("tr") == "tr"
    assert stop.language_for("") == ""
    helps = understand("HELP")
    assert helps.language == ""
    assert helps.language_for("nl") == "nl"  # Dutch people say help too
    assert helps.language_for("") == ""  # no language: Dutch, which has "help"
    assert helps.language_for("tr") == "en"  # the English texts ask for HELP
    assert understand("info").language_for("tr") == "tr"
    assert understand("info").language_for("ar") == ""


# --- the loader -------------------------------------------------------------------------


def copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "intents"
    folder.mkdir(parents=True)
    for path in SHIPPED.glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_the_shipped_grammar_loads():
    grammar = load_grammar(SHIPPED)
    assert grammar.match("JA").intent == YES


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("nl.toml", "[intents\n", "nl.toml: line 1, column 9: TOML syntax error: Expected ']'"),
        (
            "nl.toml",
            'yes = ["ja"]\n',
            "nl.toml: top level: field 'yes': unknown key; allowed in a grammar file "
            "(only [intents] is read): intents",
        ),
        ("nl.toml", "", "nl.toml: top level: field 'intents': missing; must be a table"),
        (
            "nl.toml",
            '[intents]\nyes=["ja"]\ncall=["bel"]\nstop=["stop"]\nhelp=["hulp"]\nmaybe=["?"]\n',
            "nl.toml: top level: field 'intents.maybe': unknown key; "
            "allowed in [intents]: yes, call, stop, help",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "nl.toml: top level: field 'intents.call': missing",
        ),
        (
            "nl.toml",
            '[intents]\nyes="ja"\ncall=["bel"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "nl.toml: top level: field 'intents.yes': must be a non-empty list of strings, "
            "got 'ja'",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja", 3]\ncall=["bel"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "nl.toml: top level: field 'intents.yes': must be a list of strings, got 3 in it",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja", "!! 👍"]\ncall=["bel"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "field 'intents.yes': item 2 ('!! 👍') is empty once punctuation",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja", "a b c d e f g"]\ncall=["bel"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "field 'intents.yes': item 2 ('a b c d e f g') has 7 words",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja"]\ncall=["bel", "JA!"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "field 'intents.call': 'JA!' is already intent 'yes' in ",
        ),
        (
            "nl.toml",
            '[intents]\nyes=["ja"]\ncall=["bellen"]\nstop=["stop"]\nhelp=["hulp"]\n',
            "nl.toml: top level: field 'intents.call': the keyword 'BEL' that our texts "
            "ask readers",
        ),
        (
            "de.toml",
            '[intents]\nyes=["ja"]\ncall=["anrufen"]\nstop=["stop"]\nhelp=["hilfe"]\n',
            "de.toml: 'de' is not a language the texts are written in",
        ),
    ],
)
def test_grammar_errors_name_the_file_the_intent_and_why(tmp_path, file, content, message):
    folder = copy_shipped(tmp_path)
    (folder / file).write_text(content, encoding="utf-8")
    with pytest.raises(GrammarError) as error:
        load_grammar(folder)
    assert message in str(error.value)


def test_a_phrase_means_one_thing_across_languages(tmp_path):
    folder = copy_shipped(tmp_path)
    english = (folder / "en.toml").read_text(encoding="utf-8")
    # "ja" as yes in English too: allowed; it no longer tells the language by itself.
    (folder / "en.toml").write_text(english.replace('"sure"', '"ja"'), encoding="utf-8")
    match = load_grammar(folder).match("ja")
    assert (match.intent, match.languages, match.language) == (YES, {"nl", "en"}, "")
    # "ja" as call in English: one phrase, two meanings.
    (folder / "en.toml").write_text(english.replace('"ring me"', '"ja"'), encoding="utf-8")
    with pytest.raises(GrammarError) as error:
        load_grammar(folder)
    # Files are read in name order: en.toml comes before nl.toml.
    assert str(error.value) == (
        "nl.toml: top level: field 'intents.yes': 'ja' is already intent 'call' in en.toml; "
        "a phrase has one meaning"
    )


def test_every_problem_of_every_grammar_file_is_reported_at_once(tmp_path):
    folder = copy_shipped(tmp_path)
    (folder / "uk.toml").unlink()
    (folder / "tr.toml").write_text("[intents]\nyes = []\n", encoding="utf-8")
    with pytest.raises(GrammarError) as error:
        load_grammar(folder)
    assert [(p.file, p.field) for p in error.value.problems] == [
        ("uk.toml", ""),
        ("tr.toml", "intents.yes"),
        ("tr.toml", "intents.call"),
        ("tr.toml", "intents.stop"),
        ("tr.toml", "intents.help"),
    ]


def test_missing_language_file_and_bad_encoding(tmp_path):
    folder = copy_shipped(tmp_path)
    (folder / "uk.toml").unlink()
    with pytest.raises(GrammarError, match=r"uk\.toml: missing; every text language"):
        load_grammar(folder)
    folder = copy_shipped(tmp_path / "again")
    (folder / "pl.toml").write_bytes("[intents]\nyes = ['tak']".encode("utf-16"))
    with pytest.raises(GrammarError, match=r"pl\.toml: line 1: not valid UTF-8"):
        load_grammar(folder)
    with pytest.raises(GrammarError, match="no such folder"):
        load_grammar(tmp_path / "nowhere")


def test_the_system_check_reports_a_broken_grammar(tmp_path, settings):
    assert check_grammar() == []
    folder = copy_shipped(tmp_path)
    (folder / "tr.toml").write_text("[intents]\nyes = []\n", encoding="utf-8")
    settings.OUTREACH_INBOUND_INTENTS_DIR = folder
    try:
        (error,) = check_grammar()
        assert error.id == "inbound.E001"
        assert "tr.toml: top level: field 'intents.yes': must be a non-empty list" in error.msg
    finally:
        settings.OUTREACH_INBOUND_INTENTS_DIR = SHIPPED
        reset_grammar()
