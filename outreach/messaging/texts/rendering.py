"""Rendering message templates: SMS/WhatsApp text and letter/card HTML (pdf.py makes the PDF).

    render_text(source, context, lang=None) -> str        SMS and WhatsApp, no autoescape
    render_html(source, context, lang) -> str             letters and cards, autoescaped
    check_source(source, kind) -> list[RenderError]       at publish: every problem found

A template runs in the sandbox of sandbox.py and sees only the documented context
(context.CONTEXT_NAMES, plain values) plus `lang` and `rtl`, which the renderer adds. A render
either returns the whole text or raises RenderError (message, line): never part of a letter.
Context values are data, never template source: a name like `{{ 7*7 }}` is printed as it is.

Limits (settings): OUTREACH_TEMPLATE_MAX_BYTES for the source, OUTREACH_RENDER_MAX_CHARS for
the output (streamed, so an endless loop stops at the limit) and OUTREACH_RENDER_TIMEOUT
seconds a render. Compiled templates are kept by the hash of their source (`CACHE_SIZE`).
"""

import dataclasses
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Generator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from django.conf import settings
from jinja2 import Template, TemplateNotFound, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SecurityError

from outreach.messaging.texts.catalogue import KINDS, RIGHT_TO_LEFT, SMS
from outreach.messaging.texts.context import (
    CONTEXT_NAMES,
    TemplateContext,
    language_or_default,
    sample_context,
)
from outreach.messaging.texts.render_checks import check_tree
from outreach.messaging.texts.sandbox import (
    Budget,
    LimitExceeded,
    MessageSandbox,
    PartialsLoader,
    current_budget,
    find_undeclared_variables,
)

CACHE_SIZE = 512
MAX_DEPTH = 6  # of nested lists and dicts in the context
# check_source renders on sample data in these languages (the second takes the rtl branches).
CHECK_LANGUAGES = ("nl", "ar")
_NAMES = frozenset(CONTEXT_NAMES)
_SCALARS = frozenset({str, int, float, bool, type(None)})


# The code of a template that goes past one of the sandbox's limits (LimitExceeded), at render
# or found by the linter before it.
LIMIT = "template-limit"


class RenderError(Exception):
    """A template that cannot be rendered; `line` is the line in its source, when known, and
    `code` says why: LIMIT for one of the sandbox's limits, else "render"."""

    def __init__(self, message: str, line: int | None = None, code: str = "render") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code

    def __str__(self) -> str:
        return self.message


Context = Mapping[str, Any] | TemplateContext


def render_text(source: str, context: Context, lang: str | None = None) -> str:
    """An SMS or WhatsApp text (no autoescape); `lang` and `rtl` as for `lang` (default nl)."""
    return _render(_text_environment(), "text", source, context, language_or_default(lang))


def render_html(source: str, context: Context, lang: str) -> str:
    """A letter or card as HTML; the source may extend letters/_layout.html or _card.html."""
    directory = str(templates_dir())
    env = _html_environment(directory)
    return _render(env, directory, source, context, language_or_default(lang))


def check_source(
    source: str,
    kind: str,
    appointment: bool = True,
    letterhead: Mapping[str, Any] | None = None,
) -> list[RenderError]:
    """Everything that keeps `source` from being published as a template of `kind`: its
    size, syntax, names outside the context, filters and loads the sandbox refuses, and any
    error when rendered on sample data (without an appointment unless `appointment`: only a
    visit's texts are sent with one), on a municipality's `letterhead` when given. Empty when
    it can be published."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    env, key = _environment(kind)
    try:
        check_size(source.encode("utf-8"))
        tree = env.parse(source)
    except RenderError as exc:
        return [exc]
    except Exception as exc:
        return [_error(exc)]
    findings = check_tree(tree, env, kind)
    if findings:
        return [RenderError(message, line) for message, line in findings]
    for lang in CHECK_LANGUAGES:
        sample = sample_context(lang, 2, letterhead)
        if not appointment:
            sample = dataclasses.replace(sample, appointment=None)
        try:
            _render(env, key, source, sample, lang)
        except RenderError as exc:
            return [exc]
    return []


def templates_dir() -> Path:
    return Path(settings.OUTREACH_TEMPLATES_DIR)


@functools.cache
def _text_environment() -> MessageSandbox:
    return MessageSandbox(autoescape=False)


@functools.lru_cache(maxsize=4)
def _html_environment(directory: str) -> MessageSandbox:
    return MessageSandbox(autoescape=True, loader=PartialsLoader(directory))


def _environment(kind: str) -> tuple[MessageSandbox, str]:
    if kind == SMS:
        return _text_environment(), "text"
    directory = str(templates_dir())
    return _html_environment(directory), directory


@dataclasses.dataclass(frozen=True)
class _Compiled:
    template: Template
    # The context names the template uses; None when it extends or includes a layout.
    names: frozenset[str] | None


_cache: OrderedDict[tuple[str, bytes], _Compiled] = OrderedDict()
_cache_lock = threading.Lock()


def _compiled(env: MessageSandbox, env_key: str, encoded: bytes, source: str) -> _Compiled:
    key = (env_key, hashlib.blake2b(encoded, digest_size=16).digest())
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    try:
        tree = env.parse(source)
        loads = next(tree.find_all((nodes.Extends, nodes.Include, nodes.Import)), None)
        names = None if loads else frozenset(find_undeclared_variables(tree))
        compiled = _Compiled(env.from_string(tree), names)
    except Exception as exc:
        raise _error(exc) from exc
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def check_size(encoded: bytes) -> None:
    limit = settings.OUTREACH_TEMPLATE_MAX_BYTES
    if len(encoded) > limit:
        raise RenderError(f"the template is {len(encoded)} bytes; the limit is {limit}", code=LIMIT)


def _render(env: MessageSandbox, env_key: str, source: str, context: Context, lang: str) -> str:
    encoded = source.encode("utf-8")
    check_size(encoded)
    compiled = _compiled(env, env_key, encoded, source)
    template = compiled.template
    render_context = template.new_context(_variables(context, lang, compiled.names))
    limit = settings.OUTREACH_RENDER_MAX_CHARS
    token = current_budget.set(Budget(settings.OUTREACH_RENDER_TIMEOUT, limit))
    stream = cast(Generator[str, None, None], template.root_render_func(render_context))
    parts: list[str] = []
    size = 0
    try:
        for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise LimitExceeded(f"the text is longer than {limit} characters")
            parts.append(chunk)
    except Exception as exc:
        raise _rewritten(env, exc) from exc
    finally:
        stream.close()
        current_budget.reset(token)
    return "".join(parts)


def _rewritten(env: MessageSandbox, exc: Exception) -> RenderError:
    """`exc` with Jinja's traceback of template lines (call inside the `except`)."""
    try:
        env.handle_exception()
    except Exception as rewritten:
        return _error(rewritten)
    return _error(exc)


def _variables(context: Context, lang: str, names: frozenset[str] | None = None) -> dict[str, Any]:
    """The template's variables: the context (only the names it uses, when known) as plain
    values, with `lang` and `rtl`."""
    if isinstance(context, TemplateContext):
        context = context.as_dict()
    unknown = context.keys() - _NAMES
    if unknown:
        raise RenderError(f"not in the template context: {', '.join(sorted(unknown))}")
    variables = {
        name: _plain(value, name, 0)
        for name, value in context.items()
        if names is None or name in names
    }
    variables["lang"] = lang
    variables["rtl"] = lang in RIGHT_TO_LEFT
    return variables


def _plain(value: Any, where: str, depth: int) -> Any:
    """`value` as str, number, bool, None, list or dict: never an object with methods."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth < MAX_DEPTH:
        if kind is dict:
            return {
                key if type(key) is str else str(key): item
                if type(item) in _SCALARS
                else _plain(item, where, depth + 1)
                for key, item in value.items()
            }
        if kind is list or kind is tuple:
            return [
                item if type(item) in _SCALARS else _plain(item, where, depth + 1) for item in value
            ]
        if isinstance(value, str):  # a subclass (Markup!) becomes a plain string
            return str.__str__(value)
        if isinstance(value, Mapping):
            return _plain(dict(value), where, depth)
        if isinstance(value, list | tuple):
            return _plain(list(value), where, depth)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return _plain(dataclasses.asdict(value), where, depth)
    raise RenderError(
        f"the context value '{where}' holds a {kind.__name__}: templates get plain values only"
    )


def _error(exc: BaseException) -> RenderError:
    """`exc` as a RenderError with the line of the template's own source, when known."""
    if isinstance(exc, RenderError):
        return exc
    if isinstance(exc, TemplateSyntaxError):
        message = exc.message or str(exc)
        if exc.name in (None, "<introspection>"):
            return RenderError(message, exc.lineno)
        return RenderError(f"{exc.name}, line {exc.lineno}: {message}")
    line, elsewhere = _lines(exc.__traceback__)
    message = _describe(exc)
    if line is None and elsewhere:
        message = f"{elsewhere}: {message}"
    return RenderError(message, line, LIMIT if isinstance(exc, LimitExceeded) else "render")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UndefinedError | LimitExceeded | SecurityError):
        return str(exc)
    if isinstance(exc, TemplateNotFound):
        return f"template not found: {exc}"
    if isinstance(exc, RecursionError):
        return "the template calls itself too deep"
    return f"{type(exc).__name__}: {exc}"


def _lines(tb: TracebackType | None) -> tuple[int | None, str]:
    """Where the innermost template frame is (Jinja rewrites the traceback to template lines):
    a line of the template's own source, or a place in a layout or included part."""
    line: int | None = None
    elsewhere = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if filename == "<template>":
            line, elsewhere = tb.tb_lineno, ""
        elif "letters/_" in filename:
            line = None
            elsewhere = f"letters/{filename.rsplit('letters/', 1)[1]}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return line, elsewhere
