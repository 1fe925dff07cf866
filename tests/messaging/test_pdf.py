"""Letter and card PDFs: page size, page numbers, right-to-left Arabic, names printed as text,
files a letter may not use, and every shipped letter."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from outreach.messaging.texts.context import sample_context
from outreach.messaging.texts.pdf import html_to_pdf, render_letter_pdf
from outreach.messaging.texts.rendering import RenderError
from tests.messaging.letter_templates import EVIL_NAME, LETTER_SOURCE, make_templates

ROOT = Path(__file__).resolve().parents[2]
A4 = (595, 842)
A6 = (298, 420)
LONG_LETTER = """{% extends "letters/_layout.html" %}
{% block subject %}Een lange brief{% endblock %}
{% block body %}
{% for i in range(40) %}<p>Alinea {{ i }}: wij helpen u graag, gratis en zonder verplichtingen.</p>
{% endfor %}
{% endblock %}
"""
ARABIC_LETTER = """{% extends "letters/_layout.html" %}
{% block subject %}نحن نساعدكم مجانًا{% endblock %}
{% block body %}
<p>{{ salutation }}،</p>
<p>أودّ أن أساعدكم في فواتيركم. مساعدتي مجانية وبدون أي التزام.</p>
{% endblock %}
"""
CARD = """{% extends "letters/_card.html" %}
{% block body %}<p>Ik was bij u langs, maar u was niet thuis.</p>{% endblock %}
"""


@pytest.fixture
def templates(tmp_path: Path, settings) -> Path:
    return make_templates(tmp_path, settings)


def pages(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pages(pdf))


def test_a_letter_is_one_a4_page_with_the_letterhead_and_address(templates):
    pdf = render_letter_pdf(LETTER_SOURCE, sample_context("nl").as_dict(), "nl")
    assert pdf.startswith(b"%PDF-")
    [page] = pages(pdf)
    assert size(page) == A4
    content = page.extract_text()
    for words in ("Gemeente Voorbeeldstad", "Team Vroeg Eropaf", "Kerkstraat 12 A", "Postbus 100"):
        assert words in content
    assert "Wij helpen u graag" in content and "1 / 1" in content


def test_a_long_letter_numbers_its_pages(templates):
    pdf = render_letter_pdf(LONG_LETTER, sample_context("nl").as_dict(), "nl")
    found = pages(pdf)
    assert len(found) == 2 and all(size(page) == A4 for page in found)
    assert "1 / 2" in found[0].extract_text()
    assert "2 / 2" in found[1].extract_text()


def test_an_arabic_letter_prints_arabic_right_to_left(templates):
    pdf = render_letter_pdf(ARABIC_LETTER, sample_context("ar").as_dict(), "ar")
    content = text(pdf)
    assert "نساعدكم" in content and "مساعدتي" in content
    assert "Kerkstraat 12 A" in content  # the address stays as the post needs it


def test_the_card_is_a6(templates):
    pdf = render_letter_pdf(CARD, sample_context("nl").as_dict(), "nl")
    [page] = pages(pdf)
    assert size(page) == A6
    assert "niet thuis" in page.extract_text() and "Sanne Bakker" in page.extract_text()


def test_a_name_with_markup_is_printed_as_text(templates):
    context = sample_context("nl").as_dict()
    context["salutation"] = f"Beste {EVIL_NAME}"
    context["address_lines"] = [EVIL_NAME, "Kerkstraat 12 A", "3511 AB  VOORBEELDSTAD"]
    content = text(render_letter_pdf(LETTER_SOURCE, context, "nl"))
    assert "<script>alert(1)</script>{{ 7*7 }}" in content.replace("\n", "")


def test_a_render_error_gives_no_pdf(templates):
    source = LETTER_SOURCE.replace("{{ worker_phone }}", "{{ worker_phone }}{{ missing }}")
    with pytest.raises(RenderError) as error:
        render_letter_pdf(source, sample_context("nl").as_dict(), "nl")
    assert error.value.line == 5


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/passwd">',
        '<img src="/etc/hostname">',
        '<img src="../../../../etc/hostname">',
        '<img src="http://127.0.0.1:9/logo.png">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<div style="background: url(file:///etc/passwd)">x</div>',
    ],
)
def test_a_letter_cannot_use_files_outside_the_letters_folder(tag, templates):
    with pytest.raises(RenderError, match="may not"):
        html_to_pdf(f"<html><body><p>Brief</p>{tag}</body></html>")


def test_a_letter_may_use_an_image_of_the_letters_folder(templates):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    (templates / "letters" / "_logo.png").write_bytes(png)
    assert html_to_pdf('<html><body><img src="_logo.png"></body></html>').startswith(b"%PDF")


def test_too_many_pages_is_an_error(templates, settings):
    settings.OUTREACH_LETTER_MAX_PAGES = 1
    with pytest.raises(RenderError, match="2 pages"):
        render_letter_pdf(LONG_LETTER, sample_context("nl").as_dict(), "nl")


SHIPPED = sorted((ROOT / "templates" / "letters").glob("[!_]*/*.html"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_letter_makes_a_pdf(path):
    lang = path.stem
    source = path.read_text(encoding="utf-8")
    context = sample_context(lang, partner_count=2).as_dict()
    found = pages(render_letter_pdf(source, context, lang))
    expected = A6 if path.parent.name == "not_home_card" else A4
    assert found and all(size(page) == expected for page in found)
