"""Time phrases in a leader's speech (一季度末, 3月底前, 春节前, 年底前, 每周) as dates.

Dates are relative to the campaign year. A phrase that names no day of its own (bare 一季度, 月底
with no known month, 三个工作日内) is flagged for review instead of being guessed at, and a
task with no phrase at all gets the end of the campaign.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from lunardate import LunarDate

from kaimen.ledger.parsing.structure import cn_to_int

_NUM = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_BEFORE = r"(?:之前|以前|前)?"


@dataclass(frozen=True)
class TimePhrase:
    phrase: str
    start: int
    end: int
    date: date | None
    certain: bool
    note: str = ""


@dataclass(frozen=True)
class Deadline:
    date: date | None
    phrase: str | None
    recurrence: str | None
    # "text" (from a phrase), "campaign_end" (default), or "none" (nothing known)
    source: str
    milestones: tuple[tuple[str, date], ...] = ()
    flags: tuple[str, ...] = field(default_factory=tuple)


def _month_number(raw: str) -> int | None:
    value = int(raw) if raw.isdigit() else cn_to_int(raw)
    return value if value is not None and 1 <= value <= 12 else None


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    lunar = LunarDate(year, month, day)
    # lunardate 0.3 renamed toSolarDate (now deprecated); pyproject still admits 0.2.
    to_solar = getattr(lunar, "to_solar_date", None) or lunar.toSolarDate
    return to_solar()


def lunar_new_year(year: int) -> date:
    """正月初一 of ``year`` as a Gregorian date (2025 → 2025-01-29)."""
    return _lunar_to_solar(year, 1, 1)


def _lantern_festival(year: int) -> date:
    return _lunar_to_solar(year, 1, 15)


_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

# A resolver gets (match, year, today) and returns (date | None, certain, note for review).
_Resolver = tuple[date | None, bool, str]
_ResolverFn = Callable[[re.Match[str], int, "date | None"], _Resolver]


def _r_month_day(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    month = _month_number(m.group(1))
    day_raw = m.group(2)
    day = int(day_raw) if day_raw.isdigit() else cn_to_int(day_raw)
    if month is None or day is None:
        return None, False, "日期无效"
    try:
        return date(year, month, day), True, ""
    except ValueError:
        return None, False, f"{month}月没有{day}日"


def _r_month_end(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    month = _month_number(m.group(1))
    if month is None:
        return None, False, "月份无效"
    return month_end(year, month), True, ""


def _r_month_part(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    month = _month_number(m.group(1))
    if month is None:
        return None, False, "月份无效"
    part = m.group(2)
    if part == "上旬":
        return date(year, month, 10), True, ""
    if part == "中旬":
        return date(year, month, 20), True, ""
    return month_end(year, month), True, ""


def _r_month_only(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    month = _month_number(m.group(1))
    if month is None:
        return None, False, "月份无效"
    # "3月前" may mean "by the start of March" as well as "by the end of March".
    return month_end(year, month), False, f"“{m.group(0)}”按{month}月底理解,请核对"


def _r_quarter(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    raw = m.group(1)
    quarter = int(raw) if raw.isdigit() else cn_to_int(raw)
    if quarter not in _QUARTER_END:
        return None, False, "季度无效"
    month, day = _QUARTER_END[quarter]
    certain = bool(m.group(2))
    note = "" if certain else f"“{m.group(0)}”按季度末理解,请核对是否为完成时限"
    return date(year, month, day), certain, note


def _r_first_three_quarters(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    return date(year, 9, 30), True, ""


def _r_half(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    if m.group(0).startswith("上半年"):
        return date(year, 6, 30), True, ""
    if m.group(0).startswith("年中"):
        return date(year, 6, 30), False, "“年中”按6月30日理解,请核对"
    return date(year, 12, 31), True, ""


def _r_year_end(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    return date(year, 12, 31), True, ""


def _r_spring_festival(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    return lunar_new_year(year) - timedelta(days=1), True, ""


def _r_lantern(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    return _lantern_festival(year) - timedelta(days=1), True, ""


def _r_fixed(month: int, day: int) -> _ResolverFn:
    def resolve(m: re.Match[str], year: int, today: date | None) -> _Resolver:
        return date(year, month, day), True, ""

    return resolve


def _r_current_month(m: re.Match[str], year: int, today: date | None) -> _Resolver:
    if today is None:
        return None, False, f"“{m.group(0)}”没有指明月份,请补充具体日期"
    return month_end(today.year, today.month), True, ""


def _r_unresolved(note: str) -> _ResolverFn:
    def resolve(m: re.Match[str], year: int, today: date | None) -> _Resolver:
        return None, False, note.format(phrase=m.group(0))

    return resolve


_PATTERNS: list[tuple[re.Pattern[str], _ResolverFn]] = [
    (
        re.compile(rf"({_NUM})月(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[日号]{_BEFORE}"),
        _r_month_day,
    ),
    (re.compile(rf"({_NUM})月份?(?:底|末){_BEFORE}"), _r_month_end),
    (re.compile(rf"({_NUM})月(上旬|中旬|下旬){_BEFORE}"), _r_month_part),
    (re.compile(rf"({_NUM})月(?:份(?:内|之前|以前|前)?|之前|以前|前)"), _r_month_only),
    (re.compile(r"前三季度"), _r_first_three_quarters),
    (re.compile(r"(?<![每前个])第?([一二三四1-4])季度(末|底|结束前|前|内)?"), _r_quarter),
    (re.compile(r"(?:上半年|下半年|(?<![一二两三\d])年中)(?:末|底|前|内)?"), _r_half),
    (
        re.compile(r"(?:今年|本年度?|年度)?(?:年底|年末)(?:之前|以前|前)?|(?<![一二两三\d])年内"),
        _r_year_end,
    ),
    (re.compile(r"春节(?:之前|以前|前)"), _r_spring_festival),
    (re.compile(r"元宵节?(?:之前|以前|前)"), _r_lantern),
    (re.compile(r"(?:五一|劳动节)(?:之前|以前|前)"), _r_fixed(4, 30)),
    (re.compile(r"(?:国庆节?|十一)(?:之前|以前|前)"), _r_fixed(9, 30)),
    (
        re.compile(
            r"(?<![\d一二三四五六七八九十])(?:本月|当月)?月(?:底|末)(?:之前|以前|前)?|本月内"
        ),
        _r_current_month,
    ),
    (
        re.compile(
            r"(?:\d+|[一二三四五六七八九十两]+)个?(?:工作日|日|天|周|星期|月)(?:之内|以内|内)"
        ),
        _r_unresolved("“{phrase}”是相对期限,起算日不明,请填写具体日期"),
    ),
    (
        re.compile(r"春节(?:之后|以后|后)|节后|两会(?:之前|以前|前)|开春(?:后)?"),
        _r_unresolved("“{phrase}”没有明确日期,请填写具体日期"),
    ),
]

_RECURRENCE = [
    (
        re.compile(
            r"(?<![到至按])每(?:周|星期)(?!个)|一周一(?:报|调度|通报|研判|会商|督)|周调度|周报告|周通报"
        ),
        "weekly",
    ),
    (re.compile(r"(?<![到至按])每旬|一旬一(?:报|调度|通报)"), "ten_days"),
    (
        re.compile(
            r"(?<![到至按])每月(?!份)|一月一(?:报|调度|通报|研判|会商|督)|月调度|月通报|月报告"
        ),
        "monthly",
    ),
    (re.compile(r"(?<![到至按])每季度?(?!个)|一季一(?:报|调度|通报|研判|会商|督)"), "quarterly"),
    (re.compile(r"(?<![到至按])每(?:日|天)|一日一报|日报告"), "daily"),
]


def find_time_phrases(
    text: str, *, year: int | None, today: date | None = None
) -> list[TimePhrase]:
    """All time phrases in ``text``, earliest first; overlapping matches keep the longest."""
    hits: list[tuple[int, int, re.Match[str], _ResolverFn]] = []
    for pattern, resolver in _PATTERNS:
        for m in pattern.finditer(text):
            if m.group(0):
                hits.append((m.start(), m.end(), m, resolver))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    phrases: list[TimePhrase] = []
    covered_until = -1
    for start, end, m, resolver in hits:
        if start < covered_until:
            continue
        covered_until = end
        if year is None:
            phrases.append(
                TimePhrase(m.group(0), start, end, None, False, "未知战役年份,无法换算日期")
            )
            continue
        when, certain, note = resolver(m, year, today)
        phrases.append(TimePhrase(m.group(0), start, end, when, certain, note))
    return phrases


def find_recurrence(text: str) -> tuple[str, str] | None:
    """The reporting cadence a text asks for (每周 → weekly), with the words that said so."""
    best: tuple[int, str, str] | None = None
    for pattern, cadence in _RECURRENCE:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), cadence, m.group(0))
    return (best[1], best[2]) if best else None


def resolve_deadline(
    text: str,
    *,
    year: int | None,
    campaign_end: date | None = None,
    today: date | None = None,
) -> Deadline:
    """The completion date a task's text asks for.

    With several dated phrases the latest is the deadline and the earlier ones are milestones
    (时间节点): "3月底前制定方案, 6月底前全面落地" is done when the last step is. Without any
    phrase the deadline is the end of the campaign; without that, it stays empty and flagged.
    """
    phrases = find_time_phrases(text, year=year, today=today)
    recurrence = find_recurrence(text)
    flags = [f"时间表述“{p.phrase}”:{p.note}" for p in phrases if p.note]
    dated = [p for p in phrases if p.date is not None]
    certain = [p for p in dated if p.certain]
    chosen_pool = certain or dated
    cadence = recurrence[0] if recurrence else None
    if chosen_pool:
        chosen = max(chosen_pool, key=lambda p: (p.date, p.start))
        milestones = tuple(
            (p.phrase, p.date)
            for p in sorted(dated, key=lambda p: (p.date, p.start))
            if p is not chosen and p.date is not None and p.date < chosen.date  # type: ignore[operator]
        )
        if len({p.date for p in certain}) > 1:
            flags.append("原文有多个时间节点,已取最晚者为完成时限,其余作为节点,请核对。")
        return Deadline(chosen.date, chosen.phrase, cadence, "text", milestones, tuple(flags))
    if campaign_end is not None:
        return Deadline(campaign_end, None, cadence, "campaign_end", (), tuple(flags))
    flags.append("原文没有完成时限,也未设置战役结束日期,请填写完成时限。")
    return Deadline(None, None, cadence, "none", (), tuple(flags))
