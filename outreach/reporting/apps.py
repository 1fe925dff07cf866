from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "outreach.reporting"
    label = "reporting"
