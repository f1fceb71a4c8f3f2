from django.urls import path

from kaimen.core import calendar_views, views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path(
        "calendar/<int:override_id>/remove/",
        calendar_views.calendar_override_remove,
        name="calendar_override_remove",
    ),
    path("calendar/years/", calendar_views.calendar_year_mark, name="calendar_year_mark"),
]
