"""The Jinja side of a template: syntax errors, unknown variables and constants past the
render's limits, with their lines.

The template is parsed and analysed in the renderer's own sandbox (texts/sandbox.py), under its
limits: what the sandbox refuses to parse (`{% autoescape %}`), a filter it does not have and a
constant expression it would refuse to build (`{{ 'a' * 10**9 }}`: texts/constant_limits.py) are
errors here, found without evaluating anything outside those limits.

A template may use the names of context.CONTEXT_NAMES, `lang` and `rtl` (which the renderer
adds), `range` (the one global the renderer's sandbox keeps) and what it sets itself.
"""

from jinja2 import TemplateSyntaxError, nodes

from outreach.messaging.lint.findings import ERROR, Finding
from outreach.messaging.texts.constant_limits import constant_limits
from outreach.messaging.texts.context import CONTEXT_NAMES
from outreach.messaging.texts.render_checks import unknown_filters
from outreach.messaging.texts.rendering import LIMIT
from outreach.messaging.texts.sandbox import (
    DEFAULT_MAX_CHARS,
    MessageSandbox,
    find_undeclared_variables,
)

CONTEXT = frozenset(CONTEXT_NAMES) | {"lang", "rtl"}
_ENV = MessageSandbox(autoescape=False)
ALLOWED = CONTEXT | set(_ENV.globals)
DEFAULT_RENDER_SECONDS = 2.0  # settings.OUTREACH_RENDER_TIMEOUT's default


def check_jinja(template: str, lang: str, source: str) -> tuple[bool, list[Finding]]:
    """(parses, findings): a syntax error; else filters the sandbox does not have, constants
    past its limits and every unknown variable at its first line."""
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        return False, [
            Finding(template, lang, ERROR, "jinja-syntax", exc.lineno or 1, exc.message or "")
        ]
    seconds, max_chars = _render_limits()
    findings = [
        Finding(template, lang, ERROR, LIMIT, line, message)
        for message, line in constant_limits(tree, _ENV, seconds, max_chars)
    ]
    filters = unknown_filters(tree, _ENV)
    findings += [
        Finding(template, lang, ERROR, "unknown-filter", line or 1, message)
        for message, line in filters
    ]
    if filters:  # (finding the names compiles the tree, which needs known filters)
        return True, findings
    return True, findings + _unknown_names(template, lang, tree)


def _unknown_names(template: str, lang: str, tree: nodes.Template) -> list[Finding]:
    unknown = find_undeclared_variables(tree) - ALLOWED - _top_level_names(tree)
    first_line: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.ctx == "load":
            first_line[node.name] = min(first_line.get(node.name, node.lineno), node.lineno)
    # The renderer's message (rendering.check_source), so the editor shows it once.
    known = ", ".join(sorted(CONTEXT))
    return [
        Finding(
            template,
            lang,
            ERROR,
            "undefined-variable",
            first_line.get(name, 1),
            f"'{name}' is not in the template context (known: {known})",
        )
        for name in sorted(unknown, key=lambda n: (first_line.get(n, 1), n))
    ]


def _render_limits() -> tuple[float, int]:
    """The render's deadline and output limit (settings), or their defaults: the linter also
    runs without Django settings."""
    try:
        from django.conf import settings

        return float(settings.OUTREACH_RENDER_TIMEOUT), int(settings.OUTREACH_RENDER_MAX_CHARS)
    except Exception:
        return DEFAULT_RENDER_SECONDS, DEFAULT_MAX_CHARS


def _top_level_names(node: nodes.Node) -> set[str]:
    """Names a child template sets outside its blocks: Jinja runs those before the layout,
    and the blocks see them (find_undeclared_variables looks at each block alone)."""
    names: set[str] = set()
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            continue
        stored = getattr(child, "ctx", "store") == "store"
        if isinstance(child, nodes.Name | nodes.Macro) and stored:
            names.add(child.name)
        elif isinstance(child, nodes.Import):
            names.add(child.target)
        elif isinstance(child, nodes.FromImport):
            names.update(n if isinstance(n, str) else n[1] for n in child.names)
        names |= _top_level_names(child)
    return names
