"""Messages to citizens (the outbox every channel writes to, one row per sent message) and the
versions of the texts they are made from."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outreach.casework.models import Case
from outreach.core.models import Municipality


class Message(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms"
        WHATSAPP = "whatsapp"
        EMAIL = "email"
        LETTER = "letter"

    class Status(models.TextChoices):
        # In the order a message moves through them (`outreach.messaging.status`): a status
        # only ever moves forward, whatever order the provider's callbacks arrive in.
        # Committed before its hand-over (persist, then send: `outreach.messaging.sending`).
        SENDING = "sending", "wordt verstuurd"
        # A hand-over whose result was lost and that its transport cannot confirm: a person
        # checks before it is resent, so nobody gets it twice.
        CHECK = "check", "controleren voor opnieuw versturen"
        QUEUED = "queued", "wacht op verzending"  # e.g. a letter waiting for the print batch
        SENT = "sent", "verstuurd"  # handed over: to Twilio, the print house, the mail server
        DELIVERED = "delivered", "afgeleverd"
        READ = "read", "gelezen"  # WhatsApp
        FAILED = "failed", "mislukt"
        UNDELIVERED = "undelivered", "niet afgeleverd"
        RETURNED = "returned", "retour"  # a letter that came back

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", db_index=False, db_constraint=False
    )
    # The planned step that sent it (cadence.PlannedStep); unique, so a step never sends twice.
    # Replies and confirmations have no step.
    step_id = models.BigIntegerField(null=True, blank=True, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # E.164 number, e-mail address or the address lines of a letter.
    to = models.CharField(max_length=300)
    body = models.TextField()
    language = models.CharField(max_length=8, default="nl")
    template = models.CharField(max_length=64, blank=True)
    template_version = models.PositiveIntegerField(null=True, blank=True)
    # Whose version of the text it was made from: the municipality's own, or null for the
    # shared default (TemplateVersion.municipality).
    template_municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    transport_id = models.CharField(max_length=64, blank=True)
    # The provider's error code when it failed (Twilio: 21211 invalid number, 21610 opted out...)
    error_code = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()
    status_at = models.DateTimeField(null=True, blank=True)
    # While `sending`: until when the process that committed it may be handing it over; after
    # that a lost hand-over is looked up (reconciled), never resent blindly.
    sending_until = models.DateTimeField(null=True, blank=True)
    # Whether its hand-over registers a contact attempt (a campaign's message does; the answer
    # to a reply does not).
    counts_as_attempt = models.BooleanField(default=False)
    # Why it waits for a check, or what a person decided.
    note = models.CharField(max_length=200, blank=True)
    # The campaign experiment and variant of its case when it was made (Case.experiment,
    # Case.variant; outreach.cadence.experiments); empty: none.
    experiment = models.CharField(max_length=64, blank=True, db_default="")
    variant = models.CharField(max_length=32, blank=True, db_default="")
    # The text experiment (TextExperiment.name) this message was part of and the variant its
    # text was ("A": the text itself); both empty outside an experiment. A household's later
    # messages in the same experiment take the variant recorded here.
    text_experiment = models.CharField(max_length=64, blank=True, default="", db_default="")
    text_variant = models.CharField(max_length=8, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["case", "created_at"]),
            # Delivery callbacks find their message by the provider's id.
            models.Index(
                fields=["transport_id"], name="message_transport_id", condition=~Q(transport_id="")
            ),
            # Hand-overs whose result was lost, and the list a person checks.
            models.Index(
                fields=["sending_until"],
                name="message_unsettled",
                condition=Q(status__in=["sending", "check"]),
            ),
            # The print batch gathers the queued letters.
            models.Index(
                fields=["channel", "created_at"],
                name="message_queued",
                condition=Q(status="queued"),
            ),
            # A household's variant in a text experiment, and the experiment's rows.
            models.Index(
                fields=["text_experiment", "case"],
                name="message_text_experiment",
                condition=~Q(text_experiment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for case {self.case_id}"


class TemplateVersion(models.Model):
    """One version of one text in one language, shared by all municipalities (`municipality`
    null: the shipped defaults and their edits) or a municipality's own. Communication staff
    save drafts; a published version is what the service sends, one per text, language and
    owner at a time. Version 1 of each shared text comes from the shipped files under
    `templates/`. With four eyes (`versions.four_eyes`) a draft is proposed by one person and
    approved (published) or sent back by another."""

    class Status(models.TextChoices):
        DRAFT = "draft", "concept"
        PROPOSED = "proposed", "wacht op goedkeuring"
        RETURNED = "returned", "teruggestuurd"
        PUBLISHED = "published", "gepubliceerd"
        RETIRED = "retired", "vervangen"  # was published, replaced by a later version
        # A variant of a stopped experiment: kept for the record, never sent again.
        ARCHIVED = "archived", "gearchiveerd"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", "meegeleverd"
        EDITED = "edited", "bewerkt"
        ROLLBACK = "rollback", "teruggezet"
        EXPERIMENT = "experiment", "uit experiment"  # the variant an experiment kept

    # Null: the shared default every municipality without its own version sends.
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=64)
    lang = models.CharField(max_length=8)
    # Empty: the text itself (variant "A" of an experiment on it). Otherwise the variant
    # ("B", ...) of `experiment` this version is the wording of; each variant of a text has
    # its own numbers and at most one published version per language.
    variant = models.CharField(max_length=8, blank=True, default="", db_default="")
    experiment = models.ForeignKey(
        "TextExperiment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    version = models.PositiveIntegerField()
    source = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EDITED)
    note = models.CharField(max_length=200, blank=True)
    # Why it was published in spite of warnings: a warning needs a written reason.
    warning_reason = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Four eyes: who proposed it for publication, and who sent it back with which comment
    # (the approver is `published_by`).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "lang", "-version"]
        # A null municipality is a value of its own here: unique constraints are conditional
        # (portable to SQLite, which has no NULLS NOT DISTINCT), one set for the shared texts
        # and one for the municipalities' own.
        constraints = [
            models.UniqueConstraint(
                fields=["name", "lang", "variant", "version"],
                condition=Q(municipality__isnull=True),
                name="template_version_shared",
            ),
            models.UniqueConstraint(
                fields=["name", "lang", "variant", "municipality", "version"],
                condition=Q(municipality__isnull=False),
                name="template_version_own",
            ),
            models.UniqueConstraint(
                fields=["name", "lang", "variant"],
                condition=Q(status="published", municipality__isnull=True),
                name="one_published_shared",
            ),
            models.UniqueConstraint(
                fields=["name", "lang", "variant", "municipality"],
                condition=Q(status="published", municipality__isnull=False),
                name="one_published_own",
            ),
        ]
        permissions = [("edit_shared_texts", "Can edit the shared default texts")]

    def __str__(self) -> str:
        owner = self.municipality_id or "shared"
        variant = f" variant {self.variant}" if self.variant else ""
        return f"{self.name}/{self.lang}{variant} v{self.version} ({owner}, {self.status})"


class TextExperiment(models.Model):
    """A test of one owner's text (the shared one, or a municipality's) against other wordings
    of it: variant "A" is the text itself as published, the others ("B", ...) are
    TemplateVersions with `variant` set. Each household gets one variant, by a stable hash of
    the experiment's `name` and the household (outreach.core.variants), in the `shares` given;
    the messages record it (Message.text_experiment, text_variant). Stopping keeps one variant
    as the text (`kept`); the others' versions are archived
    (outreach.messaging.texts.experiments)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "in voorbereiding"
        PROPOSED = "proposed", "wacht op goedkeuring"  # four eyes: a colleague starts it
        RUNNING = "running", "loopt"
        STOPPED = "stopped", "gestopt"

    # Null: an experiment on a shared text, for readers who get the shared text.
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=64)  # the text's name (catalogue.TEMPLATES)
    # Hashed with the household: a name is never used twice, so no two experiments share a
    # draw, and it is what the messages and the results name.
    name = models.CharField(max_length=64, unique=True)
    # {"A": 50, "B": 50}: whole percentages that add up to 100, in the variants' order.
    shares = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    kept = models.CharField(max_length=8, blank=True)  # the variant that became the text
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    # Why it may run in spite of the variants' warnings.
    warning_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # One experiment under way (not stopped) per text and owner.
        constraints = [
            models.UniqueConstraint(
                fields=["text"],
                condition=Q(municipality__isnull=True) & ~Q(status="stopped"),
                name="one_open_experiment_shared",
            ),
            models.UniqueConstraint(
                fields=["text", "municipality"],
                condition=Q(municipality__isnull=False) & ~Q(status="stopped"),
                name="one_open_experiment_own",
            ),
        ]

    def __str__(self) -> str:
        return f"experiment {self.name} on {self.text} ({self.status})"

    @property
    def variants(self) -> list[tuple[str, float]]:
        """(variant, share) in order, as outreach.core.variants.assign takes them."""
        return [(name, float(share)) for name, share in self.shares.items()]
