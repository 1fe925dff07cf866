from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "outreach.privacy"
    label = "privacy"
