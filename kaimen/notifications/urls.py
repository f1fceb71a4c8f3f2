"""Everyone's inbox; the office's channels and delivery log. Mounted under /briefings/ (the
addresses people have bookmarked), in the ``notifications`` namespace."""

from django.urls import path

from kaimen.notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all", views.notifications_read_all, name="notifications_read_all"),
    path("inbox/<int:notification_id>/read", views.notification_read, name="notification_read"),
    path("inbox/<int:notification_id>/open", views.notification_open, name="notification_open"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new", views.channel_create, name="channel_create"),
    path("channels/<int:channel_id>/edit", views.channel_edit, name="channel_edit"),
    path("channels/<int:channel_id>/toggle", views.channel_toggle, name="channel_toggle"),
    path("channels/<int:channel_id>/test", views.channel_test, name="channel_test"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/retry", views.delivery_retry, name="delivery_retry"),
]
