"""Celery tasks of core (entries of settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from outreach.core.audit import purge_audit
from outreach.core.clock import parse_now
from outreach.core.login_throttle import purge_login_records


@shared_task(name="outreach.core.tasks.purge_audit_log", ignore_result=True)
def purge_audit_log(now_iso: str | None = None) -> dict[str, int]:
    """Housekeeping: remove the audit entries past their period (outreach.core.audit)."""
    return {"audit_entries_purged": purge_audit(parse_now(now_iso))}


@shared_task(name="outreach.core.tasks.purge_login_log", ignore_result=True)
def purge_login_log(now_iso: str | None = None) -> dict[str, int]:
    """Housekeeping: remove django-axes' login records past their period."""
    return {"login_records_purged": purge_login_records(parse_now(now_iso))}
