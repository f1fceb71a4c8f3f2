from django.urls import path

from kaimen.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("export.xlsx", views.event_export, name="event_export"),
]
