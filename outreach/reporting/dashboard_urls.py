from django.urls import path

from outreach.reporting import dashboard_views, experiment_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.page, name="page"),
    path("ddas.json", dashboard_views.ddas, name="ddas"),
    path("<slug:slug>.csv", dashboard_views.table_csv, name="table_csv"),
    path("experimenten/", experiment_views.experiment_list, name="experiments"),
    path("experimenten/<slug:experiment>/", experiment_views.experiment_page, name="experiment"),
    path(
        "experimenten/<slug:experiment>/stoppen",
        experiment_views.experiment_stop,
        name="experiment_stop",
    ),
]
