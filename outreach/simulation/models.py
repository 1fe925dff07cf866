"""A simulation a supervisor started from the dashboard: what she asked for, how far it got,
and its figures (outreach.simulation.runs owns its status)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outreach.core.models import Municipality
from outreach.simulation.options import CAPACITY_WORDS


class SimulationRun(models.Model):
    """One run of the simulator for a municipality's own campaigns (`outreach simulate
    --municipality CODE`), in the background. `result` holds the figures as `--json` prints
    them, with each campaign's reach per day, from which the page draws the chart; the chart
    itself is not stored. `failure` is a sentence for the supervisor, never an exception's
    text."""

    class Status(models.TextChoices):
        QUEUED = "queued", "in de wachtrij"
        RUNNING = "running", "bezig"
        DONE = "done", "klaar"
        FAILED = "failed", "mislukt"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name="gemeente"
    )
    # The user, while she exists; her username stays when she is deleted.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="gestart door",
    )
    requested_by_name = models.CharField("gebruikersnaam", max_length=150, blank=True)
    created_at = models.DateTimeField("aangevraagd")
    started_at = models.DateTimeField("begonnen", null=True, blank=True)
    finished_at = models.DateTimeField("klaar", null=True, blank=True)
    # The last sign of life (created, claimed, progress): a run that gives none for
    # OUTREACH_SIMULATE_STALE_MINUTES was interrupted (its process stopped).
    heartbeat_at = models.DateTimeField("laatste voortgang")
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The options, as `outreach simulate` takes them.
    campaigns = models.JSONField("campagnes")  # names, in the order asked
    signals = models.PositiveIntegerField("signalen")
    days = models.PositiveIntegerField("dagen")
    capacity = models.JSONField("capaciteit", default=dict, blank=True)  # "phone"/"visit" -> a day
    seed = models.PositiveBigIntegerField("startgetal")
    progress_done = models.PositiveIntegerField("dagen gesimuleerd", default=0)
    progress_total = models.PositiveIntegerField("dagen te simuleren", default=0)
    result = models.JSONField("uitkomst", null=True, blank=True)
    failure = models.CharField("reden van mislukken", max_length=300, blank=True)

    class Meta:
        verbose_name = "simulatie"
        verbose_name_plural = "simulaties"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "created_at"], name="simrun_municipality")]
        constraints = [
            # At most one simulation per municipality queued or running: one supervisor's
            # second press, or two supervisors at once, get a plain answer, not a second run.
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(status__in=["queued", "running"]),
                name="simrun_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"simulation {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return int(100 * self.progress_done / self.progress_total)

    def command_line(self) -> str:
        """The same simulation as `outreach simulate` runs it (for an administrator who wants
        to see more than the page shows)."""
        words = {kind: word for word, kind in CAPACITY_WORDS.items()}
        parts = [
            "outreach simulate",
            f"--municipality {self.municipality.code}",
            f"--campaigns {','.join(self.campaigns)}",
            f"--signals {self.signals}",
            f"--days {self.days}",
        ]
        if self.capacity:
            given = ",".join(f"{words[k]}={v}" for k, v in sorted(self.capacity.items()))
            parts.append(f"--capacity {given}")
        parts.append(f"--seed {self.seed}")
        return " ".join(parts)
