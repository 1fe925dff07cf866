"""The text editor of communication staff: texts per kind and language, drafts with a live
preview on invented sample data, findings beside it, publication, history with a diff and
rollback. Communication staff never see citizens' data here: previews use `sample_context`."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from outreach.core.roles import ADMINISTRATOR, COMMUNICATION, role_required
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import KINDS, LANGUAGES, SMS, TEMPLATES, TemplateSpec
from outreach.messaging.texts.context import sample_for
from outreach.messaging.texts.versions import (
    PublishError,
    Review,
    current,
    diff,
    history,
    publish,
    review,
    rollback,
    save_draft,
)

TEXT_ROLES = (COMMUNICATION, ADMINISTRATOR)
KIND_LABELS = {"letter": "Brieven", "card": "Kaartje (niet thuis)", "sms": "Sms en WhatsApp"}


def _spec(name: str, lang: str) -> TemplateSpec:
    spec = TEMPLATES.get(name)
    if spec is None or lang not in LANGUAGES:
        raise Http404("no such text")
    return spec


@role_required(*TEXT_ROLES)
def text_list(request: HttpRequest) -> HttpResponse:
    versions: dict[tuple[str, str], dict[str, TemplateVersion]] = {}
    for version in TemplateVersion.objects.order_by("version").only(
        "name", "lang", "version", "status"
    ):
        slot = versions.setdefault((version.name, version.lang), {})
        slot["newest"] = version
        if version.status == TemplateVersion.Status.PUBLISHED:
            slot["published"] = version
    groups = []
    for kind in KINDS:
        rows = []
        for spec in TEMPLATES.values():
            if spec.kind == kind:
                cells = [(lang, versions.get((spec.name, lang), {})) for lang in LANGUAGES]
                rows.append((spec, cells))
        groups.append((KIND_LABELS[kind], rows))
    return render(request, "messaging/texts.html", {"groups": groups, "languages": LANGUAGES})


def preview(spec: TemplateSpec, lang: str, source: str) -> dict[str, Any]:
    """The text rendered on sample data, or the render error; never a citizen's data."""
    from outreach.messaging.lint.sms import measure
    from outreach.messaging.texts.rendering import RenderError, render_html, render_text

    context = sample_for(spec.name, lang)
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
        return {"error": str(exc), "line": exc.line}


def _findings(result: Review) -> list[dict[str, Any]]:
    return sorted(result.findings, key=lambda f: (f["line"] or 0, f["level"] != "error"))


@role_required(*TEXT_ROLES)
def edit(request: HttpRequest, name: str, lang: str) -> HttpResponse:
    spec = _spec(name, lang)
    newest = current(name, lang)
    source = newest.source if newest else ""
    rejected: Review | None = None
    if request.method == "POST":
        source = request.POST.get("source", "").replace("\r\n", "\n")
        action = request.POST.get("action", "save")
        now = timezone.now()
        try:
            changed = newest is None or newest.source != source
            if changed or newest is None or newest.status != TemplateVersion.Status.DRAFT:
                if not changed and action == "save":
                    messages.info(request, "Niets veranderd: geen nieuwe versie.")
                    return redirect("texts:edit", name=name, lang=lang)
                note = request.POST.get("note", "")
                newest = save_draft(name, lang, source, request.user, now, note)
            if action == "publish":
                publish(newest, request.user, now, request.POST.get("reason", ""))
                messages.success(request, f"Versie {newest.version} is gepubliceerd.")
            else:
                messages.success(request, f"Concept versie {newest.version} is bewaard.")
            return redirect("texts:edit", name=name, lang=lang)
        except PublishError as exc:
            messages.error(request, str(exc))
            newest = current(name, lang)
            rejected = exc.review
    result = rejected or review(name, lang, source)
    return render(
        request,
        "messaging/edit.html",
        {
            "spec": spec,
            "lang": lang,
            "source": source,
            "newest": newest,
            "published": TemplateVersion.objects.filter(
                name=name, lang=lang, status=TemplateVersion.Status.PUBLISHED
            ).first(),
            "findings": _findings(result),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "preview": preview(spec, lang, source),
            "languages": LANGUAGES,
        },
    )


@require_POST
@role_required(*TEXT_ROLES)
def live_preview(request: HttpRequest, name: str, lang: str) -> JsonResponse:
    """The editor asks this while staff type: the preview and the findings of the source."""
    spec = _spec(name, lang)
    source = request.POST.get("source", "").replace("\r\n", "\n")
    result = review(name, lang, source)
    return JsonResponse(
        {
            "preview": preview(spec, lang, source),
            "findings": _findings(result),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
        }
    )


@require_POST
@role_required(*TEXT_ROLES)
def pdf_preview(request: HttpRequest, name: str, lang: str) -> HttpResponse:
    """The letter as the print house gets it, on sample data."""
    from outreach.messaging.texts.pdf import render_letter_pdf
    from outreach.messaging.texts.rendering import RenderError

    spec = _spec(name, lang)
    if spec.kind == SMS:
        raise Http404("an SMS has no PDF")
    source = request.POST.get("source", "").replace("\r\n", "\n")
    try:
        pdf = render_letter_pdf(source, sample_for(name, lang), lang)
    except RenderError as exc:
        return HttpResponse(f"De brief kan niet worden gemaakt: {exc}", status=400)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{lang}-voorbeeld.pdf"'
    return response


@role_required(*TEXT_ROLES)
def text_history(request: HttpRequest, name: str, lang: str) -> HttpResponse:
    spec = _spec(name, lang)
    versions = history(name, lang)
    rows = [
        (version, diff(versions[i + 1] if i + 1 < len(versions) else None, version))
        for i, version in enumerate(versions)
    ]
    return render(request, "messaging/history.html", {"spec": spec, "lang": lang, "rows": rows})


@require_POST
@role_required(*TEXT_ROLES)
def text_rollback(request: HttpRequest, name: str, lang: str, version: int) -> HttpResponse:
    _spec(name, lang)
    try:
        new = rollback(
            name, lang, version, request.user, timezone.now(), request.POST.get("reason", "")
        )
        messages.success(request, f"Versie {version} staat weer live, als versie {new.version}.")
    except PublishError as exc:
        messages.error(request, f"Terugzetten kan niet: {exc}")
    return redirect("texts:history", name=name, lang=lang)
