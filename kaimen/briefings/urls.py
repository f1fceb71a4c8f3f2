from django.urls import path

from kaimen.briefings import views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="briefing_list"),
    path("build", views.briefing_build, name="briefing_build"),
    path("<int:briefing_id>/issue", views.briefing_issue, name="briefing_issue"),
    path("<int:briefing_id>/<str:kind>", views.briefing_download, name="briefing_download"),
]
