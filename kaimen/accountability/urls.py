from django.urls import path

from kaimen.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.record, name="record"),
    path("queue/", views.queue, name="queue"),
    path("queue/run/", views.run_now, name="run_now"),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:proposal_id>/decide/", views.decide, name="decide"),
    path("proposals/<int:proposal_id>/explain/", views.explain, name="explain"),
    path("units/<int:unit_id>/", views.unit_record, name="unit_record"),
    path("export/", views.export, name="export"),
    path("rules/<int:campaign_id>/", views.rules, name="rules"),
    path("files/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
]
