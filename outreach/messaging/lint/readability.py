"""How hard a text is to read, per language.

Dutch: Flesch-Douma, English: Flesch Reading Ease, computed as textstat computes them for
`nl` and for English without its CMU dictionary: syllables from the Pyphen hyphenation
dictionary (positions + 1), sentences of two words or fewer not counted as sentences (their
words are). Textstat itself is not called: it loads NLTK, and for English tries to download the
CMU dictionary at run time.

Turkish and Arabic have no syllable dictionary; Polish and Ukrainian have one, but textstat has
no reading-ease formula for them (it would apply the English coefficients, which mark every
Polish or Ukrainian text as hard). These four languages are judged on the average sentence
length and the share of long words.
"""

from collections.abc import Callable
from functools import cache, lru_cache

import pyphen

from outreach.messaging.lint.config import FLESCH, FLESCH_DOUMA, LENGTH, LintConfig, Readability
from outreach.messaging.lint.findings import ERROR, WARNING, Finding
from outreach.messaging.lint.text import Sentence

# (base, per word in a sentence, per syllable in a word): textstat's LANG_CONFIGS for nl and en.
COEFFICIENTS = {FLESCH_DOUMA: (206.835, 0.93, 77.0), FLESCH: (206.835, 1.015, 84.6)}
MakeFinding = Callable[[str, str, str], Finding]  # level, rule, message
PYPHEN_LANGUAGE = {"nl": "nl_NL", "en": "en_US", "pl": "pl_PL", "uk": "uk_UA"}


@cache
def _hyphenator(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=PYPHEN_LANGUAGE.get(lang, lang))


@lru_cache(maxsize=50_000)
def syllables(word: str, lang: str) -> int:
    return len(_hyphenator(lang).positions(word.lower())) + 1


def reading_ease(sentences: list[Sentence], lang: str, measure: str) -> float:
    words = [word for sentence in sentences for word in sentence.words]
    counted = max(1, sum(1 for sentence in sentences if len(sentence.words) > 2))
    if not words:
        return 0.0
    base, per_word, per_syllable = COEFFICIENTS[measure]
    syllable_count = sum(syllables(word, lang) for word in words)
    return base - per_word * len(words) / counted - per_syllable * syllable_count / len(words)


def long_words(sentences: list[Sentence], letters: int) -> list[str]:
    return [
        word
        for sentence in sentences
        for word in sentence.words
        if sum(char.isalpha() for char in word) >= letters
    ]


def check_readability(
    template: str, lang: str, sentences: list[Sentence], config: LintConfig
) -> list[Finding]:
    """The overall measures of a text of at least `min_words` words (line 1: the whole text)."""
    settings = config.readability.get(lang)
    word_count = sum(len(sentence.words) for sentence in sentences)
    if settings is None or word_count < config.min_words:
        return []

    def finding(level: str, rule: str, message: str) -> Finding:
        return Finding(template, lang, level, rule, 1, message)

    if settings.measure in (FLESCH_DOUMA, FLESCH):
        return _reading_ease(sentences, lang, settings, finding)
    assert settings.measure == LENGTH
    findings = []
    average = word_count / max(1, len(sentences))
    level = _above(average, settings.average_warning_above, settings.average_error_above)
    if level:
        limit = settings.average_error_above if level == ERROR else settings.average_warning_above
        findings.append(
            finding(
                level,
                "average-sentence-length",
                f"sentences have {average:.1f} words on average (at most {limit:g}); "
                f"write shorter sentences",
            )
        )
    long = long_words(sentences, settings.long_word_letters)
    share = len(long) / word_count
    level = _above(share, settings.long_share_warning_above, settings.long_share_error_above)
    if level:
        limit = (
            settings.long_share_error_above if level == ERROR else settings.long_share_warning_above
        )
        examples = ", ".join(sorted(set(long), key=lambda w: (-len(w), w))[:3])
        findings.append(
            finding(
                level,
                "long-words",
                f"{share:.0%} of the words have {settings.long_word_letters} letters or more "
                f"(at most {limit:.0%}), e.g. {examples}; use shorter, common words",
            )
        )
    return findings


def _above(value: float, warning: float, error: float) -> str | None:
    if value > error:
        return ERROR
    if value > warning:
        return WARNING
    return None


def _reading_ease(
    sentences: list[Sentence], lang: str, settings: Readability, finding: MakeFinding
) -> list[Finding]:
    score = reading_ease(sentences, lang, settings.measure)
    if score >= settings.warning_below:
        return []
    level = ERROR if score < settings.error_below else WARNING
    limit = settings.error_below if level == ERROR else settings.warning_below
    name = "Flesch-Douma" if settings.measure == FLESCH_DOUMA else "Flesch reading ease"
    return [
        finding(
            level,
            "readability",
            f"{name} {score:.0f} (at least {limit:g}): "
            f"write shorter sentences and shorter, common words",
        )
    ]
