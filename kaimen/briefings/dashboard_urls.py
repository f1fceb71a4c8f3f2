from django.urls import path

from kaimen.briefings import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
]
