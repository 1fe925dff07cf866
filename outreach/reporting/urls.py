from django.urls import path

from outreach.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.partners, name="feedback"),
    path("<int:partner_id>.csv", views.partner_csv, name="feedback_csv"),
]
