"""The data a briefing is built from, frozen at the time it was built.

统计法 forbids altering statistical material, and a briefing the leaders read on Monday must be
reproducible later even after figures are corrected (corrections are new versions, never
overwrites). So each briefing keeps this snapshot as JSON, and the docx and xlsx builders read
nothing else: ``BriefingSnapshot.from_json(stored).to_json() == stored``.

Decimals travel as strings (no float rounding), dates as ISO strings. The format is versioned;
a snapshot of an unknown version is refused with a clear message rather than half-read.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from kaimen.evaluation.rows import RankingRow, RollRow
from kaimen.ledger.overdue import OverdueTask
from kaimen.lib.errors import ValidationError

SNAPSHOT_VERSION = 1

LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


@dataclass(frozen=True)
class Overview:
    paragraphs: tuple[str, ...]  # the office's summary, one paragraph each
    green: int = 0
    yellow: int = 0
    red: int = 0
    no_light: int = 0
    tasks_total: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0


@dataclass(frozen=True)
class UnitNote:
    unit: str
    text: str  # the unit's own explanation (e.g. why a light is red and what it will do)


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    measure: str  # unit of measure: 亿元, %, 个
    actual: Decimal | None  # cumulative (累计值)
    annual_target: Decimal | None
    completion_pct: Decimal | None
    expected_pct: Decimal | None  # time progress or the plan's share, as the light was judged
    growth_pct: Decimal | None  # as published (可比口径), never recomputed
    light: str | None  # "green" | "yellow" | "red"
    explanation: str  # monitoring's sentence: how the light was decided
    unit_notes: tuple[UnitNote, ...] = ()

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS.get(self.light or "", "未亮灯")


@dataclass(frozen=True)
class ChartSeries:
    indicator: str
    measure: str
    labels: tuple[str, ...]  # period labels, in order ("1-2月", "3月"...)
    actual: tuple[Decimal | None, ...]
    plan: tuple[Decimal | None, ...]
    last_year: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class NowcastRow:
    indicator: str
    measure: str
    period: str  # the period of the latest actual, "1-2月"
    actual_to_date: Decimal
    projection: Decimal  # the quarter-end projection
    low: Decimal | None  # ~80% interval; None when history is too short
    high: Decimal | None
    target: Decimal | None
    probability_pct: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class BriefingSnapshot:
    title: str
    issuer: str  # 发文机关
    issue_date: date  # 成文日期
    number: str  # 期号, "第5期"; "" for a draft (numbered when the office issues it)
    campaign: str
    period: str  # "2025年1-3月"
    overview: Overview
    indicators: tuple[IndicatorRow, ...]
    charts: tuple[ChartSeries, ...]
    rankings: tuple[RankingRow, ...]
    honour_roll: tuple[RollRow, ...]
    overdue_tasks: tuple[OverdueTask, ...]
    nowcast_quarter: str  # "一季度"
    nowcast: tuple[NowcastRow, ...]
    addressee: str = ""  # 主送机关, e.g. "各镇街，区直各部门："
    masthead: str = ""  # 版头 (发文机关标志), printed in red: "开门红工作调度通报"
    period_short: str = ""  # the period as offices write it in the text: "1-3月"
    as_of: str = ""  # "截至3月底"
    version: int = SNAPSHOT_VERSION

    def peer_groups(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for row in self.rankings:
            seen.setdefault(row.peer_group, None)
        return tuple(seen)

    def to_json(self, *, indent: int | None = 1) -> str:
        return json.dumps(_encode(self), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> BriefingSnapshot:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"通报数据快照不是有效的JSON（{exc}），无法重建通报。", field="snapshot"
            ) from None
        if not isinstance(data, dict):
            raise ValidationError("通报数据快照格式不对：应为一个JSON对象。", field="snapshot")
        version = data.get("version")
        if version != SNAPSHOT_VERSION:
            raise ValidationError(
                f"通报数据快照的格式版本为{version}，本系统只能读取版本{SNAPSHOT_VERSION}："
                "请用生成该通报的系统版本重建，或先升级快照。",
                field="snapshot",
            )
        return _decode(cls, data, "snapshot")


# ---------------------------------------------------------------------------------------------
# A small codec for frozen dataclasses of Decimal, date, str, int, bool, None and tuples.


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _fail(path: str, expected: str, got: Any) -> ValidationError:
    return ValidationError(
        f"通报数据快照中“{path}”应为{expected}，实际是“{str(got)[:40]}”，无法重建通报。",
        field="snapshot",
    )


def _decode(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, value, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise _fail(path, "列表", value)
        (inner, _ellipsis) = typing.get_args(tp)
        return tuple(_decode(inner, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise _fail(path, "对象", value)
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - names
        if unknown:
            raise ValidationError(
                f"通报数据快照中“{path}”有本版本不认识的字段：{'、'.join(sorted(unknown))}。",
                field="snapshot",
            )
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _decode(hints[f.name], value[f.name], f"{path}.{f.name}")
            elif f.default is dataclasses.MISSING:
                raise ValidationError(
                    f"通报数据快照中“{path}”缺少字段“{f.name}”，无法重建通报。", field="snapshot"
                )
        return tp(**kwargs)
    if tp is Decimal:
        if not isinstance(value, str | int):
            raise _fail(path, "数值字符串", value)
        try:
            return Decimal(value)
        except InvalidOperation:
            raise _fail(path, "数值", value) from None
    if tp is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise _fail(path, "日期（YYYY-MM-DD）", value) from None
    if tp is bool:
        if not isinstance(value, bool):
            raise _fail(path, "true/false", value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(path, "整数", value)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _fail(path, "文字", value)
        return value
    raise TypeError(f"snapshot codec cannot decode {tp!r} at {path}")


# ---------------------------------------------------------------------------------------------
# Counts for the overview


def overview_counts(lights: Iterable[str | None]) -> dict[str, int]:
    counts = {"green": 0, "yellow": 0, "red": 0, "no_light": 0}
    for light in lights:
        counts[light if light in LIGHT_LABELS else "no_light"] += 1
    return counts
