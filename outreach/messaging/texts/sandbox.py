"""The Jinja2 sandbox that message templates run in (rendering.py is the public API).

Communication staff write the templates, so a template is untrusted code: it runs in an
`ImmutableSandboxedEnvironment` with `StrictUndefined`, and on top of Jinja's sandbox:

- globals: only `range`, at most `MAX_RANGE` items (no `cycler`, `joiner`, `namespace`,
  `lipsum`, `dict`);
- filters: only `ALLOWED_FILTERS`, with `join` and `replace` checked for output size
  (no `attr`, `format`, `safe`, `indent`, `wordwrap`, `center`, `map`, `tojson`, `urlize`...);
- calls: only macros, `caller`, `super()`, `loop.cycle`/`loop.changed` and `SAFE_METHODS` of
  strings and dicts (`"{0.__class__}".format(x)` and every other method call is refused);
- `*`, `**`, `+`, `~` and list, tuple and dict literals are checked for the size of their
  result (`weigh`: strings, nested lists, integers), and `%` on a string (printf formatting)
  is refused;
- `{% autoescape %}` is refused (it would switch escaping off in letters);
- every `{% for %}` counts its iterations against `MAX_LOOP_ITERATIONS` and checks the render's
  deadline, as do attribute access, calls and filters; captured output (macros, `{% set %}` blocks,
  `{% filter %}`) and every value the template builds (by operators, filters, method calls and
  slices) count against `MAX_CAPTURED_FACTOR` times the output limit, so values each under the
  limit cannot add up (`[s * 99999, s * 99999, ...]`, or a `{% set %}` each);
- a letter may extend or include only `letters/_<name>.html` (and `.css`): `PartialsLoader`;
- nothing is evaluated while a template is parsed, compiled or analysed (Jinja's optimizer
  would fold `'a' * 10**9` or a chain of filters on constants outside every limit): all of it
  runs at render, under the budget. `constant_limits` finds constants past the limits statically.

The per-render limits (deadline, output size) are a `Budget` held in a context variable while
rendering.py renders; outside a render only the size limits apply.
"""

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from types import BuiltinMethodType, MethodType
from typing import Any

from jinja2 import (
    BaseLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    Undefined,
    meta,
    nodes,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import Environment
from jinja2.exceptions import TemplateSyntaxError
from jinja2.filters import FILTERS, do_replace, make_attrgetter, sync_do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import BlockReference, Context, LoopContext, Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_RANGE = 1000
MAX_LOOP_ITERATIONS = 100_000
MAX_INT_BITS = 1024
MAX_CAPTURED_FACTOR = 5
DEFAULT_MAX_CHARS = 200_000

ALLOWED_FILTERS = (
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "int",
    "items",
    "last",
    "length",
    "list",
    "lower",
    "reverse",
    "sort",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
)
# Methods a template may call; everything else is a filter's job.
SAFE_METHODS = frozenset(
    {"items", "keys", "values", "get", "upper", "lower", "strip", "title", "capitalize"}
    | {"startswith", "endswith", "isdigit"}
)
LOOP_GUARD = "__loop_guard__"  # the filter every {% for %} iterable is wrapped in
PARTIAL = re.compile(r"letters/_[a-z0-9_]+\.(?:html|css)")


class LimitExceeded(Exception):
    """A template went past one of the sandbox's limits."""


class Budget:
    """The limits of one render: a deadline, the output size, loop iterations."""

    __slots__ = ("captured", "deadline", "iterations", "max_chars", "seconds")

    def __init__(self, seconds: float, max_chars: int) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.max_chars = max_chars
        self.iterations = 0
        self.captured = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"rendering took longer than {self.seconds:g} s")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_LOOP_ITERATIONS:
            raise LimitExceeded(f"loops ran more than {MAX_LOOP_ITERATIONS} times in all")
        self.tick()

    def capture(self, chars: int) -> None:
        self.captured += chars
        if self.captured > self.max_chars * MAX_CAPTURED_FACTOR:
            raise LimitExceeded("the template builds too much text")


current_budget: ContextVar[Budget | None] = ContextVar("outreach_render_budget", default=None)


def max_chars() -> int:
    budget = current_budget.get()
    return DEFAULT_MAX_CHARS if budget is None else budget.max_chars


def check_size(size: int) -> None:
    limit = max_chars()
    if size > limit:
        raise LimitExceeded(f"a value of {size} characters or items; the limit is {limit}")


def build(size: int) -> None:
    """`check_size` of a value about to be built, which also counts against the render's
    budget of built text."""
    check_size(size)
    budget = current_budget.get()
    if budget is not None:
        budget.capture(size)


def built(value: Any) -> Any:
    """`value` (a filter's or a method's result, a slice) counted against the render's budget
    of built text when it is text or a container."""
    budget = current_budget.get()
    if budget is not None and isinstance(value, str | list | tuple | dict):
        budget.capture(weigh(value))
    return value


def weigh(value: Any) -> int:
    """The size of `value` as text, roughly: characters of strings, one for anything else,
    through lists, tuples and dicts. It stops past the limit, so a structure that shares one
    list many times over (`[c, c, c]`, `[c] * 1000`) costs at most the limit to weigh."""
    limit = max_chars()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple):
            total += 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
        if total > limit:
            raise LimitExceeded(f"a value of more than {limit} characters or items")
    return total


def safe_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"range() is limited to {MAX_RANGE} items")
    return numbers


def _ticking(function: Callable[..., Any], counted: bool = True) -> Callable[..., Any]:
    """`function` (a filter) checking the render's deadline first and, when `counted` (it
    does not count what it builds itself), counting its result as built."""

    @functools.wraps(function)  # (keeps Jinja's pass_eval_context mark)
    def ticking(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget.get()
        if budget is None:
            return function(*args, **kwargs)
        budget.tick()
        result = function(*args, **kwargs)
        return built(result) if counted else result

    return ticking


def _guarded(iterable: Iterable[Any], budget: Budget) -> Iterator[Any]:
    for item in iterable:
        budget.iterate()
        yield item


def loop_guard(iterable: Any) -> Any:
    budget = current_budget.get()
    return iterable if budget is None else _guarded(iterable, budget)


@pass_eval_context
def checked_join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    build(sum(len(str(item)) for item in items) + len(str(d)) * len(items))
    return sync_do_join(eval_ctx, items, d)


@pass_eval_context
def checked_replace(
    eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None
) -> str:
    text, old_text, new_text = str(s), str(old), str(new)
    hits = text.count(old_text) if old_text else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    build(len(text) + hits * max(0, len(new_text) - len(old_text)))
    return do_replace(eval_ctx, s, old, new, count)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "%" and isinstance(left, str):
        raise SecurityError("string formatting with % is not allowed")
    if operator == "*":
        if _is_sequence(left) and _is_int(right):
            build(weigh(left) * right)
        elif _is_int(left) and _is_sequence(right):
            build(left * weigh(right))
        elif _is_int(left) and _is_int(right):
            _check_bits(left.bit_length() + right.bit_length())
    elif operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
        _check_bits(left.bit_length() * right)
    elif operator == "+" and _is_sequence(left) and _is_sequence(right):
        build(weigh(left) + weigh(right))


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise LimitExceeded("a number that large is not allowed")


class CheckedBuffer(list[str]):
    """The buffer of captured output (macros, `{% set %}` blocks), counted against the budget."""

    __slots__ = ("budget",)

    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self.budget = budget

    def append(self, item: str) -> None:
        self.budget.capture(len(item))
        super().append(item)

    def extend(self, items: Iterable[str]) -> None:
        items = tuple(items)
        self.budget.capture(sum(map(len, items)))
        super().extend(items)


class GuardedCodeGenerator(CodeGenerator):
    """Jinja's code generator with checked buffers, a size-checked `~` and size-checked list,
    tuple and dict literals, that folds no expression into a constant (`optimized=False` stops
    the optimizer; this stops the folding of output that Jinja does apart from it)."""

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        if not isinstance(node, nodes.TemplateData | nodes.Const):
            raise nodes.Impossible()
        return super()._output_child_to_const(node, frame, finalize)

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self.write("environment.checked_container(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):  # (slices bypass environment.getitem)
            super().visit_Getitem(node, frame)
            return
        self.write("environment.built(")
        super().visit_Getitem(node, frame)
        self.write(")")

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("environment.checked_container(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target: {% for a, b in ... %}
            super().visit_Tuple(node, frame)
            return
        self.write("environment.checked_container(")
        super().visit_Tuple(node, frame)
        self.write(")")

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.new_buffer()")

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.autoescape"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write(f"environment.checked_concat({markup}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _NameTracker(meta.TrackingCodeGenerator, GuardedCodeGenerator):
    """Jinja's introspection (`meta.find_undeclared_variables`) on the guarded generator,
    without the optimizer that Jinja's own always runs."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.optimizer = None


def find_undeclared_variables(tree: nodes.Template) -> set[str]:
    """`jinja2.meta.find_undeclared_variables` for a tree the sandbox parsed, evaluating
    nothing (Jinja's folds constant expressions, outside every limit). Raises
    TemplateAssertionError for a filter or test the environment does not have."""
    environment = tree.environment
    assert environment is not None  # (set by parse)
    tracker = _NameTracker(environment)
    tracker.visit(tree)
    return tracker.undeclared_identifiers


class PartialsLoader(FileSystemLoader):
    """Loads only the shared parts of letters: `letters/_<name>.html` (or `.css`)."""

    def get_source(self, environment: Environment, template: str) -> Any:
        if not PARTIAL.fullmatch(template):
            raise TemplateNotFound(
                f"{template} (a template may only extend or include letters/_<name>.html)"
            )
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if PARTIAL.fullmatch(name)]


class NoLoader(BaseLoader):
    """The loader of SMS templates, which load nothing."""

    def get_source(self, environment: Environment, template: str) -> Any:
        raise TemplateNotFound(f"{template} (an SMS template cannot include other templates)")


class MessageSandbox(ImmutableSandboxedEnvironment):
    """The sandbox for message templates; see the module's docstring for the policy."""

    code_generator_class = GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *, autoescape: bool, loader: BaseLoader | None = None) -> None:
        super().__init__(
            autoescape=autoescape,
            undefined=StrictUndefined,
            loader=loader or NoLoader(),
            trim_blocks=True,
            lstrip_blocks=True,
            cache_size=64,
            optimized=False,
        )
        self.globals.clear()
        self.globals["range"] = safe_range
        filters = {name: _ticking(FILTERS[name]) for name in ALLOWED_FILTERS}
        filters.update(
            join=_ticking(checked_join, counted=False),
            replace=_ticking(checked_replace, counted=False),
        )
        self.filters = filters
        self.filters[LOOP_GUARD] = loop_guard

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for modifier in tree.find_all(nodes.EvalContextModifier):
            raise TemplateSyntaxError(
                "{% autoescape %} is not allowed in message templates",
                modifier.lineno,
                name,
                filename,
            )
        for loop in tree.find_all(nodes.For):
            guard = nodes.Filter(loop.iter, LOOP_GUARD, [], [], None, None, lineno=loop.lineno)
            loop.iter = guard.set_environment(self)
        return tree

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return self.binop_table[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        budget = current_budget.get()
        if budget is not None:
            budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget = current_budget.get()
        if budget is not None:
            budget.tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget.get()
        if budget is not None:
            budget.tick()
        if isinstance(__obj, Undefined):
            __obj._fail_with_undefined_error()
        if not callable_allowed(__obj):
            raise SecurityError(f"calling {_callable_name(__obj)} is not allowed in a template")
        result = __context.call(__obj, *args, **kwargs)
        return result if budget is None else built(result)

    def new_buffer(self) -> list[str]:
        budget = current_budget.get()
        return [] if budget is None else CheckedBuffer(budget)

    def built(self, value: Any) -> Any:
        return built(value)

    def checked_container(self, value: Any) -> Any:
        weigh(value)
        return value

    def checked_concat(self, markup: bool, parts: tuple[Any, ...]) -> str:
        build(sum(len(str(part)) for part in parts))
        joined: str = markup_join(parts) if markup else str_join(parts)
        check_size(len(joined))
        return joined


def callable_allowed(obj: Any) -> bool:
    if obj is safe_range or isinstance(obj, Macro | BlockReference | LoopContext):
        return True
    if isinstance(obj, BuiltinMethodType):
        return isinstance(obj.__self__, str | dict) and obj.__name__ in SAFE_METHODS
    if isinstance(obj, MethodType):
        return isinstance(obj.__self__, LoopContext) and obj.__name__ in {"cycle", "changed"}
    return False


def _callable_name(obj: Any) -> str:
    name = getattr(obj, "__name__", None)
    return f"{name}()" if isinstance(name, str) else type(obj).__name__
