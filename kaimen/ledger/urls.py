from django.urls import path

from kaimen.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/report/", views.task_report, name="task_report"),
    path("tasks/<int:task_id>/contribute/", views.task_contribute, name="task_contribute"),
    path("tasks/<int:task_id>/closure/", views.task_request_closure, name="task_request_closure"),
    path("tasks/<int:task_id>/accept/", views.task_accept, name="task_accept"),
    path("tasks/<int:task_id>/send-back/", views.task_send_back, name="task_send_back"),
    path("tasks/<int:task_id>/instruct/", views.task_instruct, name="task_instruct"),
    path(
        "instructions/<int:instruction_id>/answer/",
        views.instruction_answer,
        name="instruction_answer",
    ),
    path("files/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path(
        "campaigns/<int:campaign_id>/export/<str:fmt>/",
        views.campaign_export,
        name="campaign_export",
    ),
    path("drafts/", views.draft_list, name="draft_list"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("drafts/<int:draft_id>/", views.draft_review, name="draft_review"),
    path(
        "drafts/<int:draft_id>/accept/",
        views.draft_accept_complete,
        name="draft_accept_complete",
    ),
    path("drafts/<int:draft_id>/publish/", views.draft_publish, name="draft_publish"),
    path("drafts/items/<int:item_id>/", views.draft_item_row, name="draft_item_row"),
    path("drafts/items/<int:item_id>/edit/", views.draft_item_edit, name="draft_item_edit"),
    path("drafts/items/<int:item_id>/decide/", views.draft_item_decide, name="draft_item_decide"),
    path("drafts/items/<int:item_id>/merge/", views.draft_item_merge, name="draft_item_merge"),
    path(
        "drafts/items/<int:item_id>/map-unit/",
        views.draft_item_map_unit,
        name="draft_item_map_unit",
    ),
    path(
        "drafts/items/<int:item_id>/refer-unit/",
        views.draft_item_refer_unit,
        name="draft_item_refer_unit",
    ),
    path("drafts/items/<int:item_id>/split/", views.draft_item_split, name="draft_item_split"),
    path(
        "drafts/units/<int:proposal_id>/",
        views.unit_proposal_decide,
        name="unit_proposal_decide",
    ),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("responsibility/", views.responsibility_table, name="responsibility"),
    path("responsibility/aliases/", views.unit_alias_add, name="unit_alias_add"),
    path(
        "responsibility/aliases/<int:alias_id>/remove/",
        views.unit_alias_remove,
        name="unit_alias_remove",
    ),
    path(
        "responsibility/defaults/",
        views.responsibility_load_defaults,
        name="responsibility_defaults",
    ),
    path("responsibility/<int:entry_id>/", views.responsibility_edit, name="responsibility_edit"),
    path(
        "responsibility/<int:entry_id>/remove/",
        views.responsibility_remove,
        name="responsibility_remove",
    ),
    path("supervision/", views.supervision_moved, name="supervision_queue"),
    path("supervision/history/", views.supervision_history, name="supervision_history"),
    path("supervision/run/", views.supervision_moved, name="supervision_run_now"),
    path(
        "supervision/<int:step_id>/decide/",
        views.supervision_moved,
        name="supervision_decide",
    ),
]
