"""The durable schedule: every planned contact step is a row with `due_at`.

A beat tick claims due rows (status planned -> claimed, with a lease) and enqueues their
execution; executing moves claimed -> done/skipped/failed by compare-and-set. A claim whose
lease ran out (the task was lost with a worker or with Redis) is claimed again. The unique
(case, key) pair makes planning the same step twice impossible.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outreach.casework.models import Case
from outreach.core.models import Municipality


class CampaignVersion(models.Model):
    """A campaign file as a plan was made from it: its bytes' digest and its text. A running
    plan's steps point at the version they were planned from, so editing the file changes new
    plans only (outreach.cadence.versions). Written once, never changed; no personal data."""

    # Relative to CAMPAIGNS_DIR: "intensive.toml", or a municipality's own "0363/intensive.toml".
    file = models.CharField(max_length=120)
    digest = models.CharField(max_length=64)  # SHA-256 of the file's bytes, hex
    text = models.TextField()
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Two files may have the same bytes (a copy): the file names the campaign.
            models.UniqueConstraint(fields=["file", "digest"], name="campaign_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.file} {self.digest[:12]}"


class PlannedStep(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "gepland"
        CLAIMED = "claimed", "in behandeling"
        DONE = "done", "uitgevoerd"
        SKIPPED = "skipped", "overgeslagen"  # a condition did not hold
        FAILED = "failed", "mislukt"  # a permanent error; its fallback step takes over
        CANCELLED = "cancelled", "vervallen"  # the case was reached, replied or closed
        PAUSED = "paused", "gepauzeerd"  # a caseworker paused the case; resumed, it is planned

    OPEN = (Status.PLANNED, Status.CLAIMED)

    # No foreign-key constraint, as with the intake tables: the engine writes set-wise.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="steps", db_index=False, db_constraint=False
    )
    # The campaign step's id, or one of the engine's own: "escalation", "close".
    key = models.CharField(max_length=64)
    campaign = models.CharField(max_length=64)
    # The campaign file the step was planned from; null for steps planned before versions were
    # kept, and for the engine's escalation (they fall back to the library by name).
    version = models.ForeignKey(
        CampaignVersion,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED, db_default=Status.PLANNED
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    claims = models.PositiveIntegerField(default=0, db_default=0)
    # Transient transport errors so far; each one postpones the step with a growing backoff.
    retries = models.PositiveSmallIntegerField(default=0, db_default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # What happened, in words a caseworker can read (why skipped, which error).
    note = models.CharField(max_length=300, blank=True, db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="planned_step_case_key_unique")
        ]
        indexes = [
            # The tick reads only due rows: its cost follows the due steps, not the waiting ones.
            models.Index(fields=["due_at"], name="step_due_planned", condition=Q(status="planned")),
            models.Index(
                fields=["claimed_until"], name="step_lease_claimed", condition=Q(status="claimed")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} for case {self.case_id}"


class ExperimentDecision(models.Model):
    """A supervisor stopped a campaign experiment of her municipality by choosing a variant:
    from `decided_at` on, cases that start with the experiment's campaign get that variant's
    campaign (outreach.cadence.experiments); cases already running keep theirs. One decision
    per experiment and municipality; audit-logged. No personal data."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    experiment = models.CharField(max_length=64)
    variant = models.CharField(max_length=32)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "experiment"], name="experiment_decision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experiment}: {self.variant}"
