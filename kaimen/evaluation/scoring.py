"""Scorecards: every unit scored on the speech's 比速度 / 比质量 / 比创新 and ranked among its peers.

The speech asks units to "比发展速度、比工作质量、比创新能力". A scheme (考核方案) gives each of the
three dimensions a weight, and each dimension a set of metrics with weights, a normalisation to
0–100 and a minimum sample. Departments and towns are ranked separately (peer groups): a town's
GDP share and a department's task list are not comparable.

Every score carries an ``Explanation`` tree down to the data points, the normalisation formula
and the weights, so a unit can see exactly why it ranks where it does.

Only results are scored. The metric registry refuses metrics of activity (logins, clicks, time
online, check-ins, 点赞): the 2026 State Council rules for government apps forbid scoring them
and the 2024 减负 rules call them formalism. Later modules (appeals, investment, policies) add
their own result metrics with ``register_metric`` without touching this engine.

Pure Python, Decimal in and out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from kaimen.core.errors import ValidationError

HUNDRED = Decimal(100)
SCORE_QUANTUM = Decimal("0.01")
RATIO_QUANTUM = Decimal("0.0001")
# Boston's CityScore divides each metric by its target and caps the result at 1.25, so one metric
# far beyond target cannot hide others that are behind.
CITYSCORE_CAP = Decimal("1.25")
DEFAULT_MIN_SAMPLES = 2  # the example: one data point must not put a unit on top
_LISTED_POINTS = 8


def quantize(value: Decimal, quantum: Decimal = SCORE_QUANTUM) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _dec(value: object, *, what: str, field: str | None = None) -> Decimal:
    """A finite Decimal from Decimal, int or a numeric string (floats go through str)."""
    if isinstance(value, bool):
        raise ValidationError(f"{what}应为数值，不能是“{value}”。", field=field)
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{what}“{value}”不是数值，请填写数字。", field=field) from None
    if not result.is_finite():
        raise ValidationError(f"{what}“{value}”不是有限数值，请核对。", field=field)
    return result


def fmt(value: Decimal | None) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros ("40", "33.33")."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_points(value: Decimal) -> str:
    return format(quantize(value), "f")


def fmt4(value: Decimal) -> str:
    """Inputs and ratios in explanations: up to four decimals, trailing zeros dropped."""
    return fmt(quantize(value, RATIO_QUANTUM))


# ---------------------------------------------------------------------------------------------
# Dimensions, metrics and the registry


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
    return (registry or REGISTRY).register(spec)


# The metrics the issue names for the three dimensions. Each data point is one indicator, task,
# report or practice, so "samples" in the minimum-sample rule counts real things.
BUILTIN_METRICS = (
    MetricSpec(
        "speed.indicator_progress",
        "指标完成进度",
        Dimension.SPEED,
        "%",
        kind=MetricKind.RESULT,
        description="每项指标的累计完成率对比时间进度（或分解计划的进度）；一项指标一个数据点。",
    ),
    MetricSpec(
        "speed.tasks_on_time",
        "任务按时完成率",
        Dimension.SPEED,
        "%",
        kind=MetricKind.DELIVERY,
        description="本期到期的任务中按时完成的比例；一项任务一个数据点（按时100，否则0）。",
    ),
    MetricSpec(
        "quality.reports_accepted",
        "进展按时报送并通过率",
        Dimension.QUALITY,
        "%",
        kind=MetricKind.DELIVERY,
        description="应报进展中按时报送且经调度办审核通过的比例；一次应报一个数据点。",
    ),
    MetricSpec(
        "quality.closed_without_rework",
        "任务一次办结率",
        Dimension.QUALITY,
        "%",
        kind=MetricKind.DELIVERY,
        description="办结的任务中未被退回返工的比例；一项任务一个数据点。",
    ),
    MetricSpec(
        "quality.red_explained",
        "红灯说明率",
        Dimension.QUALITY,
        "%",
        kind=MetricKind.DELIVERY,
        description="亮红灯的指标中写明原因和措施的比例；一盏红灯一个数据点。",
    ),
    MetricSpec(
        "innovation.practice_rating",
        "创新举措评分",
        Dimension.INNOVATION,
        "分",
        kind=MetricKind.RATING,
        aggregate=Aggregate.SUM,
        description="单位报送、调度办评定的创新举措得分之和；一项举措一个数据点。",
    ),
)
for _spec in BUILTIN_METRICS:
    register_metric(_spec)


# ---------------------------------------------------------------------------------------------
# Normalisation to 0–100


class Method(StrEnum):
    RATIO_TO_TARGET = "ratio_to_target"  # value ÷ target, capped (CityScore)
    BANDS = "bands"  # thresholds → points (0–100 分档)
    MIN_MAX = "min_max"  # position between the peer group's lowest and highest
    RANK = "rank"  # position in the peer group's ranking

    @property
    def label(self) -> str:
        return {
            Method.RATIO_TO_TARGET: "对目标比值，参照波士顿CityScore",
            Method.BANDS: "0–100分档",
            Method.MIN_MAX: "组内极差法",
            Method.RANK: "组内名次法",
        }[self]

    @property
    def relative(self) -> bool:
        return self in (Method.MIN_MAX, Method.RANK)


@dataclass(frozen=True)
class Band:
    threshold: Decimal  # at least this (higher is better) or at most this (lower is better)
    points: Decimal


@dataclass(frozen=True)
class Normalisation:
    method: Method
    target: Decimal | None = None  # ratio: the target when the data points carry none
    cap: Decimal = CITYSCORE_CAP  # ratio: the ratio that earns 100 points
    bands: tuple[Band, ...] = ()
    floor_points: Decimal = Decimal(0)  # bands: points below every band

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(self.method))
        except ValueError:
            allowed = "、".join(m.value for m in Method)
            raise ValidationError(
                f"标准化方法“{self.method}”无效，可选：{allowed}。", field="normalisation"
            ) from None
        cap = _dec(self.cap, what="比值封顶", field="cap")
        if cap <= 0:
            raise ValidationError(
                f"比值封顶应大于0（现为{fmt(cap)}），如1.25（CityScore）或1。", field="cap"
            )
        object.__setattr__(self, "cap", cap)
        if self.target is not None:
            target = _dec(self.target, what="统一目标", field="target")
            if target <= 0:
                raise ValidationError(f"统一目标应大于0（现为{fmt(target)}）。", field="target")
            object.__setattr__(self, "target", target)
        floor = _dec(self.floor_points, what="档外得分", field="bands")
        _check_points(floor, "档外得分")
        object.__setattr__(self, "floor_points", floor)
        bands = tuple(
            Band(
                _dec(b.threshold, what="分档阈值", field="bands"),
                _dec(b.points, what="分档得分", field="bands"),
            )
            for b in self.bands
        )
        if self.method == Method.BANDS:
            if not bands:
                raise ValidationError(
                    "按0–100分档折算需要至少一个分档，如“≥90得100分”。", field="bands"
                )
            thresholds = [b.threshold for b in bands]
            if len(set(thresholds)) != len(thresholds):
                raise ValidationError("分档阈值不能重复，请核对。", field="bands")
            for b in bands:
                _check_points(b.points, f"阈值{fmt(b.threshold)}的得分")
        object.__setattr__(self, "bands", bands)


def _check_points(points: Decimal, what: str) -> None:
    if not 0 <= points <= HUNDRED:
        raise ValidationError(f"{what}应在0到100之间（现为{fmt(points)}）。", field="bands")


def _clamp(points: Decimal) -> Decimal:
    return quantize(min(max(points, Decimal(0)), HUNDRED))


def ratio_points(
    value: Decimal, target: Decimal, *, cap: Decimal = CITYSCORE_CAP, higher_is_better: bool = True
) -> tuple[Decimal, Decimal]:
    """(ratio, points): ratio = value ÷ target (target ÷ value when lower is better), and
    points = min(ratio, cap) ÷ cap × 100, never below 0."""
    if target <= 0:
        raise ValidationError(f"目标值应大于0（现为{fmt(target)}），无法按比值折算。")
    if not higher_is_better and value <= 0:
        # At or below zero a "lower is better" measure (overdue days, complaints) is perfect.
        return cap, HUNDRED.quantize(SCORE_QUANTUM)
    ratio = value / target if higher_is_better else target / value
    ratio = max(ratio, Decimal(0))
    return ratio, _clamp(min(ratio, cap) / cap * HUNDRED)


def band_points(
    value: Decimal,
    bands: Sequence[Band],
    *,
    floor_points: Decimal = Decimal(0),
    higher_is_better: bool = True,
) -> tuple[Decimal, Band | None]:
    """The points of the best band ``value`` reaches, and that band (None: below every band)."""
    if higher_is_better:
        reached = [b for b in bands if value >= b.threshold]
        best = max(reached, key=lambda b: b.threshold, default=None)
    else:
        reached = [b for b in bands if value <= b.threshold]
        best = min(reached, key=lambda b: b.threshold, default=None)
    return _clamp(best.points if best else floor_points), best


def min_max_points(
    value: Decimal, low: Decimal, high: Decimal, *, higher_is_better: bool = True
) -> Decimal:
    """Position between the group's lowest and highest, × 100; all equal → everyone 100."""
    if high == low:
        return HUNDRED.quantize(SCORE_QUANTUM)
    share = (value - low) / (high - low) if higher_is_better else (high - value) / (high - low)
    return _clamp(share * HUNDRED)


def rank_points(rank: int, peers: int) -> Decimal:
    """(peers − rank) ÷ (peers − 1) × 100: first gets 100, last 0; a group of one gets 100."""
    if peers <= 1:
        return HUNDRED.quantize(SCORE_QUANTUM)
    return _clamp(Decimal(peers - rank) / Decimal(peers - 1) * HUNDRED)


def competition_ranks(
    values: Mapping[str, Decimal], *, higher_is_better: bool = True
) -> dict[str, int]:
    """ "1224" ranking: equal values share a rank and the next rank is skipped."""
    ranks: dict[str, int] = {}
    for key, value in values.items():
        better = sum(
            1 for other in values.values() if (other > value if higher_is_better else other < value)
        )
        ranks[key] = better + 1
    return ranks


# ---------------------------------------------------------------------------------------------
# Schemes and their weights


class MissingPolicy(StrEnum):
    REWEIGHT = "reweight"  # a metric without data is left out and its weight shared out
    ZERO = "zero"  # a metric without data scores 0 (缺项计0分)

    @property
    def label(self) -> str:
        return {
            MissingPolicy.REWEIGHT: "缺项不计、权重按比例重新分配",
            MissingPolicy.ZERO: "缺项计0分",
        }[self]


@dataclass(frozen=True)
class SchemeMetric:
    code: str
    weight: Decimal  # percent of its dimension
    normalisation: Normalisation
    min_samples: int | None = None  # None: the scheme's minimum


@dataclass(frozen=True)
class SchemeDimension:
    dimension: Dimension
    weight: Decimal  # percent of the total score
    metrics: tuple[SchemeMetric, ...]


@dataclass(frozen=True)
class Scheme:
    """A 考核方案: dimension weights sum to 100%, and so do the metric weights in each dimension."""

    name: str
    dimensions: tuple[SchemeDimension, ...]
    missing: MissingPolicy = MissingPolicy.REWEIGHT
    min_samples: int = DEFAULT_MIN_SAMPLES

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", _enum(MissingPolicy, self.missing, "缺项处理规则"))
        dims = tuple(
            SchemeDimension(
                _enum(Dimension, d.dimension, "考核维度"),
                _dec(d.weight, what=f"维度“{d.dimension}”的权重", field="weights"),
                tuple(
                    SchemeMetric(
                        m.code,
                        _dec(m.weight, what=f"指标“{m.code}”的权重", field="weights"),
                        m.normalisation,
                        m.min_samples,
                    )
                    for m in d.metrics
                ),
            )
            for d in self.dimensions
        )
        object.__setattr__(self, "dimensions", dims)
        check_weights(self)

    def metric_min_samples(self, metric: SchemeMetric) -> int:
        return self.min_samples if metric.min_samples is None else metric.min_samples

    @property
    def metrics(self) -> tuple[SchemeMetric, ...]:
        return tuple(m for d in self.dimensions for m in d.metrics)


def _enum(enum: type[StrEnum], value: object, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = "、".join(m.value for m in enum)
        raise ValidationError(f"{what}“{value}”无效，可选：{allowed}。", field="scheme") from None


def _metric_label(code: str) -> str:
    return REGISTRY.get(code).name if code in REGISTRY else code


def _sum_problem(what: str, parts: Sequence[tuple[str, Decimal]]) -> str | None:
    total = sum((w for _, w in parts), Decimal(0))
    if total == HUNDRED:
        return None
    diff = total - HUNDRED
    direction = f"多{fmt(diff)}个百分点" if diff > 0 else f"少{fmt(-diff)}个百分点"
    listed = "、".join(f"{name}{fmt(w)}%" for name, w in parts)
    return f"{what}合计为{fmt(total)}%，应为100%，{direction}（{listed}）"


def check_weights(scheme: Scheme) -> None:
    """Refuse a scheme whose weights do not add up, saying which weights and by how much."""
    problems: list[str] = []
    if not scheme.dimensions:
        problems.append("没有任何考核维度，请至少设置比速度、比质量、比创新中的一个")
    if scheme.min_samples < 1:
        problems.append(f"最少样本数应至少为1（现为{scheme.min_samples}）")
    seen_dims: set[Dimension] = set()
    seen_metrics: set[str] = set()
    for d in scheme.dimensions:
        if d.dimension in seen_dims:
            problems.append(f"维度“{d.dimension.label}”重复设置")
        seen_dims.add(d.dimension)
        if d.weight <= 0:
            problems.append(f"维度“{d.dimension.label}”的权重应大于0（现为{fmt(d.weight)}%）")
        if not d.metrics:
            problems.append(f"维度“{d.dimension.label}”下没有指标")
            continue
        for m in d.metrics:
            if m.code in seen_metrics:
                problems.append(f"指标“{_metric_label(m.code)}”重复设置")
            seen_metrics.add(m.code)
            if m.weight <= 0:
                problems.append(
                    f"“{d.dimension.label}”下指标“{_metric_label(m.code)}”的权重应大于0"
                    f"（现为{fmt(m.weight)}%）"
                )
            if m.min_samples is not None and m.min_samples < 1:
                problems.append(f"指标“{_metric_label(m.code)}”的最少样本数应至少为1")
        problem = _sum_problem(
            f"“{d.dimension.label}”下各指标的权重",
            [(_metric_label(m.code), m.weight) for m in d.metrics],
        )
        if problem:
            problems.append(problem)
    if scheme.dimensions:
        problem = _sum_problem(
            "各维度的权重", [(d.dimension.label, d.weight) for d in scheme.dimensions]
        )
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError(
            f"考核方案“{scheme.name}”的设置有误：" + "；".join(problems) + "。请调整后重新保存。",
            field="weights",
            code="weights",
        )


def check_scheme_metrics(scheme: Scheme, registry: MetricRegistry) -> None:
    """Every metric is registered, under the dimension it was registered for."""
    for d in scheme.dimensions:
        for m in d.metrics:
            spec = registry.get(m.code)
            if spec.dimension != d.dimension:
                raise ValidationError(
                    f"指标“{spec.name}”登记在“{spec.dimension.label}”维度，不能放在“{d.dimension.label}”下。",
                    field="metric",
                )


# ---------------------------------------------------------------------------------------------
# Inputs and results


PEER_GROUP_LABELS: Mapping[str, str] = {
    "department": "部门",
    "town": "镇街",
    "task_force": "专班",
}


@dataclass(frozen=True)
class UnitRef:
    key: str
    name: str
    peer_group: str  # units are ranked only against units of the same group


@dataclass(frozen=True)
class DataPoint:
    """One indicator, task, report or practice of one unit for one metric."""

    unit: str
    metric: str
    value: Decimal
    target: Decimal | None = None  # e.g. the time progress an indicator's completion is judged by
    label: str = ""  # what the point is, for the explanation ("规上工业增加值", "任务二(一)")


class MetricStatus(StrEnum):
    SCORED = "scored"
    MISSING = "missing"  # no data point this period
    INSUFFICIENT = "insufficient"  # fewer data points than the minimum sample

    @property
    def label(self) -> str:
        return {
            MetricStatus.SCORED: "计分",
            MetricStatus.MISSING: "无数据",
            MetricStatus.INSUFFICIENT: "样本不足",
        }[self]


@dataclass(frozen=True)
class Explanation:
    """One node of a score's explanation: what it is (``kind``), a Chinese sentence, and the
    nodes it is made of. ``render()`` gives the indented text a unit reads."""

    kind: str  # total | rank | dimension | metric | inputs | normalisation | weight | rule
    text: str
    children: tuple[Explanation, ...] = ()

    def lines(self, depth: int = 0) -> list[str]:
        out = [("  " * depth) + ("" if depth == 0 else "· ") + self.text]
        for child in self.children:
            out.extend(child.lines(depth + 1))
        return out

    def render(self) -> str:
        return "\n".join(self.lines())

    def find(self, kind: str) -> list[Explanation]:
        found = [self] if self.kind == kind else []
        for child in self.children:
            found.extend(child.find(kind))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "children": [c.to_dict() for c in self.children],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        return cls(
            str(data["kind"]),
            str(data["text"]),
            tuple(cls.from_dict(c) for c in data.get("children", ())),
        )


@dataclass(frozen=True)
class MetricScore:
    code: str
    name: str
    dimension: Dimension
    status: MetricStatus
    samples: int
    value: Decimal | None  # the aggregated raw value
    target: Decimal | None
    points: Decimal | None  # 0–100; None when not scored (0 under the ZERO policy for MISSING)
    nominal_weight: Decimal  # percent of the dimension, as configured
    share: Decimal  # percent of the dimension after re-weighting (0 when left out)
    effective_weight: Decimal  # percent of the total score
    contribution: Decimal  # points × effective weight ÷ 100
    explanation: Explanation


@dataclass(frozen=True)
class DimensionScore:
    dimension: Dimension
    nominal_weight: Decimal
    effective_weight: Decimal  # percent of the total after re-weighting (0 when left out)
    points: Decimal | None  # 0–100 within the dimension
    contribution: Decimal
    metrics: tuple[MetricScore, ...]
    explanation: Explanation


@dataclass(frozen=True)
class UnitScore:
    unit: str
    name: str
    peer_group: str
    total: Decimal | None  # None: nothing could be scored this period (not ranked)
    rank: int | None
    peers: int  # units ranked in the group
    tied: bool
    limited: bool  # some metric is below its minimum sample: may not rank first
    held_off_top: bool  # limited and would otherwise have ranked first
    previous_rank: int | None
    movement: int | None  # previous rank − rank: positive means up
    dimensions: tuple[DimensionScore, ...]
    explanation: Explanation

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return "不参与排名"
        return f"并列第{self.rank}名" if self.tied else f"第{self.rank}名"

    @property
    def movement_text(self) -> str:
        return movement_text(self.previous_rank, self.rank)

    def metric(self, code: str) -> MetricScore:
        for d in self.dimensions:
            for m in d.metrics:
                if m.code == code:
                    return m
        raise KeyError(code)


@dataclass(frozen=True)
class PeerGroupResult:
    group: str
    label: str
    units: tuple[UnitScore, ...]  # ranked units by rank, then those not ranked


@dataclass(frozen=True)
class Scoreboard:
    scheme: str
    period: str
    groups: tuple[PeerGroupResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def units(self) -> tuple[UnitScore, ...]:
        return tuple(u for g in self.groups for u in g.units)

    def unit(self, key: str) -> UnitScore:
        for u in self.units:
            if u.unit == key:
                return u
        raise KeyError(key)

    def group(self, key: str) -> PeerGroupResult:
        for g in self.groups:
            if g.group == key:
                return g
        raise KeyError(key)


def movement_text(previous_rank: int | None, rank: int | None) -> str:
    if rank is None:
        return "本期未排名"
    if previous_rank is None:
        return "上期未参与排名"
    delta = previous_rank - rank
    if delta > 0:
        return f"较上期（第{previous_rank}名）上升{delta}位"
    if delta < 0:
        return f"较上期（第{previous_rank}名）下降{-delta}位"
    return f"与上期（第{previous_rank}名）持平"


# ---------------------------------------------------------------------------------------------
# The engine


@dataclass
class _Cell:
    """Work in progress for one unit × metric."""

    points_in: list[DataPoint]
    status: MetricStatus = MetricStatus.MISSING
    value: Decimal | None = None
    target: Decimal | None = None
    points: Decimal | None = None
    norm_text: str = ""


def _aggregate(values: Sequence[Decimal], how: Aggregate) -> Decimal:
    total = sum(values, Decimal(0))
    return total if how == Aggregate.SUM else total / len(values)


def _inputs_text(cell: _Cell, spec: MetricSpec) -> str:
    shown = []
    for p in cell.points_in[:_LISTED_POINTS]:
        target = f"（目标{fmt(p.target)}{spec.unit}）" if p.target is not None else ""
        shown.append(f"{p.label or '数据点'} {fmt(p.value)}{spec.unit}{target}")
    more = f"等{len(cell.points_in)}个" if len(cell.points_in) > _LISTED_POINTS else ""
    text = f"输入：{len(cell.points_in)}个数据点（{'；'.join(shown)}{more}）"
    if cell.value is not None:
        text += f"，{spec.aggregate.label}{fmt4(cell.value)}{spec.unit}"
    if cell.target is not None:
        text += f"，目标{fmt4(cell.target)}{spec.unit}"
    return text + "。"


def _normalise_absolute(cell: _Cell, spec: MetricSpec, norm: Normalisation, unit_name: str) -> None:
    assert cell.value is not None
    v = cell.value
    if norm.method == Method.RATIO_TO_TARGET:
        target = cell.target if cell.target is not None else norm.target
        if target is None:
            raise ValidationError(
                f"指标“{spec.name}”按对目标比值折算，但“{unit_name}”的数据没有目标值，方案也没有"
                "设定统一目标：请在方案中设定目标，或在数据中提供每个数据点的目标。",
                field="target",
            )
        cell.target = target
        ratio, points = ratio_points(
            v, target, cap=norm.cap, higher_is_better=spec.higher_is_better
        )
        formula = (
            f"实际{fmt4(v)} ÷ 目标{fmt4(target)}"
            if spec.higher_is_better
            else f"该指标越低越好，目标{fmt4(target)} ÷ 实际{fmt4(v)}"
        )
        cell.points = points
        cell.norm_text = (
            f"标准化（{norm.method.label}）：{formula} = {fmt4(ratio)}，"
            f"封顶{fmt(norm.cap)}；得分 = {fmt4(min(ratio, norm.cap))}"
            f" ÷ {fmt(norm.cap)} × 100 = {fmt_points(points)}分。"
        )
    else:  # BANDS
        points, band = band_points(
            v, norm.bands, floor_points=norm.floor_points, higher_is_better=spec.higher_is_better
        )
        sign = "≥" if spec.higher_is_better else "≤"
        order = sorted(norm.bands, key=lambda b: b.threshold, reverse=spec.higher_is_better)
        rule = "；".join(f"{sign}{fmt(b.threshold)}得{fmt(b.points)}分" for b in order)
        where = f"落在“{sign}{fmt(band.threshold)}”档" if band else "未达到任何一档"
        cell.points = points
        cell.norm_text = (
            f"标准化（{norm.method.label}）：{rule}；其余得{fmt(norm.floor_points)}分。"
            f"{fmt4(v)}{spec.unit}{where}，得{fmt_points(points)}分。"
        )


def _normalise_relative(
    cells: Mapping[str, _Cell], spec: MetricSpec, norm: Normalisation, group_label: str
) -> None:
    scored = {k: c for k, c in cells.items() if c.status == MetricStatus.SCORED}
    if not scored:
        return
    values = {k: c.value for k, c in scored.items() if c.value is not None}
    n = len(values)
    if norm.method == Method.MIN_MAX:
        low, high = min(values.values()), max(values.values())
        for key, cell in scored.items():
            v = values[key]
            points = min_max_points(v, low, high, higher_is_better=spec.higher_is_better)
            cell.points = points
            if high == low:
                formula = f"本组{n}个单位数值相同，均得100分"
            elif spec.higher_is_better:
                formula = (
                    f"得分 = ({fmt4(v)} − {fmt4(low)})"
                    f" ÷ ({fmt4(high)} − {fmt4(low)})"
                    f" × 100 = {fmt_points(points)}分"
                )
            else:
                formula = (
                    f"该指标越低越好，得分 = ({fmt4(high)} − {fmt4(v)})"
                    f" ÷ ({fmt4(high)} − {fmt4(low)})"
                    f" × 100 = {fmt_points(points)}分"
                )
            cell.norm_text = (
                f"标准化（{norm.method.label}）：本组（{group_label}，{n}个样本充足的单位）最低"
                f"{fmt4(low)}、最高{fmt4(high)}；{formula}。"
            )
    else:  # RANK
        ranks = competition_ranks(values, higher_is_better=spec.higher_is_better)
        for key, cell in scored.items():
            r = ranks[key]
            points = rank_points(r, n)
            cell.points = points
            formula = (
                "本组只有1个单位，得100分"
                if n <= 1
                else f"得分 = ({n} − {r}) ÷ ({n} − 1) × 100 = {fmt_points(points)}分"
            )
            cell.norm_text = (
                f"标准化（{norm.method.label}）：本项在{group_label}组{n}个样本充足的单位中"
                f"排第{r}名（并列者同名次）；{formula}。"
            )


def score_period(
    scheme: Scheme,
    *,
    period: str,
    units: Sequence[UnitRef],
    data: Iterable[DataPoint],
    previous: Scoreboard | None = None,
    registry: MetricRegistry | None = None,
    peer_group_labels: Mapping[str, str] = PEER_GROUP_LABELS,
) -> Scoreboard:
    """Score and rank every unit for one period (a week or a month).

    Data points for metrics the scheme does not use are ignored (one set of data feeds several
    schemes). ``previous`` is the last period's scoreboard, for the rank movement.
    """
    registry = registry or REGISTRY
    check_scheme_metrics(scheme, registry)
    unit_by_key: dict[str, UnitRef] = {}
    for u in units:
        if u.key in unit_by_key:
            raise ValidationError(f"考核单位“{u.name}”重复列出。", field="units")
        unit_by_key[u.key] = u
    codes = {m.code for m in scheme.metrics}
    cells: dict[tuple[str, str], _Cell] = {
        (u.key, code): _Cell([]) for u in units for code in codes
    }
    for p in data:
        if p.metric not in codes:
            continue
        if p.unit not in unit_by_key:
            raise ValidationError(
                f"数据中的单位“{p.unit}”不在本期考核单位名单中，请核对单位或名单。", field="data"
            )
        value = _dec(p.value, what=f"“{p.unit}”的“{p.metric}”数值", field="data")
        target = (
            None
            if p.target is None
            else _dec(p.target, what=f"“{p.unit}”的“{p.metric}”目标", field="data")
        )
        cells[(p.unit, p.metric)].points_in.append(
            DataPoint(p.unit, p.metric, value, target, p.label)
        )

    groups: dict[str, list[UnitRef]] = {}
    for u in units:
        groups.setdefault(u.peer_group, []).append(u)

    notes: list[str] = []
    for m in scheme.metrics:
        spec = registry.get(m.code)
        minimum = scheme.metric_min_samples(m)
        if all(not cells[(u.key, m.code)].points_in for u in units):
            notes.append(
                f"本期“{spec.name}”没有任何单位的数据，按方案规则（{scheme.missing.label}）处理。"
            )
        for u in units:
            cell = cells[(u.key, m.code)]
            n = len(cell.points_in)
            if n == 0:
                continue
            cell.value = _aggregate([p.value for p in cell.points_in], spec.aggregate)
            targets = [p.target for p in cell.points_in]
            if all(t is not None for t in targets):
                cell.target = _aggregate([t for t in targets if t is not None], spec.aggregate)
            cell.status = MetricStatus.SCORED if n >= minimum else MetricStatus.INSUFFICIENT
            if cell.status == MetricStatus.SCORED and not m.normalisation.method.relative:
                _normalise_absolute(cell, spec, m.normalisation, u.name)
        if m.normalisation.method.relative:
            for group, members in groups.items():
                _normalise_relative(
                    {u.key: cells[(u.key, m.code)] for u in members},
                    spec,
                    m.normalisation,
                    peer_group_labels.get(group, group),
                )

    previous_ranks: dict[str, tuple[str, int]] = {}
    if previous is not None:
        for pu in previous.units:
            if pu.rank is not None:
                previous_ranks[pu.unit] = (pu.peer_group, pu.rank)

    group_results = []
    for group, members in groups.items():
        label = peer_group_labels.get(group, group)
        partials = [_unit_partial(scheme, registry, u, cells) for u in members]
        group_results.append(_rank_group(group, label, partials, previous_ranks, period))
    return Scoreboard(scheme.name, period, tuple(group_results), tuple(notes))


@dataclass
class _Partial:
    unit: UnitRef
    total: Decimal | None
    limited: bool
    insufficient: list[str]
    dimensions: tuple[DimensionScore, ...]


def _unit_partial(
    scheme: Scheme, registry: MetricRegistry, unit: UnitRef, cells: Mapping[tuple[str, str], _Cell]
) -> _Partial:
    zero = scheme.missing == MissingPolicy.ZERO

    def counted(status: MetricStatus) -> bool:
        # A metric below its minimum sample is always left out: too few data points is not the
        # unit's failure to report, and the minimum-sample rule (not a zero) keeps it off the top.
        return status == MetricStatus.SCORED or (zero and status == MetricStatus.MISSING)

    # Shares within each dimension, then dimension weights, re-weighted over what is counted.
    dim_shares: dict[Dimension, dict[str, Decimal]] = {}
    for d in scheme.dimensions:
        counted_weight = sum(
            (m.weight for m in d.metrics if counted(cells[(unit.key, m.code)].status)),
            Decimal(0),
        )
        dim_shares[d.dimension] = {
            m.code: (
                m.weight / counted_weight * HUNDRED
                if counted_weight and counted(cells[(unit.key, m.code)].status)
                else Decimal(0)
            )
            for m in d.metrics
        }
    counted_dims = [d for d in scheme.dimensions if any(dim_shares[d.dimension].values())]
    dims_weight = sum((d.weight for d in counted_dims), Decimal(0))

    dimensions: list[DimensionScore] = []
    total_raw = Decimal(0)
    insufficient: list[str] = []
    for d in scheme.dimensions:
        dim_eff = d.weight / dims_weight * HUNDRED if d in counted_dims else Decimal(0)
        metric_scores: list[MetricScore] = []
        dim_points_raw = Decimal(0)
        for m in d.metrics:
            spec = registry.get(m.code)
            cell = cells[(unit.key, m.code)]
            share = dim_shares[d.dimension][m.code]
            eff = dim_eff * share / HUNDRED
            points = cell.points
            if cell.status == MetricStatus.MISSING and zero:
                points = Decimal(0).quantize(SCORE_QUANTUM)
            if cell.status == MetricStatus.INSUFFICIENT:
                insufficient.append(
                    f"“{spec.name}”仅{len(cell.points_in)}个数据点（要求至少{scheme.metric_min_samples(m)}个）"
                )
            contribution = (points or Decimal(0)) * eff / HUNDRED
            if counted(cell.status):
                dim_points_raw += (points or Decimal(0)) * share / HUNDRED
                total_raw += contribution
            metric_scores.append(
                MetricScore(
                    code=m.code,
                    name=spec.name,
                    dimension=d.dimension,
                    status=cell.status,
                    samples=len(cell.points_in),
                    value=cell.value,
                    target=cell.target,
                    points=points,
                    nominal_weight=m.weight,
                    share=share,
                    effective_weight=eff,
                    contribution=quantize(contribution),
                    explanation=_metric_explanation(
                        scheme, m, spec, cell, points, d, share, dim_eff, eff, contribution
                    ),
                )
            )
        dim_points = quantize(dim_points_raw) if d in counted_dims else None
        dim_contribution = quantize(dim_points_raw * dim_eff / HUNDRED)
        if d in counted_dims:
            reweighted = (
                f"（按方案占{fmt(d.weight)}%，因其他维度缺项重新分配为{fmt(quantize(dim_eff))}%）"
                if quantize(dim_eff) != d.weight
                else ""
            )
            text = (
                f"{d.dimension.label}：维度得分{fmt_points(dim_points_raw)}分 × 占总分"
                f"{fmt(quantize(dim_eff))}%{reweighted} = {fmt_points(dim_contribution)}分。"
            )
        else:
            text = (
                f"{d.dimension.label}：本期没有可计分的指标，按方案规则（{scheme.missing.label}）"
                f"不计分，其{fmt(d.weight)}%的权重按比例分给其他维度。"
            )
        dimensions.append(
            DimensionScore(
                dimension=d.dimension,
                nominal_weight=d.weight,
                effective_weight=dim_eff,
                points=dim_points,
                contribution=dim_contribution,
                metrics=tuple(metric_scores),
                explanation=Explanation(
                    "dimension", text, tuple(ms.explanation for ms in metric_scores)
                ),
            )
        )
    total = quantize(total_raw) if counted_dims else None
    return _Partial(unit, total, bool(insufficient), insufficient, tuple(dimensions))


def _metric_explanation(
    scheme: Scheme,
    m: SchemeMetric,
    spec: MetricSpec,
    cell: _Cell,
    points: Decimal | None,
    d: SchemeDimension,
    share: Decimal,
    dim_eff: Decimal,
    eff: Decimal,
    contribution: Decimal,
) -> Explanation:
    children: list[Explanation] = []
    minimum = scheme.metric_min_samples(m)
    if cell.status == MetricStatus.MISSING:
        if scheme.missing == MissingPolicy.ZERO:
            rule = f"本期无数据。按方案规则（{scheme.missing.label}），本项得0分，权重不变。"
        else:
            rule = (
                f"本期无数据。按方案规则（{scheme.missing.label}），本项不计分，其{fmt(m.weight)}%"
                f"的权重按比例分给“{d.dimension.label}”内有数据的指标。"
            )
        children.append(Explanation("inputs", "输入：本期没有数据点。"))
        children.append(Explanation("rule", rule))
    else:
        children.append(Explanation("inputs", _inputs_text(cell, spec)))
        if cell.status == MetricStatus.INSUFFICIENT:
            children.append(
                Explanation(
                    "rule",
                    f"最少样本规则：只有{len(cell.points_in)}个数据点，少于方案要求的{minimum}个，"
                    f"本项不计分，其{fmt(m.weight)}%的权重按比例分给“{d.dimension.label}”内其他指标；"
                    "该单位本期不能排在本组第一名。",
                )
            )
        else:
            children.append(Explanation("normalisation", cell.norm_text))
    if points is not None and (
        cell.status == MetricStatus.SCORED or scheme.missing == MissingPolicy.ZERO
    ):
        reweighted = (
            f"（按方案占{fmt(m.weight)}%，因缺项重新分配为{fmt(quantize(share))}%）"
            if quantize(share) != m.weight
            else ""
        )
        children.append(
            Explanation(
                "weight",
                f"权重：本项占“{d.dimension.label}”的{fmt(quantize(share))}%{reweighted}，"
                f"“{d.dimension.label}”占总分{fmt(quantize(dim_eff))}%，本项实际占总分"
                f"{fmt(quantize(eff))}%；贡献 {fmt_points(points)} × {fmt(quantize(eff))}% = "
                f"{fmt_points(contribution)}分。",
            )
        )
        if cell.status == MetricStatus.SCORED:
            head = f"{spec.name}（{spec.kind.label}类）：{fmt_points(points)}分"
        else:
            head = f"{spec.name}：{fmt_points(points)}分（无数据，按缺项计0分）"
    else:
        head = f"{spec.name}：不计分（{cell.status.label}）"
    return Explanation("metric", head, tuple(children))


def _rank_group(
    group: str,
    label: str,
    partials: list[_Partial],
    previous_ranks: Mapping[str, tuple[str, int]],
    period: str,
) -> PeerGroupResult:
    ranked = [p for p in partials if p.total is not None]
    full = [p.total for p in ranked if not p.limited and p.total is not None]
    top_full = max(full) if full else None

    def effective(p: _Partial) -> Decimal:
        assert p.total is not None
        # A unit short of samples may come level with the best fully-sampled unit but no higher,
        # and then ranks after it (see ``held``).
        if p.limited and top_full is not None:
            return min(p.total, top_full)
        return p.total

    def held(p: _Partial) -> bool:
        return p.limited and top_full is not None and p.total is not None and p.total >= top_full

    ranks: dict[str, int] = {}
    for p in ranked:
        mine = effective(p)
        better = sum(1 for o in ranked if effective(o) > mine)
        if held(p):
            better += sum(1 for o in ranked if not o.limited and effective(o) == mine)
        ranks[p.unit.key] = better + 1
    peers = len(ranked)
    results: list[UnitScore] = []
    for p in partials:
        rank = ranks.get(p.unit.key)
        tied = rank is not None and sum(1 for r in ranks.values() if r == rank) > 1
        prev = previous_ranks.get(p.unit.key)
        previous_rank = prev[1] if prev and prev[0] == group else None
        movement = previous_rank - rank if previous_rank is not None and rank is not None else None
        results.append(
            UnitScore(
                unit=p.unit.key,
                name=p.unit.name,
                peer_group=group,
                total=p.total,
                rank=rank,
                peers=peers,
                tied=tied,
                limited=p.limited,
                held_off_top=held(p),
                previous_rank=previous_rank,
                movement=movement,
                dimensions=p.dimensions,
                explanation=_unit_explanation(
                    p, label, period, rank, peers, tied, previous_rank, held(p), top_full
                ),
            )
        )
    results.sort(key=lambda u: (u.rank is None, u.rank or 0))
    return PeerGroupResult(group, label, tuple(results))


def _unit_explanation(
    p: _Partial,
    label: str,
    period: str,
    rank: int | None,
    peers: int,
    tied: bool,
    previous_rank: int | None,
    held_off: bool,
    top_full: Decimal | None,
) -> Explanation:
    children: list[Explanation] = [d.explanation for d in p.dimensions]
    if p.total is None:
        head = f"{p.unit.name}（{label}）{period}：没有任何可计分的考核数据，不参与本期排名。"
        return Explanation("total", head, tuple(children))
    parts = " + ".join(fmt_points(d.contribution) for d in p.dimensions if d.points is not None)
    rank_text = f"{'并列' if tied else ''}第{rank}名"
    head = (
        f"{p.unit.name}（{label}）{period}总分{fmt_points(p.total)}分（= {parts}），在{label}组"
        f"{peers}个参与排名的单位中{rank_text}，{movement_text(previous_rank, rank)}。"
    )
    if p.limited:
        why = "；".join(p.insufficient)
        if held_off and top_full is not None:
            text = (
                f"最少样本规则：{why}，本期不能排在本组第一名。其总分{fmt_points(p.total)}分不低于本组"
                f"样本充足单位的最高分{fmt_points(top_full)}分，因此排在这些单位之后，为第{rank}名。"
            )
        elif top_full is None:
            text = f"最少样本规则：{why}。本组没有样本充足的单位，名次仅供参考，且不列入红榜。"
        else:
            text = f"最少样本规则：{why}，本期不能排在本组第一名；按总分本就排在第{rank}名，名次未受影响。"
        children.append(Explanation("rule", text))
    return Explanation("total", head, tuple(children))
