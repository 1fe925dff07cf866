from django.urls import path

from outreach.reporting import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.page, name="page"),
    path("ddas.json", dashboard_views.ddas, name="ddas"),
    path("<slug:slug>.csv", dashboard_views.table_csv, name="table_csv"),
]
