"""Changes made through the management pages (Django's admin) in the audit log.

The admin notes each addition, change and deletion as a `LogEntry` in the transaction of the
change itself (its add, change and delete views are atomic, and a deletion is noted before the
row goes). A receiver of that entry's `post_save` writes the audit line beside it, so the two
commit together, for every model the admin manages (Django's own users and groups too). The
bulk "delete selected" action notes its entries with one bulk INSERT, which sends no signal:
`AuditedAdmin.log_deletions` writes their lines.

The line names the row by its table and id, and the fields changed by their names; never the
row's text (`LogEntry.object_repr` may hold a name): the audit log holds no citizen's data.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from outreach.core import audit
from outreach.core.models import Municipality

ACTIONS = {
    ADDITION: audit.Action.CREATED,
    CHANGE: audit.Action.CHANGED,
    DELETION: audit.Action.DELETED,
}
# The models the log names by a kind of its own; any other is a `record` of its table.
KINDS = {
    "casework.case": audit.Kind.CASE,
    "intake.household": audit.Kind.HOUSEHOLD,
    "intake.person": audit.Kind.PERSON,
    "intake.signal": audit.Kind.SIGNAL,
}


def municipality_of(model: type[Model] | None, object_id: str) -> int | None:
    """The municipality the row belongs to (None: none, or the row is gone)."""
    if model is None or not object_id:
        return None
    if model is Municipality:
        return int(object_id) if object_id.isdigit() else None
    if not any(f.name == "municipality" for f in model._meta.concrete_fields):
        return None
    found = model._default_manager.filter(pk=object_id).values_list("municipality", flat=True)
    value = found.first()
    return int(value) if value is not None else None


def changed_fields(entry: LogEntry) -> str:
    """The names of the fields a change touched, from the entry's message (never values)."""
    try:
        message = json.loads(entry.change_message or "[]")
    except ValueError:
        return ""
    names: list[str] = []
    for part in message if isinstance(message, list) else []:
        changed = part.get("changed") if isinstance(part, dict) else None
        if isinstance(changed, dict):
            names += [str(name) for name in changed.get("fields", [])]
    return ", ".join(dict.fromkeys(names))


def record_entries(entries: Iterable[LogEntry]) -> None:
    """The audit lines of these admin log entries."""
    for entry in entries:
        content_type = entry.content_type
        model = content_type.model_class() if content_type is not None else None
        label = f"{content_type.app_label}.{content_type.model}" if content_type else "?"
        object_id = str(entry.object_id or "")
        fields = changed_fields(entry) if entry.action_flag == CHANGE else ""
        audit.record(
            entry.user,
            ACTIONS.get(entry.action_flag, audit.Action.CHANGED),
            KINDS.get(label, audit.Kind.RECORD),
            int(object_id) if object_id.isdigit() else 0,
            municipality_of(model, object_id),
            audit.describe(f"beheer {label}", {"velden": fields}),
            entry.action_time,
        )


def on_log_entry(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """`post_save` of an admin log entry: its audit line, in the same transaction."""
    if created and not kwargs.get("raw"):
        record_entries([instance])


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose bulk deletions reach the audit log too (see the module)."""

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        entries = super().log_deletions(request, queryset)
        if isinstance(entries, list) and len(entries) > 1:  # one entry was saved: signalled
            record_entries(entries)
        return entries
