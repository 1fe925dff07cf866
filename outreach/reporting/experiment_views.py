"""The supervisor's experiments, for one of her municipalities: one list of the campaign
experiments and the text experiments, each experiment's results on one page
(outreach.reporting.experiment_results, the same counting and template for both kinds), and
the form that stops a campaign experiment (outreach.cadence.experiments.stop_experiment).

A text experiment is stopped in the text editor by communication staff (and administrators:
TEXT_ROLES), who choose there which variant becomes the text; a supervisor does not edit texts
(outreach.core.roles), so its page links there instead of offering a form. The municipality is
chosen as on the dashboard (`?municipality=`); another municipality's experiments are 404."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from outreach.cadence.campaigns import Experiment
from outreach.cadence.experiments import ExperimentError, declared_experiments, stop_experiment
from outreach.cadence.models import ExperimentDecision
from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, municipalities_for, role_required
from outreach.messaging.models import TextExperiment
from outreach.messaging.texts.experiments import BASE
from outreach.messaging.texts.scopes import SHARED_KEY
from outreach.reporting.dashboard_views import chosen_municipality
from outreach.reporting.experiment_results import (
    SEGMENTS,
    ExperimentResults,
    Group,
    campaign_experiment_rows,
    experiment_results,
    points,
    whole,
)
from outreach.reporting.stats import Rate
from outreach.reporting.text_experiments import (
    households_per_experiment,
    text_experiment_rows,
    text_experiments_of,
)

OVERSEERS = (SUPERVISOR, ADMINISTRATOR)


@dataclass(frozen=True, slots=True)
class Listed:
    """An experiment of the municipality: declared in its campaign files, or only recorded on
    its cases (the file no longer declares it)."""

    id: str
    label: str
    campaign: str  # the campaign that declares it; "" when no file does any more
    variants: tuple[str, ...]  # the control first
    decision: ExperimentDecision | None
    cases: int

    @property
    def declared(self) -> bool:
        return bool(self.campaign)


def experiments_of(municipality: Municipality) -> dict[str, Listed]:
    """The municipality's experiments by id: the declared ones, then those only its cases
    recorded (their variants in alphabetical order: the file no longer says the control)."""
    counts: dict[str, int] = {}
    recorded: dict[str, set[str]] = {}
    for recorded_id, variant, number in (
        Case.objects.filter(municipality=municipality)
        .exclude(experiment="")
        .values_list("experiment", "variant")
        .annotate(number=Count("id"))
        .order_by()
    ):
        counts[recorded_id] = counts.get(recorded_id, 0) + number
        recorded.setdefault(recorded_id, set()).add(variant)
    decisions = {
        d.experiment: d for d in ExperimentDecision.objects.filter(municipality=municipality)
    }
    listed: dict[str, Listed] = {}
    for experiment_id, (campaign, experiment) in declared_experiments(municipality.code).items():
        listed[experiment_id] = _listed(experiment, campaign, decisions, counts)
    for experiment_id in sorted(set(recorded) - set(listed)):
        listed[experiment_id] = Listed(
            experiment_id,
            experiment_id,
            "",
            tuple(sorted(recorded[experiment_id])),
            decisions.get(experiment_id),
            counts[experiment_id],
        )
    return listed


def _listed(
    experiment: Experiment,
    campaign: str,
    decisions: dict[str, ExperimentDecision],
    counts: dict[str, int],
) -> Listed:
    return Listed(
        experiment.id,
        experiment.label,
        campaign,
        tuple(v.name for v in experiment.variants),
        decisions.get(experiment.id),
        counts.get(experiment.id, 0),
    )


def _municipality(request: HttpRequest) -> Municipality:
    municipality = chosen_municipality(request.GET, municipalities_for(request.user))
    if municipality is None:
        raise Http404("no municipality on your profile")
    return municipality


def _experiment(municipality: Municipality, experiment_id: str) -> Listed:
    listed = experiments_of(municipality).get(experiment_id)
    if listed is None:
        raise Http404("no such experiment in this municipality")
    return listed


def rate_text(rate: Rate) -> str:
    """A count with its fraction and 95% interval: "12 (24,0%; 95%-interval 14,3 tot 37,4%)";
    a group under MIN_CASES households gets its count only, as on the dashboard."""
    if rate.interval is None or rate.fraction is None:
        return f"{whole(rate.count)} (te weinig huishoudens voor een percentage)"
    low, high = rate.interval
    return (
        f"{whole(rate.count)} ({points(rate.fraction)}%; 95%-interval "
        f"{points(low)} tot {points(high)}%)"
    )


@dataclass(frozen=True, slots=True)
class Shown:
    """A group as the page shows it: a row per variant, and the sentences."""

    label: str
    rows: list[tuple[str, str, str, str]]  # variant, households, reached, accepted
    sentences: list[str]

    @classmethod
    def of(cls, group: Group) -> "Shown":
        rows = [
            (v.variant, whole(v.households), rate_text(v.reached), rate_text(v.accepted))
            for v in group.variants
        ]
        return cls(group.label, rows, [c.sentence for c in group.comparisons])


def day(moment: datetime) -> str:
    """A moment as the day it was here: "3 juni 2026"."""
    return date_format(timezone.localtime(moment), "j F Y")


def campaign_status(listed: Listed) -> str:
    if listed.decision is not None:
        decided = day(listed.decision.decided_at)
        return f"Gestopt op {decided}, verder met variant {listed.decision.variant}"
    return "Loopt" if listed.declared else "Afgelopen"


def text_status(experiment: TextExperiment) -> str:
    if experiment.status == TextExperiment.Status.STOPPED and experiment.stopped_at:
        return f"Gestopt op {day(experiment.stopped_at)}, variant {experiment.kept} is de tekst"
    return str(experiment.get_status_display()).capitalize()


def text_variants(experiment: TextExperiment) -> tuple[str, ...]:
    """The variants, the control (A: the text itself) first."""
    return (BASE, *(name for name in experiment.shares if name != BASE))


def text_owner(experiment: TextExperiment) -> str:
    return "eigen tekst" if experiment.municipality_id else "gedeelde tekst"


@dataclass(frozen=True, slots=True)
class Row:
    """An experiment of either kind as the list shows it."""

    kind: str  # "Campagne" or "Tekst"
    label: str
    id: str
    subject: str  # the campaign, or the text and whose it is
    variants: tuple[str, ...]
    size: str  # "12 zaken", "9 huishoudens"
    status: str
    url: str


def rows_of(municipality: Municipality) -> list[Row]:
    """The municipality's campaign experiments, then the text experiments that concern it."""
    query = f"?municipality={municipality.code}"
    rows = [
        Row(
            "Campagne",
            listed.label,
            listed.id,
            listed.campaign or "staat niet meer in de campagnebestanden",
            listed.variants,
            f"{whole(listed.cases)} zaken",
            campaign_status(listed),
            reverse("dashboard:experiment", args=[listed.id]) + query,
        )
        for listed in experiments_of(municipality).values()
    ]
    households = households_per_experiment(municipality)
    rows += [
        Row(
            "Tekst",
            experiment.name,
            experiment.name,
            f"{experiment.text} ({text_owner(experiment)})",
            text_variants(experiment),
            f"{whole(households.get(experiment.name, 0))} huishoudens",
            text_status(experiment),
            reverse("dashboard:text_experiment", args=[experiment.name]) + query,
        )
        for experiment in text_experiments_of(municipality)
    ]
    return rows


@never_cache
@role_required(*OVERSEERS)
def experiment_list(request: HttpRequest) -> HttpResponse:
    allowed = municipalities_for(request.user)
    municipality = chosen_municipality(request.GET, allowed)
    return render(
        request,
        "reporting/experiments.html",
        {
            "municipalities": allowed,
            "municipality": municipality,
            "experiments": rows_of(municipality) if municipality is not None else [],
        },
    )


def results_context(municipality: Municipality, results: ExperimentResults) -> dict[str, object]:
    """What the results template shows of any experiment's results."""
    return {
        "municipality": municipality,
        "results": results,
        "overall": Shown.of(results.overall),
        "segments": [
            (SEGMENTS.get(key, key), [Shown.of(group) for group in groups])
            for key, groups in results.segments.items()
        ],
        "list_url": reverse("dashboard:experiments") + f"?municipality={municipality.code}",
    }


@never_cache
@role_required(*OVERSEERS)
def experiment_page(request: HttpRequest, experiment: str) -> HttpResponse:
    municipality = _municipality(request)
    listed = _experiment(municipality, experiment)
    rows = campaign_experiment_rows(municipality, listed.id, timezone.now())
    status = campaign_status(listed)
    if listed.decision is not None:
        status += ". Zaken die daarna startten, tellen hier niet mee: zij zijn niet geloot."
    elif not listed.declared:
        status += ": het staat niet meer in de campagnebestanden."
    return render(
        request,
        "reporting/experiment.html",
        {
            **results_context(municipality, experiment_results(rows, listed.variants)),
            "label": listed.label,
            "facts": [
                ("Soort", "Campagne-experiment"),
                ("Kenmerk", listed.id),
                ("Campagne", listed.campaign or "staat niet meer in de campagnebestanden"),
                ("Stand", status),
            ],
            "counted": "Per huishouden dat door loting in het experiment kwam.",
            "stop_variants": listed.variants if listed.declared and not listed.decision else (),
            "stop_url": reverse("dashboard:experiment_stop", args=[listed.id])
            + f"?municipality={municipality.code}",
        },
    )


@never_cache
@role_required(*OVERSEERS)
def text_experiment_page(request: HttpRequest, experiment: str) -> HttpResponse:
    """A text experiment's results for the municipality's readers; stopping it is the text
    editor's (see the module's docstring)."""
    municipality = _municipality(request)
    found = next((e for e in text_experiments_of(municipality) if e.name == experiment), None)
    if found is None:
        raise Http404("no such text experiment in this municipality")
    rows = text_experiment_rows(municipality, found.name, timezone.now())
    scope = municipality.code if found.municipality_id else SHARED_KEY
    return render(
        request,
        "reporting/experiment.html",
        {
            **results_context(municipality, experiment_results(rows, text_variants(found))),
            "label": found.name,
            "facts": [
                ("Soort", "Tekstexperiment"),
                ("Kenmerk", found.name),
                ("Tekst", f"{found.text} ({text_owner(found)})"),
                ("Stand", text_status(found) + "."),
            ],
            "counted": (
                "Per huishouden van de gemeente dat een bericht in het experiment kreeg. "
                "Variant A is de tekst zelf."
            ),
            "text_running": found.status == TextExperiment.Status.RUNNING,
            "editor_url": reverse("texts:experiment", kwargs={"scope": scope, "name": found.text}),
        },
    )


@require_POST
@role_required(*OVERSEERS)
def experiment_stop(request: HttpRequest, experiment: str) -> HttpResponse:
    municipality = _municipality(request)
    listed = _experiment(municipality, experiment)
    variant = request.POST.get("variant", "").strip()
    try:
        decision = stop_experiment(municipality, listed.id, variant, request.user, timezone.now())
    except ExperimentError as exc:
        messages.error(request, f"Niet gestopt: {exc}")
    else:
        messages.success(
            request,
            f"Experiment gestopt. Nieuwe zaken krijgen vanaf nu variant {decision.variant}; "
            "lopende zaken houden hun campagne.",
        )
    return redirect(
        reverse("dashboard:experiment", args=[listed.id]) + f"?municipality={municipality.code}"
    )
