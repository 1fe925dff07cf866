from django.urls import path

from outreach.simulation import views

app_name = "simulation"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/progress.json", views.progress, name="progress"),
]
