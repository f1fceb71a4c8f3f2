"""战役 (Campaign): the span of time a district's drive runs in, e.g. "2025年一季度开门红".

The ledger publishes its tasks into a campaign; evaluation scores, accountability proposes and
briefings report per campaign. The table is still ``ledger_campaign``, where the ledger created
it before campaigns became their own app. Every change goes through
``kaimen.campaigns.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    """战役, e.g. "2025年一季度开门红"."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    # 春节错月: the releases the Spring Festival note marks as not comparable (1-2月, 一季度 of a
    # year whose festival moved month) show their light with the note, and feed no
    # accountability proposal and no red-light data point of the scoring.
    spring_festival_exempt = models.BooleanField(
        _("Spring Festival months feed no accountability"),
        default=True,
        help_text=_(
            "When the Spring Festival falls in another month than the year before, the "
            "January–February and first-quarter lights are shown with a note and are not "
            "used for accountability proposals or scoring."
        ),
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "ledger_campaign"
        ordering = ["-year", "-start", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="ledger_campaign_end_after"
            ),
        ]

    def __str__(self) -> str:
        return self.name
