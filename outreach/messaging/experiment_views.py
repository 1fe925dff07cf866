"""The text editor's experiments (outreach.messaging.texts.experiments): on one page per text
and owner, communication staff prepare an experiment (its name, variants and shares), write
each variant per language on a page of its own with the preview and findings, start it (with
four eyes: propose it, a colleague starts it) and stop it by choosing the variant that stays.
Every step is written to the audit log, as the editor's other steps are."""

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from outreach.core import audit
from outreach.messaging.editor import _findings, _spec, preview, scoped
from outreach.messaging.models import TextExperiment
from outreach.messaging.texts import experiments as ex
from outreach.messaging.texts.catalogue import LANGUAGES, TEMPLATES, TemplateSpec
from outreach.messaging.texts.scopes import Scope
from outreach.messaging.texts.versions import four_eyes, letterhead, review

Status = TextExperiment.Status


def _text(name: str) -> TemplateSpec:
    spec = TEMPLATES.get(name)
    if spec is None:
        raise Http404("no such text")
    return spec


def _log(request: HttpRequest, experiment: TextExperiment, what: str, object_id: int = 0) -> None:
    """The audit log's line about a step of an experiment on a text (no citizen's data): the
    experiment's id, or the version a variant's save made."""
    made = what.startswith(("aangemaakt", "concept"))
    audit.record(
        request.user,
        audit.Action.CREATED if made else audit.Action.CHANGED,
        audit.Kind.TEXT,
        object_id or experiment.pk,
        experiment.municipality_id,
        f"{experiment.text} experiment {experiment.name}: {what}",
    )


def _failures(error: ex.ExperimentError, request: HttpRequest) -> list[ex.Failure]:
    messages.error(request, str(error))
    return error.failures


@scoped
def experiment(request: HttpRequest, scope: Scope, name: str) -> HttpResponse:
    """The experiment on the owner's text: its state, variants, shares and checks; a POST
    does one step (`action`) and comes back here."""
    spec = _text(name)
    mid = scope.municipality_id
    current = ex.open_experiment(name, mid)
    failures: list[ex.Failure] = []
    if request.method == "POST":
        try:
            return _step(request, scope, name, current)
        except ex.ExperimentError as exc:
            failures = _failures(exc, request)
            current = ex.open_experiment(name, mid)
    sources = ex.newest_sources(current) if current else {}
    base = ex.base_versions(current) if current else {}
    if current is not None and current.status in (Status.DRAFT, Status.PROPOSED) and not failures:
        try:
            ex.check(current, warnings=False)  # a reason for warnings is asked at the start
        except ex.ExperimentError as exc:
            failures = exc.failures
    # Per variant its share and, per language, the version readers would get (A) or the
    # variant's newest version.
    rows = []
    for name_of, share in current.shares.items() if current else []:
        own = base if name_of == ex.BASE else sources.get(name_of, {})
        rows.append((name_of, share, [(lang, own.get(lang)) for lang in LANGUAGES]))
    return render(
        request,
        "messaging/experiment.html",
        {
            "spec": spec,
            "scope": scope,
            "experiment": current,
            "rows": rows,
            "languages": LANGUAGES,
            "running_in": ex.languages_of(current) if current else [],
            "failures": failures,
            "four_eyes": four_eyes(mid),
            "may_approve": current is not None
            and current.status == Status.PROPOSED
            and request.user.pk != current.proposed_by_id,
            "history": ex.history_of(name, mid),
        },
    )


def _step(
    request: HttpRequest, scope: Scope, name: str, current: TextExperiment | None
) -> HttpResponse:
    """One step of the experiment, audit-logged in the same transaction."""
    action = request.POST.get("action", "")
    now = timezone.now()
    back = redirect("texts:experiment", scope=scope.key, name=name)
    if action == "create":
        with transaction.atomic():
            made = ex.create(name, scope.municipality_id, request.POST.get("name", ""),
                             request.user, now)  # fmt: skip
            _log(request, made, "aangemaakt met variant B, 50/50")
        messages.success(request, f"Experiment {made.name} is aangemaakt met variant B.")
        return back
    if current is None:
        raise ex.ExperimentError("Deze tekst heeft geen experiment in voorbereiding of lopend.")
    reason = request.POST.get("reason", "")
    with transaction.atomic():
        if action == "shares":
            shares = ex.set_shares(current, request.POST)
            said = ", ".join(f"{v} {s}%" for v, s in shares.items())
            _log(request, current, f"aandelen {said}")
            messages.success(request, f"De aandelen zijn nu: {said}.")
        elif action == "add":
            variant = ex.add_variant(current, request.user, now)
            _log(request, current, f"variant {variant} toegevoegd")
            messages.success(request, f"Variant {variant} is toegevoegd.")
        elif action == "start":
            ex.start(current, request.user, now, reason)
            _log(request, current, "gestart")
            messages.success(request, f"Experiment {current.name} loopt.")
        elif action == "propose":
            ex.propose(current, request.user, now, reason)
            _log(request, current, "voorgesteld")
            messages.success(request, "Het experiment wacht op goedkeuring van een collega.")
        elif action == "approve":
            ex.approve(current, request.user, now)
            _log(request, current, "goedgekeurd en gestart")
            messages.success(request, f"Experiment {current.name} is goedgekeurd en loopt.")
        elif action == "withdraw":
            ex.back_to_draft(current)
            _log(request, current, "terug in voorbereiding")
            messages.success(request, "Het experiment is weer in voorbereiding.")
        elif action == "stop":
            kept = request.POST.get("kept", "")
            new = ex.stop(current, kept, request.user, now)
            _log(request, current, f"gestopt, variant {kept} blijft")
            listed = ", ".join(f"{v.lang} v{v.version}" for v in new)
            messages.success(
                request,
                f"Experiment {current.name} is gestopt; variant {kept} is de tekst"
                + (f" (nieuwe versies: {listed})." if listed else "."),
            )
        else:
            raise ex.ExperimentError(f"Onbekende stap '{action}'.")
    return back


@scoped
def variant(request: HttpRequest, scope: Scope, name: str, variant: str, lang: str) -> HttpResponse:
    """One variant of the prepared experiment in one language: its source, preview and
    findings; a POST saves it as a new draft version (or leaves the language out)."""
    spec = _spec(name, lang)
    mid = scope.municipality_id
    current = ex.open_experiment(name, mid)
    if current is None or variant not in current.shares or variant == ex.BASE:
        raise Http404("no such variant")
    version = ex.newest_sources(current).get(variant, {}).get(lang)
    source = version.source if version else ""
    if request.method == "POST":
        source = request.POST.get("source", "").replace("\r\n", "\n")
        back = redirect("texts:experiment_variant", scope=scope.key, name=name,
                        variant=variant, lang=lang)  # fmt: skip
        try:
            with transaction.atomic():
                if request.POST.get("action") == "drop":
                    ex.drop_language(current, variant, lang)
                    _log(request, current, f"variant {variant} zonder {lang}")
                    messages.success(request, f"Variant {variant} heeft geen tekst in {lang} meer.")
                    return redirect("texts:experiment", scope=scope.key, name=name)
                saved = ex.save_variant(current, variant, lang, source, request.user,
                                        timezone.now())  # fmt: skip
                if version is None or saved.pk != version.pk:
                    _log(request, current, f"concept variant {variant} {lang} v{saved.version}",
                         saved.pk)  # fmt: skip
                    messages.success(request, f"Variant {variant} ({lang}) versie {saved.version} "
                                     "is bewaard.")  # fmt: skip
                else:
                    messages.info(request, "Niets veranderd: geen nieuwe versie.")
            return back
        except ex.ExperimentError as exc:
            messages.error(request, str(exc))
    result = review(name, lang, source, mid)
    context: dict[str, Any] = {
        "spec": spec,
        "scope": scope,
        "experiment": current,
        "variant": variant,
        "lang": lang,
        "source": source,
        "version": version,
        "findings": _findings(result),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "preview": preview(spec, lang, source, letterhead(mid)),
        "editable": current.status == Status.DRAFT,
        "languages": LANGUAGES,
    }
    return render(request, "messaging/experiment_variant.html", context)
