from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BriefingStatus(models.TextChoices):
    BUILT = "built", _("Built")


class Briefing(models.Model):
    """One issue of the weekly dispatch briefing (调度通报): the snapshot it was built from and
    the two files built from that snapshot (stored under MEDIA_ROOT in generated names)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
        verbose_name=_("campaign"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("reporting period"), max_length=40)
    number = models.PositiveIntegerField(_("issue number"))
    # The ISO week ("2025-W10") of a scheduled issue: at most one scheduled issue a week.
    scheduled_week = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.BUILT
    )
    snapshot = models.TextField()  # BriefingSnapshot.to_json(), kept verbatim
    docx_name = models.CharField(max_length=100, unique=True)
    docx_sha256 = models.CharField(max_length=64)
    xlsx_name = models.CharField(max_length=100, unique=True)
    xlsx_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="briefing_number_unique"),
            models.UniqueConstraint(
                fields=["scheduled_week"],
                condition=~Q(scheduled_week=""),
                name="briefing_one_scheduled_per_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}期"

    @property
    def label(self) -> str:
        return str(self)
