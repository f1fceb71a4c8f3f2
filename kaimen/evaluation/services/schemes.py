"""The office's scheme (考核方案) and the innovation practices (创新举措) units submit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import codec, honour_roll, metrics
from kaimen.evaluation.models import InnovationPractice, ScoringScheme
from kaimen.evaluation.scoring import (
    ACTIVITY_RULES_TEXT,
    PEER_GROUP_LABELS,
    REGISTRY,
    Dimension,
    Method,
    MetricSpec,
    Scheme,
    activity_reason,
    check_scheme_metrics,
)
from kaimen.evaluation.services.common import PEER_GROUP_KINDS, clean_text
from kaimen.lib import clock
from kaimen.lib.errors import StaleVersion, ValidationError
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm

MAX_LIST = 20
MAX_GROUP = 50
HUNDRED = Decimal(100)
MAX_WINDOW_WORKDAYS = 30
RATING_MAX = Decimal(10)
PRACTICE_FIELDS = ["title", "practiced_on", "rating", "rating_comment", "rated_by"]


def _raw_metric_codes(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dimension, code) of every metric the configuration names, before any decoding."""
    found = []
    dims = config.get("dimensions") if isinstance(config, Mapping) else None
    for d in dims if isinstance(dims, list) else []:
        if not isinstance(d, Mapping):
            continue
        for m in d.get("metrics") or []:
            if isinstance(m, Mapping) and isinstance(m.get("code"), str):
                found.append((str(d.get("dimension", "")), m["code"]))
    return found


def _refuse_activity_metrics(config: Mapping[str, Any]) -> None:
    """A scheme may not score use of the platform, whatever the metric is called; say so
    rather than "not registered" (the registry never admits such a metric in the first place)."""
    for dimension, code in _raw_metric_codes(config):
        if code in REGISTRY:
            continue
        known = dimension if dimension in {d.value for d in Dimension} else Dimension.SPEED
        try:
            probe = MetricSpec(code, code, known, "")
        except ValidationError:
            continue
        reason = activity_reason(probe)
        if reason is not None:
            raise ValidationError(
                f"考核方案不能使用指标“{code}”：{reason}。{ACTIVITY_RULES_TEXT}",
                field="metrics",
                code="activity_metric",
            )


def _check_targets(scheme: Scheme) -> None:
    for m in scheme.metrics:
        if (
            m.normalisation.method == Method.RATIO_TO_TARGET
            and m.normalisation.target is None
            and m.code not in metrics.WITH_TARGETS
        ):
            name = REGISTRY.get(m.code).name
            raise ValidationError(
                f"指标“{name}”按对目标比值折算，但它的数据不带目标值：请为它设定统一目标"
                "（如100，表示100%），或改用0–100分档、组内极差法或组内名次法。",
                field="metrics",
            )


def check_scheme(config: Mapping[str, Any]) -> Scheme:
    """The engine's scheme from a configuration, or a ValidationError saying what to fix."""
    _refuse_activity_metrics(config)
    scheme = codec.scheme_from_dict(config)
    if not scheme.name.strip():
        raise ValidationError("请填写考核方案的名称。", field="name")
    check_scheme_metrics(scheme, REGISTRY)
    _check_targets(scheme)
    return scheme


def scheme_save(
    *,
    actor,
    campaign: Campaign,
    config: Mapping[str, Any],
    peer_groups: Sequence[str],
    excluded_unit_ids: Sequence[int] = (),
    top_k: int,
    bottom_k: int,
    objection_workdays: int,
    top_share: Decimal | str | None = None,
    bottom_share: Decimal | str | None = None,
    red_min_total: Decimal | str | None = honour_roll.DEFAULT_RED_MIN_TOTAL,
    black_below_total: Decimal | str | None = honour_roll.DEFAULT_BLACK_BELOW_TOTAL,
    min_group_size: int = honour_roll.DEFAULT_MIN_GROUP_SIZE,
    expected_version: int | None = None,
) -> ScoringScheme:
    """Create or change the campaign's scheme. Nothing is stored unless the whole configuration
    holds: weights summing to 100% at both levels, registered result metrics only, sensible
    normalisation, at least one peer group, 红黑榜 rules that cannot put one unit on both lists
    (the red bar above the black one). Runs already computed keep the scheme they used."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    scheme = check_scheme(config)
    groups = list(dict.fromkeys(peer_groups))
    if not groups:
        raise ValidationError(
            "请至少选择一个参与排名的单位类别（部门、镇街或专班），各类别分组排名。",
            field="peer_groups",
        )
    unknown = [g for g in groups if g not in PEER_GROUP_KINDS]
    if unknown:
        allowed = "、".join(f"{k}（{PEER_GROUP_LABELS[k]}）" for k in PEER_GROUP_KINDS)
        raise ValidationError(
            f"单位类别“{'、'.join(unknown)}”不能参与排名，可选：{allowed}。", field="peer_groups"
        )
    for value, what, low, high, name in (
        (top_k, "红榜入榜数", 0, MAX_LIST, "top_k"),
        (bottom_k, "黑榜入榜数", 0, MAX_LIST, "bottom_k"),
        (objection_workdays, "申诉期（工作日）", 1, MAX_WINDOW_WORKDAYS, "objection_workdays"),
        (min_group_size, "发布红黑榜的最少单位数", 1, MAX_GROUP, "min_group_size"),
    ):
        if not low <= value <= high:
            raise ValidationError(f"{what}应在{low}到{high}之间（现为{value}）。", field=name)
    rules = _roll_rules(
        top_share=top_share,
        bottom_share=bottom_share,
        red_min_total=red_min_total,
        black_below_total=black_below_total,
    )
    excluded = sorted(set(excluded_unit_ids))
    if len(Unit.objects.filter(pk__in=excluded)) != len(excluded):
        raise ValidationError(
            "不参与排名的单位中有不存在的单位，请刷新页面后重选。", field="excluded"
        )
    stored = codec.scheme_to_dict(scheme)
    fields = {
        "config": stored,
        "peer_groups": groups,
        "excluded_unit_ids": excluded,
        "top_k": top_k,
        "bottom_k": bottom_k,
        **rules,
        "min_group_size": min_group_size,
        "objection_workdays": objection_workdays,
    }
    try:
        return _store_scheme(actor, campaign, fields, expected_version)
    except IntegrityError:
        # another office created the campaign's scheme a moment earlier: reload and try again
        raise StaleVersion() from None


def _number(value: Decimal | str | None, what: str, field: str, low: Decimal, high: Decimal):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(f"{what}应为数字（现为“{value}”）。", field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError(
            f"{what}应在{low}到{high}之间（现为{value}），不设请留空。", field=field
        )
    return number.quantize(Decimal("0.01"))


def _roll_rules(*, top_share, bottom_share, red_min_total, black_below_total) -> dict:
    """The 红黑榜 bars and shares, checked; what the scheme stores."""
    rules = {
        "top_share": _number(top_share, "红榜入榜比例（%）", "top_share", Decimal(1), HUNDRED),
        "bottom_share": _number(
            bottom_share, "黑榜入榜比例（%）", "bottom_share", Decimal(1), HUNDRED
        ),
        "red_min_total": _number(red_min_total, "红榜分数线", "red_min_total", Decimal(0), HUNDRED),
        "black_below_total": _number(
            black_below_total, "黑榜分数线", "black_below_total", Decimal(0), HUNDRED
        ),
    }
    red, black = rules["red_min_total"], rules["black_below_total"]
    if red is not None and black is not None and black > red:
        raise ValidationError(
            f"黑榜分数线（低于{black}分）高于红榜分数线（不低于{red}分），同一单位可能同时"
            "符合两榜条件：请把黑榜分数线设得不高于红榜分数线。",
            field="black_below_total",
        )
    return rules


def _store_scheme(
    actor, campaign: Campaign, fields: dict[str, Any], expected_version: int | None
) -> ScoringScheme:
    with transaction.atomic():
        current = ScoringScheme.objects.select_for_update().filter(campaign=campaign).first()
        if current is None:
            if expected_version not in (None, 0):
                raise StaleVersion()
            before = None
            saved = ScoringScheme.objects.create(
                campaign=campaign, updated_by=actor, updated_at=clock.now(), **fields
            )
        else:
            before = snapshot(current, [*fields, "version"])
            for name, value in fields.items():
                setattr(current, name, value)
            current.updated_by = actor
            current.updated_at = clock.now()
            save_versioned(
                current,
                expected_version=current.version if expected_version is None else expected_version,
                fields=[*fields, "updated_by", "updated_at"],
            )
            saved = current
        record(
            actor=actor,
            action="evaluation.scheme.save",
            obj=saved,
            before=before,
            after={**fields, "campaign": campaign.pk, "version": saved.version},
        )
    return saved


# ---------------------------------------------------------------------------------------------
# Innovation practices


def practice_submit(
    *,
    actor,
    campaign: Campaign,
    unit: Unit,
    title: str,
    description: str,
    practiced_on: date,
) -> InnovationPractice:
    """创新举措: the unit's liaison submits what the unit did; the office rates it."""
    scope.require(actor, Perm.PRACTICE_SUBMIT, unit.pk)
    title = clean_text(title, field="title", max_len=100)
    description = clean_text(description, field="description")
    today = clock.today()
    if practiced_on > today:
        raise ValidationError(
            f"举措日期{practiced_on:%Y-%m-%d}还没到：请报送已经开展的举措。", field="practiced_on"
        )
    if practiced_on.year < campaign.year - 1:
        raise ValidationError(
            f"举措日期{practiced_on:%Y-%m-%d}早于本战役（{campaign.name}），请核对。",
            field="practiced_on",
        )
    with transaction.atomic():
        practice = InnovationPractice.objects.create(
            campaign=campaign,
            unit=unit,
            title=title,
            description=description,
            practiced_on=practiced_on,
            submitted_by=actor,
            submitted_at=clock.now(),
        )
        record(
            actor=actor,
            action="evaluation.practice.submit",
            obj=practice,
            unit=unit,
            after={"campaign": campaign.pk, "title": title, "practiced_on": practiced_on},
        )
    return practice


def _rating(value: Any) -> Decimal:
    try:
        rating = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            f"评分“{value}”不是数值，请填0到10之间的数。", field="rating"
        ) from None
    if not rating.is_finite() or not 0 <= rating <= RATING_MAX:
        raise ValidationError(f"评分应在0到10之间（现为{value}）。", field="rating")
    if rating != rating.quantize(Decimal("0.1")):
        raise ValidationError("评分最多保留一位小数，如8.5。", field="rating")
    return rating.quantize(Decimal("0.1"))


def practice_rate(
    *,
    actor,
    practice: InnovationPractice,
    rating: Any,
    comment: str,
    expected_version: int,
) -> InnovationPractice:
    """The office rates a practice (0–10, with a comment); a later change of the rating is
    recorded too, and a published ranking that used the old rating keeps it."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    value = _rating(rating)
    comment = clean_text(comment, field="rating_comment", max_len=300, required=False)
    before = snapshot(practice, PRACTICE_FIELDS)
    practice.rating = value
    practice.rating_comment = comment
    practice.rated_by = actor
    practice.rated_at = clock.now()
    with transaction.atomic():
        save_versioned(
            practice,
            expected_version=expected_version,
            fields=["rating", "rating_comment", "rated_by", "rated_at"],
        )
        record(
            actor=actor,
            action="evaluation.practice.rate",
            obj=practice,
            unit=practice.unit_id,
            before=before,
            after=snapshot(practice, PRACTICE_FIELDS),
        )
    return practice
