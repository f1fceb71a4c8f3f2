"""Who should carry a task: lead and co-units suggested from a responsibility table (职责对照表).

Each unit lists keywords and its duties. A task's text is segmented with jieba (rjieba, the
Rust port of jieba with the same dictionary and algorithm, which loads in a tenth of the time),
the keywords having been added to the dictionary so that terms like 招商引资 or 首发经济 survive
as words; search-mode segmentation also yields their parts (招商, 引资), so "招商" matches
inside "全员招商". Every suggestion says which words matched, and a task with no confident unit is
flagged instead of being given someone at random.

The module also finds bodies the text itself sets up or instructs ("设立招商引资、服务保障、推进
攻坚、政策研究四个专班", "招商引资专班负责项目对接和引进") and proposes them as new units.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import rjieba

# Minimum score for a lead unit; below it the task is flagged "no confident unit".
LEAD_MIN_SCORE = 2.0
# A co-unit needs this much on its own and this share of the lead's score.
CO_MIN_SCORE = 2.0
CO_MIN_SHARE = 0.3
MAX_CO_UNITS = 3
# When the runner-up reaches this share of the leader, the choice is flagged as uncertain.
CLOSE_SHARE = 0.85
# Headings above the item set its theme but say less about who acts than the item itself.
CONTEXT_WEIGHT = 0.5
NAMED_BONUS = 6.0

_DUTY_STOPWORDS = frozenset(
    [
        "负责",
        "工作",
        "推动",
        "推进",
        "组织",
        "发展",
        "全区",
        "区委",
        "区政府",
        "建设",
        "管理",
        "和",
        "及",
        "相关",
        "承办",
        "开展",
        "加强",
        "落实",
        "提供",
        "促进",
        "统筹",
        "拟订",
        "指导",
        "协调",
        "日常",
        "重要",
        "重大",
        "有关",
        "各项",
        "部门",
        "单位",
        "情况",
        "机制",
        "政策",
        "改革",
        "提高",
    ]
)


@dataclass(frozen=True)
class ResponsibilityRule:
    unit: str
    keywords: tuple[str, ...]
    duties: str = ""


@dataclass(frozen=True)
class UnitSuggestion:
    unit: str
    score: float
    matched: tuple[str, ...]
    explanation: str

    def to_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "score": self.score,
            "matched": list(self.matched),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class UnitAssignment:
    lead_units: list[str]
    co_units: list[str]
    suggestions: list[UnitSuggestion]
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProposedUnit:
    """A body the text sets up or gives a duty to, proposed as a new unit (kind task_force)."""

    name: str
    duty: str
    kind: str = "task_force"
    source: str = ""  # the words of the text that proposed it
    path: str = ""  # the node it came from
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "duty": self.duty,
            "source": self.source,
            "path": self.path,
            "flags": list(self.flags),
        }


# ---------------------------------------------------------------------------------------------
# The table


def rules_from_data(data: object, *, where: str = "职责对照表") -> list[ResponsibilityRule]:
    """Rules from the parsed JSON ({"units": [{"unit", "keywords", "duties"}]}), checked."""
    units = data.get("units") if isinstance(data, dict) else data
    if not isinstance(units, list) or not units:
        raise ValueError(f"{where}格式有误:需要一个非空的 units 列表。")
    rules: list[ResponsibilityRule] = []
    for i, entry in enumerate(units, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"{where}第 {i} 项格式有误:应为包含 unit 和 keywords 的对象。")
        unit = entry.get("unit")
        keywords = entry.get("keywords", [])
        duties = entry.get("duties", "")
        if not isinstance(unit, str) or not unit.strip():
            raise ValueError(f"{where}第 {i} 项缺少单位名称(unit)。")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ValueError(f"{where}“{unit}”的 keywords 应为字符串列表。")
        if not isinstance(duties, str):
            raise ValueError(f"{where}“{unit}”的 duties 应为文字。")
        cleaned = tuple(dict.fromkeys(k.strip() for k in keywords if k.strip()))
        rules.append(ResponsibilityRule(unit.strip(), cleaned, duties.strip()))
    return rules


def load_responsibility(path: str | Path | None = None) -> list[ResponsibilityRule]:
    """The table at ``path``, or the demo district's table shipped with the package."""
    if path is None:
        return list(default_responsibility())
    where = f"职责对照表“{Path(path).name}”"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{where}无法读取:{exc}。请检查文件是否为 UTF-8 编码的 JSON。") from exc
    return rules_from_data(data, where=where)


@lru_cache(maxsize=1)
def default_responsibility() -> tuple[ResponsibilityRule, ...]:
    raw = resources.files("kaimen.ledger.parsing").joinpath("data/responsibility.json")
    return tuple(rules_from_data(json.loads(raw.read_text(encoding="utf-8"))))


# ---------------------------------------------------------------------------------------------
# Matching


def _short_names(unit: str) -> set[str]:
    """区商务局 → {区商务局, 商务局}: speeches drop the 区 prefix."""
    names = {unit}
    if unit.startswith("区") and len(unit) > 3:
        names.add(unit[1:])
    return names


class UnitMatcher:
    """A jieba tokenizer that knows the table's keywords, and the scoring on top of it.

    Every matcher adds its table's keywords to the process's one dictionary (rjieba's default
    instance, built when the module is imported) rather than building a dictionary of its own,
    which would cost a tenth of a second per table. A keyword stays a word after its table is
    replaced; a word the office once listed as a duty keyword is still a word of the district's
    documents, and it only keeps that term whole.
    """

    def __init__(self, rules: Sequence[ResponsibilityRule]) -> None:
        self.rules = list(rules)
        sharing: Counter[str] = Counter()
        for rule in self.rules:
            for keyword in set(rule.keywords):
                sharing[keyword] += 1
        for word in sharing:
            rjieba.add_word(word, None, None)
        # A keyword several units list says less about any one of them.
        self.specificity = {k: 1.0 / n for k, n in sharing.items()}
        self.long_keywords = tuple(k for k in sharing if len(k) >= 4)
        self.names = {rule.unit: _short_names(rule.unit) for rule in self.rules}
        self.duty_terms = {rule.unit: self._duty_terms(rule) for rule in self.rules}
        self._context_cache: dict[str, Counter[str]] = {}
        # Only these words are ever looked up in a text's tokens; a block of text that contains
        # none of them is not worth segmenting.
        self.vocabulary = frozenset(sharing).union(*self.duty_terms.values())
        # A long keyword is counted by occurrence (below), which is never fewer than its tokens:
        # segmentation is needed only for the shorter words and the duty terms.
        every_duty_term = frozenset().union(*self.duty_terms.values())
        self.segmented = frozenset(
            w for w in self.vocabulary if w not in self.long_keywords or w in every_duty_term
        )
        self._vocabulary_re = _literal_pattern(self.segmented)
        self.keyword_sets = {rule.unit: frozenset(rule.keywords) for rule in self.rules}
        self.weights = {
            k: self.specificity[k] * (1.0 + 0.5 * max(0, min(len(k), 4) - 2)) for k in sharing
        }
        every_name = {n for names in self.names.values() for n in names}
        self._names_re = _literal_pattern(every_name)
        self._role_patterns: dict[str, list[tuple[re.Pattern[str], re.Pattern[str]]]] = {}

    def role_patterns(self, unit: str) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
        """The "<name> 牵头" and "<name> 配合" patterns of one unit, compiled when the unit is
        first named: a table of thirty units has a hundred of them, and most texts name few."""
        patterns = self._role_patterns.get(unit)
        if patterns is None:
            patterns = self._role_patterns[unit] = [
                (
                    re.compile(re.escape(name) + r"[^，,。；;]{0,4}" + _EXPLICIT_LEAD),
                    re.compile(re.escape(name) + r"[^，,。；;]{0,4}" + _EXPLICIT_CO),
                )
                for name in sorted(self.names[unit], key=len, reverse=True)
            ]
        return patterns

    def _duty_terms(self, rule: ResponsibilityRule) -> frozenset[str]:
        if not rule.duties:
            return frozenset()
        words = rjieba.cut(rule.duties, False)
        # Two-character words of a duty statement (企业, 项目, 活动) fit every unit; only
        # longer terms say something about this one.
        return frozenset(
            w for w in words if len(w) >= 3 and w not in _DUTY_STOPWORDS and w not in rule.keywords
        )

    def tokens(self, text: str) -> Counter[str]:
        """The table's words in ``text``, counted as search-mode segmentation finds them."""
        counts: Counter[str] = Counter()
        if self._vocabulary_re is not None and self._vocabulary_re.search(text):
            vocabulary = self.segmented
            counts.update(w for w in rjieba.cut_for_search(text, False) if w in vocabulary)
        # Segmentation can still lose a long keyword to a competing dictionary word
        # ("工作竞赛活动" → 工作 / 竞赛活动). Four characters and more are specific enough to be
        # counted as they stand; the short ones, where a boundary matters (价格 in 评价格局),
        # stay with jieba.
        for keyword in self.long_keywords:
            found = text.count(keyword)
            if found:
                counts[keyword] = max(counts[keyword], found)
        return counts

    def _context_tokens(self, context: str) -> Counter[str]:
        # Every item under one heading shares its context: segment it once.
        cached = self._context_cache.get(context)
        if cached is None:
            if len(self._context_cache) > 1024:
                self._context_cache.clear()
            cached = self._context_cache[context] = self.tokens(context)
        return cached

    def score(self, text: str, *, context: str = "") -> list[UnitSuggestion]:
        tokens = self.tokens(text)
        context_tokens = self._context_tokens(context) if context else Counter()
        suggestions: list[UnitSuggestion] = []
        present = set(tokens)
        present.update(context_tokens)
        named_any = self._names_re is not None and self._names_re.search(text) is not None
        for rule in self.rules:
            duty_terms = self.duty_terms[rule.unit]
            if (
                self.keyword_sets[rule.unit].isdisjoint(present)
                and duty_terms.isdisjoint(tokens)
                and not named_any
            ):
                continue
            total = 0.0
            matched: list[str] = []
            for keyword in rule.keywords:
                if keyword not in present:
                    continue
                weight = self.weights[keyword]
                count = tokens.get(keyword, 0)
                if count:
                    # Repetition adds, with diminishing returns.
                    total += weight * (1.0 + math.log(min(count, 8)))
                    matched.append(f"{keyword}×{count}" if count > 1 else keyword)
                elif context_tokens.get(keyword):
                    total += weight * CONTEXT_WEIGHT
                    matched.append(f"{keyword}(上级标题)")
            duty_hits = sorted(t for t in duty_terms.intersection(tokens) if tokens[t])
            if duty_hits:
                total += min(1.0, 0.25 * len(duty_hits))
                matched.append("职责:" + "/".join(duty_hits[:4]))
            named = [n for n in self.names[rule.unit] if n in text] if named_any else []
            if named:
                total += NAMED_BONUS
                matched.insert(0, f"原文点名“{max(named, key=len)}”")
            if total > 0:
                explanation = f"匹配:{'、'.join(matched)}(得分 {total:.1f})"
                suggestions.append(
                    UnitSuggestion(rule.unit, round(total, 2), tuple(matched), explanation)
                )
        suggestions.sort(key=lambda s: (-s.score, s.unit))
        return suggestions


def _literal_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``words``, factored by first character so that a search
    tries only the words that could start at each position."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        if word:
            by_first.setdefault(word[0], []).append(word[1:])
    if not by_first:
        return None
    branches = []
    for first, rests in sorted(by_first.items()):
        tails = sorted({r for r in rests if r}, key=len, reverse=True)
        optional = "" in rests
        if not tails:
            branches.append(re.escape(first))
            continue
        group = "|".join(re.escape(t) for t in tails)
        branches.append(f"{re.escape(first)}(?:{group}){'?' if optional else ''}")
    return re.compile("|".join(branches))


@lru_cache(maxsize=8)
def _matcher_for(rules: tuple[ResponsibilityRule, ...]) -> UnitMatcher:
    return UnitMatcher(rules)


def matcher_for(rules: Iterable[ResponsibilityRule] | None) -> UnitMatcher:
    return _matcher_for(tuple(rules) if rules is not None else default_responsibility())


_EXPLICIT_LEAD = "(?:牵头|负总责|为牵头单位)"
_EXPLICIT_CO = "(?:配合|协助|参与|协同)"


def _explicit_roles(text: str, matcher: UnitMatcher) -> tuple[list[str], list[str]]:
    """Units the text itself assigns: "由区商务局牵头, 区财政局配合"."""
    lead: list[str] = []
    co: list[str] = []
    if matcher._names_re is None or matcher._names_re.search(text) is None:
        return lead, co
    for unit, names in matcher.names.items():
        if not any(name in text for name in names):
            continue
        for lead_re, co_re in matcher.role_patterns(unit):
            if lead_re.search(text):
                lead.append(unit)
                break
            if co_re.search(text):
                co.append(unit)
                break
    return lead, co


def suggest_units(
    text: str,
    rules: Iterable[ResponsibilityRule] | None = None,
    *,
    context: str = "",
) -> UnitAssignment:
    """Lead and co-units for one task, with the suggestions ranked and explained."""
    matcher = matcher_for(rules)
    ranked = matcher.score(text, context=context)
    flags: list[str] = []
    explicit_lead, explicit_co = _explicit_roles(text, matcher)
    if explicit_lead:
        lead = explicit_lead[:1]
        co = [u for u in explicit_co + explicit_lead[1:] if u not in lead]
        return UnitAssignment(lead, co[:MAX_CO_UNITS], ranked[:5], flags)

    if not ranked or ranked[0].score < LEAD_MIN_SCORE:
        best = f"最接近的是{ranked[0].unit}(得分 {ranked[0].score:g})," if ranked else ""
        flags.append(
            f"未能确定牵头单位:职责对照表中没有单位得分达到 {LEAD_MIN_SCORE:g},"
            f"{best}请人工指定牵头单位,或在职责对照表中补充关键词。"
        )
        return UnitAssignment([], [], ranked[:5], flags)

    top = ranked[0]
    if len(ranked) > 1 and ranked[1].score >= CLOSE_SHARE * top.score:
        flags.append(
            f"牵头单位把握不大:{top.unit}(得分 {top.score:g})与{ranked[1].unit}"
            f"(得分 {ranked[1].score:g})接近,请确认由谁牵头。"
        )
    co = [
        s.unit
        for s in ranked[1:]
        if s.score >= CO_MIN_SCORE and s.score >= CO_MIN_SHARE * top.score
    ][:MAX_CO_UNITS]
    for unit in explicit_co:
        if unit != top.unit and unit not in co:
            co.insert(0, unit)
    return UnitAssignment([top.unit], co[:MAX_CO_UNITS], ranked[:5], flags)


# ---------------------------------------------------------------------------------------------
# Bodies set up or instructed by the text

_BODY_SUFFIX = r"(?:工作专班|专班|工作组|领导小组|指挥部)"
_SETUP = re.compile(
    rf"(?:设立|成立|组建)([^。;;,,]{{0,40}}?)(?:等)?(?:([一二三四五六七八九十两\d]+)个)?({_BODY_SUFFIX})"
)
_DUTY = re.compile(rf"([\u4e00-\u9fff]{{2,10}}?{_BODY_SUFFIX})(负责[^,,。;;]+)")
_NAME_SPLIT = re.compile(r"[、,,和及与]")


def _count(raw: str | None) -> int | None:
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    from kaimen.ledger.parsing.structure import cn_to_int

    return 2 if raw == "两" else cn_to_int(raw)


def find_proposed_units(text: str, *, path: str = "") -> list[ProposedUnit]:
    """Task forces the text sets up, each with the duty the text gives it (if any)."""
    proposals: dict[str, ProposedUnit] = {}
    for m in _SETUP.finditer(text):
        names_part, count_raw, suffix = m.group(1), m.group(2), m.group(3)
        names = [n.strip('“”" ') for n in _NAME_SPLIT.split(names_part) if n.strip('“”" ')]
        flags: list[str] = []
        if not names or any(len(n) > 10 or re.search("[的以为]", n) for n in names):
            names = [
                f"{names_part.strip()}{suffix}" if 0 < len(names_part.strip()) <= 10 else suffix
            ]
        else:
            names = [n if n.endswith(suffix) else n + suffix for n in names]
        expected = _count(count_raw)
        if expected is not None and expected != len(names):
            flags.append(f"原文说设立{count_raw}个{suffix},识别出 {len(names)} 个名称,请核对。")
        for name in names:
            proposals.setdefault(
                name, ProposedUnit(name, "", source=m.group(0), path=path, flags=tuple(flags))
            )
    for m in _DUTY.finditer(text):
        raw_name, duty = m.group(1), m.group(2).strip()
        # The lazy name may have swallowed words before it ("协同配合招商专班"): prefer a
        # body already named by the set-up sentence that the text ends with.
        name = next((known for known in proposals if raw_name.endswith(known)), raw_name)
        existing = proposals.get(name)
        if existing is None:
            proposals[name] = ProposedUnit(
                name,
                duty,
                source=m.group(0),
                path=path,
                flags=("原文未说明设立,请确认该专班是否已存在。",),
            )
        elif not existing.duty:
            proposals[name] = ProposedUnit(
                name, duty, existing.kind, existing.source, existing.path, existing.flags
            )
    return list(proposals.values())
