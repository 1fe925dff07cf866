"""A templates folder for the rendering and PDF tests: the shipped letter layouts, a stand-in
languages block when the text writers' one is not there, and a letter that is not a layout."""

import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_LETTERS = ROOT / "templates" / "letters"
FIXTURE_LANGUAGES = '<div class="languages"><p lang="en">Call {{ worker_phone }}.</p></div>\n'
EVIL_NAME = "<script>alert(1)</script>{{ 7*7 }}"
LETTER_SOURCE = """{% extends "letters/_layout.html" %}
{% block subject %}Wij helpen u graag{% endblock %}
{% block body %}
<p>{{ salutation }},</p>
<p>Bel {{ worker_name }} op {{ worker_phone }}.</p>
{% endblock %}
"""


def make_templates(tmp_path: Path, settings: Any) -> Path:
    letters = tmp_path / "templates" / "letters"
    letters.mkdir(parents=True)
    for path in SHIPPED_LETTERS.glob("_*"):
        shutil.copy(path, letters / path.name)
    if not (letters / "_languages.html").exists():
        (letters / "_languages.html").write_text(FIXTURE_LANGUAGES, encoding="utf-8")
    (letters / "secret").mkdir()
    (letters / "secret" / "nl.html").write_text("SECRET {{ name }}", encoding="utf-8")
    (tmp_path / "templates" / "sms").mkdir()
    (tmp_path / "templates" / "sms" / "plain.txt").write_text("SMS", encoding="utf-8")
    settings.OUTREACH_TEMPLATES_DIR = tmp_path / "templates"
    return tmp_path / "templates"
