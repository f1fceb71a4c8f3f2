"""Scorecards in the database: the scheme of a campaign, innovation practices the office rates,
score runs with their per-unit standings, objections (申诉) and commendations.

A score run keeps the scheme it used and the scoreboard it computed, explanations included, as
JSON: a published ranking is a record of what was announced and never changes when figures or
tasks are corrected later. Every change goes through ``kaimen.evaluation.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaimen.evaluation import honour_roll

SCORE_DIGITS, SCORE_PLACES = 6, 2


class ScoringScheme(models.Model):
    """考核方案: one per campaign. ``config`` is the engine's scheme (``codec.scheme_to_dict``),
    checked by the engine before it is stored."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="evaluation_scheme"
    )
    config = models.JSONField(encoder=DjangoJSONEncoder)
    # Unit kinds ranked, each as its own peer group ("department", "town", "task_force").
    peer_groups = models.JSONField(default=list)
    # Units that take no part (the campaign office itself, a unit set up for IT support).
    excluded_unit_ids = models.JSONField(default=list, blank=True)
    top_k = models.PositiveSmallIntegerField(_("red list size"), default=honour_roll.DEFAULT_TOP_K)
    bottom_k = models.PositiveSmallIntegerField(
        _("black list size"), default=honour_roll.DEFAULT_BOTTOM_K
    )
    # Instead of top_k / bottom_k: a share (percent) of the group's eligible units.
    top_share = models.DecimalField(
        _("red list share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    bottom_share = models.DecimalField(
        _("black list share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The absolute bars: red at or above, black below (None: no bar).
    red_min_total = models.DecimalField(
        _("red list bar (points, at least)"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        null=True,
        blank=True,
        default=honour_roll.DEFAULT_RED_MIN_TOTAL,
    )
    black_below_total = models.DecimalField(
        _("black list bar (points, below)"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        null=True,
        blank=True,
        default=honour_roll.DEFAULT_BLACK_BELOW_TOTAL,
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group with a list"), default=honour_roll.DEFAULT_MIN_GROUP_SIZE
    )
    objection_workdays = models.PositiveSmallIntegerField(
        _("objection window (working days)"), default=honour_roll.DEFAULT_OBJECTION_WORKDAYS
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return str(self.config.get("name", "")) if isinstance(self.config, dict) else ""

    @property
    def name(self) -> str:
        return str(self)

    @property
    def roll_rules(self) -> honour_roll.RollRules:
        return honour_roll.RollRules(
            top_k=self.top_k,
            bottom_k=self.bottom_k,
            top_share=self.top_share,
            bottom_share=self.bottom_share,
            red_min_total=self.red_min_total,
            black_below_total=self.black_below_total,
            min_group_size=self.min_group_size,
        )


class InnovationPractice(models.Model):
    """创新举措: what a unit did that is new, submitted by its liaison, rated by the office."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="innovation_practices"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    practiced_on = models.DateField(_("date"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    rating = models.DecimalField(_("rating"), max_digits=3, decimal_places=1, null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-practiced_on", "-pk"]
        verbose_name = _("innovation practice")
        verbose_name_plural = _("innovation practices")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=0) & Q(rating__lte=10)),
                name="evaluation_practice_rating_range",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "practiced_on"])]

    def __str__(self) -> str:
        return self.title


class PeriodKind(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OBJECTION = "objection", _("Objection window open")
    PUBLISHED = "published", _("Published")


class ScoreRun(models.Model):
    """One period's scores of a campaign: draft → objection window → published (frozen)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="score_runs"
    )
    period_kind = models.CharField(_("period kind"), max_length=5, choices=PeriodKind.choices)
    # "2025年3月", "2025年第10周"
    period_label = models.CharField(_("scoring period"), max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    # The scheme as it stood when the run was computed (a later edit changes later runs only).
    scheme_config = models.JSONField(encoder=DjangoJSONEncoder)
    board = models.JSONField(encoder=DjangoJSONEncoder)  # codec.scoreboard_to_dict
    roll = models.JSONField(encoder=DjangoJSONEncoder)  # codec.roll_to_dict
    # Metrics without data, data the providers could not read: shown with the ranking.
    notes = models.JSONField(default=list, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_opened_at = models.DateTimeField(null=True, blank=True)
    window_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_shown_on = models.DateField(null=True, blank=True)
    window_closes_on = models.DateField(null=True, blank=True)
    window_workdays = models.PositiveSmallIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_end", "period_kind", "-pk"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        constraints = [
            # Computing a period again replaces its draft instead of adding a second run.
            models.UniqueConstraint(
                fields=["campaign", "period_kind", "period_start"], name="evaluation_run_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="evaluation_run_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_label}"

    @property
    def is_frozen(self) -> bool:
        return self.status == RunStatus.PUBLISHED

    @property
    def window(self) -> honour_roll.ObjectionWindow | None:
        if self.window_shown_on is None or self.window_closes_on is None:
            return None
        return honour_roll.ObjectionWindow(
            self.window_shown_on, self.window_closes_on, self.window_workdays or 0
        )


class RollBoard(models.TextChoices):
    NONE = "", "—"
    RED = "red", _("Red list")
    BLACK = "black", _("Black list")


class Standing(models.Model):
    """One unit's line of a run: what the ranking table shows, and the unit's explanation."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="standings")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(max_length=60)  # as it was named in the run
    peer_group = models.CharField(max_length=20)
    peer_group_label = models.CharField(max_length=20)
    total = models.DecimalField(
        max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    speed = models.DecimalField(
        max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    quality = models.DecimalField(
        max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    innovation = models.DecimalField(
        max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    peers = models.PositiveSmallIntegerField(default=0)
    tied = models.BooleanField(default=False)
    previous_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    movement = models.SmallIntegerField(null=True, blank=True)
    limited = models.BooleanField(default=False)  # short of samples: may not rank first
    held_off_top = models.BooleanField(default=False)
    board = models.CharField(max_length=5, choices=RollBoard.choices, blank=True)
    board_reason = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    explanation = models.JSONField(encoder=DjangoJSONEncoder)  # scoring.Explanation.to_dict()

    class Meta:
        ordering = ["run", "order"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="evaluation_standing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.unit_name}"


class ObjectionOutcome(models.TextChoices):
    PENDING = "", _("Awaiting an answer")
    UPHELD = "upheld", _("Objection upheld")
    REJECTED = "rejected", _("Objection rejected")


class Objection(models.Model):
    """申诉: a unit's objection to its own standing in a run, and the office's answer."""

    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="objections")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ObjectionOutcome.choices, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            # One objection per unit and run: it may say everything at once, and the office
            # answers it once; a second thought goes to the office directly.
            models.UniqueConstraint(fields=["run", "unit"], name="evaluation_objection_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.unit_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CommendationKind(models.TextChoices):
    UNIT = "unit", _("Outstanding unit")
    PERSON = "person", _("Outstanding individual")


class Commendation(models.Model):
    """表彰: 先进单位 or 先进个人, with the citation as announced."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="commendations"
    )
    run = models.ForeignKey(
        ScoreRun, null=True, blank=True, on_delete=models.PROTECT, related_name="commendations"
    )
    period_label = models.CharField(_("scoring period"), max_length=40)
    kind = models.CharField(_("kind"), max_length=6, choices=CommendationKind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("name"), max_length=30, blank=True)
    citation = models.TextField(_("citation"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="unit") | ~Q(person_name=""),
                name="evaluation_commendation_person_named",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name or str(self.unit_id)
