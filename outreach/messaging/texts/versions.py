"""The life of a text: shipped default, drafts, review, publication, history and rollback, per
owner: the shared defaults (`municipality_id` None) and each municipality's own versions.

Only a published version is sent. Which one (`resolution_order`): the municipality's own in the
reader's language, else the shared one in that language, else the municipality's own Dutch,
else the shared Dutch. A reader is written in her language whenever any version exists in it;
the municipality's own wording wins within a language.

Publishing runs every check of the linter and the renderer, on the owner's letterhead: an error
blocks, a warning needs a written reason. With four eyes (`four_eyes`: the municipality's
`texts_four_eyes`, the setting OUTREACH_SHARED_TEXTS_FOUR_EYES for the shared texts) one person
proposes a draft (`propose`) and another approves it (`approve`, which publishes it) or sends it
back with a comment (`send_back`); nobody approves what she wrote or proposed. Without four eyes
`publish` publishes at once. A rollback makes a copy of an earlier version a new one, so the
history only grows; with four eyes the copy is a proposal.
"""

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from outreach.core.models import Municipality
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE, LANGUAGES, TEMPLATES, TemplateSpec
from outreach.messaging.texts.rendering import RenderError, check_size

Status = TemplateVersion.Status
# The key of a published version in a look-up: (municipality id or None for shared, language).
Owned = tuple[int | None, str]


class PublishError(Exception):
    """Why a version cannot be published (or proposed, approved, sent back); `review` holds
    the findings."""

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


def four_eyes(municipality_id: int | None) -> bool:
    """Whether publishing this owner's texts takes two people."""
    if municipality_id is None:
        return bool(settings.OUTREACH_SHARED_TEXTS_FOUR_EYES)
    value = (
        Municipality.objects.filter(pk=municipality_id)
        .values_list("texts_four_eyes", flat=True)
        .first()
    )
    return True if value is None else bool(value)


def letterhead(municipality_id: int | None) -> dict[str, Any] | None:
    """The letterhead a municipality's own texts are previewed and checked on; None (the
    invented sample) for the shared texts."""
    if municipality_id is None:
        return None
    from outreach.messaging.texts.compose import municipality_letterhead

    return municipality_letterhead(Municipality.objects.get(pk=municipality_id))


def review(name: str, lang: str, source: str, municipality_id: int | None = None) -> Review:
    """Every finding of the linter and the renderer's own checks, errors first, on the
    owner's letterhead."""
    from outreach.messaging.lint import lint_template
    from outreach.messaging.texts.context import sample_for
    from outreach.messaging.texts.rendering import check_source

    spec = spec_for(name)
    head = letterhead(municipality_id)
    result = Review()
    for error in check_source(source, spec.kind, spec.appointment, head):
        result.errors.append(
            {"level": "error", "rule": error.code, "line": error.line, "message": str(error)}
        )
    seen = {(f["line"], f["message"]) for f in result.errors}
    sample = sample_for(name, lang, head) if head is not None else None
    for finding in lint_template(name, lang, source, spec.kind, sample=sample):
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
    is, as a shared text: a fresh install starts from the files. Returns how many were added."""
    have = set(
        TemplateVersion.objects.filter(municipality__isnull=True, variant="").values_list(
            "name", "lang"
        )
    )
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


# --- Which version is sent ------------------------------------------------------------------


def resolution_order(lang: str, municipality_id: int | None) -> list[Owned]:
    """Where a reader's text is looked for, first found wins: the municipality's own in her
    language, the shared one in her language, the municipality's own Dutch, the shared Dutch."""
    order: list[Owned] = []
    for candidate in dict.fromkeys([lang, DEFAULT_LANGUAGE]):
        if municipality_id is not None:
            order.append((municipality_id, candidate))
        order.append((None, candidate))
    return order


def choose(
    found: Mapping[Owned, TemplateVersion], lang: str, municipality_id: int | None
) -> TemplateVersion | None:
    """The version to send from the published versions `found` (by owner and language)."""
    for key in resolution_order(lang, municipality_id):
        if key in found:
            return found[key]
    return None


def published_of_every_owner(name: str, lang: str) -> dict[Owned, TemplateVersion]:
    """Every published version of `name` in `lang` and in Dutch, shared and every
    municipality's own, in one query: a batch reads each text once for all municipalities."""
    rows = TemplateVersion.objects.filter(
        name=name, lang__in={lang, DEFAULT_LANGUAGE}, status=Status.PUBLISHED, variant=""
    )
    return {(row.municipality_id, row.lang): row for row in rows}


def published(name: str, lang: str, municipality_id: int | None = None) -> TemplateVersion | None:
    """The version to send to a reader in `lang` of `municipality_id` (None: the shared)."""
    rows = TemplateVersion.objects.filter(
        Q(municipality__isnull=True) | Q(municipality_id=municipality_id),
        name=name,
        lang__in={lang, DEFAULT_LANGUAGE},
        status=Status.PUBLISHED,
        variant="",
    )
    return choose({(row.municipality_id, row.lang): row for row in rows}, lang, municipality_id)


# --- One owner's versions of a text -----------------------------------------------------------


def owned_by(municipality_id: int | None) -> Q:
    """The versions of one owner's texts themselves (not an experiment's other variants): a
    municipality's own, or (None) the shared ones."""
    if municipality_id is None:
        return Q(municipality__isnull=True, variant="")
    return Q(municipality_id=municipality_id, variant="")


def versions_of(name: str, lang: str, municipality_id: int | None) -> QuerySet[TemplateVersion]:
    """The versions of one text in one language of one owner (None: the shared)."""
    return TemplateVersion.objects.filter(owned_by(municipality_id), name=name, lang=lang)


def published_own(name: str, lang: str, municipality_id: int | None) -> TemplateVersion | None:
    """The owner's own published version, without falling back to another."""
    return versions_of(name, lang, municipality_id).filter(status=Status.PUBLISHED).first()


def current(name: str, lang: str, municipality_id: int | None = None) -> TemplateVersion | None:
    """What the editor opens: the owner's newest version, draft or not."""
    return versions_of(name, lang, municipality_id).order_by("-version").first()


def history(name: str, lang: str, municipality_id: int | None = None) -> list[TemplateVersion]:
    return list(
        versions_of(name, lang, municipality_id)
        .select_related("author", "published_by", "proposed_by", "returned_by")
        .order_by("-version")
    )


def proposals_for(municipality_ids: list[int], shared: bool) -> QuerySet[TemplateVersion]:
    """The proposals waiting for approval among these owners' texts, oldest first."""
    owners = Q(municipality_id__in=municipality_ids)
    if shared:
        owners |= Q(municipality__isnull=True)
    return (
        TemplateVersion.objects.filter(owners, status=Status.PROPOSED, variant="")
        .select_related("municipality", "proposed_by", "author")
        .order_by("proposed_at", "pk")
    )


def _next_version(name: str, lang: str, municipality_id: int | None) -> int:
    top = versions_of(name, lang, municipality_id).aggregate(top=Max("version"))
    return int(top["top"] or 0) + 1


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def save_draft(
    name: str,
    lang: str,
    source: str,
    user: Any,
    now: datetime,
    note: str = "",
    origin: str = TemplateVersion.Origin.EDITED,
    *,
    municipality_id: int | None = None,
) -> TemplateVersion:
    """A new draft version of the owner's text. A draft may still hold findings (work in
    progress), but never more than the size limit."""
    spec_for(name)
    check_language(lang)
    try:
        check_size(source.encode("utf-8"))
    except RenderError as exc:
        raise PublishError(str(exc)) from None
    with transaction.atomic():
        # Lock the text's versions (and the municipality, for its very first version) so two
        # editors saving at once get consecutive numbers.
        if municipality_id is not None:
            list(Municipality.objects.select_for_update().filter(pk=municipality_id))
        list(versions_of(name, lang, municipality_id).select_for_update())
        return TemplateVersion.objects.create(
            municipality_id=municipality_id,
            name=name,
            lang=lang,
            version=_next_version(name, lang, municipality_id),
            source=source,
            origin=origin,
            note=note[:200],
            author=_user(user),
            created_at=now,
        )


def _checked(version: TemplateVersion, reason: str) -> Review:
    """The version's review; raises when an error blocks it or a warning has no reason."""
    result = review(version.name, version.lang, version.source, version.municipality_id)
    if result.errors:
        raise PublishError(f"{len(result.errors)} error(s): fix them first", result)
    if result.warnings and not reason.strip():
        raise PublishError(
            f"{len(result.warnings)} warning(s): write why it may go out as it is", result
        )
    return result


def _publish(version: TemplateVersion, user: Any, now: datetime, reason: str) -> Review:
    result = _checked(version, reason)
    with transaction.atomic():
        versions_of(version.name, version.lang, version.municipality_id).select_for_update().filter(
            status=Status.PUBLISHED
        ).update(status=Status.RETIRED)
        version.status = Status.PUBLISHED
        version.published_at = now
        version.published_by = _user(user)
        version.warning_reason = reason.strip() if result.warnings else ""
        version.warnings = result.warnings
        version.save()
    return result


def publish(version: TemplateVersion, user: Any, now: datetime, reason: str = "") -> Review:
    """Publish the draft `version` in place of the published one, where one person may:
    errors block; warnings need `reason`. With four eyes it must be proposed instead."""
    if version.status != Status.DRAFT:
        raise PublishError(f"version {version.version} is {version.status}, not a draft")
    if four_eyes(version.municipality_id):
        raise PublishError(
            "Vier ogen: deze tekst wordt pas gepubliceerd als een collega het voorstel goedkeurt."
        )
    return _publish(version, user, now, reason)


def publish_kept(version: TemplateVersion, user: Any, now: datetime, reason: str = "") -> Review:
    """Publish the draft `version` made from the variant a text experiment kept
    (outreach.messaging.texts.experiments.stop), also with four eyes: its wording was approved
    when the experiment started. Checked as any publication."""
    if version.status != Status.DRAFT:
        raise PublishError(f"version {version.version} is {version.status}, not a draft")
    return _publish(version, user, now, reason)


def propose(version: TemplateVersion, user: Any, now: datetime, reason: str = "") -> Review:
    """Propose the draft `version` for publication, to be approved by someone else. It is
    checked as for publishing; a reason for its warnings is kept for the approver. An earlier
    proposal of the same text waiting still becomes a draft again (this one replaces it)."""
    if version.status != Status.DRAFT:
        raise PublishError(f"version {version.version} is {version.status}, not a draft")
    result = _checked(version, reason)
    with transaction.atomic():
        versions_of(version.name, version.lang, version.municipality_id).select_for_update().filter(
            status=Status.PROPOSED
        ).exclude(pk=version.pk).update(
            status=Status.DRAFT, review_comment=f"Vervangen door voorstel versie {version.version}."
        )
        version.status = Status.PROPOSED
        version.proposed_by = _user(user)
        version.proposed_at = now
        version.warning_reason = reason.strip() if result.warnings else ""
        version.warnings = result.warnings
        version.save()
    return result


def _check_reviewer(version: TemplateVersion, user: Any, what: str) -> None:
    if version.status != Status.PROPOSED:
        raise PublishError(f"Versie {version.version} wacht niet op goedkeuring.")
    if not getattr(user, "pk", None):
        raise PublishError(f"{what} doet een collega met een eigen account.")
    if user.pk in (version.proposed_by_id, version.author_id):
        raise PublishError(
            f"U hebt versie {version.version} zelf geschreven of voorgesteld: {what} doet een "
            "collega (vier ogen)."
        )


def approve(version: TemplateVersion, user: Any, now: datetime, reason: str = "") -> Review:
    """A colleague approves the proposal `version`: it is published (with the same checks;
    the proposer's reason for warnings stands unless `reason` gives another)."""
    _check_reviewer(version, user, "Goedkeuren")
    return _publish(version, user, now, reason.strip() or version.warning_reason)


def send_back(version: TemplateVersion, user: Any, now: datetime, comment: str) -> TemplateVersion:
    """A colleague sends the proposal `version` back with a comment; it is not published."""
    _check_reviewer(version, user, "Terugsturen")
    if not comment.strip():
        raise PublishError("Schrijf bij het terugsturen wat er anders moet.")
    version.status = Status.RETURNED
    version.returned_by = user
    version.returned_at = now
    version.review_comment = comment.strip()
    version.save(update_fields=["status", "returned_by", "returned_at", "review_comment"])
    return version


def rollback(
    name: str,
    lang: str,
    number: int,
    user: Any,
    now: datetime,
    reason: str = "",
    *,
    municipality_id: int | None = None,
) -> TemplateVersion:
    """Bring the text of the owner's version `number` back, as a new version: published at
    once, or with four eyes proposed for a colleague's approval."""
    old = versions_of(name, lang, municipality_id).filter(version=number).first()
    if old is None:
        raise PublishError(f"{name}/{lang} has no version {number}")
    draft = save_draft(
        name, lang, old.source, user, now, f"rollback to version {number}",
        TemplateVersion.Origin.ROLLBACK, municipality_id=municipality_id,
    )  # fmt: skip
    try:
        if four_eyes(municipality_id):
            propose(draft, user, now, reason or old.warning_reason)
        else:
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
