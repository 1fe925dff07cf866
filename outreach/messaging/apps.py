from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "outreach.messaging"
    label = "messaging"
