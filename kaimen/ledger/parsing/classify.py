"""Task or exhortation: does an item ask someone to do something that can be checked?

A leader's speech mixes deployments (建立机制, 制定方案, 开展活动, 设立专班) with statements of
the situation (形势, 挑战, 机遇) and calls for an attitude (增强意识, 坚定信心, 敢于担当). Only the
first kind belongs in the 任务分解表. Each cue below carries a weight; an item is a task when
its score reaches ``TASK_THRESHOLD``, and the reason lists every cue that counted, so the office
can see why and overrule it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TASK_THRESHOLD = 2.0
# Within this distance of the threshold the call is flagged for a person to confirm.
BORDERLINE = 1.0


@dataclass(frozen=True)
class Cue:
    label: str
    pattern: re.Pattern[str]
    weight: float
    group: str  # action | addressee | modal | deadline | attitude | situation


def _cue(group: str, weight: float, label: str, pattern: str) -> Cue:
    return Cue(label, re.compile(pattern), weight, group)


_MEASURE = r"(?:个|家|项|件|亿元|万元|元|%|%|万人|人次|场|次|户|平方米|亩|公里)"

# Concrete deployments: a verb whose result a supervisor can check (a document, a body, an event,
# a mechanism, a figure). Each counts once per item however often it occurs, so a long item is
# not a task merely for being long.
_ACTION_CUES = (
    _cue("action", 2.0, "制定/出台", r"制定|制订|出台|印发|编制"),
    _cue(
        "action",
        2.0,
        "建立…机制/制度",
        r"建立(?:健全)?[^,,。;;]{0,12}(?:机制|制度|台账|清单|体系|平台|专班)",
    ),
    _cue("action", 2.0, "开展/举办活动", r"开展|举办|召开|组织[^,,。;;]{0,8}(?:活动|会|赛)"),
    _cue("action", 2.0, "设立/组建", r"设立|成立|组建"),
    _cue("action", 2.0, "引进/招引", r"引进|招引|签约"),
    _cue("action", 2.0, "分解目标", r"分解"),
    _cue("action", 1.5, "表彰奖励", r"表彰|奖励|通报表扬"),
    _cue("action", 1.5, "打造/培育一批", r"(?:打造|培育|建设|推出)一批"),
    _cue("action", 1.5, "走访/排查/督查", r"走访|摸排|排查|督查|督办|清理"),
    _cue("action", 1.0, "加大…力度", r"加大[^,,。;;]{0,10}力度"),
    _cue("action", 1.0, "加强/加快", r"加强|加快"),
    _cue("action", 1.0, "落实/实施", r"落实|实施|执行"),
    _cue("action", 1.0, "简化/规范/杜绝", r"简化|规范|杜绝|整治"),
    _cue("action", 1.0, "完善/优化", r"完善|优化"),
    _cue("action", 1.0, "问责/追责", r"问责|追责|追究"),
    _cue("action", 1.0, "宣传/推介", r"宣传|推介|发布会|展销"),
    _cue("action", 1.0, "开工/投产/落地", r"开工|投产|竣工|落地|交付"),
    _cue("action", 0.5, "推进/推动", r"推进|推动"),
    # A number that someone is to reach is a target they will be measured against; a number
    # reported ("1-2月增长6.5%") is a statement of the situation.
    _cue(
        "action",
        2.0,
        "量化目标",
        rf"(?:确保|力争|争取|达到|完成|实现|新增|突破|不低于|不少于|超过)[^。;;,,]{{0,15}}?"
        rf"\d+(?:\.\d+)?\s*{_MEASURE}|\d+(?:\.\d+)?\s*{_MEASURE}\s*(?:以上|左右)",
    ),
)

# Who is to act. Naming units makes an instruction assignable; "广大干部" alone does not.
_ADDRESSEE_CUES = (
    _cue(
        "addressee", 1.0, "各级各部门/各单位", r"各级各部门|各部门|各单位|各街道|各镇|各乡镇|各园区"
    ),
    _cue("addressee", 1.0, "指定牵头/负责", r"牵头|负责|专班"),
    _cue(
        "addressee",
        1.5,
        "点名单位",
        r"区[\u4e00-\u9fff]{1,12}?(?:局|办公室|委员会|中心)(?:要|牵头|负责|会同|配合)",
    ),
)

_MODAL_CUES = (_cue("modal", 0.5, "要/确保", r"要|确保|务必"),)

_DEADLINE_CUE = _cue(
    "deadline", 1.0, "完成时限", r"\d{1,2}月(?:底|末|\d{1,2}日)|季度末|年底前|上半年|春节前|前完成"
)

# Attitude and situation: what the speaker wants people to think or feel, or how things are.
_ATTITUDE_CUES = (
    _cue("attitude", -1.0, "意识", r"意识"),
    _cue("attitude", -1.0, "信心/信念", r"信心|坚信|信念"),
    _cue("attitude", -1.0, "定力/头脑", r"定力|清醒头脑|头脑"),
    _cue("attitude", -1.0, "精神", r"(?<!会议)(?<!文件)(?<!指示)精神(?!文明)"),
    _cue("attitude", -1.0, "敢于/勇于", r"敢于|勇于|善于"),
    _cue("attitude", -1.0, "以身作则/带头", r"以身作则|带头"),
    _cue("attitude", -1.0, "正能量/干劲", r"正能量|干劲|热情"),
    _cue("attitude", -1.0, "认识/看到", r"认识|认清|看到|看待"),
    _cue("attitude", -0.5, "顺应/把握", r"顺应|把握|抓住"),
    _cue("attitude", -1.0, "作风/观念", r"作风|政绩观|理念|观念|境界"),
)
_SITUATION_CUES = (
    _cue("situation", -0.5, "困难/挑战", r"困难|挑战|压力|考验"),
    _cue("situation", -0.5, "机遇", r"机遇"),
    _cue("situation", -0.5, "形势/态势", r"形势|态势|走向|趋势"),
    _cue("situation", -1.0, "只要…就", r"只要[^。]{0,40}就"),
    _cue("situation", -0.5, "比喻/判断", r"风向标|重于泰山|比黄金"),
)

CUES: tuple[Cue, ...] = (
    _ACTION_CUES
    + _ADDRESSEE_CUES
    + _MODAL_CUES
    + (_DEADLINE_CUE,)
    + _ATTITUDE_CUES
    + _SITUATION_CUES
)


@dataclass(frozen=True)
class Classification:
    kind: str  # "task" | "exhortation"
    score: float
    reason: str
    hits: tuple[tuple[str, float], ...]
    borderline: bool


def _fmt(weight: float) -> str:
    return f"{weight:+.1f}".replace(".0", "")


def classify(text: str, *, truncated: bool = False) -> Classification:
    """Score ``text`` against the cue list and say which side of the threshold it falls on.

    ``truncated`` marks a node the file stops inside: what is left of it is not an instruction
    anyone could carry out, whatever it would have said.
    """
    body = text.strip()
    hits = tuple((c.label, c.weight) for c in CUES if c.pattern.search(body))
    score = round(sum(w for _, w in hits), 2)
    positive = [f"{label}({_fmt(w)})" for label, w in hits if w > 0]
    negative = [f"{label}({_fmt(w)})" for label, w in hits if w < 0]
    if truncated:
        reason = f"原文在“{body}”处中断,内容不完整,暂不作为任务;请补全原文后重新解析或人工判断。"
        return Classification("exhortation", score, reason, hits, True)
    is_task = score >= TASK_THRESHOLD
    parts = [
        f"得分 {score:g} {'≥' if is_task else '<'} 阈值 {TASK_THRESHOLD:g}",
    ]
    if positive:
        parts.append("部署性表述:" + "、".join(positive))
    else:
        parts.append("没有具体部署(制定、建立、开展、设立等)")
    if negative:
        parts.append("形势与态度表述:" + "、".join(negative))
    head = "任务:有可检查的具体部署" if is_task else "号召/表态:以形势分析或思想要求为主"
    borderline = abs(score - TASK_THRESHOLD) < BORDERLINE
    reason = f"{head}。{';'.join(parts)}。"
    if borderline:
        reason += "得分接近阈值,请人工确认。"
    return Classification("task" if is_task else "exhortation", score, reason, hits, borderline)
