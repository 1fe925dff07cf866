"""The audit log (outreach.core.audit): one INSERT per line, append-only (in Python and, on
PostgreSQL, in the database), kept for its own period, untouched by the anonymisation."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from outreach.cadence.periodic import run_housekeeping
from outreach.casework.models import Case
from outreach.core import audit
from outreach.core.models import AppendOnlyError, AuditEntry
from outreach.intake.models import Person
from outreach.privacy.retention import ANONYMOUS, anonymise_expired
from tests.cadence.conftest import ingest
from tests.conftest import municipality_with_contact, signal_row

pytestmark = pytest.mark.django_db

Action, Kind = audit.Action, audit.Kind


@pytest.fixture
def sanne(db) -> User:
    return User.objects.create_user("sanne", first_name="Sanne", last_name="Visser")


def entry(municipality, now, *, days_ago: int = 0, actor=None) -> AuditEntry:
    return audit.record(
        actor, Action.VIEWED, Kind.CASE, 7, municipality, now=now - timedelta(days=days_ago)
    )


# --- writing -----------------------------------------------------------------------------------


def test_a_line_holds_who_what_which_object_and_when_in_one_insert(
    municipality, now, sanne, django_assert_num_queries
):
    with django_assert_num_queries(1):
        line = audit.record(sanne, Action.CHANGED, Kind.SIGNAL, 42, municipality, "onterecht", now)
    stored = AuditEntry.objects.get(pk=line.pk)
    assert (stored.at, stored.actor, stored.actor_name) == (now, sanne, "sanne")
    assert (stored.action, stored.kind, stored.object_id) == ("changed", "signal", 42)
    assert (stored.municipality, stored.detail) == (municipality, "onterecht")


def test_without_a_user_the_line_is_the_systems(municipality, now):
    line = audit.record(None, Action.CHANGED, Kind.CASE, 1, municipality.pk, now=now)
    assert (line.actor, line.actor_name) == (None, "")


def test_an_unknown_action_or_kind_is_refused_by_name(municipality, sanne):
    with pytest.raises(ValueError, match="unknown audit action 'read'"):
        audit.record(sanne, "read", Kind.CASE, 1, municipality)
    with pytest.raises(ValueError, match="unknown audit kind 'letter'"):
        audit.record(sanne, Action.VIEWED, "letter", 1, municipality)
    assert not AuditEntry.objects.exists()


def test_the_line_outlives_its_user_with_her_username(municipality, now, sanne):
    line = entry(municipality, now, actor=sanne)
    sanne.delete()
    stored = AuditEntry.objects.get(pk=line.pk)
    assert (stored.actor_id, stored.actor_name) == (None, "sanne")


# --- append-only -------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted(municipality, now, sanne):
    line = entry(municipality, now, actor=sanne)
    line.detail = "iets anders"
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=line.pk).update(detail="iets anders")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=line.pk).delete()
    # An instance made with an existing id is an INSERT, so it fails rather than overwrite.
    copy = AuditEntry(pk=line.pk, at=now, action="changed", kind="case", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()
    assert AuditEntry.objects.get(pk=line.pk).detail == ""


@pytest.mark.postgres
def test_the_database_refuses_an_update_or_delete_past_the_model(municipality, now, sanne):
    line = entry(municipality, now, actor=sanne)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry._base_manager.filter(pk=line.pk).update(detail="iets anders")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry._base_manager.filter(pk=line.pk).update(actor=None, actor_name="")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [line.pk])
    stored = AuditEntry.objects.get(pk=line.pk)
    assert (stored.detail, stored.actor_name) == ("", "sanne")


# --- retention ---------------------------------------------------------------------------------


def test_the_purge_removes_what_is_older_than_the_period_and_keeps_the_rest(
    municipality, now, settings
):
    settings.OUTREACH_AUDIT_RETENTION_DAYS = 730
    old = entry(municipality, now, days_ago=731)
    kept = entry(municipality, now, days_ago=729)
    shared_old = audit.record(None, Action.CHANGED, Kind.TEXT, 3, None, now=now - timedelta(731))
    assert audit.purge_audit(now) == 2
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEntry.objects.filter(pk__in=[old.pk, shared_old.pk]).exists()
    assert audit.purge_audit(now) == 0


def test_a_municipality_keeping_its_data_longer_keeps_its_log_as_long(municipality, now, settings):
    settings.OUTREACH_AUDIT_RETENTION_DAYS = 30
    settings.OUTREACH_RETENTION_DAYS = 20  # the default, shorter than the log's period
    municipality.retention_days = 100
    municipality.save()
    other = municipality_with_contact("0307", "Amersfoort")
    mine = entry(municipality, now, days_ago=60)
    theirs = entry(other, now, days_ago=60)
    audit.purge_audit(now)
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [mine.pk]
    assert not AuditEntry.objects.filter(pk=theirs.pk).exists()


def test_the_housekeeping_and_the_command_purge(municipality, now, settings, run_command):
    settings.OUTREACH_AUDIT_RETENTION_DAYS = 730
    entry(municipality, now, days_ago=800)
    assert run_housekeeping(now.isoformat())["audit_entries_purged"] == 1
    entry(municipality, now, days_ago=800)
    assert run_command("purge-audit", "--now", now.isoformat()) == "audit entries removed 1\n"
    assert not AuditEntry.objects.exists()


def test_a_period_under_a_day_is_refused(municipality, now, settings):
    settings.OUTREACH_AUDIT_RETENTION_DAYS = 0
    with pytest.raises(ValueError, match="OUTREACH_AUDIT_RETENTION_DAYS 0"):
        audit.purge_audit(now)
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("purge_audit")


def test_the_anonymisation_leaves_the_log_as_it_was(municipality, now, sanne):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    Case.objects.filter(pk=case.pk).update(state=Case.State.CLOSED)
    lines = [
        audit.record(sanne, Action.VIEWED, Kind.CASE, case.pk, municipality, now=now),
        audit.record(
            sanne, Action.CHANGED, Kind.HOUSEHOLD, case.household_id, municipality, "voorkeurstaal"
        ),
    ]
    before = list(AuditEntry.objects.order_by("pk").values())
    report = anonymise_expired(now + timedelta(days=400), retention_days=183)
    assert report.persons_anonymised == 1
    assert Person.objects.get().surname == ANONYMOUS
    assert list(AuditEntry.objects.order_by("pk").values()) == before
    assert len(before) == len(lines) + 1  # and the intake's line of the file read in
