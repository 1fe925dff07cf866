"""The dashboard's simulations (supervisors and administrators, their own municipalities): a
form and the municipality's runs, a run's page with its progress and figures, and the
progress as JSON for that page's small script. A run of another municipality is 404."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from outreach.core.models import Municipality
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, municipalities_for, role_required
from outreach.reporting.dashboard_views import chosen_municipality
from outreach.simulation import runs
from outreach.simulation.chart import reach_chart
from outreach.simulation.forms import SimulationForm, dutch, max_signals
from outreach.simulation.models import SimulationRun
from outreach.simulation.report import COLUMNS

# The command's table (outreach.simulation.report.COLUMNS), column by column, in Dutch.
LABELS = {
    "signals": "Signalen",
    "reach": "Bereikt",
    "acceptance": "Hulp aanvaard (van de bereikten)",
    "attempts_per_signal": "Pogingen per signaal",
    "staff_hours": "Uren medewerkers",
    "cost_per_reached": "Kosten per bereikt huishouden",
    "deadline_compliance": "Eerste poging op tijd",
    "capacity_shortfall": "Tekort aan capaciteit",
}
# The counts beside a fraction: (count, total) keys of the figures.
COUNTS = {
    "reach": ("reached_cases", "followed_up"),
    "acceptance": ("accepted_cases", "reached_cases"),
}


def decimal(value: float, places: int) -> str:
    """1234.5 -> '1.234,5' (Dutch)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def figure_text(key: str, figures: dict[str, Any]) -> str:
    """One cell of the table, Dutch style; 'n.v.t.' where the figure has no value."""
    value = figures.get(key)
    if value is None:
        return "n.v.t."
    if key in ("reach", "acceptance", "deadline_compliance"):
        text = f"{decimal(100 * value, 1)}%"
        if key in COUNTS:
            count, total = (figures.get(k) for k in COUNTS[key])
            if count is not None and total is not None:
                text += f" ({dutch(count)} van {dutch(total)})"
        return text
    if key == "cost_per_reached":
        return f"€ {decimal(value, 2)}"
    if key in ("attempts_per_signal",):
        return decimal(value, 2)
    if key == "staff_hours":
        return decimal(value, 1)
    return dutch(int(value))


@dataclass(frozen=True)
class Row:
    campaign: str
    cells: list[str]


def in_asked_order(result: dict[str, Any], asked: list[str]) -> list[tuple[str, Any]]:
    """The result's campaigns in the order they were asked for: PostgreSQL's jsonb keeps no
    key order."""
    figures = result["campaigns"]
    return [(name, figures[name]) for name in asked if name in figures] + [
        (name, f) for name, f in figures.items() if name not in asked
    ]


def result_rows(result: dict[str, Any], asked: list[str]) -> list[Row]:
    return [
        Row(name, [figure_text(key, figures) for key, _, _ in COLUMNS])
        for name, figures in in_asked_order(result, asked)
    ]


def result_chart(result: dict[str, Any], asked: list[str]) -> SafeString:
    """The command's --chart, drawn again from the result's reach per day."""
    series = {name: f.get("reach_by_day", []) for name, f in in_asked_order(result, asked)}
    return mark_safe(reach_chart(series))  # every text in it is escaped by format_html


def capacity_text(capacity: dict[str, int]) -> str:
    """{"phone": 40} -> '40 telefoongesprekken; huisbezoeken zoals de gemeente instelde'."""
    words = {"phone": "telefoongesprekken", "visit": "huisbezoeken"}
    given = [f"{capacity[kind]} {word}" for kind, word in words.items() if kind in capacity]
    rest = [word for kind, word in words.items() if kind not in capacity]
    parts = [", ".join(given)] if given else []
    if rest:
        parts.append(f"{' en '.join(rest)} zoals de gemeente heeft ingesteld")
    return "; ".join(parts)


def _own_run(request: HttpRequest, pk: int) -> SimulationRun:
    return get_object_or_404(
        SimulationRun.objects.select_related("municipality"),
        pk=pk,
        municipality__in=municipalities_for(request.user),
    )


def _municipality(request: HttpRequest) -> Municipality:
    municipality = chosen_municipality(request.GET, municipalities_for(request.user))
    if municipality is None:
        raise Http404("no municipality on your profile")
    return municipality


def _list_page(
    request: HttpRequest, municipality: Municipality, form: SimulationForm, status: int = 200
) -> HttpResponse:
    runs.interrupt_stale(timezone.now(), municipality)
    recent = SimulationRun.objects.filter(municipality=municipality)[:50]
    return render(
        request,
        "simulation/runs.html",
        {
            "municipality": municipality,
            "municipalities": municipalities_for(request.user),
            "form": form,
            "runs": recent,
            "active": runs.active_run(municipality),
            "max_signals": dutch(max_signals()),
        },
        status=status,
    )


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def run_list(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    return _list_page(request, municipality, SimulationForm(municipality_code=municipality.code))


@never_cache
@require_POST
@role_required(SUPERVISOR, ADMINISTRATOR)
def start(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    form = SimulationForm(request.POST, municipality_code=municipality.code)
    if not form.is_valid():
        return _list_page(request, municipality, form, status=400)
    try:
        run = runs.start(municipality, request.user, form.choice(), timezone.now())
    except runs.AlreadyActive:
        messages.error(
            request,
            "Er loopt al een simulatie voor deze gemeente. Wacht tot die klaar is; daarna kunt "
            "u een nieuwe starten.",
        )
        return redirect(reverse("simulation:runs") + f"?municipality={municipality.code}")
    return redirect("simulation:run", pk=run.pk)


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    runs.interrupt_stale(timezone.now(), run.municipality)
    run.refresh_from_db()
    context: dict[str, Any] = {
        "run": run,
        "labels": [LABELS[key] for key, _, _ in COLUMNS],
        "capacity": capacity_text(run.capacity),
    }
    if run.status == SimulationRun.Status.DONE and run.result:
        context["rows"] = result_rows(run.result, run.campaigns)
        context["chart"] = result_chart(run.result, run.campaigns)
        context["households"] = dutch(int(run.result.get("households", 0)))
        context["signals"] = dutch(int(run.result.get("signals", 0)))
    return render(request, "simulation/run.html", context)


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _own_run(request, pk)
    if runs.interrupt_stale(timezone.now(), run.municipality):
        run.refresh_from_db()
    return JsonResponse(
        {
            "status": run.status,
            "status_text": run.get_status_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.progress_percent(),
        }
    )
