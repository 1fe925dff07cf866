"""The supervisor's campaign experiments, for one of her municipalities: the list, each
experiment's results (outreach.reporting.experiment_results), and the form that stops one
(outreach.cadence.experiments.stop_experiment). The municipality is chosen as on the dashboard
(`?municipality=`); another municipality's experiments are 404."""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from outreach.cadence.campaigns import Experiment
from outreach.cadence.experiments import ExperimentError, declared_experiments, stop_experiment
from outreach.cadence.models import ExperimentDecision
from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, municipalities_for, role_required
from outreach.reporting.dashboard_views import chosen_municipality
from outreach.reporting.experiment_results import (
    SEGMENTS,
    Group,
    campaign_experiment_rows,
    experiment_results,
    points,
    whole,
)
from outreach.reporting.stats import Rate

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


@never_cache
@role_required(*OVERSEERS)
def experiment_list(request: HttpRequest) -> HttpResponse:
    allowed = municipalities_for(request.user)
    municipality = chosen_municipality(request.GET, allowed)
    experiments = experiments_of(municipality) if municipality is not None else {}
    return render(
        request,
        "reporting/experiments.html",
        {
            "municipalities": allowed,
            "municipality": municipality,
            "experiments": list(experiments.values()),
        },
    )


@never_cache
@role_required(*OVERSEERS)
def experiment_page(request: HttpRequest, experiment: str) -> HttpResponse:
    municipality = _municipality(request)
    listed = _experiment(municipality, experiment)
    now = timezone.now()
    rows = campaign_experiment_rows(municipality, listed.id, now)
    results = experiment_results(rows, listed.variants)
    segments = [
        (SEGMENTS.get(key, key), [Shown.of(group) for group in groups])
        for key, groups in results.segments.items()
    ]
    return render(
        request,
        "reporting/experiment.html",
        {
            "municipality": municipality,
            "experiment": listed,
            "results": results,
            "overall": Shown.of(results.overall),
            "segments": segments,
            "stop_url": reverse("dashboard:experiment_stop", args=[listed.id])
            + f"?municipality={municipality.code}",
            "list_url": reverse("dashboard:experiments") + f"?municipality={municipality.code}",
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
