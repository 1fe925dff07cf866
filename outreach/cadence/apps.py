from django.apps import AppConfig


class CadenceConfig(AppConfig):
    name = "outreach.cadence"
    label = "cadence"
