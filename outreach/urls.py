from django.contrib import admin
from django.urls import include, path

from outreach.core import login_views
from outreach.intake.api import post_signals
from outreach.messaging.inbound import views as inbound
from outreach.messaging.transports.twilio import webhooks
from outreach.reporting.api import get_feedback, get_openapi

urlpatterns = [
    path("login/", login_views.Login.as_view(), name="login"),
    path("logout/", login_views.Logout.as_view(), name="logout"),
    # Single sign-on (404 while it is off): to the provider, and back.
    path("oidc/authenticate/", login_views.Authenticate.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", login_views.Callback.as_view(), name="oidc_authentication_callback"),
    path("api/v1/signals", post_signals, name="api-signals"),
    path("api/v1/feedback", get_feedback, name="api-feedback"),
    path("api/v1/openapi.json", get_openapi, name="api-openapi"),
    path("admin/", admin.site.urls),
    path("texts/", include("outreach.messaging.urls")),
    path("webhooks/twilio/status", webhooks.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound", inbound.twilio_inbound, name="twilio-inbound"),
    path("inbox/", inbound.inbox, name="inbox"),
    path("feedback/", include("outreach.reporting.urls")),
    path("dashboard/simulations/", include("outreach.simulation.urls")),
    path("dashboard/", include("outreach.reporting.dashboard_urls")),
    path("", include("outreach.desk.urls")),
]
