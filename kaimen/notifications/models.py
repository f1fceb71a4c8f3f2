"""The notifications' tables: the in-app inbox, the office's external channels and the delivery
log. Webhook URLs and signing secrets are credentials: they are kept here to be used, and shown
back only masked.

The tables were created by ``briefings`` and keep their names (``briefings_*``); the event is a
plain string whose types the apps register in ``kaimen.lib.contracts.events``.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events as event_types
from kaimen.notifications.channels import mask_url


class Notification(models.Model):
    """One message in one person's inbox (站内消息)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)  # a path inside Kaimen
    # "red:12:34:2025-2": the same red light is announced to a person once.
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("received at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        db_table = "briefings_notification"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def event_label(self) -> str:
        return event_types.label(self.event)


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class ChannelConfig(models.Model):
    """An external channel the office configures: a group robot's webhook or a mailing list,
    and the events it carries."""

    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=60, unique=True)
    # The webhook URL (robots) or the e-mail addresses, one a line (e-mail).
    target = models.TextField(_("webhook URL or addresses"))
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)  # DingTalk 加签
    events = models.JSONField(_("events"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "briefings_channelconfig"
        ordering = ["name"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return self.name

    @property
    def addresses(self) -> list[str]:
        return [a for a in re.split(r"[\s,;，；、]+", self.target or "") if a]

    @property
    def masked_target(self) -> str:
        """What a page, a log line or an audit event may show: a robot's token is masked."""
        if self.kind == ChannelKind.EMAIL:
            return ", ".join(dict.fromkeys(self.addresses))[:300]
        return mask_url(self.target)[:300]

    @property
    def event_labels(self) -> list[str]:
        return [event_types.label(e) for e in self.events or []]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class Delivery(models.Model):
    """One message to one external channel, with every attempt (the delivery log). The message
    is kept whole, so a failed delivery can be retried later: nothing is lost."""

    channel = models.ForeignKey(ChannelConfig, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(_("event"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    target_masked = models.CharField(_("target"), max_length=300)  # never the full secret
    dedupe_key = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    next_attempt_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    # A worker's claim: two workers (the queue and the minute sweep) never send one message twice.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "briefings_delivery"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="delivery_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.target_masked}"

    @property
    def event_label(self) -> str:
        return event_types.label(self.event)

    @property
    def can_retry(self) -> bool:
        return self.status in (DeliveryState.FAILED, DeliveryState.GAVE_UP)


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    response_code = models.IntegerField(null=True, blank=True)  # HTTP status or SMTP reply
    response_excerpt = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "briefings_deliveryattempt"
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="delivery_attempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"
