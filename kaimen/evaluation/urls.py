from django.urls import path

from kaimen.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:campaign_id>/", views.run_list, name="run_list"),
    path("campaigns/<int:campaign_id>/compute/", views.run_compute, name="run_compute"),
    path("campaigns/<int:campaign_id>/scheme/", views.scheme_edit, name="scheme_edit"),
    path("campaigns/<int:campaign_id>/practices/", views.practice_list, name="practice_list"),
    path(
        "campaigns/<int:campaign_id>/commendations/",
        views.commendation_list,
        name="commendation_list",
    ),
    path("practices/<int:practice_id>/rate/", views.practice_rate, name="practice_rate"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/recompute/", views.run_recompute, name="run_recompute"),
    path("runs/<int:run_id>/open/", views.run_open, name="run_open"),
    path("runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:run_id>/units/<int:unit_id>/", views.standing_detail, name="standing_detail"),
    path(
        "runs/<int:run_id>/units/<int:unit_id>/object/",
        views.objection_lodge,
        name="objection_lodge",
    ),
    path("objections/", views.objection_queue, name="objection_queue"),
    path("objections/<int:objection_id>/answer/", views.objection_answer, name="objection_answer"),
]
