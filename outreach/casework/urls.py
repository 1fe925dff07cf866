from django.urls import path

from outreach.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.work_queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
]
