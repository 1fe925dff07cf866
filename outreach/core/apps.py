from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "outreach.core"
    label = "core"
