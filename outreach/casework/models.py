"""Cases (DDAS vroegsignaalzaak) and their contact attempts."""

from django.db import models

from outreach.core.ddas import ContactKind, Dagdeel, EndResult
from outreach.core.models import Municipality
from outreach.intake.models import Household


class Case(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "enkelvoudig"
        MULTIPLE = "multiple", "meervoudig"
        CONSECUTIVE = "consecutive", "opeenvolgend"

    class State(models.TextChoices):
        NEW = "new", "nieuw"  # prioritised, its campaign not yet started
        ACTIVE = "active", "contact loopt"  # contact attempts under way
        HELP_OFFER = "help_offer", "hulpaanbod"  # reached or replied: help is being offered
        CLOSED = "closed", "afgesloten"

    # Both lookups are served by the composite indexes below. No foreign-key constraints: see
    # outreach.intake.models.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    matching_start = models.DateField()
    matching_end = models.DateField()
    score = models.IntegerField(default=0)
    tier = models.CharField(max_length=32, blank=True)
    # The rules of the weighing framework that fired: [{"rule", "weight", "detail"}].
    reasons = models.JSONField(default=list)
    campaign = models.CharField(max_length=64, blank=True)
    crisis = models.BooleanField(default=False)
    deadline = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    result = models.CharField(max_length=64, choices=EndResult.choices, null=True, blank=True)
    # Why screening closed the case, in words a caseworker can read.
    result_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["household", "state"]),
            models.Index(fields=["municipality", "state", "-score"]),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"


class ContactAttempt(models.Model):
    """A DDAS contactpoging: registered the moment it happens."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    reached = models.BooleanField(default=False)
    date = models.DateField()
    dagdeel = models.CharField(max_length=8, choices=Dagdeel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"
