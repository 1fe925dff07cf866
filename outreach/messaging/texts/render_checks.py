"""The static checks of a template's syntax tree at publish (rendering.check_source): names
outside the documented context, filters and tests the sandbox does not have, and templates
that load other templates. Each finding is (message, line)."""

from jinja2 import nodes
from jinja2.environment import Environment

from outreach.messaging.texts.catalogue import SMS
from outreach.messaging.texts.context import CONTEXT_NAMES
from outreach.messaging.texts.sandbox import LOOP_GUARD, PARTIAL, find_undeclared_variables

# What the renderer adds to the documented context.
RENDERER_NAMES = ("lang", "rtl")
KNOWN_NAMES = frozenset(CONTEXT_NAMES) | frozenset(RENDERER_NAMES)

Finding = tuple[str, int | None]


def check_tree(tree: nodes.Template, env: Environment, kind: str) -> list[Finding]:
    findings = unknown_filters(tree, env) + _loads(tree, kind)
    if not findings:  # (finding the names compiles the tree, which needs known filters)
        findings = _unknown_names(tree, env)
    return sorted(findings, key=lambda finding: finding[1] or 0)


def _unknown_names(tree: nodes.Template, env: Environment) -> list[Finding]:
    unknown = find_undeclared_variables(tree) - KNOWN_NAMES - set(env.globals)
    first_use: dict[str, int] = {}
    for name in tree.find_all(nodes.Name):
        if name.name in unknown and name.ctx == "load":
            first_use.setdefault(name.name, name.lineno)
    known = ", ".join(sorted(KNOWN_NAMES))
    return [
        (f"'{name}' is not in the template context (known: {known})", first_use.get(name))
        for name in sorted(unknown)
    ]


def unknown_filters(tree: nodes.Template, env: Environment) -> list[Finding]:
    findings: list[Finding] = []
    for node in tree.find_all(nodes.Filter):
        if node.name == LOOP_GUARD:  # the sandbox's own, around every {% for %}
            continue
        if node.name not in env.filters or node.name.startswith("_"):
            findings.append((f"the filter '{node.name}' is not allowed", node.lineno))
    for test in tree.find_all(nodes.Test):
        if test.name not in env.tests:
            findings.append((f"the test '{test.name}' does not exist", test.lineno))
    return findings


def _loads(tree: nodes.Template, kind: str) -> list[Finding]:
    findings: list[Finding] = []
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        assert isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport)
        target = node.template
        if kind == SMS:
            findings.append(("an SMS template cannot extend or include templates", node.lineno))
        elif not (
            isinstance(target, nodes.Const)
            and isinstance(target.value, str)
            and PARTIAL.fullmatch(target.value)
        ):
            findings.append(("only letters/_<name>.html can be extended or included", node.lineno))
    return findings
