"""The text editor of communication staff: texts per owner (the shared defaults or one
municipality's own), kind and language; drafts with a live preview on invented sample data (on
the municipality's letterhead for its own texts), findings beside it, publication (with four
eyes: a proposal a colleague approves or sends back), history with a diff and rollback.
Communication staff never see citizens' data here: previews use `sample_for`.

Every address names its owner (`scopes`): a municipality not on the person's staff profile, or
the shared texts without the permission, answer 403 and change nothing."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from outreach.core import audit
from outreach.core.roles import role_required
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import KINDS, LANGUAGES, SMS, TEMPLATES, TemplateSpec
from outreach.messaging.texts.context import sample_for
from outreach.messaging.texts.scopes import (
    TEXT_ROLES,
    NoSuchScope,
    NotYours,
    Scope,
    scope_for,
    scopes_for,
)
from outreach.messaging.texts.versions import (
    PublishError,
    Review,
    approve,
    current,
    diff,
    four_eyes,
    history,
    letterhead,
    owned_by,
    proposals_for,
    propose,
    publish,
    published_own,
    review,
    rollback,
    save_draft,
    send_back,
    versions_of,
)

KIND_LABELS = {"letter": "Brieven", "card": "Kaartje (niet thuis)", "sms": "Sms en WhatsApp"}
# What staff read for a text past one of the renderer's limits (rendering.LIMIT), found by the
# linter or at render: the technical message speaks of characters, bits and iterations.
LIMIT_MESSAGE = (
    "Hier wordt de tekst te groot om te maken: een te lange tekst, een te groot getal of te "
    "veel herhalingen. Maak dit deel kleiner."
)
Status = TemplateVersion.Status


def scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Communication staff and administrators only; the address's `scope` (a municipality's
    code or "gedeeld") becomes the `Scope` the person may act for, else 404 (unknown) or 403."""

    @role_required(*TEXT_ROLES)
    @wraps(view)
    def guarded(request: HttpRequest, scope: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            owner = scope_for(request.user, scope)
        except NoSuchScope:
            raise Http404("no such municipality") from None
        except NotYours as exc:
            raise PermissionDenied(str(exc)) from None
        return view(request, owner, *args, **kwargs)

    return guarded


def _spec(name: str, lang: str) -> TemplateSpec:
    spec = TEMPLATES.get(name)
    if spec is None or lang not in LANGUAGES:
        raise Http404("no such text")
    return spec


def _version(scope: Scope, name: str, lang: str, number: int) -> TemplateVersion:
    version = versions_of(name, lang, scope.municipality_id).filter(version=number).first()
    if version is None:
        raise Http404("no such version")
    return version


@role_required(*TEXT_ROLES)
def text_home(request: HttpRequest) -> HttpResponse:
    """The texts of the first owner the person may edit (the shared ones, else her first
    municipality); a page that says why when there is none."""
    scopes = scopes_for(request.user)
    if scopes:
        return _text_list(request, scopes[0])
    return render(request, "messaging/no_texts.html")


@scoped
def text_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    return _text_list(request, scope)


def _text_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Every text per language: the owner's own published version, or for a municipality the
    shared one it uses instead, and a draft or proposal under way."""
    mid = scope.municipality_id
    own: dict[tuple[str, str], dict[str, TemplateVersion]] = {}
    for version in (
        TemplateVersion.objects.filter(owned_by(mid))
        .order_by("version")
        .only("name", "lang", "version", "status", "municipality")
    ):
        slot = own.setdefault((version.name, version.lang), {})
        slot["newest"] = version
        if version.status == Status.PUBLISHED:
            slot["published"] = version
    shared: dict[tuple[str, str], TemplateVersion] = {}
    if mid is not None:
        for version in TemplateVersion.objects.filter(
            municipality__isnull=True, status=Status.PUBLISHED, variant=""
        ).only("name", "lang", "version"):
            shared[(version.name, version.lang)] = version
    groups = []
    for kind in KINDS:
        rows = []
        for spec in TEMPLATES.values():
            if spec.kind == kind:
                cells = [
                    (lang, own.get((spec.name, lang), {}), shared.get((spec.name, lang)))
                    for lang in LANGUAGES
                ]
                rows.append((spec, cells))
        groups.append((KIND_LABELS[kind], rows))
    return render(
        request,
        "messaging/texts.html",
        {
            "groups": groups,
            "languages": LANGUAGES,
            "scope": scope,
            "scopes": scopes_for(request.user),
            "four_eyes": four_eyes(mid),
            "waiting": _waiting_for(request.user).count(),
        },
    )


def _waiting_for(user: Any) -> Any:
    """The proposals `user` may approve: of her owners, written and proposed by others."""
    scopes = scopes_for(user)
    ids = [s.municipality_id for s in scopes if s.municipality_id is not None]
    return proposals_for(ids, any(s.shared for s in scopes)).exclude(
        Q(proposed_by=user) | Q(author=user)
    )


@role_required(*TEXT_ROLES)
def proposals(request: HttpRequest) -> HttpResponse:
    """The proposals waiting for this person's approval, and her own still waiting."""
    scopes = scopes_for(request.user)
    ids = [s.municipality_id for s in scopes if s.municipality_id is not None]
    mine = proposals_for(ids, any(s.shared for s in scopes)).filter(
        Q(proposed_by=request.user) | Q(author=request.user)
    )
    return render(
        request,
        "messaging/proposals.html",
        {"waiting": list(_waiting_for(request.user)), "mine": list(mine)},
    )


def preview(
    spec: TemplateSpec, lang: str, source: str, head: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The text rendered on sample data (on a municipality's letterhead `head`), or the render
    error; never a citizen's data."""
    from outreach.messaging.lint.sms import measure
    from outreach.messaging.texts.rendering import LIMIT, RenderError, render_html, render_text

    context = sample_for(spec.name, lang, head)
    try:
        if spec.kind == SMS:
            text = render_text(source, context, lang)
            # Measured as the linter measures it, so the figures agree with its findings.
            sms = measure(text.strip())
            return {
                "text": text,
                "sms": {
                    "encoding": sms.encoding,
                    "culprit": sms.forcing_char,
                    "segments": sms.segments,
                    "chars": sms.length,
                },
            }
        return {"html": render_html(source, context, lang)}
    except RenderError as exc:
        return {"error": LIMIT_MESSAGE if exc.code == LIMIT else str(exc), "line": exc.line}


def _findings(result: Review) -> list[dict[str, Any]]:
    from outreach.messaging.texts.rendering import LIMIT

    findings = [
        {**finding, "message": LIMIT_MESSAGE} if finding["rule"] == LIMIT else finding
        for finding in result.findings
    ]
    return sorted(findings, key=lambda f: (f["line"] or 0, f["level"] != "error"))


def _may_review(version: TemplateVersion | None, user: Any) -> bool:
    return (
        version is not None
        and version.status == Status.PROPOSED
        and user.pk not in (version.proposed_by_id, version.author_id)
    )


def _log(request: HttpRequest, action: str, version: TemplateVersion, what: str) -> None:
    """The audit log's line about a version of a text: which text, which version, what (texts
    hold no citizen's data)."""
    audit.record(
        request.user,
        action,
        audit.Kind.TEXT,
        version.pk,
        version.municipality_id,
        f"{version.name}/{version.lang} v{version.version}: {what}",
    )


def _save(
    request: HttpRequest, scope: Scope, name: str, lang: str, newest: TemplateVersion | None
) -> HttpResponse:
    """Save the posted text as a draft and, as asked, propose or publish it."""
    mid = scope.municipality_id
    source = request.POST.get("source", "").replace("\r\n", "\n")
    action = request.POST.get("action", "save")
    reason = request.POST.get("reason", "")
    now = timezone.now()
    back = redirect("texts:edit", scope=scope.key, name=name, lang=lang)
    changed = newest is None or newest.source != source
    if not changed and newest is not None and newest.status == Status.PROPOSED:
        messages.info(request, f"Versie {newest.version} wacht al op goedkeuring.")
        return back
    if changed or newest is None or newest.status != Status.DRAFT:
        if not changed and action == "save":
            messages.info(request, "Niets veranderd: geen nieuwe versie.")
            return back
        note = request.POST.get("note", "")
        with transaction.atomic():  # each change commits with its audit line, or neither
            newest = save_draft(name, lang, source, request.user, now, note, municipality_id=mid)
            _log(request, audit.Action.CREATED, newest, "concept")
    if action == "publish":
        with transaction.atomic():
            publish(newest, request.user, now, reason)
            _log(request, audit.Action.CHANGED, newest, "gepubliceerd")
        messages.success(request, f"Versie {newest.version} is gepubliceerd.")
    elif action == "propose":
        with transaction.atomic():
            propose(newest, request.user, now, reason)
            _log(request, audit.Action.CHANGED, newest, "voorgesteld")
        messages.success(request, f"Versie {newest.version} wacht op goedkeuring van een collega.")
    else:
        messages.success(request, f"Concept versie {newest.version} is bewaard.")
    return back


@scoped
def edit(request: HttpRequest, scope: Scope, name: str, lang: str) -> HttpResponse:
    spec = _spec(name, lang)
    mid = scope.municipality_id
    newest = current(name, lang, mid)
    fallback = published_own(name, lang, None) if mid is not None else None
    source = newest.source if newest else (fallback.source if fallback else "")
    rejected: Review | None = None
    if request.method == "POST":
        source = request.POST.get("source", "").replace("\r\n", "\n")
        try:
            return _save(request, scope, name, lang, newest)
        except PublishError as exc:
            messages.error(request, str(exc))
            newest = current(name, lang, mid)
            rejected = exc.review
    result = rejected or review(name, lang, source, mid)
    own_published = published_own(name, lang, mid)
    # The proposal waiting, also when a newer draft was saved after it.
    proposal = versions_of(name, lang, mid).filter(status=Status.PROPOSED).first()
    return render(
        request,
        "messaging/edit.html",
        {
            "spec": spec,
            "lang": lang,
            "source": source,
            "newest": newest,
            "published": own_published,
            "shared_published": fallback if own_published is None else None,
            "findings": _findings(result),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "preview": preview(spec, lang, source, letterhead(mid)),
            "languages": LANGUAGES,
            "scope": scope,
            "scopes": scopes_for(request.user),
            "four_eyes": four_eyes(mid),
            "proposal": proposal,
            "may_review": _may_review(proposal, request.user),
        },
    )


@scoped
@require_POST
def live_preview(request: HttpRequest, scope: Scope, name: str, lang: str) -> JsonResponse:
    """The editor asks this while staff type: the preview and the findings of the source."""
    spec = _spec(name, lang)
    source = request.POST.get("source", "").replace("\r\n", "\n")
    mid = scope.municipality_id
    result = review(name, lang, source, mid)
    return JsonResponse(
        {
            "preview": preview(spec, lang, source, letterhead(mid)),
            "findings": _findings(result),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
        }
    )


@scoped
@require_POST
def pdf_preview(request: HttpRequest, scope: Scope, name: str, lang: str) -> HttpResponse:
    """The letter as the print house gets it, on sample data and the owner's letterhead."""
    from outreach.messaging.texts.pdf import render_letter_pdf
    from outreach.messaging.texts.rendering import RenderError

    spec = _spec(name, lang)
    if spec.kind == SMS:
        raise Http404("an SMS has no PDF")
    source = request.POST.get("source", "").replace("\r\n", "\n")
    context = sample_for(name, lang, letterhead(scope.municipality_id))
    try:
        pdf = render_letter_pdf(source, context, lang)
    except RenderError as exc:
        return HttpResponse(f"De brief kan niet worden gemaakt: {exc}", status=400)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{lang}-voorbeeld.pdf"'
    return response


@scoped
def text_history(request: HttpRequest, scope: Scope, name: str, lang: str) -> HttpResponse:
    spec = _spec(name, lang)
    versions = history(name, lang, scope.municipality_id)
    rows = [
        (version, diff(versions[i + 1] if i + 1 < len(versions) else None, version))
        for i, version in enumerate(versions)
    ]
    return render(
        request,
        "messaging/history.html",
        {
            "spec": spec,
            "lang": lang,
            "rows": rows,
            "scope": scope,
            "four_eyes": four_eyes(scope.municipality_id),
        },
    )


@scoped
@require_POST
def text_rollback(
    request: HttpRequest, scope: Scope, name: str, lang: str, version: int
) -> HttpResponse:
    _spec(name, lang)
    try:
        with transaction.atomic():
            new = rollback(
                name, lang, version, request.user, timezone.now(), request.POST.get("reason", ""),
                municipality_id=scope.municipality_id,
            )  # fmt: skip
            _log(request, audit.Action.CREATED, new, f"teruggezet naar v{version}")
        if new.status == Status.PROPOSED:
            messages.success(
                request,
                f"Versie {version} is voorgesteld om terug te zetten, als versie {new.version}: "
                "een collega keurt het goed.",
            )
        else:
            messages.success(
                request, f"Versie {version} staat weer live, als versie {new.version}."
            )
    except PublishError as exc:
        messages.error(request, f"Terugzetten kan niet: {exc}")
    return redirect("texts:history", scope=scope.key, name=name, lang=lang)


@scoped
@require_POST
def text_approve(
    request: HttpRequest, scope: Scope, name: str, lang: str, version: int
) -> HttpResponse:
    """A colleague approves a proposal: it is published."""
    _spec(name, lang)
    proposal = _version(scope, name, lang, version)
    try:
        with transaction.atomic():
            approve(proposal, request.user, timezone.now(), request.POST.get("reason", ""))
            _log(request, audit.Action.CHANGED, proposal, "goedgekeurd")
        messages.success(request, f"Versie {version} is goedgekeurd en gepubliceerd.")
    except PublishError as exc:
        messages.error(request, f"Goedkeuren kan niet: {exc}")
    return redirect("texts:edit", scope=scope.key, name=name, lang=lang)


@scoped
@require_POST
def text_send_back(
    request: HttpRequest, scope: Scope, name: str, lang: str, version: int
) -> HttpResponse:
    """A colleague sends a proposal back with a comment: it is not published."""
    _spec(name, lang)
    proposal = _version(scope, name, lang, version)
    try:
        with transaction.atomic():
            send_back(proposal, request.user, timezone.now(), request.POST.get("comment", ""))
            _log(request, audit.Action.CHANGED, proposal, "teruggestuurd")
        messages.success(request, f"Versie {version} is teruggestuurd met uw opmerking.")
    except PublishError as exc:
        messages.error(request, f"Terugsturen kan niet: {exc}")
    return redirect("texts:edit", scope=scope.key, name=name, lang=lang)
