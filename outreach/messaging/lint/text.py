"""A template's source as text to check, on the same lines as the source.

Jinja comments and statements go, every `{{ ... }}` becomes one sample word, HTML tags go
(block-level tags end a sentence), entities are unescaped. Whatever is removed keeps its line
breaks, so line N of the text is line N of the source.
"""

import html
import re
from dataclasses import dataclass

SAMPLE_WORD = "Sanne"  # what a `{{ ... }}` reads as: one short, ordinary word
BREAK = "\x1e"  # ends a sentence: a block-level tag, a {% block %}, a line of an SMS

_JINJA = re.compile(r"\{#.*?#\}|\{%(?P<statement>.*?)%\}|\{\{.*?\}\}", re.S)
_BREAKING_STATEMENTS = frozenset(
    {"block", "endblock", "extends", "include", "import", "from", "macro", "endmacro"}
)
_HIDDEN = re.compile(
    r"<!--.*?-->|<(?P<element>style|script|head|title)\b[^>]*>.*?</(?P=element)\s*>", re.S | re.I
)
_TAG = re.compile(r"</?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*/?>")
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li"),
        *("main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th"),
        *("thead", "tr", "ul"),
    }
)
# Arabic short vowels and other marks, and the tatweel: they would split words.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_END = re.compile(r"[.!?\u061f\u2026]+[\"'\u2019\u201d)\]]*(?=\s|$|\x1e)")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def _keep_lines(removed: str, replacement: str = "") -> str:
    return replacement + "\n" * removed.count("\n")


def _jinja(match: re.Match[str]) -> str:
    whole = match.group(0)
    if whole.startswith("{{"):
        return _keep_lines(whole, SAMPLE_WORD)
    statement = match.group("statement")
    if statement is not None:
        words = statement.strip("-+ \t\r\n").split()
        if words and words[0] in _BREAKING_STATEMENTS:
            return _keep_lines(whole, BREAK)
    return _keep_lines(whole)


def _tag(match: re.Match[str]) -> str:
    breaks = match.group("name").lower() in _BLOCK_TAGS
    return _keep_lines(match.group(0), BREAK if breaks else "")


def checkable_text(source: str, *, markup: bool) -> str:
    """The words a reader sees, line for line. `markup`: the source is HTML (letters, cards);
    otherwise plain text (SMS), where every line break ends a sentence."""
    text = _JINJA.sub(_jinja, source)
    if markup:
        text = _HIDDEN.sub(lambda m: _keep_lines(m.group(0)), text)
        text = _TAG.sub(_tag, text)
        text = html.unescape(text).replace("\xa0", " ")
        text = _BLANK_LINE.sub(lambda m: BREAK + m.group(0), text)
    else:
        text = text.replace("\n", BREAK + "\n")
    return _MARKS.sub("", text)


@dataclass(frozen=True)
class Sentence:
    line: int  # where it starts
    text: str
    words: tuple[str, ...]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _is_abbreviation(text: str, end: int, abbreviations: frozenset[str]) -> bool:
    """Whether the full stop at `end` closes an abbreviation ("bijv.", an initial "J.") rather
    than a sentence ("Dan bel ik u.")."""
    if text[end] != ".":
        return False
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    token = text[start:end]
    return (len(token) == 1 and token.isupper()) or token.lower() in abbreviations


def sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """The sentences of a checkable text, each with the line it starts on; pieces without a
    word (a lone "-" or an empty paragraph) are left out."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(rf"{_END.pattern}|{BREAK}", text):
        if match.group(0) != BREAK and _is_abbreviation(text, match.start(), abbreviations):
            continue
        pieces.append((start, match.end()))
        start = match.end()
    pieces.append((start, len(text)))
    found = []
    for begin, end in pieces:
        piece = text[begin:end]
        piece_words = tuple(words(piece))
        if not piece_words:
            continue
        first = begin + _WORD.search(piece).start()  # type: ignore[union-attr]
        shown = " ".join(piece.replace(BREAK, " ").split())
        found.append(Sentence(line_at(text, first), shown, piece_words))
    return found
