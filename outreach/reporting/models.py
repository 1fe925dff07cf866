"""What partners get back about their signals (terugmelding): only the fact they may know, never
the reason; and the bookkeeping that delivers every record, and every change of it, once."""

from django.db import models

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Signal, SignalPartner


class PartnerFeedback(models.Model):
    """One signal's feedback. Made at the earlier of the case closing and 28 days after the
    signal was received; changed when the case closes or help is accepted later."""

    class Outcome(models.TextChoices):
        HELPED = "helped", "wil hulp"
        NOT_REACHED = "not_reached", "niet bereikt of geen hulp gewenst"
        NOT_PICKED_UP = "not_picked_up", "niet opgepakt"
        ALREADY_KNOWN = "already_known", "al bekend"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, db_constraint=False)
    signal = models.OneToOneField(
        Signal, on_delete=models.CASCADE, db_constraint=False, related_name="feedback"
    )
    # Copied from the signal: partners and municipalities select by them (indexes below).
    partner = models.ForeignKey(
        SignalPartner, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    # The change number: every create or change of a record takes the next one (under the
    # sweep's lock, so in commit order). Partners read "everything after N".
    change = models.BigIntegerField(unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["partner", "change"], name="feedback_partner_change"),
            models.Index(fields=["municipality", "partner"], name="feedback_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} for signal {self.signal_id}"


class FeedbackSweep(models.Model):
    """The sweep's own single row (pk 1): locked for the whole sweep, so sweeps run one at a
    time and change numbers are handed out in the order they become visible."""

    last_change = models.BigIntegerField(default=0)
    # Signals received before this moment have had their 28-day pass.
    due_before = models.DateTimeField(null=True, blank=True)
    # Per local day, the highest signal id at its first sweep: [[ISO time, id], ...]. A signal
    # received later has a higher id (ids are taken at intake), so the 28-day pass reads only
    # ids above the checkpoint from before its window.
    checkpoints = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"feedback sweep at change {self.last_change}"


class PartnerCursor(models.Model):
    """Where a partner's plain GET /api/v1/feedback left off: the last change it was given."""

    partner = models.OneToOneField(
        SignalPartner, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    position = models.BigIntegerField(default=0)
    moved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.partner_id} at change {self.position}"
