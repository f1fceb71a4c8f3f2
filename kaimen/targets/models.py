"""Indicators, annual targets and their plan curves, the figures (实绩) and their imports.

Figures follow the 统计法: a submitted ``Actual`` is never updated in place. A correction is a
new row with the next version number, a reason and an approver; the ORM refuses updates and
deletes of figures, and a database trigger (migration 0002) refuses UPDATE from raw SQL too.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaimen.lib.periods import Period
from kaimen.targets.monitoring import Expectation, LightBasis, LightRule, PriceBasis, rule_for

# Figures up to 10^15 in any unit with four decimals: 亿元 to the 万元, 万元 to the 元.
VALUE_DIGITS, VALUE_PLACES = 20, 4
RATE_DIGITS, RATE_PLACES = 9, 2


class MeasureUnit(models.TextChoices):
    # Symbols, not words: they read the same in both languages.
    YI_YUAN = "亿元", "亿元"
    WAN_YUAN = "万元", "万元"
    YUAN = "元", "元"
    YI_USD = "亿美元", "亿美元"
    WAN_USD = "万美元", "万美元"
    PERCENT = "%", "%"
    GE = "个", "个"
    JIA = "家", "家"
    REN = "人", "人"
    INDEX = "指数", "指数"


class IndicatorKind(models.TextChoices):
    AMOUNT = "amount", _("Cumulative amount")
    GROWTH = "growth", _("Growth rate")
    COUNT = "count", _("Count")
    RATIO = "ratio", _("Ratio")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class PriceBasisChoice(models.TextChoices):
    REAL = PriceBasis.REAL.value, _("Real (comparable prices)")
    NOMINAL = PriceBasis.NOMINAL.value, _("Nominal (current prices)")
    NONE = "", _("Not a money series")


class LightBasisChoice(models.TextChoices):
    COMPLETION = LightBasis.COMPLETION.value, _("Completion against expected progress")
    GROWTH = LightBasis.GROWTH.value, _("Growth against target growth")
    LEVEL = LightBasis.LEVEL.value, _("Level against target level")


class ExpectationChoice(models.TextChoices):
    PLAN = Expectation.PLAN.value, _("The plan's seasonal share")
    CALENDAR = Expectation.CALENDAR.value, _("The elapsed share of the year")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("indicator name"), max_length=60, unique=True)
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("Names used in the statistics bureau's workbooks, one per line."),
    )
    measure_unit = models.CharField(_("unit of measure"), max_length=10, choices=MeasureUnit)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.MONTHLY
    )
    merged_jan_feb = models.BooleanField(
        _("January and February released together (1-2月)"), default=False
    )
    owner_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_indicators",
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    price_basis = models.CharField(
        _("price basis"), max_length=10, choices=PriceBasisChoice, blank=True
    )
    light_basis = models.CharField(
        _("light judged on"),
        max_length=12,
        choices=LightBasisChoice,
        default=LightBasisChoice.COMPLETION,
    )
    expectation = models.CharField(
        _("expected progress"),
        max_length=10,
        choices=ExpectationChoice,
        default=ExpectationChoice.PLAN,
    )
    green_within_pts = models.DecimalField(
        _("green within (points)"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    yellow_within_pts = models.DecimalField(
        _("yellow within (points)"), max_digits=6, decimal_places=2, default=Decimal(5)
    )
    growth_only = models.BooleanField(
        _("published as a growth rate only"),
        default=False,
        help_text=_(
            "The statistics bureau publishes only its growth rate at this level (e.g. the "
            "district's value added of large industry): no level, completion rate or level "
            "forecast is shown, only growth, target growth and the needed pace."
        ),
    )
    decimals = models.PositiveSmallIntegerField(_("decimals of plan values"), default=2)
    description = models.TextField(_("notes"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    is_key = models.BooleanField(_("key indicator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_within_pts__gte=models.F("green_within_pts")),
                name="targets_indicator_yellow_covers_green",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quarterly_only(self) -> bool:
        return self.frequency == Frequency.QUARTERLY

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)

    @property
    def price_basis_enum(self) -> PriceBasis | None:
        return PriceBasis(self.price_basis) if self.price_basis else None

    def rule(self) -> LightRule:
        # Built once per object: the board asks it for every row of the indicator.
        cached = self.__dict__.get("_rule")
        if cached is not None:
            return cached
        self._rule = LightRule(
            basis=LightBasis(self.light_basis),
            expectation=Expectation(self.expectation),
            green_within_pts=self.green_within_pts,
            yellow_within_pts=self.yellow_within_pts,
            higher_is_better=self.higher_is_better,
        )
        return self._rule

    def rule_for(self, target: Target) -> LightRule:
        """The rule a row of ``target`` is lit by (``monitoring.rule_for``): growth for a target
        set as a growth rate (not one derived from a value) and for a growth-only indicator."""
        growth_target = target.growth_pct is not None and target.derived != "growth_pct"
        rules = self.__dict__.setdefault("_rules", {})
        if growth_target not in rules:
            rules[growth_target] = rule_for(
                self.rule(), growth_only=self.growth_only, growth_target=growth_target
            )
        return rules[growth_target]

    def release_months(self) -> list[int]:
        """End months of the cumulative periods in which the bureau publishes the series."""
        if self.frequency == Frequency.YEARLY:
            return [12]
        if self.frequency == Frequency.QUARTERLY:
            return [3, 6, 9, 12]
        return list(range(2 if self.merged_jan_feb else 1, 13))

    def effective_month(self, end_month: int) -> int | None:
        """The latest release at or before ``end_month`` (GDP at 1-5月 is its 一季度 figure)."""
        released = [m for m in self.release_months() if m <= end_month]
        return released[-1] if released else None


class Tier(models.TextChoices):
    ENSURE = "ensure", _("Floor target (确保)")
    STRIVE = "strive", _("Stretch target (奋斗)")


class PlanMethod(models.TextChoices):
    EVEN = "even", _("Even over the year")
    SEASONAL = "seasonal", _("Seasonal, from history")
    MANUAL = "manual", _("Entered by hand")


class SplitBasis(models.TextChoices):
    NONE = "", _("Set directly")
    SHARE = "share", _("Last year's share")
    WEIGHTS = "weights", _("Weights set by hand")


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier, default=Tier.ENSURE)
    value = models.DecimalField(
        _("target value"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    growth_pct = models.DecimalField(
        _("target growth (%)"),
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        null=True,
        blank=True,
    )
    # Last year's actual the value ↔ growth conversion used (上年实绩), kept to show the working.
    base_value = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    derived = models.CharField(max_length=12, blank=True)  # "value", "growth_pct" or ""
    method = models.CharField(
        _("decomposition by period"), max_length=10, choices=PlanMethod, default=PlanMethod.EVEN
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    split_basis = models.CharField(max_length=10, choices=SplitBasis, blank=True)
    weight = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    notes = models.TextField(_("remarks"), blank=True)
    # What the decomposition said about itself: the years of the seasonal profile, a
    # conversion made without a base, projects that do not cover the target.
    plan_notes = models.TextField(blank=True)
    split_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["year", "indicator__sort_order", "unit__sort_order"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year", "tier"], name="targets_target_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth_pct__isnull=False),
                name="targets_target_value_or_growth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.unit} {self.indicator}（{self.get_tier_display()}）"


class PlanValue(models.Model):
    """The cumulative value that should stand at the end of a release period (1-N月)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="plan_values")
    end_month = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    share = models.DecimalField(max_digits=8, decimal_places=4)  # of the annual target, 0..1

    class Meta:
        ordering = ["target", "end_month"]
        constraints = [
            models.UniqueConstraint(fields=["target", "end_month"], name="targets_plan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.period.label} {self.value}"

    @property
    def period(self) -> Period:
        return Period.cumulative(self.target.year, self.end_month)


class Project(models.Model):
    """A project an investment target is split onto.

    A plain name and this year's planned investment for now: the investment app (projects,
    stages, funds in place) comes later and will take this table's place.
    """

    name = models.CharField(_("project"), max_length=100)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("year"))
    planned_investment = models.DecimalField(
        _("planned investment this year (亿元)"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "unit__sort_order", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="targets_project_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectAllocation(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    share = models.DecimalField(max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["target", "-value"]
        constraints = [
            models.UniqueConstraint(fields=["target", "project"], name="targets_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.value}"


class Provenance(models.TextChoices):
    OFFICIAL = "official", _("Statistics bureau (official)")
    FLASH = "flash", _("Department flash report")
    FORECAST = "forecast", _("Forecast")


# When several sources hold a figure for the same period, the official one wins.
PROVENANCE_RANK = {Provenance.OFFICIAL: 0, Provenance.FLASH: 1, Provenance.FORECAST: 2}


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Awaiting review")
    RUNNING = "running", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


class ImportLayout(models.Model):
    """A workbook layout's column mapping, remembered by the layout's fingerprint."""

    name = models.CharField(_("layout name"), max_length=60, unique=True)
    fingerprint = models.CharField(max_length=64, unique=True)
    mapping = models.JSONField(encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workbook layout")
        verbose_name_plural = _("workbook layouts")

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One uploaded workbook. The file's SHA-256 is unique: the same file is one batch, however
    often and however concurrently it is uploaded, and importing it again changes nothing."""

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("file"), max_length=200)
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=80, blank=True)  # generated, under MEDIA_ROOT
    fingerprint = models.CharField(max_length=64, blank=True)
    layout = models.ForeignKey(
        ImportLayout, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_month = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus, default=ImportStatus.PREVIEW
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    problems = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def period(self) -> Period | None:
        if self.year is None or self.end_month is None:
            return None
        return Period.cumulative(self.year, self.end_month)


class ActualQuerySet(models.QuerySet):
    # 统计法: no one alters a submitted figure. Corrections are new versions.
    def update(self, **kwargs):
        raise TypeError("submitted figures are never updated in place: record a new version")

    def delete(self):
        raise TypeError("submitted figures are never deleted: record a new version")


class Actual(models.Model):
    """One version of a figure: the cumulative value and the growth rate as published."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="actuals")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="actuals")
    year = models.PositiveSmallIntegerField(_("year"))
    end_month = models.PositiveSmallIntegerField()  # cumulative 1-N月; 1 = January alone
    provenance = models.CharField(
        _("source"), max_length=10, choices=Provenance, default=Provenance.OFFICIAL
    )
    version = models.PositiveIntegerField(default=1)
    value = models.DecimalField(
        _("cumulative value"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    # As published (可比口径): never recomputed from levels.
    growth_pct = models.DecimalField(
        _("published growth (%)"),
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        null=True,
        blank=True,
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="actuals"
    )
    source_ref = models.CharField(_("where it came from"), max_length=120, blank=True)

    objects = ActualQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "unit", "year", "end_month", "provenance", "version"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = [models.Index(fields=["year", "end_month", "indicator"])]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year", "end_month", "provenance", "version"],
                name="targets_actual_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth_pct__isnull=False),
                name="targets_actual_value_or_growth",
            ),
            models.CheckConstraint(
                condition=Q(version=1) | Q(approved_by__isnull=False),
                name="targets_actual_correction_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator} {self.period} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("submitted figures are never updated in place: record a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("submitted figures are never deleted: record a new version")

    @property
    def period(self) -> Period:
        return Period.cumulative(self.year, self.end_month)


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class ActualCorrection(models.Model):
    """A request to correct a figure. Approving it writes the next version of the figure."""

    actual = models.ForeignKey(Actual, on_delete=models.PROTECT, related_name="corrections")
    value = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    growth_pct = models.DecimalField(
        max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=CorrectionStatus, default=CorrectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    result = models.OneToOneField(
        Actual, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_request"
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.actual} → {self.value} / {self.growth_pct}"


class Explanation(models.Model):
    """The owner unit's explanation (说明) of a red light; the briefing shows the latest."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    end_month = models.PositiveSmallIntegerField()
    text = models.TextField(_("explanation"))
    light = models.CharField(max_length=10, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["year", "end_month", "indicator", "unit"])]
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator} {self.year}-{self.end_month}"


class BoardEntry(models.Model):
    """One row of the monitoring board, stored: a target as the board shows it when asked for
    ``end_month`` (the release shown may be earlier: GDP at 1-5月 shows 一季度).

    Written by ``targets.board_store`` only, never edited by hand; ``kaimen targets board
    rebuild`` recomputes it. Ranks are not stored (a new figure of one town would move every
    peer's rank): ``rank_value`` is, and readers rank a group of peers from it. A new computed
    field of the row is one column here and its name in ``board_store.ROW_COLUMNS``.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    end_month = models.PositiveSmallIntegerField()  # the board's month, 1-12
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    unit_kind = models.CharField(max_length=20)  # peers are ranked within a kind
    kind_order = models.PositiveSmallIntegerField()  # the board's order: district, departments…
    # The rest of the board's order, copied from the indicator and the unit (an edit of either
    # raises its version, and the sync rewrites its rows): the page and the lagging list are
    # read in index order, without joining and sorting every row of the month.
    indicator_order = models.IntegerField(default=0)
    indicator_code = models.CharField(max_length=40, blank=True)
    unit_order = models.IntegerField(default=0)
    unit_name = models.CharField(max_length=60, blank=True)
    period_month = models.PositiveSmallIntegerField(null=True)  # the release shown; None: none yet
    # Figures and explanations are never deleted (统计法); no constraint, so writes stay cheap.
    figure = models.ForeignKey(
        "Actual", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    last_year = models.ForeignKey(
        "Actual", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    explanation = models.ForeignKey(
        "Explanation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    light = models.CharField(max_length=10, blank=True)  # "" when unlit
    shortfall = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    rank_value = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    result = models.JSONField(null=True)  # monitoring.MonitorResult, see board_store.encode
    computed_growth_pct = models.DecimalField(max_digits=24, decimal_places=4, null=True)
    note = models.TextField(blank=True)
    spring_note = models.TextField(blank=True)  # the Spring Festival note of a distorted release

    class Meta:
        indexes = [
            models.Index(fields=["year", "end_month", "indicator", "unit"]),
            models.Index(
                fields=[
                    "year",
                    "end_month",
                    "indicator_order",
                    "indicator_code",
                    "kind_order",
                    "unit_order",
                    "unit_name",
                    "target",
                ],
                name="targets_board_order",
            ),
            models.Index(
                fields=[
                    "year",
                    "end_month",
                    "light",
                    "-shortfall",
                    "indicator_order",
                    "indicator_code",
                    "kind_order",
                    "unit_order",
                    "unit_name",
                    "target",
                    "explanation",  # so the month's counts read this index alone
                ],
                name="targets_board_lagging",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["target", "end_month"], name="targets_board_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.year}-{self.end_month}: {self.light or '-'}"


class BoardState(models.Model):
    """What a year's stored board was computed from: the highest figure, explanation and plan
    ids, the targets' last change, each indicator's and unit's version and the computation's
    version. ``board_store.sync`` compares it with the tables and recomputes what moved."""

    year = models.PositiveSmallIntegerField(unique=True)
    probe = models.JSONField(default=dict)
    # {"i<id>": version, "u<id>": version, "t<id>": version}: indicators, units, the year's targets
    versions = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    generation = models.PositiveIntegerField(default=0)  # raised whenever the stored rows change

    def __str__(self) -> str:
        return f"board {self.year}"
