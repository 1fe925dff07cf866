"""The template linter (outreach.messaging.lint): readability per language, sentence length,
jargon and threat words, required elements, Jinja checks, thresholds and data files.

The texts here are the tests' own: the shipped templates are checked in test_lint_command.py.
"""
# Turkish and Ukrainian test texts: their letters are not Latin look-alikes by mistake.
# ruff: noqa: RUF001

from __future__ import annotations

from pathlib import Path

import pytest
from textstat.backend import metrics

from outreach.messaging.lint import Finding, lint_template
from outreach.messaging.lint.config import DEFAULTS_FILE, current_config, load_config
from outreach.messaging.lint.data import LintDataError
from outreach.messaging.lint.elements import load_elements, shipped_elements
from outreach.messaging.lint.readability import reading_ease
from outreach.messaging.lint.terms import WORDS_DIR, load_word_list
from outreach.messaging.lint.text import checkable_text, sentences
from outreach.messaging.texts.catalogue import ELEMENTS, LANGUAGES, TEMPLATES

# A first letter at B1: short sentences, common words, every element of a first approach.
B1_LETTER = """{% extends "letters/_layout.html" %}
{% block subject %}Wij helpen u graag, gratis{% endblock %}
{% block body %}
<p>{{ salutation }},</p>
<p>Misschien is er een rekening blijven liggen. Dat kan iedereen overkomen.
Wij helpen u graag. Onze hulp is gratis en zonder verplichtingen.</p>
<p>Wij kregen uw naam van {{ partners | join(" en ") }}. Dat mag volgens de wet.</p>
<p>Mijn naam is {{ worker_name }}. Bel mij op {{ worker_phone }}. Dan maken we samen een
plan. U kiest zelf wat u wilt.</p>
{% endblock %}
"""

BUREAUCRATIC = """<p>Geachte heer, mevrouw,</p>
<p>Indien u thans niet binnen de gestelde termijn tot betaling overgaat, zijn wij genoodzaakt de vordering uit handen te geven aan een gerechtsdeurwaarder, hetgeen aanzienlijke extra kosten met zich mee zal brengen.
Wij verzoeken u derhalve vriendelijk doch dringend het openstaande bedrag van uw betalingsachterstand, vermeerderd met de wettelijke rente en de buitengerechtelijke incassokosten, onverwijld over te maken op ons rekeningnummer onder vermelding van het dossiernummer.</p>
"""  # noqa: E501  (a bureaucrat's lines are long)


def lint(source: str, lang: str = "nl", name: str = "draft", kind: str = "letter"):
    """The findings, without the warning that `draft` is not in the catalogue."""
    return [f for f in lint_template(name, lang, source, kind) if f.rule != "unknown-template"]


def triples(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.level, f.rule, f.line) for f in findings]


def score(text: str, lang: str = "nl", measure: str = "flesch-douma") -> float:
    return reading_ease(sentences(checkable_text(text, markup=True)), lang, measure)


# --- Dutch: B1 passes, bureaucratic prose fails ------------------------------------------------


def test_b1_first_letter_has_no_findings() -> None:
    assert lint_template("first_single", "nl", B1_LETTER, "letter") == []
    assert score(B1_LETTER) >= 60


def test_bureaucratic_paragraph_fails_with_rules_and_lines() -> None:
    findings = lint(BUREAUCRATIC)
    found = set(triples(findings))
    assert ("error", "readability", 1) in found
    assert ("error", "sentence-length", 2) in found
    assert ("error", "sentence-length", 3) in found
    messages = {(f.rule, f.line, f.message) for f in findings}
    assert ("jargon", 2, '"Indien": say "als"') in messages
    assert ("jargon", 2, '"thans": say "nu"') in messages
    assert ("threat", 2, '"genoodzaakt": sounds like a threat: leave it out') in messages
    assert ("threat", 2, '"gerechtsdeurwaarder": bailiff\'s word: leave it out') in messages
    assert ("jargon", 3, '"betalingsachterstand": say "een rekening die nog open staat"') in (
        messages
    )
    assert ("threat", 3, '"incassokosten": collection vocabulary: leave it out') in messages
    assert {f.level for f in findings if f.rule == "threat"} == {"error"}
    assert {f.level for f in findings if f.rule == "jargon"} == {"warning"}
    readability = next(f for f in findings if f.rule == "readability")
    assert readability.message.startswith("Flesch-Douma ")
    assert score(BUREAUCRATIC) < 45


def test_reading_ease_is_textstats() -> None:
    """Flesch-Douma as textstat computes it for `nl` (without loading textstat at run time)."""
    text = (
        "Misschien heeft u moeite om uw rekeningen te betalen. Dat kan iedereen overkomen. "
        "Wij willen u graag helpen. Onze hulp is gratis en zonder verplichtingen. Indien u "
        "thans niet binnen de gestelde termijn tot betaling overgaat, zijn wij genoodzaakt "
        "de vordering uit handen te geven."
    )
    ours = reading_ease(sentences(checkable_text(text, markup=False)), "nl", "flesch-douma")
    assert ours == pytest.approx(metrics.flesch_reading_ease(text, "nl"))


def test_english_flesch_reading_ease() -> None:
    plain = (
        "<p>Maybe a bill has been left unpaid. This can happen to anyone. We would like to "
        "help you. Our help is free and without obligation. You choose if you want help. "
        "Call me or send a text. Then we make a plan together.</p>"
    )
    assert lint(plain, "en") == []
    dense = (
        "<p>In the event that remittance of the aforementioned outstanding amount is not "
        "received, the municipality will be obliged to consider further administrative "
        "procedures.</p><p>Consequently, continued non-compliance will necessitate "
        "escalation to the relevant enforcement authorities.</p><p>Your immediate "
        "cooperation regarding this administrative obligation is appreciated.</p>"
    )
    findings = lint(dense, "en")
    readability = [f for f in findings if f.rule == "readability"]
    assert [f.level for f in readability] == ["error"]
    assert readability[0].message.startswith("Flesch reading ease ")
    assert ("error", "threat", 1) in triples(findings)  # enforcement
    assert any(f.message == '"In the event that": say "if"' for f in findings)
    # "without obligation" is required, "obligation" on its own is jargon.
    assert any(f.message.startswith('"obligation"') for f in findings)
    assert not [f for f in lint(plain, "en") if "obligation" in f.message]


def test_short_texts_get_no_overall_score() -> None:
    """Below `min_words` (40) a reading-ease score means little: SMS and cards get none."""
    short = "<p>Indien mogelijk, neem contact op met de afdeling schuldhulpverlening.</p>"
    assert "readability" not in {f.rule for f in lint(short)}


# --- sentence length --------------------------------------------------------------------------


def words(count: int) -> str:
    return " ".join(["woord"] * count) + "."


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (15, []),
        (16, [("warning", "sentence-length", 2)]),
        (20, [("warning", "sentence-length", 2)]),
        (21, [("error", "sentence-length", 2)]),
    ],
)
def test_sentence_length_thresholds(count: int, expected: list[tuple[str, str, int]]) -> None:
    assert triples(lint(f"<p>Kort.\n{words(count)}</p>", kind="letter")) == expected


def test_sentence_message_and_placeholders_count_as_one_word() -> None:
    source = "Beste {{ salutation }} " + " ".join(["woord"] * 15) + " {{ municipality.name }}."
    [finding] = lint(source, kind="sms")
    assert finding.message.startswith('sentence of 18 words (at most 15): "Beste Sanne woord')


def test_lines_survive_tags_comments_and_entities() -> None:
    source = (
        "{# a comment\n   over two lines #}\n"
        '<p\n class="intro">Kort&nbsp;en&nbsp;goed.</p>\n'
        "{% if appointment %}\n"
        f"<p>{words(21)}</p>\n"
        "{% endif %}\n"
    )
    assert triples(lint(source)) == [("error", "sentence-length", 6)]
    text = checkable_text(source, markup=True)
    assert text.count("\n") == source.count("\n")
    assert [s.line for s in sentences(text)] == [4, 6]


def test_headings_paragraphs_and_blocks_end_sentences() -> None:
    source = (
        "{% block subject %}Hulp bij geldzorgen{% endblock %}\n"
        "<h1>Een titel zonder punt</h1><p>Een zin zonder punt</p>\n"
        "<p>Bel Sanne op 020 123 4567 of mail ons, bijv. via de website.</p>"
    )
    found = [s.text for s in sentences(checkable_text(source, markup=True), frozenset({"bijv"}))]
    assert found == [
        "Hulp bij geldzorgen",
        "Een titel zonder punt",
        "Een zin zonder punt",
        "Bel Sanne op 020 123 4567 of mail ons, bijv. via de website.",
    ]


def test_initials_and_abbreviations_do_not_end_a_sentence_but_u_does() -> None:
    text = "J. de Vries belt u. Dat is o.a. handig. Bel ca. 10 min. Dan bel ik u. Goed?"
    assert [s.text for s in sentences(text, frozenset({"o.a", "ca"}))] == [
        "J. de Vries belt u.",
        "Dat is o.a. handig.",
        "Bel ca. 10 min.",
        "Dan bel ik u.",
        "Goed?",
    ]


def test_every_line_of_an_sms_ends_a_sentence() -> None:
    text = checkable_text("Groet,\n{{ worker_name }}\n{{ worker_phone }}", markup=False)
    assert [(s.line, s.text) for s in sentences(text)] == [
        (1, "Groet,"),
        (2, "Sanne"),
        (3, "Sanne"),
    ]


# --- jargon and threat words ------------------------------------------------------------------


def messages(source: str, lang: str = "nl") -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in lint(source, lang) if f.rule in ("jargon", "threat")]


def test_zonder_verplichtingen_is_not_jargon_but_verplicht_is() -> None:
    fine = "<p>Onze hulp is gratis en zonder verplichtingen. Ook zonder verplichting.</p>"
    assert messages(fine) == []
    assert messages("<p>U bent\nverplicht te betalen.</p>") == [(2, '"verplicht": leave it out')]
    # The exception covers only the phrase: another "verplicht" in the same text still counts.
    assert messages("<p>Zonder verplichtingen. Wel verplichte stappen.</p>") == [
        (1, '"verplichte": leave it out')
    ]


def test_whole_words_any_case_inflections_and_phrases() -> None:
    assert messages("<p>INDIEN u belt. De indiening van stukken.</p>") == [
        (1, '"INDIEN": say "als"')
    ]
    assert messages("<p>Wij sturen geen deurwaarders.</p>") == [
        (1, '"deurwaarders": bailiff\'s word: leave it out')
    ]
    # A phrase over a line break is found on the line where it starts.
    assert messages("<p>Wat u\ndient te doen.</p>") == [(1, '"u dient": say "u moet" or "wilt u"')]


def test_jargon_in_other_languages() -> None:
    assert messages("<p>Bu mektup icra takibi hakkındadır.</p>", "tr") == [
        (1, '"icra": enforcement (bailiff): leave it out')
    ]
    assert messages("<p>Nie ma zaległości. Pomoc jest bez zobowiązań.</p>", "pl") == [
        (1, '"zaległości": say "rachunek, który nie jest jeszcze zapłacony"')
    ]
    # Ukrainian writes the apostrophe three ways; "без зобов'язань" is required, so fine.
    for apostrophe in ("'", "\u2019", "\u02bc"):
        assert messages(f"<p>Допомога без зобов{apostrophe}язань.</p>", "uk") == []
        assert [m for _, m in messages(f"<p>Ви зобов{apostrophe}язані.</p>", "uk")] == [
            f'"зобов{apostrophe}язані": leave it out'
            if apostrophe == "\u02bc"
            else '"зобов": leave it out'
        ]
    assert messages("<p>سيتم إرسال الملف إلى المحكمة.</p>", "ar") == [
        (1, '"المحكمة": a threat: leave it out')
    ]


def test_placeholders_never_match_words() -> None:
    assert messages("<p>Beste {{ indien }}.</p>") == []  # (undefined-variable, not jargon)


# --- required elements ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_required_element_is_missed_in_an_empty_text(name: str) -> None:
    spec = TEMPLATES[name]
    findings = lint_template(name, "nl", "<p>Hallo.</p>", spec.kind)
    missing = [f for f in findings if f.rule == "missing-element"]
    assert [f.message.split(":")[0] for f in missing] == [
        f"missing {element}" for element in spec.required
    ]
    assert {(f.level, f.line) for f in missing} <= {("error", 1)}


def test_missing_element_messages() -> None:
    source = B1_LETTER.replace("Wij kregen", "Wij hoorden")
    [finding] = lint_template("first_single", "nl", source, "letter")
    assert finding.as_dict() == {
        "template": "first_single",
        "lang": "nl",
        "level": "error",
        "rule": "missing-element",
        "line": 1,
        "message": 'missing data_source: how the data reached us; say it with "kregen"',
    }
    card = "<p>Ik was bij u. Onze hulp is gratis. Bel {{ worker_name }}.</p>"
    [finding] = lint_template("not_home_card", "nl", card, "card")
    assert finding.message == (
        "missing contact_person: a named contact person with a direct number; needs both "
        "{{ worker_name }} and {{ worker_phone }}"
    )
    # A placeholder in a Jinja comment does not count.
    card += "{# {{ worker_phone }} #}"
    assert [f.rule for f in lint_template("not_home_card", "nl", card, "card")] == [
        "missing-element"
    ]
    assert lint_template("not_home_card", "nl", card + "{{worker_phone}}", "card") == []


ELEMENT_PHRASES = [
    (lang, element, phrase)
    for lang, table in load_elements().items()
    for element, phrases in table.items()
    for phrase in phrases
]


@pytest.mark.parametrize(("lang", "element", "phrase"), ELEMENT_PHRASES)
def test_the_phrases_of_every_language_are_found(lang: str, element: str, phrase: str) -> None:
    # Capitalised, as a sentence would start ("Ücretsiz", "Kregen"): case does not matter.
    for text in (phrase, phrase[:1].upper() + phrase[1:], phrase.upper()):
        findings = lint_template("first_single", lang, f"<p>Iets. {text}.</p>", "letter")
        missing = {f.message.split(":")[0] for f in findings if f.rule == "missing-element"}
        assert f"missing {element}" not in missing
        assert len(missing) == len(ELEMENTS) - 1
    assert set(shipped_elements()[lang]) | {"contact_person"} == set(ELEMENTS)


# --- languages without Flesch: sentence length and long words ---------------------------------

PLAIN = {
    "tr": "Belki ödenmemiş bir faturanız var. Bu herkesin başına gelebilir. Size yardım "
    "etmek istiyoruz. Yardımımız ücretsizdir. Hiçbir yükümlülük yoktur. Adınızı enerji "
    "şirketinizden aldık. Bizi arayın ya da mesaj gönderin. Birlikte bir çözüm buluruz. Sizi "
    "dinlemek istiyoruz. Acele etmenize gerek yok. Ne zaman isterseniz bizi arayabilirsiniz.",
    "ar": "ربما لديكم فاتورة لم تدفع بعد. هذا قد يحدث لأي شخص. نريد أن نساعدكم. مساعدتنا "
    "مجانية ودون التزام. حصلنا على اسمكم من شركة الطاقة. اتصلوا بنا أو أرسلوا رسالة. "
    "معا نجد حلا. نحن هنا من أجلكم. نحن نستمع إليكم. لا داعي للعجلة. اتصلوا بنا متى شئتم.",
    "pl": "Może ma Pan lub Pani niezapłacony rachunek. To może zdarzyć się każdemu. Chcemy "
    "Panu lub Pani pomóc. Nasza pomoc jest bezpłatna i bez zobowiązań. Otrzymaliśmy Pana "
    "lub Pani dane od dostawcy energii. Prosimy o telefon albo wiadomość. Razem znajdziemy "
    "rozwiązanie. Chętnie Pana lub Panią wysłuchamy. Nie trzeba się spieszyć.",
    "uk": "Можливо, у вас є неоплачений рахунок. Це може статися з кожним. Ми хочемо вам "
    "допомогти. Наша допомога безкоштовна і без зобов'язань. Ми отримали ваше ім'я від "
    "постачальника енергії. Зателефонуйте нам або напишіть повідомлення. Разом ми знайдемо "
    "рішення. Ми охоче вас вислухаємо. Не треба поспішати.",
}
# Official-letter prose: sentences of 8-15 words (no sentence-length finding) full of long
# words.
DENSE = {
    "tr": "Belediyemiz tarafından gönderilen tebligata rağmen ödenmemiş borçlarınızın "
    "durumunu değerlendirmek amacıyla başvurunuzun incelenmesi gerekmektedir. "
    "Yükümlülüklerinizin yerine getirilmemesi halinde doğabilecek sonuçlardan müdürlüğümüz "
    "sorumlu tutulamayacaktır. Konuyla ilgili değerlendirmelerin tamamlanmasının ardından "
    "tarafınıza bilgilendirme yapılacaktır. Gerekli tüm belgelerin eksiksiz olarak "
    "müdürlüğümüze ulaştırılması önemle rica olunmaktadır.",
    "ar": "نحيطكم علما بأنه في حال عدم قيامكم بتسديد المستحقات المترتبة عليكم خلال المهلة "
    "المحددة. سيتم اتخاذ الإجراءات الإدارية اللازمة وفقا للأنظمة والتعليمات المعمول بها "
    "لدى الجهات المختصة. والتكاليف والمصاريف الإضافية المترتبة على ذلك ستكون على عاتقكم "
    "بالكامل. ونرجو منكم التكرم بمراجعة المكتب المختص لاستكمال الإجراءات المطلوبة "
    "والمستندات اللازمة.",
    "pl": "Uprzejmie informujemy, że w związku z nieuregulowaniem należności wynikających z "
    "zawartej umowy sprawa zostanie przekazana. Jednocześnie przypominamy o konieczności "
    "niezwłocznego uregulowania całości zadłużenia wraz z odsetkami ustawowymi. "
    "Ewentualne wyjaśnienia dotyczące przedmiotowego postępowania administracyjnego "
    "prosimy kierować pisemnie. Dokumentację uzupełniającą należy przedłożyć w siedzibie "
    "właściwego departamentu administracyjnego.",
    "uk": "Повідомляємо, що у зв'язку з неналежним виконанням договірних умов щодо "
    "своєчасної оплати утворилася заборгованість. Непогашення заборгованості призведе до "
    "передачі матеріалів справи відповідним територіальним органам для подальшого "
    "розгляду. Додаткові роз'яснення стосовно адміністративних процедур надаються "
    "відповідальними працівниками. Необхідну документацію слід надати до відповідного "
    "структурного підрозділу виконавчого комітету.",
}


@pytest.mark.parametrize("lang", sorted(PLAIN))
def test_plain_text_passes_without_flesch(lang: str) -> None:
    assert lint(f"<p>{PLAIN[lang]}</p>", lang) == []


@pytest.mark.parametrize("lang", sorted(DENSE))
def test_long_words_and_long_sentences_fail(lang: str) -> None:
    findings = lint(f"<p>{DENSE[lang]}</p>", lang)
    rules = {f.rule: f for f in findings if f.rule not in ("jargon", "threat")}
    assert set(rules) == {"long-words"}
    assert rules["long-words"].level == "error"
    assert "% of the words have" in rules["long-words"].message
    # The same words in one long run: the average (and that sentence) too long.
    one_sentence = DENSE[lang].replace(".", ",").rstrip(",") + "."
    findings = lint(f"<p>{one_sentence}</p>", lang)
    assert {(f.level, f.rule) for f in findings if f.rule not in ("jargon", "threat")} == {
        ("error", "long-words"),
        ("error", "average-sentence-length"),
        ("error", "sentence-length"),
    }
    assert "readability" not in {f.rule for f in findings}


# --- Jinja: syntax and variables -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("<p>a</p>\n<p>b</p>\n<p>{{ worker_name | }}</p>\n", 3, "expected token 'name'"),
        (
            "<p>a</p>\n{% for x in address_lines %}\n{{ x }}\n{% endif %}\n",
            4,
            "unknown tag 'endif'",
        ),
        # An unclosed block: Jinja names the line where the text after it starts (in the
        # renderer's sandbox, which trims the newline after a tag, the next line), as the
        # renderer does.
        ("<p>a</p>\n\n{% if appointment %}\n<p>Tot dan.</p>\n", 4, "endif"),
    ],
)
def test_syntax_error_with_line(source: str, line: int, message: str) -> None:
    findings = lint(source)
    assert triples(findings) == [("error", "jinja-syntax", line)]
    assert message in findings[0].message


def test_undefined_variables_with_their_first_line() -> None:
    source = (
        "{% extends 'letters/_layout.html' %}\n"
        "{% set together = partners | join(' en ') %}\n"
        "{% block body %}\n"
        "<p>{{ salutation }}, {{ together }} {{ lang }} {{ rtl }}</p>\n"
        "{% for item in address_lines %}{{ item }} {{ loop.index }}{% endfor %}\n"
        "<p>{{ worker_nmae }} en {{ bsn }}</p>\n"
        "<p>{{ bsn }}</p>\n"
        "{% endblock %}\n"
    )
    findings = lint(source)
    assert triples(findings) == [
        ("error", "undefined-variable", 6),
        ("error", "undefined-variable", 6),
    ]
    assert findings[0].message.startswith("'bsn' is not in the template context (known: ")
    assert findings[1].message.startswith("'worker_nmae' is not in the template context")


# --- thresholds --------------------------------------------------------------------------------


def test_config_override_changes_a_threshold(tmp_path: Path, settings) -> None:
    long_sentence = f"<p>{words(21)}</p>"
    assert triples(lint(long_sentence)) == [("error", "sentence-length", 1)]
    override = tmp_path / "lint.toml"
    override.write_text("[sentence]\nerror_above = 25\n\n[sentence.tr]\nwarning_above = 10\n")
    settings.OUTREACH_LINT_CONFIG = str(override)
    assert triples(lint(long_sentence)) == [("warning", "sentence-length", 1)]
    config = current_config()
    assert config.sentence_limits("tr").warning_above == 10
    assert config.sentence_limits("tr").error_above == 25  # from the [sentence] it overrides
    assert config.sentence_limits("nl").warning_above == 15  # the default
    # An edit is picked up.
    override.write_text("[sentence]\nwarning_above = 25\nerror_above = 25\n")
    assert lint(long_sentence) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[sentence]\nerror_above = 'many'\n",
            "field 'sentence.error_above': must be an integer, got 'many'",
        ),
        (
            "[sentence]\nwarning_above = 30\n",
            "field 'sentence.error_above': must be at least warning_above (30), got 20",
        ),
        (
            "[sms]\nmax_segment = 3\n",
            "field 'sms.max_segment': unknown key; did you mean 'max_segments'? allowed in [sms]",
        ),
        (
            "[smss]\n",
            "field 'smss': unknown key; did you mean 'sms'? allowed in a thresholds file: "
            "sentence, sms, readability",
        ),
        (
            "[readability.nl]\nwarning_below = 'sixty'\n",
            "field 'readability.nl.warning_below': must be a number, got 'sixty'",
        ),
        (
            "[readability.tr]\nmeasure = 'flesch'\n",
            "field 'readability.tr.measure': 'flesch' needs syllables",
        ),
        (
            "[readability.xx]\nmeasure = 'length'\n",
            "field 'readability.xx': unknown key; allowed in [readability]",
        ),
        (
            "[readability.pl]\nlong_share_error_above = 0.1\n",
            "field 'readability.pl.long_share_error_above': must be at least "
            "long_share_warning_above (0.2), got 0.1",
        ),
        ("[sms]\nucs2_warning = ['nl', 'de']\n", "field 'sms.ucs2_warning': unknown value 'de'"),
        ("[sentence\n", "line 1, column 10: TOML syntax error"),
    ],
)
def test_malformed_thresholds_give_precise_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    override = tmp_path / "lint.toml"
    override.write_text(content)
    with pytest.raises(LintDataError) as info:
        load_config(DEFAULTS_FILE, override)
    assert message in str(info.value)
    assert str(override) in str(info.value)


def test_shipped_data_files_load() -> None:
    config = load_config()
    assert config.sentence.warning_above == 15 and config.sentence.error_above == 20
    assert config.sms_max_segments == 2
    assert {lang: r.measure for lang, r in config.readability.items()} == {
        "nl": "flesch-douma",
        "en": "flesch",
        "tr": "length",
        "ar": "length",
        "pl": "length",
        "uk": "length",
    }
    assert set(load_elements()) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert load_word_list(WORDS_DIR / f"{lang}.toml").terms


# --- word lists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "message"),
    [
        (
            'text = "indien"\nkind = "jargon"\nlevel = "fatal"\nplain = "als"',
            "term[2] (text 'indien'): field 'level': unknown value 'fatal'; "
            "use one of: error, warning",
        ),
        (
            'text = "indien"\nkind = "jargon"',
            "term[2] (text 'indien'): field 'plain': missing; a term needs `plain`",
        ),
        (
            'text = "indien"\nkind = "rude"\nplain = "als"',
            "field 'kind': unknown value 'rude'; use one of: jargon, threat",
        ),
        ('text = "in*dien"\nkind = "jargon"\nplain = "als"', "'in*dien' is not a word or phrase"),
        (
            'text = "indien"\nkind = "jargon"\nplain = []',
            "field 'plain': must be a string or a non-empty list of strings",
        ),
        (
            'text = "indien"\nkind = "jargon"\nplian = "als"',
            "field 'plian': unknown key; did you mean 'plain'?",
        ),
        (
            'kind = "jargon"\nplain = "als"',
            "term[2]: field 'text': missing; must be a non-empty string",
        ),
    ],
)
def test_malformed_words_file_gives_a_precise_error(
    tmp_path: Path, term: str, message: str
) -> None:
    path = tmp_path / "nl.toml"
    path.write_text(
        f'[[term]]\ntext = "thans"\nkind = "jargon"\nplain = "nu"\n\n[[term]]\n{term}\n'
    )
    with pytest.raises(LintDataError) as info:
        load_word_list(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_malformed_elements_file_gives_a_precise_error(tmp_path: Path) -> None:
    path = tmp_path / "elements.toml"
    path.write_text(DEFAULTS_FILE.with_name("elements.toml").read_text().replace("gratis", ""))
    with pytest.raises(LintDataError, match=r"field 'nl\.free': must not hold an empty string"):
        load_elements(path)


def test_every_problem_of_a_thresholds_file_is_reported_at_once(tmp_path: Path) -> None:
    override = tmp_path / "lint.toml"
    override.write_text(
        "[sentence]\nerror_above = 'many'\n\n[sms]\nmax_segment = 3\n\n"
        "[readability.uk]\nlong_share_warning_above = 1.5\n"
    )
    with pytest.raises(LintDataError) as info:
        load_config(DEFAULTS_FILE, override)
    assert [problem.field for problem in info.value.problems] == [
        "sentence.error_above",
        "sms.max_segment",
        "readability.uk.long_share_warning_above",
    ]
    assert "must be between 0 and 1, got 1.5" in str(info.value)


def test_every_bad_term_of_a_word_list_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "nl.toml"
    path.write_text(
        '[[term]]\ntext = "thans"\nkind = "jargon"\n\n'
        '[[term]]\ntext = "in*dien"\nkind = "jargon"\nplain = "als"\n\n'
        '[[term]]\ntext = "alsmede"\nkind = "rude"\nplain = "en"\n'
    )
    with pytest.raises(LintDataError) as info:
        load_word_list(path)
    assert [(p.location, p.field) for p in info.value.problems] == [
        ("term[1] (text 'thans')", "plain"),
        ("term[2] (text 'in*dien')", "text"),
        ("term[3] (text 'alsmede')", "kind"),
    ]
