"""A rendered letter's HTML as readable text, for the file outbox and the plain part of an
e-mail: one line per paragraph (a blank line between paragraphs), `<br>` a line break, the
head (title, stylesheet) and scripts left out, whitespace within a line collapsed."""

import re
from html.parser import HTMLParser

# Elements whose end ends a paragraph (a blank line follows) or at least a line.
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "section", "main", "address",
     "blockquote", "ul", "ol", "table", "article", "aside", "nav"}
)  # fmt: skip
LINES = frozenset({"div", "li", "tr", "dt", "dd", "br", "hr", "pre"})
SKIPPED = frozenset({"head", "style", "script", "title", "template"})
SPACES = re.compile(r"[ \t\r\n\f\v]+")
# Paragraph and line breaks while the text is gathered (newlines in the HTML are spaces).
PARAGRAPH, LINE = "\x00", "\x01"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in PARAGRAPHS:
            self.parts.append(PARAGRAPH)
        elif tag in LINES:
            self.parts.append(LINE)
        elif tag == "td" or tag == "th":
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LINES:
            self.parts.append(LINE)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in PARAGRAPHS:
            self.parts.append(PARAGRAPH)
        elif tag in LINES and tag != "br":
            self.parts.append(LINE)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(SPACES.sub(" ", data.replace(PARAGRAPH, "").replace(LINE, "")))


def html_to_text(html: str) -> str:
    """The readable text of `html` (a letter, or any HTML body)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    paragraphs = []
    for block in "".join(parser.parts).split(PARAGRAPH):
        lines = [SPACES.sub(" ", line).strip() for line in block.split(LINE)]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def looks_like_html(body: str) -> bool:
    start = body.lstrip()[:200].lower()
    return start.startswith(("<!doctype html", "<html")) or "<body" in start
