"""The audit log: who viewed or changed which case, household, person, signal or text, and when.

Views write it (one INSERT each, `record`); supervisors and administrators read it per case and
as a list of their municipalities (outreach.desk.audit_views). It is append-only
(`AuditEntry`), and kept for its own period (`purge_audit`): OUTREACH_AUDIT_RETENTION_DAYS, and
never shorter than the municipality's own retention of the data the entries are about.

An entry names an object by its kind and id and says what was done with a fixed word (`detail`:
the action or the field, never a value), so it holds no citizen's data and outlives the
anonymisation (outreach.privacy.retention) unchanged.

Besides the case pages and the changes, the log holds: a page listing people (`record_list`:
one entry per page view and municipality shown, with the filter, never a row), a file made or
downloaded (`Action.EXPORTED`), a file or delivery read in (`Action.IMPORTED`, with counts), and
a change through the management pages (`outreach.core.admin_audit`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from outreach.core.models import AuditEntry, Municipality
from outreach.core.roles import ADMINISTRATOR, SUPERVISOR, has_role, municipalities_for

Action = AuditEntry.Action
Kind = AuditEntry.Kind

# Who reads the log: the supervisors and administrators, of their own municipalities.
AUDIT_ROLES = (SUPERVISOR, ADMINISTRATOR)

# On PostgreSQL the trigger of migration 0010 refuses every DELETE unless this setting is on in
# the deleting transaction: only `purge_audit` turns it on.
PURGE_SETTING = "outreach.audit_purge"


def record(
    actor: Any,
    action: str,
    kind: str,
    object_id: int,
    municipality: Municipality | int | None,
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Log that `actor` (a user; None or an anonymous user: the system) did `action` with the
    object `kind` #`object_id` of `municipality` (None: the shared texts). `detail` is a fixed
    word or two (which action, which field), never a citizen's data. One INSERT."""
    user = actor if actor is not None and actor.is_authenticated else None
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(Action.values)}")
    if kind not in Kind.values:
        raise ValueError(f"unknown audit kind {kind!r}; one of {', '.join(Kind.values)}")
    place = municipality.pk if isinstance(municipality, Municipality) else municipality
    return AuditEntry.objects.create(
        at=now or timezone.now(),
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        kind=kind,
        object_id=object_id,
        municipality_id=place,
        detail=detail[:100],
    )


def describe(name: str, filters: Mapping[str, object]) -> str:
    """`name` and the filters that narrow it, as `queue: show=open tier=crisis`: the filters'
    names and values, skipping the empty ones. The caller passes only values that are no
    citizen's data (a choice, a number, a date); a free text is passed as True ("used")."""
    used = [
        f"{key}={'ja' if value is True else value}"
        for key, value in filters.items()
        if value is not None and value is not False and value != ""
    ]
    return " ".join([f"{name}:" if used else name, *used])[:100]


def record_list(
    actor: Any,
    name: str,
    filters: Mapping[str, object],
    municipalities: Iterable[Municipality | int],
    now: datetime | None = None,
) -> list[AuditEntry]:
    """Log that `actor` viewed the list `name` with `filters` (see `describe`): one entry per
    municipality whose people the list may show (the supervisors of each see it), never one
    per row. One INSERT."""
    detail = describe(name, filters)
    return record_many(actor, Action.LISTED, Kind.LIST, 0, municipalities, detail, now)


def record_many(
    actor: Any,
    action: str,
    kind: str,
    object_id: int,
    municipalities: Iterable[Municipality | int],
    detail: str = "",
    now: datetime | None = None,
) -> list[AuditEntry]:
    """`record` for something that concerns several municipalities at once (a list, a file
    of several): one entry for each, so that each one's supervisors see it. One INSERT."""
    user = actor if actor is not None and actor.is_authenticated else None
    moment = now or timezone.now()
    places = sorted({m.pk if isinstance(m, Municipality) else m for m in municipalities})
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            at=moment,
            actor=user,
            actor_name=user.get_username() if user is not None else "",
            action=Action(action),
            kind=Kind(kind),
            object_id=object_id,
            municipality_id=place,
            detail=detail[:100],
        )
        for place in places
    )


def page_number(text: str | None) -> str:
    """A list's page number as the query string gave it, when it is one (else empty)."""
    return text if text and text.isdigit() and len(text) <= 6 else ""


# --- retention -------------------------------------------------------------------------------


def audit_days() -> int:
    """The audit log's own period in days (OUTREACH_AUDIT_RETENTION_DAYS), at least one."""
    days = int(settings.OUTREACH_AUDIT_RETENTION_DAYS)
    if days < 1:
        raise ValueError(f"OUTREACH_AUDIT_RETENTION_DAYS {days}: the period is at least 1 day")
    return days


def audit_periods() -> dict[int, list[int]]:
    """The municipalities (ids) per period in days their entries are kept: the log's own
    period, or the municipality's retention of the data when that is longer (the log must
    still answer who saw data that is still kept)."""
    own = audit_days()
    periods: dict[int, list[int]] = {}
    for place in Municipality.objects.only("pk", "retention_days"):
        periods.setdefault(max(own, place.retention_days_in_force()), []).append(place.pk)
    return periods


def purge_audit(now: datetime) -> int:
    """Remove the entries older than their period (`audit_periods`; the shared texts' ones
    after the log's own period); the number removed. The only way entries go."""
    removed = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        for days, ids in audit_periods().items():
            expired = AuditEntry.objects.filter(
                municipality_id__in=ids, at__lt=now - timedelta(days=days)
            )
            removed += expired.purge()
        removed += AuditEntry.objects.filter(
            municipality__isnull=True, at__lt=now - timedelta(days=audit_days())
        ).purge()
    return removed


# --- reading ---------------------------------------------------------------------------------


def visible_entries(user: Any) -> QuerySet[AuditEntry]:
    """The entries `user` may read: those of her municipalities for a supervisor or an
    administrator; a superuser also sees the shared texts' ones (they belong to no
    municipality). Nothing for the other roles."""
    if not has_role(user, *AUDIT_ROLES):
        return AuditEntry.objects.none()
    scope = Q(municipality__in=municipalities_for(user))
    if getattr(user, "is_superuser", False):
        scope |= Q(municipality__isnull=True)
    return AuditEntry.objects.filter(scope)


def about(
    entries: QuerySet[AuditEntry], objects: Mapping[str, Iterable[int]]
) -> QuerySet[AuditEntry]:
    """The entries about these objects (ids per kind), newest first."""
    match = Q(pk__in=[])
    for kind, ids in objects.items():
        match |= Q(kind=kind, object_id__in=list(ids))
    return entries.filter(match).select_related("actor").order_by("-at", "-pk")


@dataclass(frozen=True)
class AuditFilters:
    """The list's filters; empty or None: no filter."""

    start: date | None = None  # from this day (inclusive, local time)
    end: date | None = None  # up to this day (inclusive)
    actor: str = ""  # a username, exactly
    kind: str = ""
    action: str = ""


def filtered(entries: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries that pass the filters, newest first."""
    zone = timezone.get_current_timezone()
    if filters.start is not None:
        entries = entries.filter(at__gte=datetime.combine(filters.start, datetime.min.time(), zone))
    if filters.end is not None:
        after = datetime.combine(filters.end + timedelta(days=1), datetime.min.time(), zone)
        entries = entries.filter(at__lt=after)
    if filters.actor:
        entries = entries.filter(actor_name=filters.actor)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.action:
        entries = entries.filter(action=filters.action)
    return entries.select_related("actor", "municipality").order_by("-at", "-pk")
