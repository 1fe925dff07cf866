from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from outreach.intake.api import post_signals
from outreach.messaging.inbound import views as inbound
from outreach.messaging.transports.twilio import webhooks
from outreach.reporting.api import get_feedback, get_openapi

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/signals", post_signals, name="api-signals"),
    path("api/v1/feedback", get_feedback, name="api-feedback"),
    path("api/v1/openapi.json", get_openapi, name="api-openapi"),
    path("admin/", admin.site.urls),
    path("texts/", include("outreach.messaging.urls")),
    path("webhooks/twilio/status", webhooks.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound", inbound.twilio_inbound, name="twilio-inbound"),
    path("inbox/", inbound.inbox, name="inbox"),
    path("feedback/", include("outreach.reporting.urls")),
    path("dashboard/", include("outreach.reporting.dashboard_urls")),
    path("", include("outreach.desk.urls")),
]
