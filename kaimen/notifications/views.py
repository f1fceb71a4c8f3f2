"""The notification pages: everyone's inbox, the office's channels and delivery log. Thin:
selector → form → service → render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaimen.lib.errors import KaimenError, ValidationError
from kaimen.notifications import selectors, services
from kaimen.notifications.delivery import smtp_config
from kaimen.notifications.forms import ChannelForm, DeliveryFilterForm
from kaimen.notifications.models import ChannelKind, DeliveryState
from kaimen.org import scope
from kaimen.org.scope import Perm

PAGE_SIZE = 30


def _form_error(form, exc: ValidationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# ---------------------------------------------------------------------------------------------
# Inbox


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.inbox_for_user(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(user=request.user),
        "can_manage": scope.can(request.user, Perm.NOTIFICATIONS_MANAGE),
    }
    return render(request, "notifications/inbox.html", context)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    inbox_url = reverse("notifications:inbox")
    if back.startswith(inbox_url) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(inbox_url)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get_for_user(
        user=request.user, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    return _back_to_inbox(request)


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the message read and follow its link (always a path inside Kaimen)."""
    notification = selectors.notification_get_for_user(
        user=request.user, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("%(n)s messages marked as read.") % {"n": count})
    return _back_to_inbox(request)


# ---------------------------------------------------------------------------------------------
# Channels (the office)


@login_required
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = selectors.channel_list_for_user(user=request.user)
    context = {
        "channels": channels,
        "counts": selectors.delivery_counts(user=request.user),
        "email_configured": _email_configured(),
    }
    return render(request, "notifications/channel_list.html", context)


def _email_configured() -> bool:
    try:
        smtp_config()
    except KaimenError:
        return False
    return True


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.NOTIFICATIONS_MANAGE)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                target=data["target"],
                secret=data.get("secret", ""),
                events=data["events"],
                enabled=data["enabled"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Channel %(name)s saved.") % {"name": channel.name})
            return redirect("notifications:channel_list")
    context = {"form": form, "channel": None, "email_configured": _email_configured()}
    return render(request, "notifications/channel_form.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_user(user=request.user, channel_id=channel_id)
    initial = {
        "name": channel.name,
        "events": channel.events,
        "enabled": channel.enabled,
        "version": channel.version,
    }
    form = ChannelForm(request.POST or None, channel=channel, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.channel_update(
                actor=request.user,
                channel=channel,
                expected_version=data.get("version") or 0,
                name=data["name"],
                target=data.get("target", ""),
                secret=data.get("secret", ""),
                clear_secret=data.get("clear_secret", False),
                events=data["events"],
                enabled=data["enabled"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Channel %(name)s saved.") % {"name": channel.name})
            return redirect("notifications:channel_list")
    context = {"form": form, "channel": channel, "email_configured": _email_configured()}
    return render(request, "notifications/channel_form.html", context)


@login_required
@require_POST
def channel_toggle(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_user(user=request.user, channel_id=channel_id)
    enable = request.POST.get("enabled") == "1"
    try:
        services.channel_set_enabled(actor=request.user, channel=channel, enabled=enable)
    except KaimenError as exc:
        messages.error(request, exc.message)
    return redirect("notifications:channel_list")


@login_required
@require_POST
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_user(user=request.user, channel_id=channel_id)
    delivery = services.channel_test(actor=request.user, channel=channel)
    return redirect("notifications:delivery_detail", delivery_id=delivery.pk)


# ---------------------------------------------------------------------------------------------
# Delivery log (the office)


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.NOTIFICATIONS_MANAGE)
    form = DeliveryFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    channel = cleaned.get("channel")
    filters = selectors.DeliveryFilters(
        status=cleaned.get("status", ""),
        channel_id=channel.pk if channel else None,
        event=cleaned.get("event", ""),
    )
    deliveries = selectors.delivery_list_for_user(user=request.user, filters=filters)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/delivery_list.html", {"page": page, "form": form})


@login_required
@require_GET
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get_for_user(user=request.user, delivery_id=delivery_id)
    context = {
        "d": delivery,
        "waiting": delivery.status == DeliveryState.PENDING,
        "is_robot": delivery.channel.kind != ChannelKind.EMAIL,
    }
    template = "notifications/delivery_detail.html"
    if request.htmx:
        template += "#delivery-result"
    return render(request, template, context)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get_for_user(user=request.user, delivery_id=delivery_id)
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect("notifications:delivery_detail", delivery_id=delivery.pk)
