"""The readability and tone checker for message templates (`outreach lint-templates` and the
template editor).

    lint_template(name, lang, source, kind=None, *, config=None) -> list[Finding]
        one text as the editor has it; ordered by line
    lint_paths(paths=None, *, config=None) -> list[Finding]
        files and folders (default: settings.OUTREACH_TEMPLATES_DIR); name and language from
        the path (letters/<name>/<lang>.html, sms/<name>/<lang>.txt), "_*" files skipped
    lint_file(path, config=None) -> list[Finding]      one file of such a folder
    sms_preview(source, lang) -> SmsMeasure            encoding, length, segments (sample data)
    warm_up()                                          load dictionaries and word lists ahead

Rules (rule name: level; thresholds in thresholds.toml):
- jinja-syntax (also what the renderer's sandbox refuses to parse), undefined-variable (a name
  outside the template context), unknown-filter (one the sandbox does not have), template-limit
  (a constant the render would refuse to build, e.g. `'a' * 10**9`): error. The template is
  parsed and analysed in the renderer's sandbox under its limits (lint/jinja.py).
- sentence-length: a warning above 15 words, an error above 20
- readability (nl Flesch-Douma, en Flesch reading ease): a warning below 60, an error below
  45; average-sentence-length and long-words for tr, ar, pl and uk (readability.py). Only for
  texts of 40 words or more.
- jargon (a warning) and threat (an error): words/<lang>.toml, with the plain alternative
- missing-element: error, an element the catalogue requires (elements.toml)
- sms-encoding: a warning when a Dutch or English SMS needs UCS-2, naming the character
- sms-segments: error, more than 2 segments with the sample context; render: error, an SMS
  that does not render on the sample context
- unknown-template (warning), unknown-language and file (not UTF-8): errors

Thresholds: thresholds.toml, overridden by the file the setting OUTREACH_LINT_CONFIG names.
"""

from collections.abc import Iterable
from pathlib import Path

from outreach.messaging.lint.config import LENGTH, LintConfig, current_config
from outreach.messaging.lint.data import LintDataError
from outreach.messaging.lint.elements import check_elements, shipped_elements
from outreach.messaging.lint.findings import ERROR, WARNING, Finding, has_errors
from outreach.messaging.lint.jinja import check_jinja
from outreach.messaging.lint.readability import check_readability, syllables
from outreach.messaging.lint.sms import SmsMeasure, describe_char, measure
from outreach.messaging.lint.terms import find_terms, word_list
from outreach.messaging.lint.text import Sentence, checkable_text, sentences
from outreach.messaging.texts.catalogue import LANGUAGES, LETTER, SMS, TEMPLATES
from outreach.messaging.texts.context import TemplateContext, sample_context
from outreach.messaging.texts.rendering import RenderError, render_text

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "LintDataError",
    "has_errors",
    "lint_file",
    "lint_paths",
    "lint_template",
    "sms_preview",
    "template_files",
    "warm_up",
]

SUFFIXES = (".html", ".txt")
_LEVEL_ORDER = {ERROR: 0, WARNING: 1}


def default_templates_dir() -> Path | None:
    try:
        from django.conf import settings

        return Path(settings.OUTREACH_TEMPLATES_DIR)
    except Exception:  # no Django settings: the linter also runs without them
        return None


def lint_template(
    name: str,
    lang: str,
    source: str,
    kind: str | None = None,
    *,
    config: LintConfig | None = None,
    sample: TemplateContext | None = None,
) -> list[Finding]:
    """Every finding for one template's source, ordered by line. `kind` (letter, card, sms)
    defaults to the catalogue's, else letter; `config` to current_config(); an SMS is measured
    on `sample` (default sample_context(lang), e.g. a municipality's own letterhead)."""
    config = config or current_config()
    spec = TEMPLATES.get(name)
    kind = kind or (spec.kind if spec else LETTER)
    findings: list[Finding] = []
    if spec is None:
        findings.append(
            Finding(name, lang, WARNING, "unknown-template", 1, f"'{name}' is not in the catalogue")
        )
    parses, jinja_findings = check_jinja(name, lang, source)
    findings += jinja_findings
    if lang not in LANGUAGES:
        findings.append(
            Finding(
                name,
                lang,
                ERROR,
                "unknown-language",
                1,
                f"unknown language '{lang}'; expected one of {', '.join(LANGUAGES)}",
            )
        )
        return _ordered(findings)
    text = checkable_text(source, markup=kind != SMS)
    words = word_list(lang)
    found = sentences(text, words.abbreviations)
    findings += _sentence_lengths(name, lang, found, config)
    findings += find_terms(text, words, name)
    findings += check_readability(name, lang, found, config)
    if spec is not None:
        findings += check_elements(name, lang, source, text, spec.required)
    if kind == SMS and parses and not jinja_findings:
        findings += _sms(name, lang, source, config, sample)
    return _ordered(findings)


def warm_up(languages: Iterable[str] = LANGUAGES) -> None:
    """Load what the first lint of a language would (thresholds, word lists, element phrases,
    the hyphenation dictionary: some 70-110 ms for nl or en), e.g. when the editor starts."""
    config = current_config()
    shipped_elements()
    for lang in languages:
        word_list(lang)
        if config.readability[lang].measure != LENGTH:
            syllables("gemeente", lang)


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line, _LEVEL_ORDER.get(f.level, 2), f.rule))


def _sentence_lengths(
    name: str, lang: str, found: list[Sentence], config: LintConfig
) -> list[Finding]:
    limits = config.sentence_limits(lang)
    findings = []
    for sentence in found:
        count = len(sentence.words)
        if count <= limits.warning_above:
            continue
        level = ERROR if count > limits.error_above else WARNING
        limit = limits.error_above if level == ERROR else limits.warning_above
        start = " ".join(sentence.text.split()[:8])
        findings.append(
            Finding(
                name,
                lang,
                level,
                "sentence-length",
                sentence.line,
                f'sentence of {count} words (at most {limit}): "{start} ..."',
            )
        )
    return findings


def sms_preview(source: str, lang: str, sample: TemplateContext | None = None) -> SmsMeasure:
    """Encoding, length and segments of an SMS rendered (rendering.render_text) with `sample`
    (default sample_context(lang)), trimmed. Raises rendering.RenderError when it does not
    render."""
    return measure(render_text(source, sample or sample_context(lang), lang).strip())


def _sms(
    name: str, lang: str, source: str, config: LintConfig, sample: TemplateContext | None
) -> list[Finding]:
    try:
        sms = sms_preview(source, lang, sample)
    except RenderError as exc:
        return [Finding(name, lang, ERROR, "render", exc.line or 1, exc.message)]
    findings = []
    where = ""
    line = 1
    if sms.forcing_char is not None:
        shown = describe_char(sms.forcing_char)
        offset = source.find(sms.forcing_char)
        if offset >= 0:
            line = source.count("\n", 0, offset) + 1
        else:
            shown += " (from the sample data)"
        where = f", because of {shown}"
        if lang in config.ucs2_warning:
            findings.append(
                Finding(
                    name,
                    lang,
                    WARNING,
                    "sms-encoding",
                    line,
                    f"UCS-2{where}: not in GSM-7, so a segment holds 67 characters instead of "
                    f"153 ({sms.segments} segment(s) now)",
                )
            )
    if sms.segments > config.sms_max_segments:
        findings.append(
            Finding(
                name,
                lang,
                ERROR,
                "sms-segments",
                1,
                f"{sms.segments} segments ({sms.encoding}{where}, {sms.length} characters with "
                f"the sample data); at most {config.sms_max_segments}",
            )
        )
    return findings


def template_files(paths: Iterable[Path]) -> list[Path]:
    """The template files of files and folders, layout partials ("_*") left out. Raises
    FileNotFoundError for a path that does not exist."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                file
                for file in path.rglob("*")
                if file.is_file() and file.suffix in SUFFIXES and not file.name.startswith("_")
            )
        elif path.is_file():
            if not path.name.startswith("_"):
                found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def lint_file(path: Path, config: LintConfig | None = None) -> list[Finding]:
    """templates/letters/<name>/<lang>.html or templates/sms/<name>/<lang>.txt: the name and
    the language from the path, the kind from the catalogue or else from the folder."""
    name, lang = path.parent.name, path.stem
    spec = TEMPLATES.get(name)
    if spec is not None:
        kind = spec.kind
    else:
        kind = SMS if path.parent.parent.name == "sms" or path.suffix == ".txt" else LETTER
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        findings = [Finding(name, lang, ERROR, "file", 1, f"not UTF-8: {exc}")]
    else:
        findings = lint_template(name, lang, source, kind, config=config)
    return [_with_file(finding, str(path)) for finding in findings]


def _with_file(finding: Finding, file: str) -> Finding:
    return Finding(**{**finding.__dict__, "file": file})


def lint_paths(
    paths: Iterable[Path | str] | None = None, *, config: LintConfig | None = None
) -> list[Finding]:
    """Every finding of the templates in `paths` (files or folders; default: the templates
    dir), file by file, each finding with its `file`."""
    chosen = [Path(p) for p in paths] if paths else []
    if not chosen:
        default = default_templates_dir()
        if default is None:
            raise FileNotFoundError("no paths given and no OUTREACH_TEMPLATES_DIR setting")
        chosen = [default]
    config = config or current_config()
    findings = []
    for path in template_files(chosen):
        findings += lint_file(path, config)
    return findings
