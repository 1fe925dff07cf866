from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "outreach.simulation"
    label = "simulation"
