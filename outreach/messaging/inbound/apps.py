from django.apps import AppConfig


class InboundConfig(AppConfig):
    """Citizens' replies by SMS and WhatsApp: stored, understood, acted upon."""

    name = "outreach.messaging.inbound"
    label = "inbound"
