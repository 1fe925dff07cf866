from django.urls import path

from outreach.casework import actions, planning_views, views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/tasks/<int:task_pk>/outcome", actions.task_outcome, name="outcome"),
    path("cases/<int:pk>/contact", actions.got_in_touch, name="contact"),
    path("cases/<int:pk>/close", actions.close, name="close"),
    path(
        "cases/<int:pk>/letters/<int:message_pk>/returned",
        actions.letter_returned,
        name="letter_returned",
    ),
    path("tasks/", planning_views.tasks, name="tasks"),
    path("at-risk/", planning_views.at_risk, name="at_risk"),
]
