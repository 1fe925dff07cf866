"""Municipalities and the staff scoped to them."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from outreach.core.ddas import PartnerType
from outreach.core.phones import direct_phone
from outreach.core.quiet_hours import quiet_hours_problem


@dataclass(frozen=True, slots=True)
class ArrearsBounds:
    """Days of arrears a signal may have to be followed up, both inclusive; None: no bound."""

    min: int | None = None
    max: int | None = None

    def admits(self, days: int) -> bool:
        return (self.min is None or days >= self.min) and (self.max is None or days <= self.max)


ARREARS_DAYS_KEYS = ("min", "max")


class Municipality(models.Model):
    """A municipality by its CBS gemeentecode; regional services serve several at once."""

    code = models.CharField(
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", "A CBS gemeentecode is four digits, e.g. 0363.")],
    )
    name = models.CharField(max_length=100)
    # Per partner type, the amount in euros below which a signal is not followed up.
    thresholds = models.JSONField(
        "drempelbedragen",
        default=dict,
        blank=True,
        help_text="Per soort signaalpartner het bedrag in euro waaronder een signaal niet wordt "
        'opgepakt, bijv. {"Huur": 100, "Zorg": 50}; een ontbrekende soort volgt de standaard '
        "(OUTREACH_DEFAULT_THRESHOLD).",
    )
    # Days of arrears (signal date minus ontstaansdatum) outside {"min": n, "max": n} make a
    # signal "onterecht"; a missing key takes the default (settings), null means no bound.
    arrears_days = models.JSONField(
        default=dict,
        blank=True,
        help_text='Dagen achterstand waarbinnen een signaal wordt opgepakt, bijv. {"min": 30, '
        '"max": 365}; een ontbrekende sleutel volgt de standaard, null is geen grens.',
    )
    # Calls and visits a day, by task kind ("phone", "visit"); missing kinds use the default.
    capacity = models.JSONField(
        "capaciteit per dag",
        default=dict,
        blank=True,
        help_text='Telefoongesprekken en huisbezoeken per dag, bijv. {"phone": 30, "visit": 8}; '
        "een ontbrekende soort volgt de standaard (OUTREACH_PHONE_CAPACITY, "
        "OUTREACH_VISIT_CAPACITY).",
    )
    # The policy below: blank or null takes the service's default (settings, from the
    # environment), so changing the environment changes every municipality that sets none.
    quiet_hours = models.CharField(
        "stille uren",
        max_length=20,
        blank=True,
        help_text="Stille uren waarin geen SMS of WhatsApp van ons vertrekt, als UU:MM-UU:MM "
        "in Nederlandse tijd, bijv. 21:00-08:00; leeg: de standaard (OUTREACH_QUIET_HOURS).",
    )
    retention_days = models.PositiveIntegerField(
        "bewaartermijn (dagen)",
        null=True,
        blank=True,
        help_text="Bewaartermijn in dagen: daarna worden signalen, personen en adressen "
        "geanonimiseerd; leeg: de standaard (OUTREACH_RETENTION_DAYS).",
    )
    window_days = models.PositiveIntegerField(
        "outreachvenster (dagen)",
        null=True,
        blank=True,
        help_text="Outreachvenster: zoveel dagen na de wettelijke termijn of de laatste "
        "contactstap vervallen open belafspraken en huisbezoeken; leeg: de standaard "
        "(OUTREACH_WINDOW_DAYS).",
    )
    # The letterhead and the ways to reach the team, as letters and messages print them:
    # team, phone, email, website, address, postal (lines), and the number replies go to
    # (reply_number). The named contact people are ContactPerson rows.
    contact = models.JSONField(default=dict, blank=True)
    # Tiers of the weighing framework whose new cases wait for a caseworker to launch them
    # (the others start on their own).
    manual_launch_tiers = models.JSONField(default=list, blank=True)
    # Publishing one of its own texts takes two people: one proposes, another approves.
    texts_four_eyes = models.BooleanField(
        default=True,
        help_text="Een eigen tekst publiceren vraagt twee mensen: de een stelt voor, een ander "
        "keurt goed.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "municipalities"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {
            "arrears_days": arrears_days_problems(self.arrears_days),
            "thresholds": thresholds_problems(self.thresholds),
            "capacity": capacity_problems(self.capacity),
            "quiet_hours": [p for p in [quiet_hours_problem(self.quiet_hours or "")] if p],
            "retention_days": days_problems(self.retention_days, RETENTION_DAYS_RANGE),
            "window_days": days_problems(self.window_days, WINDOW_DAYS_RANGE),
        }
        errors = {field: problems for field, problems in errors.items() if problems}
        if errors:
            raise ValidationError(errors)

    def arrears_bounds(self) -> ArrearsBounds:
        """This municipality's bounds on the days of arrears, the defaults where it sets none."""
        own = self.arrears_days or {}
        return ArrearsBounds(
            own.get("min", settings.OUTREACH_ARREARS_DAYS_MIN),
            own.get("max", settings.OUTREACH_ARREARS_DAYS_MAX),
        )

    def threshold_for(self, partner_type: str) -> int:
        value = self.thresholds.get(partner_type)
        return int(value) if value is not None else settings.OUTREACH_DEFAULT_THRESHOLD

    def capacity_for(self, kind: str) -> int:
        value = self.capacity.get(kind)
        return int(value) if value is not None else settings.OUTREACH_DEFAULT_CAPACITY[kind]

    def quiet_hours_in_force(self) -> str:
        """The quiet hours ("HH:MM-HH:MM") in which no message of ours goes to a phone; an
        empty default means none."""
        return self.quiet_hours.strip() or settings.OUTREACH_QUIET_HOURS

    def retention_days_in_force(self) -> int:
        """Days after which this municipality's personal data is anonymised."""
        if self.retention_days is not None:
            return self.retention_days
        return int(settings.OUTREACH_RETENTION_DAYS)

    def window_days_in_force(self) -> int:
        """Days after the deadline (or the last contact step) that open calls and visits
        expire (outreach.cadence.expiry)."""
        return self.window_days if self.window_days is not None else settings.OUTREACH_WINDOW_DAYS


# The bounds a municipality's own periods must keep, in days (both inclusive): a retention
# shorter than a day would anonymise what is still being worked on.
RETENTION_DAYS_RANGE = (1, 3650)
WINDOW_DAYS_RANGE = (0, 365)
CAPACITY_KINDS = ("phone", "visit")


def days_problems(value: int | None, bounds: tuple[int, int]) -> list[str]:
    """What is wrong with a number of days (None: the default, always fine)."""
    low, high = bounds
    if value is None or low <= value <= high:
        return []
    return [f"must be from {low} to {high} days, got {value} (leave empty for the default)"]


def _amount_problem(key: str, amount: object) -> str:
    if type(amount) is not int or amount < 0:
        return f"{key}: must be a whole number, 0 or more, got {amount!r}"
    return ""


def thresholds_problems(value: object) -> list[str]:
    """What is wrong with a thresholds setting ({"Huur": 100, ...}); empty when fine."""
    if not isinstance(value, dict):
        return ['use an object such as {"Huur": 100}']
    known = PartnerType.values
    problems = [
        f"unknown partner type {key!r}; one of {', '.join(known)}"
        for key in value
        if key not in known
    ]
    problems += [p for key, amount in value.items() if (p := _amount_problem(key, amount))]
    return problems


def capacity_problems(value: object) -> list[str]:
    """What is wrong with a capacity setting ({"phone": 30, "visit": 8}); empty when fine."""
    if not isinstance(value, dict):
        return ['use an object such as {"phone": 30, "visit": 8}']
    problems = [
        f"unknown kind {key!r}; use {' and '.join(CAPACITY_KINDS)}"
        for key in value
        if key not in CAPACITY_KINDS
    ]
    problems += [p for key, amount in value.items() if (p := _amount_problem(key, amount))]
    return problems


def arrears_days_problems(value: object) -> list[str]:
    """What is wrong with an arrears_days setting ({"min": n, "max": n}); empty when fine."""
    if not isinstance(value, dict):
        return ['use an object such as {"min": 30, "max": 365}']
    problems = [
        f"unknown key {key!r}; use min and max" for key in value if key not in ARREARS_DAYS_KEYS
    ]
    bounds = {key: value.get(key) for key in ARREARS_DAYS_KEYS}
    for key, days in bounds.items():
        if days is not None and (type(days) is not int or days < 0):
            problems.append(f"{key} must be a whole number of days, 0 or more (or null)")
    low, high = bounds["min"], bounds["max"]
    if not problems and low is not None and high is not None and low > high:
        problems.append(f"min ({low}) is more than max ({high})")
    return problems


class StaffProfile(models.Model):
    """Which municipalities a staff member may see; roles are Django groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="staff")

    def __str__(self) -> str:
        return f"staff {self.user}"


class ContactPerson(models.Model):
    """A person letters and messages name, with her direct number (outreach.core.contacts
    decides who is named for a case). Linked to a staff user, it is her contact profile: the
    cases assigned to her name her. The default one is the team's contact person, named when
    the assigned caseworker has no profile (or the case has no caseworker)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="contact_people"
    )
    name = models.CharField("naam", max_length=100)
    # As letters print it ("030 286 1000"); validated and formatted by phones.direct_phone.
    phone = models.CharField("direct nummer", max_length=32)
    email = models.EmailField("e-mail", blank=True)
    team = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_profiles",
        verbose_name="medewerker",
        help_text="De consulent van wie dit het contactprofiel is: haar zaken noemen haar.",
    )
    is_default = models.BooleanField(
        "contactpersoon van het team",
        default=False,
        help_text="Genoemd als de consulent van de zaak geen contactprofiel heeft.",
    )
    active = models.BooleanField("actief", default=True)

    class Meta:
        ordering = ["municipality", "-is_default", "name", "pk"]
        verbose_name = "contactpersoon"
        verbose_name_plural = "contactpersonen"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(is_default=True),
                name="one_default_contact_person",
                violation_error_message="Deze gemeente heeft al een contactpersoon van het team.",
            ),
            models.UniqueConstraint(
                fields=["municipality", "user"],
                name="one_contact_profile_per_user",
                violation_error_message="Deze medewerker heeft al een contactprofiel bij deze "
                "gemeente.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality.name})"

    def clean(self) -> None:
        super().clean()
        try:
            self.phone = direct_phone(self.phone)
        except ValueError as exc:
            raise ValidationError({"phone": str(exc)}) from None


class AppendOnlyError(RuntimeError):
    """The audit log is append-only: an entry is never changed, and removed only by the
    retention purge (outreach.core.audit.purge_audit)."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk changes and deletions: entries are only ever added (and purged)."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are removed only by the retention purge")

    def purge(self) -> int:
        """Delete these entries: for outreach.core.audit.purge_audit only."""
        return models.QuerySet.delete(self)[0]


class AuditEntry(models.Model):
    """One line of the audit log: who viewed or changed which case, household, person, signal
    or text, and when (written by outreach.core.audit.record). It holds no personal data of
    citizens: an object is named by its kind and id, the detail is a fixed word (which action,
    which field), never a value. Append-only: `save` refuses an existing entry, `delete`
    refuses always; on PostgreSQL a trigger (migration 0010) refuses an UPDATE or DELETE too."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "bekeken"
        CREATED = "created", "aangemaakt"
        CHANGED = "changed", "gewijzigd"
        DELETED = "deleted", "verwijderd"
        LISTED = "listed", "lijst bekeken"
        EXPORTED = "exported", "gedownload"
        IMPORTED = "imported", "ingelezen"

    class Kind(models.TextChoices):
        CASE = "case", "zaak"
        HOUSEHOLD = "household", "huishouden"
        PERSON = "person", "persoon"
        SIGNAL = "signal", "signaal"
        TEXT = "text", "tekst"
        EXPERIMENT = "experiment", "experiment"  # a decision that stops one (ExperimentDecision)
        # A page listing people (object 0; the detail names the list and its filter).
        LIST = "list", "lijst"
        # A file made or read: a download, a print batch, an import (its run's id, or 0).
        FILE = "file", "bestand"
        # Any other row, changed through the management pages (the detail names its table).
        RECORD = "record", "beheergegevens"

    at = models.DateTimeField("wanneer")
    # The user, while she exists; her username stays when she is deleted. Both empty: the
    # system (the engine, a command).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="medewerker",
    )
    actor_name = models.CharField("gebruikersnaam", max_length=150, blank=True)
    action = models.CharField("handeling", max_length=10, choices=Action.choices)
    kind = models.CharField("soort", max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("nummer")
    # Whose data it is, for the supervisors' lists; none for the shared texts. PROTECT: a
    # municipality is never deleted from under its log.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (municipality, at) index serves it
        verbose_name="gemeente",
    )
    detail = models.CharField("toelichting", max_length=100, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        indexes = [
            models.Index(fields=["kind", "object_id", "at"], name="audit_object"),
            models.Index(fields=["municipality", "at"], name="audit_municipality"),
            models.Index(fields=["at"], name="audit_at"),  # the retention purge
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'systeem'} {self.action} " + (
            f"{self.kind} #{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"audit entry {self.pk} cannot be changed")
        # Never an UPDATE, also not of an instance made with an existing id.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"audit entry {self.pk} is removed only by the retention purge")


__all__ = [
    "AppendOnlyError",
    "AuditEntry",
    "ContactPerson",
    "Municipality",
    "PartnerType",
    "StaffProfile",
]
