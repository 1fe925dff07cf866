"""Rendering message templates in the sandbox: the documented context, strict undefined names,
injection attempts, limits on size and time, and the publisher's check_source."""

import time
from pathlib import Path

import pytest
from markupsafe import Markup

from outreach.messaging.texts import rendering, sandbox
from outreach.messaging.texts.catalogue import CARD, LETTER, SMS
from outreach.messaging.texts.context import sample_context
from outreach.messaging.texts.rendering import RenderError, check_source, render_html, render_text
from tests.messaging.letter_templates import EVIL_NAME, LETTER_SOURCE, make_templates

SMS_SOURCE = (
    "{{ salutation }}, dit is {{ municipality.name }}. Stuur {{ keywords.yes }} naar "
    "{{ reply_number }}, dan belt {{ worker_name }} u. Of bel: {{ worker_phone }}."
)


@pytest.fixture
def ctx() -> dict:
    return sample_context("nl").as_dict()


@pytest.fixture
def templates(tmp_path: Path, settings) -> Path:
    return make_templates(tmp_path, settings)


def test_sms_renders_the_sample_context_without_escaping(ctx):
    ctx["municipality"]["name"] = "Gemeente Zus & Zo"
    text = render_text(SMS_SOURCE, ctx)
    assert text == (
        "Beste J. de Vries, dit is Gemeente Zus & Zo. Stuur JA naar 06 1234 5678, dan belt "
        "Sanne Bakker u. Of bel: 020 123 4567."
    )


def test_the_renderer_adds_lang_and_rtl(ctx):
    assert render_text("{{ lang }} {{ rtl }}", ctx) == "nl False"
    assert render_text("{{ lang }} {{ rtl }}", ctx, "ar") == "ar True"
    assert render_html("{{ lang }} {{ rtl }}", ctx, "xx") == "nl False"  # Dutch is the fallback


def test_a_template_context_object_is_accepted(ctx):
    assert render_text("{{ appointment.time }}", sample_context("nl")) == "14:00"


def test_html_is_autoescaped_and_values_are_never_template_source(ctx):
    ctx["name"] = EVIL_NAME
    html = render_html("<p>{{ name }}</p>", ctx, "nl")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}</p>"
    assert render_text("{{ name }}", ctx) == EVIL_NAME  # SMS: as it is, never evaluated


def test_a_markup_value_in_the_context_is_still_escaped(ctx):
    ctx["name"] = Markup("<b>Jansen</b>")
    assert render_html("{{ name }}", ctx, "nl") == "&lt;b&gt;Jansen&lt;/b&gt;"


def test_undefined_names_and_attributes_are_errors_with_their_line(ctx):
    with pytest.raises(RenderError) as error:
        render_text("Hallo\n{{ name }}\n{{ nickname }}", ctx)
    assert error.value.line == 3
    assert "nickname" in str(error.value)
    with pytest.raises(RenderError) as error:
        render_text("Hallo\n{{ municipality.nmae }}", ctx)
    assert error.value.line == 2


def test_a_syntax_error_has_its_line(ctx):
    with pytest.raises(RenderError) as error:
        render_text("Hallo\n\n{% if name %}open", ctx)
    assert error.value.line == 3


def test_an_error_late_in_the_text_returns_nothing(ctx):
    source = "{% for i in range(100) %}{{ name }} {% endfor %}{{ missing }}"
    with pytest.raises(RenderError):
        render_text(source, ctx)


INJECTIONS = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ name.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ cycler(1, 2).next() }}",
    "{{ joiner() }}",
    "{{ namespace(a=1) }}",
    "{{ lipsum() }}",
    "{{ dict(a=1) }}",
    "{{ name|attr('__class__') }}",
    "{{ name|format('x') }}",
    '{{ "%s"|format(name) }}',
    '{{ "%s" % name }}',
    '{{ "%(a)s" % {"a": name} }}',
    '{{ "{0.__class__}".format(name) }}',
    '{{ "{0}".format_map({}) }}',
    "{{ name|safe }}",
    "{{ name|indent(10**9) }}",
    "{{ name|wordwrap(5) }}",
    "{{ name|center(10**9) }}",
    "{{ name.center(10**9) }}",
    "{{ name.ljust(10**9) }}",
    "{{ keywords.update({'yes': 'x'}) }}",
    "{{ range.__globals__ }}",
    "{{ self.__dict__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ loop.__class__ }}",
    "{% autoescape false %}{{ name }}{% endautoescape %}",
    "{% include 'letters/_languages.html' %}",
    "{% extends 'letters/_layout.html' %}",
]


@pytest.mark.parametrize("source", INJECTIONS)
def test_injection_is_an_error_never_code(source, ctx):
    with pytest.raises(RenderError):
        render_text(source, ctx)


HOGS = [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ range(10**9)|length }}",
    "{{ 'x' * 10**9 }}",
    "{{ ['x'] * 10**9 }}",
    "{{ 2 ** 1000000 }}",
    "{{ (10 ** 300) * (10 ** 300) * (10 ** 300) * (10 ** 300) }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{{ i }}{% endfor %}{% endfor %}",
    "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}" * 8,
    "{% set a = ['x'] %}" + "{% set a = a + a + a + a + a + a + a + a + a + a %}" * 8,
    "{% set a = 'x' * 100000 %}{{ [a, a, a, a, a, a, a, a]|join }}",
    "{% set a = 'x' * 100000 %}{{ a|replace('x', 'yyyyyyyyyy') }}",
    "{{ 'abc'|replace('', 'x' * 100000) }}",
    "{% set s %}{% for i in range(1000) %}{% for j in range(50) %}{{ 'y' * 1000 }}"
    "{% endfor %}{% endfor %}{% endset %}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}",
    "{% set b = 'x' * 1000 %}{% set c = [b] * 100 %}{% set d = [c] * 100 %}{{ [d] * 100 }}",
    "{% set b = 'x' * 1000 %}{% set c = [b, b, b, b, b, b, b, b, b, b] %}"
    + "{% set c = [c, c, c, c, c, c, c, c, c, c] %}" * 6
    + "{{ c }}",
    "{% set b = 'x' * 1000 %}{% set c = {'a': b, 'b': b, 'c': b, 'd': b, 'e': b} %}"
    + "{% set c = {'a': c, 'b': c, 'c': c, 'd': c, 'e': c} %}" * 8
    + "{{ c|upper }}",
    "{% set b = ('x' * 1000,) * 100 %}" + "{% set b = (b, b, b, b, b, b, b, b, b, b) %}" * 6,
]


@pytest.mark.parametrize("source", HOGS)
def test_huge_or_endless_work_ends_quickly_with_an_error(source, ctx):
    started = time.monotonic()
    with pytest.raises(RenderError):
        render_text(source, ctx)
    assert time.monotonic() - started < 2.5


def test_the_deadline_stops_a_slow_template(ctx, settings, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_LOOP_ITERATIONS", 10**9)
    settings.OUTREACH_RENDER_TIMEOUT = 0.3
    source = (
        "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
        "{{ name.upper() and '' }}{% endfor %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"longer than 0\.3 s"):
        render_text(source, ctx)
    assert time.monotonic() - started < 1.5


def test_the_output_is_limited(ctx, settings):
    settings.OUTREACH_RENDER_MAX_CHARS = 1000
    assert len(render_text("{{ 'x' * 1000 }}", ctx)) == 1000
    with pytest.raises(RenderError, match="1000"):
        render_text("{% for i in range(11) %}{{ 'x' * 100 }}{% endfor %}", ctx)


def test_a_template_over_the_size_limit_is_refused(ctx):
    at_limit = "x" * 100_000
    assert render_text(at_limit, ctx) == at_limit
    with pytest.raises(RenderError, match="100001 bytes"):
        render_text(at_limit + "x", ctx)
    assert [str(e) for e in check_source(at_limit + "x", SMS)] == [
        "the template is 100001 bytes; the limit is 100000"
    ]


def test_what_templates_may_use(ctx):
    source = (
        "{{ partners|join(', ') }}|{{ name|upper }}|{{ name|lower|title }}|{{ ' x '|trim }}|"
        "{{ nothing|default('-') }}|{{ address_lines|length }}|{{ address_lines|first }}|"
        "{{ 'a-b'|replace('-', '+') }}|{{ name|truncate(5, True, '…', 0) }}|"
        "{% for key, word in keywords.items() %}{{ word }}{{ ',' if not loop.last }}{% endfor %}|"
        "{{ keywords.get('yes') }}|{{ municipality.name.upper() }}|"
        "{% if appointment %}{{ appointment.date }}{% endif %}|"
        "{% macro sign(who) %}-- {{ who }}{% endmacro %}{{ sign(worker_name) }}|"
        "{{ range(3)|list }}|{{ 'x' ~ 1 }}|{{ 6 * 7 }}|{{ 2 ** 10 }}|{{ 7 % 3 }}"
    )
    assert render_text(source, ctx) == (
        "uw energieleverancier|J. DE VRIES|J. De Vries|x|-|3|J. de Vries|a+b|J. d…|"
        "JA,BEL,STOP,HULP|JA|GEMEENTE VOORBEELDSTAD|dinsdag 8 december|-- Sanne Bakker|"
        "[0, 1, 2]|x1|42|1024|1"
    )


def test_templates_get_plain_values_only(ctx):
    ctx["municipality"] = {"name": object()}
    with pytest.raises(RenderError, match="plain values"):
        render_text("{{ municipality.name }}", ctx)
    with pytest.raises(RenderError, match="not in the template context: user"):
        render_text("x", {**sample_context("nl").as_dict(), "user": "x"})


def test_compiled_templates_are_cached_and_the_cache_is_bounded(ctx, monkeypatch):
    monkeypatch.setattr(rendering, "CACHE_SIZE", 5)
    first = rendering._compiled(
        rendering._text_environment(), "text", SMS_SOURCE.encode(), SMS_SOURCE
    )
    again = rendering._compiled(
        rendering._text_environment(), "text", SMS_SOURCE.encode(), SMS_SOURCE
    )
    assert first is again
    for number in range(20):
        render_text(f"{{{{ name }}}} {number}", ctx)
    assert len(rendering._cache) <= 5


def test_a_letter_extends_the_layout(templates, ctx):
    html = render_html(LETTER_SOURCE, ctx, "nl")
    assert '<html lang="nl" dir="ltr">' in html
    assert "Wij helpen u graag" in html
    assert "Gemeente Voorbeeldstad" in html and "Kerkstraat 12 A" in html
    assert "Postbus 100, 1000 AA  VOORBEELDSTAD" in html
    assert "9999-000123" in html and "3 december 2026" in html
    assert 'class="languages"' in html


def test_an_error_in_the_layout_names_the_layout_not_a_line_of_the_letter(templates, ctx):
    del ctx["municipality"]
    with pytest.raises(RenderError) as error:
        render_html(LETTER_SOURCE, ctx, "nl")
    assert error.value.line is None
    assert error.value.message.startswith("letters/_layout.html, line ")
    assert "'municipality' is undefined" in error.value.message


def test_an_arabic_letter_is_right_to_left_with_a_dutch_address(templates):
    html = render_html(LETTER_SOURCE, sample_context("ar").as_dict(), "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<div class="window" lang="nl">' in html
    assert '<section class="envelope" dir="ltr">' in html


@pytest.mark.parametrize(
    "source",
    [
        '{% extends "letters/secret/nl.html" %}',
        '{% include "letters/secret/nl.html" %}',
        '{% extends "letters/../letters/_layout.html" %}',
        '{% extends "../settings.py" %}',
        '{% include "/etc/passwd" %}',
        '{% include "sms/plain.txt" %}',
        '{% import "letters/secret/nl.html" as x %}',
        '{% from "letters/secret/nl.html" import x %}',
        '{% include ["letters/secret/nl.html"] %}',
    ],
)
def test_only_the_shared_letter_parts_can_be_loaded(source, templates, ctx):
    with pytest.raises(RenderError) as error:
        render_html(source, ctx, "nl")
    assert "SECRET" not in str(error.value)
    assert check_source(source, LETTER)


def test_check_source_accepts_a_good_template(templates):
    assert check_source(SMS_SOURCE, SMS) == []
    assert check_source(LETTER_SOURCE, LETTER) == []
    card = '{% extends "letters/_card.html" %}{% block body %}{{ worker_name }}{% endblock %}'
    assert check_source(card, CARD) == []


def test_check_source_reports_names_outside_the_context_with_their_line(templates):
    errors = check_source("Hallo {{ name }},\n\n{{ first_name }} {{ user.email }}", SMS)
    assert [(e.line, e.message.split(" (")[0]) for e in errors] == [
        (3, "'first_name' is not in the template context"),
        (3, "'user' is not in the template context"),
    ]
    declared = "{% set x = 1 %}{{ x }}{% for p in partners %}{{ p }}{% endfor %}"
    assert check_source(declared, SMS) == []


def test_check_source_reports_attribute_typos_on_sample_data(templates):
    [error] = check_source("{{ name }}\n{{ municipality.phone_number }}", SMS)
    assert error.line == 2 and "phone_number" in error.message


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("a\n{{ name|attr('x') }}", "filter 'attr'"),
        ("a\n{% if rtl %}{{ name|format }}{% endif %}", "filter 'format'"),
        ("a\n{{ name is callable2 }}", "test 'callable2'"),
        ("a\n{% include 'letters/_languages.html' %}", "SMS"),
        ("a\n{% if name %}", "Unexpected end"),
        ("a\n{% autoescape false %}x{% endautoescape %}", "autoescape"),
    ],
)
def test_check_source_reports_forbidden_constructs(source, words):
    [error] = check_source(source, SMS)
    assert words in error.message
    assert error.line == 2


def test_check_source_refuses_a_letter_loading_other_templates(templates):
    [error] = check_source('{% extends "letters/secret/nl.html" %}', LETTER)
    assert "letters/_<name>.html" in error.message


def test_check_source_knows_the_kinds():
    with pytest.raises(ValueError):
        check_source("x", "fax")
