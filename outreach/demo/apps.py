from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "outreach.demo"
    label = "demo"
