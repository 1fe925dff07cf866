from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "outreach.desk"
    label = "desk"
