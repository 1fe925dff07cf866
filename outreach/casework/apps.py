from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "outreach.casework"
    label = "casework"
