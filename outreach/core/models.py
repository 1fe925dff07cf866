"""Municipalities and the staff scoped to them."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from outreach.core.ddas import PartnerType


class Municipality(models.Model):
    """A municipality by its CBS gemeentecode; regional services serve several at once."""

    code = models.CharField(
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", "A CBS gemeentecode is four digits, e.g. 0363.")],
    )
    name = models.CharField(max_length=100)
    # Per partner type, the amount in euros below which a signal is not followed up.
    thresholds = models.JSONField(default=dict, blank=True)
    # Calls and visits a day, by task kind ("phone", "visit"); missing kinds use the default.
    capacity = models.JSONField(default=dict, blank=True)
    # The letterhead and the ways to reach the team, as letters and messages print them:
    # team, phone, email, website, address, postal (lines), and the named contact person with
    # a direct number (worker_name, worker_phone) and the number replies go to (reply_number).
    contact = models.JSONField(default=dict, blank=True)
    # Tiers of the weighing framework whose new cases wait for a caseworker to launch them
    # (the others start on their own).
    manual_launch_tiers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "municipalities"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def threshold_for(self, partner_type: str) -> int:
        value = self.thresholds.get(partner_type)
        return int(value) if value is not None else settings.OUTREACH_DEFAULT_THRESHOLD

    def capacity_for(self, kind: str) -> int:
        value = self.capacity.get(kind)
        return int(value) if value is not None else settings.OUTREACH_DEFAULT_CAPACITY[kind]


class StaffProfile(models.Model):
    """Which municipalities a staff member may see; roles are Django groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="staff")
    # A caseworker's direct number: letters of the cases assigned to her print it with her name.
    phone = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"staff {self.user}"


__all__ = ["Municipality", "PartnerType", "StaffProfile"]
