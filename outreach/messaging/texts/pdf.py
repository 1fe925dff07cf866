"""Letter and card PDFs with WeasyPrint.

    html_to_pdf(html, base_url=None) -> bytes
    render_letter_pdf(source, context, lang) -> bytes     render_html, then html_to_pdf

The stylesheets are part of the layouts (templates/letters/_letter.css for the A4 letter,
_card.css for the A6 card). A letter may use files only from the templates' `letters/` folder
(and data: URLs): anything else (another file, the network) is refused and fails the PDF, so a
letter never goes out with a part missing. Fonts: Noto Sans (Latin, Cyrillic), Noto Naskh
Arabic (Debian's fonts-noto-core), DejaVu Sans as the fallback; the FontConfiguration is made
once per process. A PDF over OUTREACH_LETTER_MAX_PAGES pages is refused.
"""

import functools
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from outreach.messaging.texts.rendering import Context, RenderError, render_html, templates_dir

# WeasyPrint reports every step of every PDF at INFO: too much for a service making thousands.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


class LetterFiles(URLFetcher):
    """Fetches data: URLs and files under `root` only; remembers what it refused."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:") or self._inside(url):
            return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"a letter may not use {url}")

    def _inside(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return path.is_relative_to(self.root) and path.is_file()


def letters_dir() -> Path:
    return templates_dir() / "letters"


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF of a rendered letter or card; RenderError when it cannot be made whole."""
    root = letters_dir()
    base_url = base_url or f"{root.resolve().as_uri()}/"
    fetcher = LetterFiles(root)
    try:
        html, styles = _head_styles(html)
        stylesheets = [_stylesheet(text, base_url) for text in styles]
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_config(), stylesheets=stylesheets
        )
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"the PDF could not be made: {exc}") from exc
    if fetcher.refused:
        raise RenderError(f"the letter uses files it may not: {', '.join(fetcher.refused)}")
    pages = len(document.pages)
    if pages > settings.OUTREACH_LETTER_MAX_PAGES:
        limit = settings.OUTREACH_LETTER_MAX_PAGES
        raise RenderError(f"the letter has {pages} pages; the limit is {limit}")
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _head_styles(html: str) -> tuple[str, list[str]]:
    """The HTML without the `<style>` elements of its head, and their text. Parsing the
    layout's stylesheet takes a third of a letter's time, so pdf.py parses each text once
    (`_stylesheet`) and hands it to WeasyPrint beside the document, in the same order."""
    head_end = html.find("</head>")
    if head_end < 0:
        return html, []
    head = html[:head_end]
    styles = STYLE.findall(head)
    return STYLE.sub("", head) + html[head_end:], styles


@functools.lru_cache(maxsize=32)
def _stylesheet(text: str, base_url: str) -> CSS:
    fetcher = LetterFiles(letters_dir())
    stylesheet = CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=font_config())
    if fetcher.refused:
        raise RenderError(f"the stylesheet uses files it may not: {', '.join(fetcher.refused)}")
    return stylesheet


def render_letter_pdf(source: str, context: Context, lang: str) -> bytes:
    """A letter's or card's template rendered on `context`, as a PDF."""
    return html_to_pdf(render_html(source, context, lang))
