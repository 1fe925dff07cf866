"""People who asked not to be approached again."""

from django.db import models

from outreach.core.models import Municipality
from outreach.intake.models import Person


class OptOut(models.Model):
    """An opt-out is honoured at screening: the person's signals are recorded, not followed up."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="opt_outs")
    source = models.CharField(max_length=50)  # e.g. "caseworker", "sms STOP"
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "person"], name="optout_unique")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.person_id}"
