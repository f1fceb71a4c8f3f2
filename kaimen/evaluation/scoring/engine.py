"""The engine: score and rank every unit of a period among its peers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaimen.evaluation.scoring.metrics import (
    REGISTRY,
    Aggregate,
    Dimension,
    MetricRegistry,
    MetricSpec,
)
from kaimen.evaluation.scoring.normalisation import (
    Method,
    Normalisation,
    band_points,
    competition_ranks,
    min_max_points,
    rank_points,
    ratio_points,
)
from kaimen.evaluation.scoring.numbers import (
    _LISTED_POINTS,
    HUNDRED,
    SCORE_QUANTUM,
    _dec,
    fmt,
    fmt4,
    fmt_points,
    quantize,
)
from kaimen.evaluation.scoring.results import (
    PEER_GROUP_LABELS,
    DataPoint,
    DimensionScore,
    Explanation,
    MetricScore,
    MetricStatus,
    PeerGroupResult,
    Scoreboard,
    UnitRef,
    UnitScore,
    movement_text,
)
from kaimen.evaluation.scoring.schemes import (
    MissingPolicy,
    Scheme,
    SchemeDimension,
    SchemeMetric,
    check_scheme_metrics,
)
from kaimen.lib.errors import ValidationError


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
                f"样本充足单位的最高分{fmt_points(top_full)}分，因此排在这些单位之后，为第{rank}名；"
                "不列入红黑榜。"
            )
        elif top_full is None:
            text = f"最少样本规则：{why}。本组没有样本充足的单位，名次仅供参考，且不列入红黑榜。"
        else:
            text = f"最少样本规则：{why}，本期不能排在本组第一名；按总分本就排在第{rank}名，名次未受影响；不列入红黑榜。"
        children.append(Explanation("rule", text))
    return Explanation("total", head, tuple(children))
