"""Score metrics: what a scorecard may measure and where each metric's data come from.

An app that has something to score registers a :class:`MetricSpec` and the provider of its data
points with :func:`register_provider` from its ``AppConfig.ready()`` (the ledger's tasks and
reports in ``kaimen/ledger/metrics.py``, the targets' indicators and red lights in
``kaimen/targets/metrics.py``); the scoring (``kaimen.evaluation``) reads only this registry.

Only results are scored: the registry refuses metrics of activity (logins, clicks, time online,
check-ins, 点赞) — the 2026 State Council rules for government apps forbid scoring them and the
2024 减负 rules call them formalism.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kaimen.lib.errors import ValidationError


class Dimension(StrEnum):
    SPEED = "speed"  # 比发展速度: completion against time progress, tasks on time
    QUALITY = "quality"  # 比工作质量: reports on time and accepted, no rework, red lights explained
    INNOVATION = "innovation"  # 比创新能力: practices the units submit and the office rates

    @property
    def label(self) -> str:
        return {
            Dimension.SPEED: "比速度",
            Dimension.QUALITY: "比质量",
            Dimension.INNOVATION: "比创新",
        }[self]


class MetricKind(StrEnum):
    RESULT = "result"  # an outcome in the economy: an indicator's completion
    DELIVERY = "delivery"  # work delivered: a task done on time, a report accepted
    RATING = "rating"  # the office's rating of what a unit submitted (an innovative practice)
    ACTIVITY = "activity"  # use of a platform — registered only to be refused, never scored

    @property
    def label(self) -> str:
        return {
            MetricKind.RESULT: "结果",
            MetricKind.DELIVERY: "工作成效",
            MetricKind.RATING: "评审评分",
            MetricKind.ACTIVITY: "活动量",
        }[self]


class Aggregate(StrEnum):
    MEAN = "mean"  # rates: one data point per task or indicator, the unit's value is the mean
    SUM = "sum"  # counts and ratings that add up: two rated practices beat one

    @property
    def label(self) -> str:
        return {Aggregate.MEAN: "平均值", Aggregate.SUM: "合计"}[self]


@dataclass(frozen=True)
class MetricSpec:
    code: str
    name: str
    dimension: Dimension
    unit: str  # of the raw value: "%", "分", "项"
    kind: MetricKind = MetricKind.RESULT
    higher_is_better: bool = True
    aggregate: Aggregate = Aggregate.MEAN
    description: str = ""

    def __post_init__(self) -> None:
        if not self.code.strip() or not self.name.strip():
            raise ValidationError("考核指标需要代码和名称。", field="code")
        for attr, enum, what in (
            ("dimension", Dimension, "维度"),
            ("kind", MetricKind, "类型"),
            ("aggregate", Aggregate, "汇总方式"),
        ):
            raw = getattr(self, attr)
            try:
                object.__setattr__(self, attr, enum(raw))
            except ValueError:
                allowed = "、".join(m.value for m in enum)
                raise ValidationError(
                    f"考核指标“{self.name}”的{what}“{raw}”无效，可选：{allowed}。", field=attr
                ) from None


# Words that name use of the platform rather than results. Chinese words match anywhere in the
# name or code; English ones match whole words of the code or name (so "reviews" is not "views").
# (The word tables are kept as tables: one word a line would hide the list.)
# fmt: off
_ACTIVITY_WORDS_ZH = (
    "登录", "登陆", "点击", "在线时长", "在线时间", "在线天数", "签到", "打卡",
    "点赞", "浏览", "阅读量", "阅读数", "转发", "分享量", "学习时长", "积分",
    "下载量", "下载率", "安装率", "安装使用率", "平台使用率", "系统使用率", "活跃度", "访问量",
    "访问次数", "停留时长", "投票数", "上传照片",
)
_ACTIVITY_TOKENS = frozenset({
    "checkin", "checkins", "click", "clicks", "clickthrough", "dau", "downloads",
    "installs", "like", "likes", "login", "logins", "logon", "logons",
    "mau", "pageview", "pageviews", "reposts", "sessions", "shares", "signin",
    "signins", "upvote", "upvotes", "views", "visits",
})
_ACTIVITY_PAIRS = frozenset({
    ("check", "in"), ("log", "in"), ("online", "duration"), ("online", "hours"),
    ("online", "minutes"), ("online", "time"), ("page", "views"), ("screen", "time"),
    ("sign", "in"), ("study", "time"), ("time", "online"),
})
# fmt: on
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")

ACTIVITY_RULES_TEXT = (
    "考核只计工作结果，不计平台使用痕迹：国务院办公厅《政务移动互联网应用程序规范化管理办法》"
    "（国办函〔2026〕12号，2026年）明确不得设置打卡签到、积分排名、统计在线时长等强制性功能，"
    "不得强制要求定期登录，不得将点赞量、网络投票数、转发量、学习时长等作为考评依据；"
    "中共中央办公厅《整治形式主义为基层减负若干规定》（2024年）要求整治“指尖上的形式主义”。"
    "请改用结果类指标，例如指标完成进度、任务按时完成率、进展报送通过率。"
)


def activity_reason(spec: MetricSpec) -> str | None:
    """Why ``spec`` measures activity rather than results, or None when it does not."""
    if spec.kind == MetricKind.ACTIVITY:
        return "它的类型是“活动量”（activity）"
    text = f"{spec.code} {spec.name}"
    for word in _ACTIVITY_WORDS_ZH:
        if word in text:
            return f"名称或代码含有“{word}”，统计的是平台使用痕迹"
    words = [w.lower() for w in _WORD.findall(text)]
    for word in words:
        if word in _ACTIVITY_TOKENS:
            return f"名称或代码含有“{word}”，统计的是平台使用痕迹"
    for pair in zip(words, words[1:], strict=False):
        if pair in _ACTIVITY_PAIRS:
            return f"名称或代码含有“{' '.join(pair)}”，统计的是平台使用痕迹"
    return None


class MetricRegistry:
    """The open list of metrics a scheme may use; modules add theirs at import time."""

    def __init__(self, specs: Iterable[MetricSpec] = ()) -> None:
        self._specs: dict[str, MetricSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: MetricSpec) -> MetricSpec:
        reason = activity_reason(spec)
        if reason is not None:
            raise ValidationError(
                f"不能登记考核指标“{spec.name}”（{spec.code}）：{reason}。{ACTIVITY_RULES_TEXT}",
                field="code",
                code="activity_metric",
            )
        existing = self._specs.get(spec.code)
        if existing is not None and existing != spec:
            # Importing a module twice re-registers the same spec; a different spec under the
            # same code would silently change every scheme that uses it.
            raise ValidationError(
                f"考核指标代码“{spec.code}”已登记为“{existing.name}”，不能再登记为“{spec.name}”，"
                "请换一个代码。",
                field="code",
            )
        self._specs[spec.code] = spec
        return spec

    def get(self, code: str) -> MetricSpec:
        try:
            return self._specs[code]
        except KeyError:
            known = "、".join(self._specs) or "（无）"
            raise ValidationError(
                f"考核指标“{code}”没有登记。已登记的指标：{known}。", field="metric"
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._specs

    def __iter__(self) -> Iterator[MetricSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)


REGISTRY = MetricRegistry()


def register_metric(spec: MetricSpec, *, registry: MetricRegistry | None = None) -> MetricSpec:
    """Add a metric to the registry (the default one unless given); refuses activity metrics."""
    return (REGISTRY if registry is None else registry).register(spec)


# ---------------------------------------------------------------------------------------------
# Data points and their providers


@dataclass(frozen=True)
class DataPoint:
    """One indicator, task, report or practice of one unit for one metric."""

    unit: str
    metric: str
    value: Decimal
    target: Decimal | None = None  # e.g. the time progress an indicator's completion is judged by
    label: str = ""  # what the point is, for the explanation ("规上工业增加值", "任务二(一)")


@dataclass
class PeriodContext:
    """What a provider reads for: the campaign, the period, the day the data stand at, and the
    units scored (by id). ``memo`` lets providers that share a load (the monitoring board)
    compute it once per run."""

    campaign: Any  # the campaign scored (its ``pk`` and fields are what providers read)
    start: date
    end: date
    today: date
    units: Mapping[int, Any]
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def horizon(self) -> date:
        """The last day whose events count: the period's end, or today while it runs."""
        return min(self.end, self.today)

    def key(self, unit_id: int) -> str:
        return str(unit_id)


Provider = Callable[[PeriodContext], Iterable[DataPoint]]
PROVIDERS: dict[str, Provider] = {}
# Metrics whose data points carry their own target (an indicator's expected progress): only
# these may be normalised "ratio to target" without a target set in the scheme.
WITH_TARGETS: set[str] = set()


def register_provider(
    spec: MetricSpec, provider: Provider, *, points_carry_targets: bool = False
) -> MetricSpec:
    """Register a metric and the function that supplies its data (activity metrics are refused
    by the registry, as everywhere). Registering the same pair again changes nothing; another
    provider for a code already served is refused."""
    REGISTRY.register(spec)
    existing = PROVIDERS.get(spec.code)
    if existing is not None and existing is not provider:
        raise ValidationError(
            f"考核指标“{spec.name}”（{spec.code}）已有数据来源，不能再登记另一个。", field="code"
        )
    PROVIDERS[spec.code] = provider
    if points_carry_targets:
        WITH_TARGETS.add(spec.code)
    return spec


def provider_for(code: str) -> Provider | None:
    return PROVIDERS.get(code)
