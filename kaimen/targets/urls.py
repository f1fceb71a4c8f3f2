from django.urls import path

from kaimen.targets import views

app_name = "targets"

urlpatterns = [
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/<int:target_id>/explain/", views.explain, name="explain"),
    path("lights/", views.light_rule, name="light_rule"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
    path("plans/", views.target_list, name="target_list"),
    path("plans/new/", views.target_create, name="target_create"),
    path("plans/<int:target_id>/", views.target_detail, name="target_detail"),
    path("plans/<int:target_id>/decompose/", views.target_decompose, name="target_decompose"),
    path("plans/<int:target_id>/split/", views.target_split, name="target_split"),
    path(
        "plans/<int:target_id>/projects/",
        views.target_split_projects,
        name="target_split_projects",
    ),
    path("projects/", views.project_list, name="project_list"),
    path("figures/", views.actual_list, name="actual_list"),
    path("figures/new/", views.actual_create, name="actual_create"),
    path("figures/<int:actual_id>/", views.actual_detail, name="actual_detail"),
    path("figures/<int:actual_id>/correct/", views.correction_request, name="correction_request"),
    path(
        "corrections/<int:correction_id>/approve/",
        views.correction_approve,
        name="correction_approve",
    ),
    path(
        "corrections/<int:correction_id>/withdraw/",
        views.correction_withdraw,
        name="correction_withdraw",
    ),
    path(
        "corrections/<int:correction_id>/reject/",
        views.correction_reject,
        name="correction_reject",
    ),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:batch_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:batch_id>/commit/", views.import_commit, name="import_commit"),
]
