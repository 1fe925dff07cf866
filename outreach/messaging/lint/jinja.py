"""The Jinja side of a template: syntax errors and unknown variables, with their lines.

A template may use the names of context.CONTEXT_NAMES, `lang` and `rtl` (which the renderer
adds), `range` (the one global the renderer's sandbox keeps) and what it sets itself.
"""

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from outreach.messaging.lint.findings import ERROR, Finding
from outreach.messaging.texts.context import CONTEXT_NAMES

CONTEXT = frozenset(CONTEXT_NAMES) | {"lang", "rtl"}
ALLOWED = CONTEXT | {"range"}
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined)


def check_jinja(template: str, lang: str, source: str) -> tuple[bool, list[Finding]]:
    """(parses, findings): a syntax error, or every unknown variable at its first line."""
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        return False, [
            Finding(template, lang, ERROR, "jinja-syntax", exc.lineno or 1, exc.message or "")
        ]
    unknown = meta.find_undeclared_variables(tree) - ALLOWED - _top_level_names(tree)
    first_line: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.ctx == "load":
            first_line[node.name] = min(first_line.get(node.name, node.lineno), node.lineno)
    # The renderer's message (rendering.check_source), so the editor shows it once.
    known = ", ".join(sorted(CONTEXT))
    findings = [
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
    return True, findings


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
