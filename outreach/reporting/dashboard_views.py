"""The supervisor's dashboard: for one of her municipalities and a period, the figures' tables
each with its chart, each downloadable as CSV, and the DDAS delivery as a download.

The figures come from outreach.reporting.tables.dashboard_tables and the delivery from
outreach.reporting.ddas_export.write_delivery; this module only chooses what to ask for, checks
that the user may see it, and renders. Both are looked up on their module at call time, so a
test can put its own tables in place.
"""

import io
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache

from outreach.core import audit
from outreach.core.models import Municipality
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, municipalities_for, role_required
from outreach.reporting import dashboard_cache, ddas_export
from outreach.reporting.cells import cell_text, is_numeric
from outreach.reporting.charts import bar_chart
from outreach.reporting.period import Period
from outreach.reporting.table_csv import write_table_csv
from outreach.reporting.tables import Cell, Table

# The delivery is written to memory, and beyond this many bytes to an unnamed temporary file, then
# streamed out: the database work is done before the first byte, so a failure is an error page
# and not a cut-off file, and a large delivery never sits whole in the web process's memory.
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Selection(Period):
    """The period the page shows, with what the page and its links say of it."""

    def query(self) -> str:
        return urlencode(
            {
                "municipality": self.municipality.code,
                "from": self.start.isoformat(),
                "to": self.end.isoformat(),
            }
        )

    def period_text(self) -> str:
        return f"{self.start:%d-%m-%Y} t/m {self.end:%d-%m-%Y}"

    def file_stem(self) -> str:
        return f"{self.municipality.code}-{self.start.isoformat()}-{self.end.isoformat()}"


def default_start(today: date) -> date:
    """The first day of the twelve months that end today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1)


def period(query: QueryDict, today: date) -> tuple[date, date, dict[str, str]]:
    """The period asked for (by default the last twelve months) and what is wrong with it, by
    the field it is wrong in ("from", "to", or "period" for both)."""
    errors: dict[str, str] = {}
    dates: list[date] = []
    for name, label, default in (
        ("from", "Van", default_start(today)),
        ("to", "Tot en met", today),
    ):
        text = query.get(name, "").strip()
        try:
            dates.append(date.fromisoformat(text) if text else default)
        except ValueError:
            errors[name] = (
                f"De datum bij {label} is ongeldig: gebruik de vorm JJJJ-MM-DD "
                "(bijvoorbeeld 2026-03-31)."
            )
            dates.append(default)
    start, end = dates
    if not errors and start > end:
        errors["period"] = "De begindatum ligt na de einddatum."
    return start, end, errors


def chosen_municipality(query: QueryDict, allowed: QuerySet[Municipality]) -> Municipality | None:
    """The municipality asked for, or else the user's first; 404 for one not on her profile."""
    code = query.get("municipality", "").strip()
    if not code:
        return allowed.first()
    chosen = allowed.filter(code=code).first()
    if chosen is None:
        raise Http404("no such municipality among yours")
    return chosen


@dataclass(frozen=True, slots=True)
class ShownCell:
    text: str
    numeric: bool


def row_html(row: tuple[Cell, ...]) -> SafeString:
    """A table row's cells: the first heads the row, a number is right aligned. Written here
    rather than in the template: a year's late cases are thousands of cells, which Django's
    template language draws at a sixth of the speed. Every text is escaped."""
    head, *rest = row
    cells = [f'<th scope="row">{escape(cell_text(head))}</th>']
    cells.extend(
        f'<td class="num">{escape(cell_text(cell))}</td>'
        if is_numeric(cell)
        else f"<td>{escape(cell_text(cell))}</td>"
        for cell in rest
    )
    return mark_safe("".join(cells))  # every text above is escaped


@dataclass(frozen=True, slots=True)
class Section:
    """A table as the template draws it."""

    table: Table
    headings: list[ShownCell]
    rows: list[SafeString]  # each row's cells (row_html)
    chart: SafeString | None
    csv_url: str

    @classmethod
    def of(cls, table: Table, selection: Selection) -> "Section":
        # A column of numbers (None aside) is right aligned, its heading too.
        numeric = [
            bool(table.rows)
            and all(is_numeric(row[index]) or row[index] is None for row in table.rows)
            for index in range(len(table.columns))
        ]
        headings = [
            ShownCell(column.label, numeric[index]) for index, column in enumerate(table.columns)
        ]
        url = reverse("dashboard:table_csv", args=[table.slug]) + "?" + selection.query()
        rows = [row_html(row) for row in table.rows]
        return cls(table, headings, rows, bar_chart(table), url)


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    allowed = municipalities_for(request.user)
    municipality = chosen_municipality(request.GET, allowed)
    start, end, errors = period(request.GET, timezone.localdate(now))
    context: dict[str, object] = {
        "municipalities": allowed,
        "municipality": municipality,
        "from_text": request.GET.get("from", "").strip() or start.isoformat(),
        "to_text": request.GET.get("to", "").strip() or end.isoformat(),
        "errors": list(errors.values()),
        "from_invalid": "from" in errors or "period" in errors,
        "to_invalid": "to" in errors or "period" in errors,
        "sections": [],
    }
    if municipality is not None and not errors:
        selection = Selection(municipality, start, end)
        counted = dashboard_cache.dashboard_tables(
            municipality, start, end, now, fresh=request.GET.get("fresh") == "1"
        )
        context["selection"] = selection
        context["counted"] = counted
        context["refresh_url"] = reverse("dashboard:page") + "?" + selection.query() + "&fresh=1"
        context["sections"] = [Section.of(table, selection) for table in counted.tables]
        context["ddas_url"] = reverse("dashboard:ddas") + "?" + selection.query()
    return render(request, "reporting/dashboard.html", context, status=400 if errors else 200)


def selection_for_download(request: HttpRequest) -> Selection | HttpResponse:
    """The selection of a download, or the 400 that says what is wrong with its dates."""
    municipality = chosen_municipality(request.GET, municipalities_for(request.user))
    if municipality is None:
        raise Http404("no municipality on your profile")
    start, end, errors = period(request.GET, timezone.localdate())
    if errors:
        return HttpResponseBadRequest(
            " ".join(errors.values()), content_type="text/plain; charset=utf-8"
        )
    return Selection(municipality, start, end)


def log_download(request: HttpRequest, selection: Selection, name: str) -> None:
    """The audit log's line of a download: what, of which municipality and period."""
    span = {"van": selection.start.isoformat(), "tot": selection.end.isoformat()}
    audit.record(
        request.user, audit.Action.EXPORTED, audit.Kind.FILE, 0, selection.municipality,
        audit.describe(name, span),
    )  # fmt: skip


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def table_csv(request: HttpRequest, slug: str) -> HttpResponse:
    selection = selection_for_download(request)
    if isinstance(selection, HttpResponse):
        return selection
    counted = dashboard_cache.dashboard_tables(
        selection.municipality, selection.start, selection.end, timezone.now()
    )
    table = next((table for table in counted.tables if table.slug == slug), None)
    if table is None:
        raise Http404("no such table")
    log_download(request, selection, f"csv {table.slug}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table.slug}-{selection.file_stem()}.csv"'
    )
    response.write("\ufeff")  # the byte-order mark that makes Excel read UTF-8
    write_table_csv(table, response)
    return response


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
def ddas(request: HttpRequest) -> HttpResponseBase:
    selection = selection_for_download(request)
    if isinstance(selection, HttpResponse):
        return selection
    log_download(request, selection, "ddas-export")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        ddas_export.write_delivery(
            selection.municipality, selection.start, selection.end, timezone.now(), text
        )
        text.flush()
    except BaseException:
        text.close()
        raise
    text.detach()  # the wrapper lets go of the file without closing it
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"ddas-{selection.file_stem()}.json",
        content_type="application/json; charset=utf-8",
    )
