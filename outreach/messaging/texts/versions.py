"""The life of a text: shipped default, drafts, review, publication, history and rollback.

Only a published version is sent. Publishing runs every check of the linter and the renderer:
an error blocks, a warning needs a written reason. A rollback publishes a copy of an earlier
version as a new one, so the history only grows.
"""

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE, LANGUAGES, TEMPLATES, TemplateSpec
from outreach.messaging.texts.rendering import RenderError, check_size

Status = TemplateVersion.Status


class PublishError(Exception):
    """Why a version cannot be published; `review` holds the findings."""

    def __init__(self, message: str, review: "Review | None" = None) -> None:
        super().__init__(message)
        self.review = review


@dataclass
class Review:
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.errors + self.warnings


def spec_for(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise PublishError(f"unknown text '{name}'") from None


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise PublishError(f"unknown language '{lang}': one of {', '.join(LANGUAGES)}")
    return lang


def review(name: str, lang: str, source: str) -> Review:
    """Every finding of the linter and the renderer's own checks, errors first."""
    from outreach.messaging.lint import lint_template
    from outreach.messaging.texts.rendering import check_source

    spec = spec_for(name)
    result = Review()
    for error in check_source(source, spec.kind, spec.appointment):
        result.errors.append(
            {"level": "error", "rule": "render", "line": error.line, "message": str(error)}
        )
    seen = {(f["line"], f["message"]) for f in result.errors}
    for finding in lint_template(name, lang, source, spec.kind):
        item = finding.as_dict()
        if (item["line"], item["message"]) in seen:
            continue  # the renderer said it already
        (result.errors if item["level"] == "error" else result.warnings).append(item)
    return result


def shipped_source(spec: TemplateSpec, lang: str) -> str | None:
    path = Path(settings.OUTREACH_TEMPLATES_DIR) / spec.path(lang)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def load_shipped(now: datetime) -> int:
    """Version 1 of every shipped text that the database does not hold yet, published as it
    is: a fresh install starts from the files. Returns how many were added."""
    have = set(TemplateVersion.objects.values_list("name", "lang"))
    new = []
    for spec in TEMPLATES.values():
        for lang in LANGUAGES:
            source = None if (spec.name, lang) in have else shipped_source(spec, lang)
            if source is not None:
                new.append(
                    TemplateVersion(
                        name=spec.name,
                        lang=lang,
                        version=1,
                        source=source,
                        status=Status.PUBLISHED,
                        origin=TemplateVersion.Origin.SHIPPED,
                        note="shipped default",
                        created_at=now,
                        published_at=now,
                    )
                )
    TemplateVersion.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def published(name: str, lang: str) -> TemplateVersion | None:
    """The version to send: in the language, else in Dutch (the fallback)."""
    for candidate in dict.fromkeys([lang, DEFAULT_LANGUAGE]):
        version = TemplateVersion.objects.filter(
            name=name, lang=candidate, status=Status.PUBLISHED
        ).first()
        if version is not None:
            return version
    return None


def current(name: str, lang: str) -> TemplateVersion | None:
    """What the editor opens: the newest version, draft or not."""
    return TemplateVersion.objects.filter(name=name, lang=lang).order_by("-version").first()


def history(name: str, lang: str) -> list[TemplateVersion]:
    return list(
        TemplateVersion.objects.filter(name=name, lang=lang)
        .select_related("author", "published_by")
        .order_by("-version")
    )


def _next_version(name: str, lang: str) -> int:
    top = TemplateVersion.objects.filter(name=name, lang=lang).aggregate(top=Max("version"))
    return int(top["top"] or 0) + 1


def save_draft(
    name: str,
    lang: str,
    source: str,
    user: Any,
    now: datetime,
    note: str = "",
    origin: str = TemplateVersion.Origin.EDITED,
) -> TemplateVersion:
    """A new draft version. A draft may still hold findings (work in progress), but never
    more than the size limit."""
    spec_for(name)
    check_language(lang)
    try:
        check_size(source.encode("utf-8"))
    except RenderError as exc:
        raise PublishError(str(exc)) from None
    with transaction.atomic():
        # Lock the text's versions so two editors saving at once get consecutive numbers.
        list(TemplateVersion.objects.select_for_update().filter(name=name, lang=lang))
        return TemplateVersion.objects.create(
            name=name,
            lang=lang,
            version=_next_version(name, lang),
            source=source,
            origin=origin,
            note=note[:200],
            author=user if getattr(user, "pk", None) else None,
            created_at=now,
        )


def publish(version: TemplateVersion, user: Any, now: datetime, reason: str = "") -> Review:
    """Publish `version` in place of the published one. Errors block; warnings need `reason`."""
    if version.status != Status.DRAFT:
        raise PublishError(f"version {version.version} is {version.status}, not a draft")
    result = review(version.name, version.lang, version.source)
    if result.errors:
        raise PublishError(f"{len(result.errors)} error(s): fix them first", result)
    if result.warnings and not reason.strip():
        raise PublishError(
            f"{len(result.warnings)} warning(s): write why it may go out as it is", result
        )
    with transaction.atomic():
        TemplateVersion.objects.select_for_update().filter(
            name=version.name, lang=version.lang, status=Status.PUBLISHED
        ).update(status=Status.RETIRED)
        version.status = Status.PUBLISHED
        version.published_at = now
        version.published_by = user if getattr(user, "pk", None) else None
        version.warning_reason = reason.strip() if result.warnings else ""
        version.warnings = result.warnings
        version.save()
    return result


def rollback(
    name: str, lang: str, number: int, user: Any, now: datetime, reason: str = ""
) -> TemplateVersion:
    """Publish the text of version `number` again, as a new version."""
    old = TemplateVersion.objects.filter(name=name, lang=lang, version=number).first()
    if old is None:
        raise PublishError(f"{name}/{lang} has no version {number}")
    draft = save_draft(
        name, lang, old.source, user, now, f"rollback to version {number}",
        TemplateVersion.Origin.ROLLBACK,
    )  # fmt: skip
    try:
        publish(draft, user, now, reason or old.warning_reason)
    except PublishError:
        draft.delete()  # nothing half done: the rollback did not happen
        raise
    return draft


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "context" or "hunk"
    text: str


def diff(older: TemplateVersion | None, newer: TemplateVersion) -> list[DiffLine]:
    before = older.source.splitlines() if older else []
    lines = difflib.unified_diff(
        before,
        newer.source.splitlines(),
        f"v{older.version}" if older else "empty",
        f"v{newer.version}",
        lineterm="",
        n=2,
    )
    out = []
    for line in list(lines)[2:]:  # the two file header lines
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "context")
        out.append(DiffLine(kind, line))
    return out
