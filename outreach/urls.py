from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from outreach.intake.api import post_signals

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/signals", post_signals, name="api-signals"),
    path("admin/", admin.site.urls),
    path("texts/", include("outreach.messaging.urls")),
    path("", include("outreach.casework.urls")),
]
