"""Constant expressions past the sandbox's limits, found without rendering (the linter's
`template-limit`): `{{ 'a' * 10**9 }}`, `{{ 10**10**10 }}`, `{% for i in range(10**9) %}`.

Each expression made of literals only is evaluated bottom-up, once per node, with the
sandbox's own operations (its checked binary operators, concatenation, containers, `range`
and filters) under a `Budget` of the render's limits, so a value past a limit is refused
before it is built, as at render. An expression that depends on the context, or fails
otherwise (a type error, a division by zero), is left to the render.
"""

from typing import Any, cast

from jinja2 import nodes
from jinja2.nodes import EvalContext

from outreach.messaging.texts.sandbox import (
    LOOP_GUARD,
    Budget,
    LimitExceeded,
    MessageSandbox,
    current_budget,
    safe_range,
)

Finding = tuple[str, int]  # (message, line)


class _Unknown:
    """The value of an expression that is not known before the render."""


UNKNOWN = _Unknown()
_UNARY = {"neg": lambda v: -v, "pos": lambda v: +v, "not": lambda v: not v}


def constant_limits(
    tree: nodes.Template, env: MessageSandbox, seconds: float, max_chars: int
) -> list[Finding]:
    """Every constant expression of `tree` the render would refuse, with its line, once."""
    folder = _Folder(env, tree)
    token = current_budget.set(Budget(seconds, max_chars))
    try:
        folder.visit(tree)
    finally:
        current_budget.reset(token)
    return list(dict.fromkeys(folder.findings))


class _Folder:
    def __init__(self, env: MessageSandbox, tree: nodes.Template) -> None:
        self.env = env
        self.eval_ctx = EvalContext(env)
        self.findings: list[Finding] = []
        # A template that assigns `range` itself does not call the sandbox's.
        self.own_range = any(
            name.name == "range" for name in tree.find_all(nodes.Name) if name.ctx != "load"
        )

    def visit(self, node: nodes.Node) -> Any:
        """The value of `node` when it is constant, else UNKNOWN; every node below it is
        visited once, and a limit one of them goes past is a finding."""
        try:
            return self._evaluate(node)
        except LimitExceeded as exc:
            self.findings.append((str(exc), node.lineno or 1))
        except _NotConstant:
            pass
        except Exception:  # a constant that fails otherwise: the render says what is wrong
            pass
        return UNKNOWN

    def _value(self, node: nodes.Node) -> Any:
        value = self.visit(node)
        if value is UNKNOWN:
            raise _NotConstant()
        return value

    def _values(self, items: list[Any]) -> list[Any]:
        """The values of `items`, each visited even when an earlier one is not constant."""
        values = [self.visit(item) for item in items]
        if any(value is UNKNOWN for value in values):
            raise _NotConstant()
        return values

    def _evaluate(self, node: nodes.Node) -> Any:
        env = self.env
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.List | nodes.Tuple) and getattr(node, "ctx", "load") == "load":
            items = self._values(node.items)
            return env.checked_container(items if isinstance(node, nodes.List) else tuple(items))
        if isinstance(node, nodes.Dict):
            pairs = self._values([p.key for p in node.items] + [p.value for p in node.items])
            half = len(node.items)
            return env.checked_container(dict(zip(pairs[:half], pairs[half:], strict=True)))
        if isinstance(node, nodes.BinExpr):
            left, right = self._values([node.left, node.right])
            return env.call_binop(None, node.operator, left, right)  # type: ignore[arg-type]
        if isinstance(node, nodes.UnaryExpr):
            return _UNARY[node.operator](self._value(node.node))
        if isinstance(node, nodes.Concat):
            return env.checked_concat(False, tuple(self._values(node.nodes)))
        if isinstance(node, nodes.Call) and self._is_range(node):
            return safe_range(*self._values(node.args))
        if isinstance(node, nodes.Filter) and self._is_filter(node):
            assert node.node is not None
            keywords = cast(list[nodes.Keyword], node.kwargs)
            values = self._values([node.node, *node.args, *(k.value for k in keywords)])
            value, args = values[0], values[1 : 1 + len(node.args)]
            kwargs = values[1 + len(node.args) :]
            return env.call_filter(
                node.name,
                value,
                args,
                {keyword.key: kwarg for keyword, kwarg in zip(keywords, kwargs, strict=True)},
                eval_ctx=self.eval_ctx,
            )
        for child in node.iter_child_nodes():
            self.visit(child)
        return UNKNOWN

    def _is_range(self, node: nodes.Call) -> bool:
        return (
            isinstance(node.node, nodes.Name)
            and node.node.name == "range"
            and not self.own_range
            and not node.kwargs
            and _plain_call(node)
        )

    def _is_filter(self, node: nodes.Filter) -> bool:
        return (
            node.node is not None
            and node.name != LOOP_GUARD
            and node.name in self.env.filters
            and _plain_call(node)
        )


class _NotConstant(Exception):
    """An expression with a part that is not known before the render."""


def _plain_call(node: nodes.Call | nodes.Filter) -> bool:
    """No `*args` or `**kwargs` in the call."""
    return node.dyn_args is None and node.dyn_kwargs is None
