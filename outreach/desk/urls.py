from django.urls import path

from outreach.desk import actions, audit_views, check_views, planning_views, views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/audit/", audit_views.case_audit, name="case_audit"),
    path("cases/<int:pk>/tasks/<int:task_pk>/outcome", actions.task_outcome, name="outcome"),
    path("cases/<int:pk>/contact", actions.got_in_touch, name="contact"),
    path("cases/<int:pk>/close", actions.close, name="close"),
    path(
        "cases/<int:pk>/letters/<int:message_pk>/returned",
        actions.letter_returned,
        name="letter_returned",
    ),
    path("cases/<int:pk>/launch", actions.launch, name="launch"),
    path("cases/<int:pk>/pause", actions.pause, name="pause"),
    path("cases/<int:pk>/resume", actions.resume, name="resume"),
    path("cases/<int:pk>/stop", actions.stop, name="stop"),
    path("cases/<int:pk>/campaign", actions.switch, name="switch"),
    path("cases/<int:pk>/assign", actions.assign, name="assign"),
    path("cases/<int:pk>/attempts", actions.attempt, name="attempt"),
    path("cases/<int:pk>/offer", actions.offer, name="offer"),
    path("cases/<int:pk>/offer/answer", actions.answer, name="answer"),
    path("cases/<int:pk>/language", actions.language, name="language"),
    path("cases/<int:pk>/opt-out", actions.opt_out, name="opt_out"),
    path("cases/<int:pk>/notes", actions.note, name="note"),
    path(
        "cases/<int:pk>/signals/<int:signal_pk>/unjustified",
        actions.unjustified,
        name="unjustified",
    ),
    path("audit/", audit_views.audit_list, name="audit"),
    path("tasks/", planning_views.tasks, name="tasks"),
    path("at-risk/", planning_views.at_risk, name="at_risk"),
    path("to-check/", check_views.to_check, name="to_check"),
    path("to-check/<int:message_pk>/sent", check_views.confirm, name="check_sent"),
    path("to-check/<int:message_pk>/resend", check_views.resend, name="check_resend"),
    path("to-check/<int:message_pk>/cancel", check_views.cancel, name="check_cancel"),
]
