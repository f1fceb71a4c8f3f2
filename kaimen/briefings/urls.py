from django.urls import path

from kaimen.briefings import notify_views, views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="briefing_list"),
    path("build", views.briefing_build, name="briefing_build"),
    path("<int:briefing_id>/<str:kind>", views.briefing_download, name="briefing_download"),
    # Notifications: everyone's inbox; the office's channels and delivery log
    path("inbox/", notify_views.inbox, name="inbox"),
    path("inbox/read-all", notify_views.notifications_read_all, name="notifications_read_all"),
    path(
        "inbox/<int:notification_id>/read", notify_views.notification_read, name="notification_read"
    ),
    path(
        "inbox/<int:notification_id>/open", notify_views.notification_open, name="notification_open"
    ),
    path("channels/", notify_views.channel_list, name="channel_list"),
    path("channels/new", notify_views.channel_create, name="channel_create"),
    path("channels/<int:channel_id>/edit", notify_views.channel_edit, name="channel_edit"),
    path("channels/<int:channel_id>/toggle", notify_views.channel_toggle, name="channel_toggle"),
    path("channels/<int:channel_id>/test", notify_views.channel_test, name="channel_test"),
    path("deliveries/", notify_views.delivery_list, name="delivery_list"),
    path("deliveries/<int:delivery_id>/", notify_views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/retry", notify_views.delivery_retry, name="delivery_retry"),
]
