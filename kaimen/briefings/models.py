from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BriefingStatus(models.TextChoices):
    # A draft is rebuilt in place for its period and carries no issue number; the office issues
    # it (签发), which gives it the next number of the year and the date of issue.
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class BriefingSource(models.TextChoices):
    SCHEDULE = "schedule", _("Weekly schedule")
    COMMAND = "command", _("Command line")
    WEB = "web", _("Built on the platform")


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
    # 期号: none while a draft; the next of the year when the office issues it.
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    # The ISO week ("2025-W10") of a scheduled issue: at most one scheduled issue a week.
    scheduled_week = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT
    )
    # How the files were last built, truthfully: the Monday job, the command line (with the
    # server account that ran it) or a person on the platform (created_by).
    source = models.CharField(
        _("built by"), max_length=10, choices=BriefingSource.choices, default=BriefingSource.WEB
    )
    built_by_name = models.CharField(max_length=150, blank=True)
    # Why the document has no charts (or fewer), when a chart could not be drawn.
    chart_note = models.CharField(max_length=300, blank=True)
    snapshot = models.TextField()  # BriefingSnapshot.to_json(), kept verbatim
    docx_name = models.CharField(max_length=100, unique=True)
    docx_sha256 = models.CharField(max_length=64)
    xlsx_name = models.CharField(max_length=100, unique=True)
    xlsx_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="briefing_number_unique"),
            models.UniqueConstraint(
                fields=["scheduled_week"],
                condition=~Q(scheduled_week=""),
                name="briefing_one_scheduled_per_week",
            ),
            models.UniqueConstraint(
                fields=["campaign", "year", "period"],
                condition=Q(status="draft"),
                name="briefing_one_draft_per_period",
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.period}（草稿）"
        return f"{self.year}年第{self.number}期"

    @property
    def is_draft(self) -> bool:
        return self.status == BriefingStatus.DRAFT

    @property
    def source_label(self) -> str:
        """Who or what built the files: "每周定时生成", "命令行（root）", a person's name."""
        if self.source == BriefingSource.SCHEDULE:
            return str(BriefingSource.SCHEDULE.label)
        if self.source == BriefingSource.COMMAND:
            who = f"（{self.built_by_name}）" if self.built_by_name else ""
            return f"{BriefingSource.COMMAND.label}{who}"
        user = self.created_by
        if user is not None:
            return user.display_name or user.username
        return str(BriefingSource.WEB.label)

    @property
    def label(self) -> str:
        return str(self)
