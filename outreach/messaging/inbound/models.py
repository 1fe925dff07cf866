"""Citizens' replies by SMS and WhatsApp, one row per message Twilio delivered to us.

Only what the service needs is kept: who wrote (the number), to which of our numbers, what
(the body, whole: up to Twilio's 1,600 characters, emoji included) and when; Twilio's other
parameters (profile name, location guesses, media links) are not stored. The body and the
number are personal data: the retention job clears them like a sent message's
(`outreach.privacy.retention`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Person
from outreach.messaging.models import Message


class InboundMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms"
        WHATSAPP = "whatsapp"

    class Intent(models.TextChoices):
        YES = "yes", "ja, wil hulp"
        CALL = "call", "bel mij"
        STOP = "stop", "stop"
        HELP = "help", "informatie"
        OTHER = "other", "vrije tekst"

    # Twilio's id of the message: a replayed webhook finds it and does nothing.
    message_sid = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    from_number = models.CharField(max_length=32)  # E.164, without "whatsapp:"
    to_number = models.CharField(max_length=32)  # our number it was sent to
    body = models.TextField(blank=True)
    received_at = models.DateTimeField()
    # Who wrote, matched by number; all None for a number we do not know. The municipality
    # of an unknown number is the one whose reply number it was sent to, when known.
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    intent = models.CharField(max_length=8, choices=Intent.choices, default=Intent.OTHER)
    # The language whose keyword matched ("" when none or several did).
    language = models.CharField(max_length=8, blank=True)
    # What the service did with it, in words a caseworker reads on the case page.
    action = models.CharField(max_length=300, blank=True)
    # The automatic answer (a confirmation or the information text), if one was sent.
    reply = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Unhandled messages are the caseworkers' inbox: free text, and replies the service
    # could not act on by itself. Handled by the service itself: handled_by is None.
    handled = models.BooleanField(default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["municipality", "received_at"],
                name="inbound_unhandled",
                condition=Q(handled=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reply {self.pk}"
