"""Signals as partners deliver them, and the people and households they are about (DDAS words).

References among the intake's tables (signal, person, phone number, household, case) carry no
database foreign-key constraint: the intake writes each batch's rows together, in one
transaction, under a lock, and a constraint check per row would cost a third of a million-row
delivery's time. `outreach.intake.integrity` counts dangling references; the tests and the
benchmark check that there are none.
"""

import json
from typing import Any

from django.db import models

from outreach.core.ddas import PartnerType, SignalStatus
from outreach.core.models import Municipality

# What anonymisation (outreach.privacy.retention) leaves behind: a person's surname becomes
# ANONYMOUS, and the keys of the person and of the household start with ANONYMISED_KEY_PREFIX.
# Kept beside the rows they mark, so that every app reading those rows can tell.
ANONYMOUS = "(geanonimiseerd)"
ANONYMISED_KEY_PREFIX = "anon:"


class SignalPartner(models.Model):
    """A reporting organisation: its DDAS type and name. Its API token is stored hashed."""

    type = models.CharField(max_length=32, choices=PartnerType.choices)
    name = models.CharField(max_length=200)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="partners")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "name"], name="partner_type_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


class Household(models.Model):
    """One address in a municipality; `key` is the normalised address ("1234AB|12|A")."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, db_index=False)
    key = models.CharField(max_length=32)
    postcode = models.CharField(max_length=6)
    house_number = models.PositiveIntegerField()
    addition = models.CharField(max_length=6, blank=True)
    street = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # From the population register when it is known; None means unknown.
    minors = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="household_key_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The household as caseworkers write it: "1234AB 12A"."""
        return f"{self.postcode} {self.house_number}{self.addition}"


class Person(models.Model):
    """Someone named on a signal, identified by `key`: address, surname and first initial."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="persons", db_constraint=False
    )
    key = models.CharField(max_length=120)
    # The BSN, encrypted, and its blind index (outreach.core.bsn); never shown or listed.
    bsn_encrypted = models.CharField(max_length=200, blank=True)
    bsn_index = models.CharField(max_length=32, blank=True)
    initials = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=20, blank=True)
    surname = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True)
    preferred_language = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="person_key_unique")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        given = self.first_name or self.initials
        return " ".join(part for part in (given, self.prefix, self.surname) if part)


class PhoneNumber(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile"
        FIXED = "fixed"
        OTHER = "other"

    class Unusable(models.TextChoices):
        INVALID = "invalid"
        NOT_MOBILE = "not_mobile"

    # The unique (person, e164) index serves lookups by person too.
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="phone_numbers",
        db_constraint=False,
        db_index=False,
    )
    e164 = models.CharField(max_length=16)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Why SMS and WhatsApp cannot reach this number, as the provider said (Twilio 21211: not a
    # valid number, 21614: not a mobile); empty: usable. A fixed line stays fine for a call.
    unusable_reason = models.CharField(
        max_length=16, choices=Unusable.choices, blank=True, default="", db_default=""
    )
    unusable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "e164"], name="phone_person_unique")
        ]
        # A reply by SMS or WhatsApp is matched to its sender by number.
        indexes = [models.Index(fields=["e164"], name="phone_e164")]

    def __str__(self) -> str:
        return self.e164


class Signal(models.Model):
    """One vroegsignaal. `raw` keeps the input row as delivered until the retention period ends."""

    # Indexes: (municipality, dedupe_key) and (household, signal_date) cover the lookups; each
    # index more costs every insert of a million-row delivery.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    partner = models.ForeignKey(
        SignalPartner, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    partner_type = models.CharField(max_length=32, choices=PartnerType.choices)
    partner_ref = models.CharField(max_length=100, blank=True)
    # Identifies the signal for deduplication: partner and reference, or a digest of its content.
    dedupe_key = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    arrears_start = models.DateField(null=True, blank=True)
    signal_date = models.DateField()
    crisis = models.BooleanField(default=False)
    customer_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        max_length=64, choices=SignalStatus.choices, default=SignalStatus.NOT_YET_PICKED_UP
    )
    screening = models.TextField(blank=True)
    # A person's signals are found through the household index.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="signals",
        db_index=False,
        db_constraint=False,
    )
    # Always the person's household: the person key holds the address.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="signals",
        db_index=False,
        db_constraint=False,
    )
    case = models.ForeignKey(
        "casework.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signals",
        db_constraint=False,
    )
    received_at = models.DateTimeField()
    # JSON text of the row as delivered: kept as text because parsing it into jsonb would cost
    # every insert and nothing queries inside it.
    raw = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "dedupe_key"], name="signal_dedupe_unique"
            )
        ]
        indexes = [models.Index(fields=["household", "signal_date"])]

    def __str__(self) -> str:
        return f"{self.partner_type} {self.reference}"

    @property
    def raw_row(self) -> dict[str, Any]:
        return json.loads(self.raw) if self.raw else {}

    @property
    def reference(self) -> str:
        """The partner's id of the signal, or ours where it has none."""
        return signal_reference(self.partner_ref, self.pk)


def signal_reference(partner_ref: str, pk: int) -> str:
    """How a signal is named to partners and to the national monitor: the partner's own id, or
    ours ("S123") where it sent none. For readers of bare rows (values_list)."""
    return partner_ref or f"S{pk}"


class DebtHelpClient(models.Model):
    """A current client of municipal debt help (the default, CSV-loaded screening source)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    # The BSN, encrypted, and its blind index, on which intake matches (outreach.core.bsn).
    bsn_encrypted = models.CharField(max_length=200, blank=True)
    bsn_index = models.CharField(max_length=32, blank=True, db_index=True)
    address_key = models.CharField(max_length=32, db_index=True)
    surname = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"client {self.pk}"


class RegisterEntry(models.Model):
    """A person in the local copy of the population register (BRP)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    # The BSN, encrypted, and its blind index, on which intake matches (outreach.core.bsn).
    bsn_encrypted = models.CharField(max_length=200, blank=True)
    bsn_index = models.CharField(max_length=32, blank=True, db_index=True)
    address_key = models.CharField(max_length=32, db_index=True)
    surname = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    deceased_on = models.DateField(null=True, blank=True)
    minors_in_household = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"register entry {self.pk}"


class ImportRun(models.Model):
    """One delivery (file or API call) and what became of it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    partner = models.ForeignKey(SignalPartner, null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=300)
    started_at = models.DateTimeField()
    report = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"import {self.pk} {self.source}"


class OptOut(models.Model):
    """Someone who asked not to be approached again. Honoured at screening: the person's signals
    are recorded, not followed up. Several apps read and write the list (intake, replies, the
    caseworker's controls, retention), so it lives low, beside the people it names. The table
    keeps the name it had in the privacy app."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="opt_outs")
    source = models.CharField(max_length=50)  # e.g. "caseworker", "sms STOP"
    created_at = models.DateTimeField()

    class Meta:
        db_table = "privacy_optout"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "person"], name="optout_unique")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.person_id}"
