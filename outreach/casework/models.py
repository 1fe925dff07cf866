"""Cases (DDAS vroegsignaalzaak) and their contact attempts."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outreach.core.ddas import ContactKind, Dagdeel, EndResult
from outreach.core.models import Municipality


class Case(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "enkelvoudig"
        MULTIPLE = "multiple", "meervoudig"
        CONSECUTIVE = "consecutive", "opeenvolgend"

    class State(models.TextChoices):
        # Waits for a caseworker to look at the signals and launch the sequence.
        WAITING = "waiting", "wacht op start"
        NEW = "new", "nieuw"  # prioritised, its campaign not yet started
        ACTIVE = "active", "contact loopt"  # contact attempts under way
        PAUSED = "paused", "gepauzeerd"  # a caseworker paused the sequence
        HELP_OFFER = "help_offer", "hulpaanbod"  # reached or replied: help is being offered
        CLOSED = "closed", "afgesloten"

    # Both lookups are served by the composite indexes below. No foreign-key constraints: see
    # outreach.intake.models.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    # By name: intake builds on casework (it makes the cases), not the other way round.
    household = models.ForeignKey(
        "intake.Household",
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
    # The campaign file the running plan was made from, relative to the campaigns folder
    # ("intensive.toml", a municipality's own "0363/intensive.toml"); empty until planned.
    campaign_file = models.CharField(max_length=120, blank=True, db_default="")
    # The campaign experiment the case runs (the id of a campaign's [experiment]) and its
    # household's variant, set when the campaign starts (outreach.cadence.experiments); empty:
    # none. `variant_after_stop`: given the variant a supervisor chose when she stopped the
    # experiment, not drawn: the results count only the drawn ones.
    experiment = models.CharField(max_length=64, blank=True, db_default="")
    variant = models.CharField(max_length=32, blank=True, db_default="")
    variant_after_stop = models.BooleanField(default=False, db_default=False)
    crisis = models.BooleanField(default=False)
    deadline = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    result = models.CharField(max_length=64, choices=EndResult.choices, null=True, blank=True)
    # Why screening closed the case, in words a caseworker can read.
    result_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The cadence engine: when the campaign started, and its claim on a new case while the
    # campaign is being planned (a lost claim is taken again when it runs out).
    started_at = models.DateTimeField(null=True, blank=True)
    start_claimed_until = models.DateTimeField(null=True, blank=True)
    # Near the deadline without a personal attempt or an offer: escalated, on the at-risk list.
    at_risk = models.BooleanField(default=False, db_default=False)
    at_risk_reason = models.CharField(max_length=300, blank=True, db_default="")
    # A new signal made the weighing framework choose another campaign while one was running.
    replan = models.BooleanField(default=False, db_default=False)
    # When the partners' feedback last recorded this closed case; None: (again) to be recorded,
    # also when the offer of a closed case is answered later (outreach.reporting.feedback).
    feedback_at = models.DateTimeField(null=True, blank=True)
    # The end of the outreach window: calls, visits and steps not done by then expire
    # (outreach.cadence.expiry). Set when the campaign is planned.
    window_ends = models.DateField(null=True, blank=True)
    # When `state` last changed (outreach.casework.workflow): the help offer's clock runs from it.
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # The caseworker who owns the case: letters name her and her direct number.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )

    class Meta:
        indexes = [
            models.Index(fields=["household", "state"]),
            models.Index(fields=["municipality", "state", "-score"]),
            models.Index(fields=["created_at"], name="case_new", condition=Q(state="new")),
            models.Index(
                fields=["deadline"], name="case_active_deadline", condition=Q(state="active")
            ),
            models.Index(fields=["id"], name="case_replan", condition=Q(replan=True)),
            # An experiment's cases (the results), and a household's earlier variant.
            models.Index(
                fields=["municipality", "experiment", "household"],
                name="case_experiment",
                condition=~Q(experiment=""),
            ),
            models.Index(
                fields=["state_changed_at"],
                name="case_help_offer",
                condition=Q(state="help_offer"),
            ),
            # The expiry sweep (every ten minutes) reads the running cases whose window ended,
            # and the held ones (waiting for launch, paused) for the at-risk list.
            models.Index(
                fields=["window_ends"], name="case_active_window", condition=Q(state="active")
            ),
            models.Index(
                fields=["deadline"],
                name="case_held",
                condition=Q(state__in=["waiting", "paused"]),
            ),
            models.Index(
                fields=["closed_at"],
                name="case_feedback_due",
                condition=Q(state="closed", feedback_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def reference(self) -> str:
        """The case's number as texts quote it and people read it out on the phone."""
        return case_reference(self.municipality.code, self.pk)


def case_reference(municipality_code: str, case_id: int) -> str:
    """A case's number ("0344-000123") from its municipality's code and its id."""
    return f"{municipality_code}-{case_id:06d}"


class ContactAttempt(models.Model):
    """A DDAS contactpoging: registered the moment it happens."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    reached = models.BooleanField(default=False)
    date = models.DateField()
    dagdeel = models.CharField(max_length=8, choices=Dagdeel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who made it (a call, a visit, one registered by hand); None: the engine.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class Task(models.Model):
    """A call or a home visit the engine planned, for a caseworker to carry out."""

    class Kind(models.TextChoices):
        PHONE = "phone", "bellen"
        VISIT = "visit", "huisbezoek"

    class Status(models.TextChoices):
        OPEN = "open", "open"
        DONE = "done", "gedaan"
        CANCELLED = "cancelled", "vervallen"
        # Not performed by the end of the case's outreach window: never an attempt.
        EXPIRED = "expired", "verlopen (niet uitgevoerd)"

    class Outcome(models.TextChoices):
        REACHED = "reached", "bereikt"
        NOT_REACHED = "not_reached", "niet bereikt"
        NOT_HOME = "not_home", "niet thuis"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    # The planned step that made this task; one task per step.
    step_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Copied from the case when planned: capacity goes to the highest priority first.
    priority = models.IntegerField(default=0)
    crisis = models.BooleanField(default=False)
    deadline = models.DateField()
    # The earliest day the campaign wants it, and the day capacity planning gave it (None: no
    # room within the planning horizon; visible as a shortfall, never dropped).
    due_on = models.DateField()
    planned_for = models.DateField(null=True, blank=True)
    # Evening calls and visits reach people who work during the day.
    evening = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "step_key"], name="task_case_step_unique")
        ]
        indexes = [
            models.Index(
                fields=["municipality", "kind"], name="task_open", condition=Q(status="open")
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for case {self.case_id}"

    @property
    def late(self) -> bool:
        """Planned after the deadline, or not planned at all: capacity is short."""
        return self.planned_for is None or self.planned_for > self.deadline


class HelpOffer(models.Model):
    """The offer of help (hulpaanbod): when and how it was made, and the answer. Registered
    whenever it happens, also after the 28 days: late successes count."""

    class Answer(models.TextChoices):
        PENDING = "pending", "nog geen antwoord"
        ACCEPTED = "accepted", "geaccepteerd"
        DECLINED = "declined", "afgewezen"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="offer")
    made_on = models.DateField()
    # How it was made, as a DDAS contactsoort (Telefoon, Huisbezoek, SMS/Whatsapp ...).
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"offer for case {self.case_id}: {self.answer}"


class CaseEvent(models.Model):
    """What was done to a case, by whom and when: the case page's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    # None: the system (the engine, a reply, a sweep).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    # In words a caseworker reads; never more personal data than the case page shows.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.action} on case {self.case_id}"
