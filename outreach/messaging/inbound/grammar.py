"""What a reply means: the keyword grammar, kept as data in `intents/<lang>.toml`.

Each file lists, per intent, the keywords and short phrases that mean it in its language:

    [intents]
    yes = ["ja", "jawel", "graag", "ja graag", "ik wil hulp"]
    call = ["bel", "bel mij", "bel me", "bellen"]
    stop = ["stop", "stoppen", "afmelden"]
    help = ["hulp", "help", "info"]

Every text language (`catalogue.LANGUAGES`) has a file, with all four intents, and the
keywords our texts tell readers to send (`wording.toml`: JA/BEL/STOP/HULP, ...) must be among
them. A phrase means one intent in every language: "help" may be Dutch and English, but it
cannot be "help" in one and "yes" in another.

Normalisation, of the phrases and of the messages alike: Unicode NFKC, casefold, accents and
other combining marks dropped (so "zadzwoń" = "zadzwon"; Arabic with or without its vowel
marks, every form of alef (with hamza, madda, wasla) read as the bare alef, alef maqsura as
yeh, taa marbuta as heh, tatweel dropped), the Turkish dotless and dotted i both read as i,
apostrophes dropped inside words, and every other character that is not a letter or a digit
(punctuation, emoji, symbols) read as a space. "Ja!! 👍" is "ja".

The rule: a message means an intent when, normalised, it begins with one of the intent's
phrases (the longest that fits) and at most `OUTREACH_INBOUND_EXTRA_WORDS` (2) words follow,
none of which is a keyword of another intent. "Ja graag, dank u" is yes and "ja, bel me" is
call (a phrase of its own); "ja, ik heb al betaald bij de woningcorporatie" is free text, and
so are "hallo, ja" (it does not begin with the keyword) and "ja stop" (two intents: a
caseworker reads it). STOP must be the whole message, as carriers treat it: it
closes the case, so "stop maar niet" is free text. Anything else is free text ("other"),
which a caseworker reads.

The language is that of the matched phrase when exactly one language's grammar has it. A
phrase several languages share (STOP, "help", "info") keeps the person's language when it is
one of them (Dutch for someone without one); otherwise it is the language whose texts ask for
exactly this keyword ("HELP" is English: the Dutch texts ask for HULP), or none (STOP).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from outreach.core.tomlfile import TOP, Problem, Table, TomlError, read_toml, show
from outreach.messaging.texts import wording
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE, LANGUAGES

YES, CALL, STOP, HELP, OTHER = "yes", "call", "stop", "help", "other"
INTENTS = (YES, CALL, STOP, HELP)
# Intents whose phrase must be the whole message.
WHOLE_MESSAGE = frozenset({STOP})
# A phrase is a keyword or a short phrase, not a sentence.
MAX_PHRASE_WORDS = 6


class GrammarError(TomlError):
    """A grammar that cannot be used; `problems` names each file, intent and why."""


Phrase = tuple[str, ...]


# Letters read as another before matching; apostrophes join the word they are in.
_FOLD = str.maketrans(
    {
        "\u0131": "i",  # Turkish dotless i (the dotted one casefolds to i + a combining dot)
        "\u0671": "\u0627",  # alef wasla: alef
        "\u0649": "\u064a",  # alef maqsura: yeh
        "\u0629": "\u0647",  # taa marbuta: heh
        "\u0640": None,  # tatweel (kashida)
        "'": None,
        "\u2019": None,  # right single quotation mark
        "\u02bc": None,  # modifier letter apostrophe (Ukrainian)
        "\u02b9": None,  # modifier letter prime
        "`": None,
    }
)


def normalise(text: str) -> Phrase:
    """The words of `text` as the grammar compares them."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    kept = []
    for char in unicodedata.normalize("NFD", folded):
        category = unicodedata.category(char)
        if category[0] == "M":
            continue  # accents, Arabic vowel marks and hamza, the Turkish dot, emoji selectors
        kept.append(char if category[0] in "LN" else " ")
    return tuple(unicodedata.normalize("NFC", "".join(kept)).split())


@dataclass(frozen=True)
class Match:
    intent: str
    # The languages whose grammar holds the matched phrase; empty for free text.
    languages: frozenset[str] = frozenset()
    phrase: str = ""
    # Of those, the languages whose texts ask for this very keyword (wording.toml).
    advertised: frozenset[str] = frozenset()

    @property
    def language(self) -> str:
        """The one language the phrase belongs to, or ""."""
        return next(iter(self.languages)) if len(self.languages) == 1 else ""

    def language_for(self, preferred: str) -> str:
        """The reply's language for someone whose language is `preferred` ("" for none)."""
        if self.language:
            return self.language
        if (preferred or DEFAULT_LANGUAGE) in self.languages:
            return preferred
        return next(iter(self.advertised)) if len(self.advertised) == 1 else ""


FREE_TEXT = Match(OTHER)


@dataclass(frozen=True)
class Grammar:
    phrases: dict[Phrase, tuple[str, frozenset[str]]]
    extra_words: int
    # The keywords our texts ask for, and in which languages (wording.toml).
    advertised: dict[Phrase, frozenset[str]] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        return max((len(p) for p in self.phrases), default=0)

    def match(self, text: str) -> Match:
        words = normalise(text)
        longest = self.longest
        for size in range(min(len(words), longest), 0, -1):
            found = self.phrases.get(words[:size])
            if found is not None:
                break
        else:
            return FREE_TEXT
        intent, languages = found
        rest = words[size:]
        if len(rest) > self.extra_words or (rest and intent in WHOLE_MESSAGE):
            return FREE_TEXT
        for start in range(len(rest)):
            for end in range(start + 1, min(len(rest), start + longest) + 1):
                other = self.phrases.get(rest[start:end])
                if other is not None and other[0] != intent:
                    return FREE_TEXT  # two intents in one message: a caseworker reads it
        phrase = words[:size]
        advertised = self.advertised.get(phrase, frozenset()) & languages
        return Match(intent, languages, " ".join(phrase), advertised)


def _phrases(top: Table) -> dict[str, list[tuple[str, Phrase]]]:
    """Each intent's phrases as written and normalised; a problem for each one that is wrong."""
    top.check_keys(("intents",), "a grammar file (only [intents] is read)")
    intents = top.table("intents", "a list of phrases per intent", required=True)
    if intents is None:
        return {}
    intents.check_keys(INTENTS, "[intents]")
    result: dict[str, list[tuple[str, Phrase]]] = {}
    for intent in INTENTS:
        items = intents.text_list(intent, required=True, non_empty=True)
        result[intent] = []
        for number, item in enumerate(items or (), 1):
            words = normalise(item)
            if not words:
                intents.problem(
                    intent,
                    f"item {number} ({show(item)}) is empty once punctuation, emoji and spaces "
                    "are left out",
                )
            elif len(words) > MAX_PHRASE_WORDS:
                intents.problem(
                    intent,
                    f"item {number} ({show(item)}) has {len(words)} words; a phrase has at most "
                    f"{MAX_PHRASE_WORDS}",
                )
            else:
                result[intent].append((item, words))
    return result


def load_grammar(
    folder: Path, extra_words: int = 2, languages: Iterable[str] = LANGUAGES
) -> Grammar:
    """Read and check every `<lang>.toml` in `folder`; GrammarError lists every problem."""
    wanted = tuple(languages)
    if not folder.is_dir():
        raise GrammarError([Problem(str(folder), "", "", "no such folder of intent grammars")])
    problems: list[Problem] = []
    files = {path.stem: path for path in sorted(folder.glob("*.toml"))}
    for lang in files:
        if lang not in wanted:
            problems.append(
                Problem(
                    f"{lang}.toml",
                    "",
                    "",
                    f"'{lang}' is not a language the texts are written in ({', '.join(wanted)})",
                )
            )
    for lang in wanted:
        if lang not in files:
            problems.append(
                Problem(f"{lang}.toml", "", "", "missing; every text language needs a grammar")
            )
    table: dict[Phrase, tuple[str, set[str]]] = {}
    origin: dict[Phrase, str] = {}
    for lang, path in files.items():
        data, unreadable = read_toml(path, path.name)
        if data is None:
            problems.extend(unreadable)
            continue
        top = Table.top(data, path.name, problems)
        for intent, items in _phrases(top).items():
            for written, words in items:
                known = table.get(words)
                if known is None:
                    table[words] = (intent, {lang})
                    origin[words] = f"{lang}.toml"
                elif known[0] != intent:
                    top.problem(
                        f"intents.{intent}",
                        f"{show(written)} is already intent '{known[0]}' in {origin[words]}; "
                        "a phrase has one meaning",
                    )
                else:
                    known[1].add(lang)
    if problems:
        raise GrammarError(problems)  # the keywords below are checked against a whole grammar
    advertised: dict[Phrase, set[str]] = {}
    for lang in wanted:
        for intent, keyword in wording.keywords(lang).items():
            if intent not in INTENTS:
                continue
            words = normalise(keyword)
            if table.get(words, ("",))[0] != intent:
                problems.append(
                    Problem(
                        f"{lang}.toml",
                        TOP,
                        f"intents.{intent}",
                        f"the keyword {show(keyword)} that our texts ask readers to send "
                        "(wording.toml) is not recognised",
                    )
                )
            advertised.setdefault(words, set()).add(lang)
    if problems:
        raise GrammarError(problems)
    return Grammar(
        {words: (intent, frozenset(langs)) for words, (intent, langs) in table.items()},
        extra_words,
        {words: frozenset(langs) for words, langs in advertised.items()},
    )


@cache
def grammar() -> Grammar:
    """The configured grammar, read once per process."""
    return load_grammar(
        Path(settings.OUTREACH_INBOUND_INTENTS_DIR), settings.OUTREACH_INBOUND_EXTRA_WORDS
    )


def reset_grammar() -> None:
    """For tests that change the settings."""
    grammar.cache_clear()


def understand(text: str) -> Match:
    return grammar().match(text)
