"""Owners a document names itself: the strongest signal of who carries a task.

Official plans write the owner beside the item, in several customary forms:

- a trailing or inline annotation: ``（区发改局牵头，区财政局、区自然资源局配合）``,
  ``（责任单位：区商务局；完成时限：2025年6月底前）``, ``〔责任单位：区财政局〕``,
  ``（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门）``,
  ``（区政务服务局牵头，区级相关部门按职责分工负责）``, or a bare list of units
  ``（工业和信息化部、公安部、应急管理部）``;
- labelled lines after the item: ``牵头单位：区商务局`` / ``配合单位：……`` / ``责任单位：……``;
- ``由区投促局负责`` / ``由区商务局牵头，区财政局配合``;
- a sentence whose subject is a unit: ``区发改局要牵头……``, ``城关街道要……``, ``调度办要……``.

Names are matched to the unit tree by ``UnitDirectory``: full names, the short forms of the
district's units (``区发改局`` → ``区发展和改革局``, shipped in ``data/unit_short_names.csv`` and
extended by the office's own aliases), and the district prefix dropped or added. A name that
matches nothing is kept as written and reported, never replaced by a guess. Collective owners
(``各镇街``, ``各有关部门``, ``区直各部门``) are kept as written: they are not units.

Pure Python: no database. The caller passes the unit names and aliases it knows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

# What the name of an organisation ends with. Long forms first: the alternation is tried in order.
_SUFFIX = (
    "委员会|办公室|管委会|指挥部|领导小组|工作组|工作专班|专班|小组|总局|总署|分局|中心|街道|"
    "办事处|政府|公司|集团|银行|法院|检察院|机构|中央|工委|开发区|园区|新区|试验区|管理区|局|部|委|办|室|厅|署|院|会|镇|乡|所|队|站|处|科|社|馆|团|联"
)
_UNIT_NAME = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{1,24}}?(?:{_SUFFIX})")
_UNIT_LIKE = re.compile(rf"^[\u4e00-\u9fffA-Za-z0-9]{{1,24}}(?:{_SUFFIX})$")
# Collective owners: a class of units, not one of them.
_COLLECTIVE = re.compile(
    r"成员单位$|^[一二三四五六七八九十两\d]+个|^(?:各|区直各|区级各|市直各|市级各|县直各|区属各|全区各|其他|有关|相关|区级相关|区级有关|"
    r"市级有关|市级相关|市直有关|区直有关|区直相关)|各[\u4e00-\u9fff]{0,4}?(?:部门|单位|镇街|街镇|镇|街道|乡镇|专班|工作组|街办)$"
)

_OPEN = "（(〔【["
_CLOSE = "）)〕】]"
# A bracket, which may hold short round ones of its own: [责任单位：各街办(新区)].
_BRACKETED = re.compile(
    r"[（(〔【\[]((?:[^（()）〔〕【】\[\]]|[（(][^（()）〔〕【】\[\]]{1,12}[）)]){2,200}?)[）)〕】\]]"
)

_LEAD_KEYS = "牵头单位|牵头部门|主责单位|主办单位|责任牵头单位"
_CO_KEYS = "配合单位|配合部门|协办单位|协助单位|参与单位|协同单位"
_ANY_KEYS = "责任单位|责任部门|负责单位|负责部门|责任主体|实施单位|实施部门|承办单位|主管部门"
_DEADLINE_KEYS = "完成时限|完成时间|时间节点|完成期限|时限要求|时限"
# A label whose value says who leads and who helps: 部门分工：省发展改革委牵头，各地配合。
_ROLE_KEYS = "部门分工|责任分工|单位分工|分工"
# Labels naming people, not units: skipped.
_PERSON_KEYS = "分管(?:省|市|区|县)?领导|责任领导|牵头领导|责任人|联系人"
_KEY = re.compile(
    rf"({_LEAD_KEYS}|{_CO_KEYS}|{_ANY_KEYS}|{_DEADLINE_KEYS}|{_ROLE_KEYS}|{_PERSON_KEYS})"
    r"\s*[：:]\s*"
)

_SPLIT = re.compile(r"\s*[、，,；;/]\s*|\s+")
_JOIN = re.compile(r"(?<=[^\s])(?:和|及|与|以及)(?=[^\s])")
_KIND_WORD = "(?:部门|单位|地区|机构|镇街|街道)"
_TRAILING_ETC = re.compile(
    rf"等(?:其他)?(?:有关|相关)?{_KIND_WORD}?(?:[和及、](?:有关|相关)?{_KIND_WORD})?$"
)

# Role words after a list of names.
_LEAD_WORDS = re.compile(r"(?:牵头负责|牵头抓总|牵头|负总责|为牵头单位|主责)$")
_CO_WORDS = re.compile(r"(?:协同配合|配合|协助|参与|协同|协办)$")
_SHARED_WORDS = re.compile(
    r"(?:按职责分工负责|按职责负责|分工负责|按职能负责|共同负责|负责落实|督促落实|组织实施|"
    r"具体实施|负责|落实|指导|实施|承担)$"
)
_FIRST_IS_LEAD = re.compile(
    r"排在?第一位的?(?:单位|部门)?为牵头|排名第一的?(?:单位|部门)?为牵头|第一个?为牵头|"
    r"列第一位的?(?:者|单位|部门)?为牵头"
)
# Segments of an annotation that say nothing about owners: （……负责。列第一位者为牵头单位，下同）
_NOISE = re.compile(r"^(?:下同|以下同|同上|下略)$")

# A time limit written into a role annotation: （区发改局牵头，2025年6月底前完成）
_TIME_WORDS = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|[底末]前|年底|季度|长期|持续推进|常态化|前完成")

# 由区商务局牵头，区财政局配合 / 由区投促局负责
_BY = re.compile(r"由([^。；;，,（(]{2,60}?)(牵头负责|牵头|负责|组织实施|具体负责)")
# A sentence whose subject is a unit: 区发改局要牵头…… / 城关街道要…… / 调度办要……
_STRONG_VERB = "要牵头|牵头|要会同|会同|要负责|负责"
_SUBJECT_VERB = f"{_STRONG_VERB}|要(?!求)|需要|需|须|务必|应当|将"
_INTRO = re.compile(r"(?:根据|按照|依据|依照|经|为了?|对于)[^，,。；;]{1,40}[，,]\s*")
_SENTENCE_START = re.compile(r"(?:^|(?<=[。；;！!？?\n]))\s*")


@dataclass(frozen=True)
class NamedOwner:
    """Units a passage of the document names, as written."""

    lead: tuple[str, ...]
    co: tuple[str, ...]
    source: str  # "annotation" | "subject" | "table"
    words: str = ""  # the passage that named them
    deadline_text: str = ""
    # Where an annotation sits in the text (to strip it from a title), or None.
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "lead": list(self.lead),
            "co": list(self.co),
            "source": self.source,
            "words": self.words,
        }
        if self.deadline_text:
            data["deadline_text"] = self.deadline_text
        return data


@dataclass(frozen=True)
class Resolved:
    """A named owner matched to the unit tree."""

    lead_units: list[str]
    co_units: list[str]
    unmatched: list[str]
    collective: list[str]
    flags: list[str] = field(default_factory=list)


def is_collective(name: str) -> bool:
    return bool(_COLLECTIVE.search(name))


_ASIDE = re.compile(r"[（(][^（()）]{1,12}[）)]")


def looks_like_unit(name: str) -> bool:
    # "区民政局(区委社会工委)", "各街办(新区)": the aside does not change what the name is.
    bare = _ASIDE.sub("", name)
    return bool(_UNIT_LIKE.match(bare)) or is_collective(bare)


# Leaders named beside the units (分管副省长、协管副秘书长负责): people, not owners.
_PERSON = re.compile(r"(?:省长|市长|区长|县长|镇长|秘书长|书记|主任|领导|同志)$")


def split_units(raw: str) -> list[str]:
    """``区财政局、区自然资源局和区住建局等部门`` → the three names, as written."""
    names: list[str] = []
    # "全国总工会等和各省级人民政府": the 等 closes the first list.
    raw = re.sub(r"等(?:和|及|与|以及)", "、", raw)
    raw = re.sub(r"(?:分别|共同|具体|主要)$", "", raw.strip())
    for part in _SPLIT.split(raw.strip(" 。.")):
        part = _TRAILING_ETC.sub("", part.strip()) or part.strip()
        if not part:
            continue
        # 和/及 join two units only when both sides are names ("区财政局和区税务局"), not inside
        # one ("区发展和改革局").
        pieces = _JOIN.split(part)
        if len(pieces) > 1 and all(looks_like_unit(p) for p in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    return list(dict.fromkeys(n for n in names if n))


def _role_segments(content: str) -> tuple[list[str], list[str], str, bool] | None:
    """Parse ``X牵头，Y配合`` / ``X、Y负责，排在第一位的为牵头单位`` / ``责任单位：X；完成时限：…``.

    Returns (lead, co, deadline_text, complete) or None when the passage is not about owners.
    """
    keyed = list(_KEY.finditer(content))
    if not keyed:
        buckets = _role_buckets(content)
        if buckets is None:
            return None
        lead, co, shared, deadline = buckets
        lead, co = _assemble(lead, co, shared, shared_first=False)
        return lead, co, deadline, True
    lead: list[str] = []
    co: list[str] = []
    shared: list[str] = []
    deadline = ""
    # Roles written before the labels: （区发改局牵头，区财政局配合；完成时限：3月底前）.
    before = content[: keyed[0].start()].strip(" ；;，,。")
    role_texts = [before] if before else []
    for i, m in enumerate(keyed):
        end = keyed[i + 1].start() if i + 1 < len(keyed) else len(content)
        value = content[m.end() : end]
        # Another label the parser does not read ends the value: "……；适用范围：……".
        value = re.split(r"[；;，,](?=\s*[\u4e00-\u9fff]{2,8}\s*[：:])", value)[0]
        value = value.strip(" ；;，,。")
        key = m.group(1)
        if re.fullmatch(_DEADLINE_KEYS, key):
            deadline = value
        elif re.fullmatch(_PERSON_KEYS, key):
            continue
        elif re.fullmatch(_ROLE_KEYS, key):
            role_texts.append(value)
        else:
            names = split_units(value)
            if not names or not all(looks_like_unit(n) for n in names):
                return None
            if re.fullmatch(_LEAD_KEYS, key):
                lead += names
            elif re.fullmatch(_CO_KEYS, key):
                co += names
            else:
                shared += names
    for text in role_texts:
        buckets = _role_buckets(text)
        if buckets is None:
            return None
        lead += buckets[0]
        co += buckets[1]
        shared += buckets[2]
        deadline = deadline or buckets[3]
    if not (lead or co or shared):
        return None
    lead, co = _assemble(lead, co, shared, shared_first=True)
    return lead, co, deadline, True


def _assemble(
    lead: list[str], co: list[str], shared: list[str], *, shared_first: bool
) -> tuple[list[str], list[str]]:
    lead = list(dict.fromkeys(lead))
    if lead:
        rest = [n for n in shared if n not in lead]
        co = rest + co if shared_first else co + rest
    else:
        # "X、Y负责" and "X、Y按职责分工负责" with no lead marked: the first named leads,
        # which is also what "排在第一位的为牵头单位" says.
        names = shared + co
        lead, co = names[:1], names[1:]
    return lead, [n for n in dict.fromkeys(co) if n not in lead]


def _role_buckets(content: str) -> tuple[list[str], list[str], list[str], str] | None:
    """Names by the role word after them: (lead, co, shared, deadline text), or None."""
    lead: list[str] = []
    co: list[str] = []
    shared: list[str] = []
    deadline = ""
    # Names listed before the role word of a later segment share it:
    # "区发改局牵头，区财政局、区交运局等部门，各街道办事处配合".
    pending: list[str] = []
    for segment in re.split(r"[；;，,。]", content):
        segment = segment.strip(" 。")
        if not segment or _NOISE.match(segment):
            continue
        if _FIRST_IS_LEAD.search(segment):
            continue
        if _TIME_WORDS.search(segment) and not deadline:
            deadline = segment
            continue
        for words, bucket in ((_LEAD_WORDS, lead), (_CO_WORDS, co), (_SHARED_WORDS, shared)):
            m = words.search(segment)
            if m and m.start() > 0:
                named = segment[: m.start()]
                # "国家发展改革委会同有关部门负责": the first leads, the others help.
                named, _, helping = named.partition("会同")
                names = split_units(named)
                if names and all(_PERSON.search(n) for n in names):
                    break  # the leaders in charge; the units follow
                helpers = split_units(helping) if helping else []
                if not names or not all(looks_like_unit(n) for n in [*names, *helpers]):
                    return None
                bucket.extend(pending + names)
                co.extend(helpers)
                pending = []
                break
        else:
            names = split_units(segment)
            if not names or not all(looks_like_unit(n) for n in names):
                return None
            pending.extend(names)
    if pending and not (lead or co or shared):
        return None
    shared.extend(pending)
    if not (lead or co or shared):
        return None
    return lead, co, shared, deadline


def _bare_list(content: str) -> list[str] | None:
    """``（工业和信息化部、公安部、应急管理部）``: a bracket holding only unit names."""
    names = split_units(content)
    if len(names) < 1 or not all(_UNIT_LIKE.match(n) or is_collective(n) for n in names):
        return None
    if any(_CLAUSE_WORDS.search(n) for n in names):
        return None  # （以下简称试点工作小组）
    if not any(_UNIT_LIKE.match(n) for n in names):
        return None
    return names


def find_named_owner(text: str, *, directory: UnitDirectory | None = None) -> NamedOwner | None:
    """The owners ``text`` names itself, or None. Annotations win over ``由…负责``, which wins
    over a sentence's subject. ``directory`` adds its names (full or short) to the subjects
    recognised by their ending alone."""
    annotated = _from_brackets(text) or _from_labels(text)
    if annotated is not None:
        return annotated
    m = _BY_WITH.search(text)
    if m:
        lead = split_units(m.group(1))
        helpers = split_units(m.group(2))
        if lead and all(looks_like_unit(n) for n in [*lead, *helpers]):
            return NamedOwner(tuple(lead[:1]), tuple(lead[1:] + helpers), "annotation", m.group(0))
    m = _BY.search(text)
    if m:
        tail = re.split(r"[。；;]", text[m.end() : m.end() + 80])[0]
        co_match = re.search(r"[，,]\s*([^。；;，,]{2,60}?)(?:配合|协助|参与)", tail)
        lead = split_units(m.group(1))
        if lead and all(looks_like_unit(n) for n in lead):
            co = split_units(co_match.group(1)) if co_match else []
            co = [n for n in co if looks_like_unit(n)]
            words = m.group(0) + (tail[: co_match.end()] if co_match else "")
            first, rest = lead[:1], lead[1:]
            return NamedOwner(tuple(first), tuple(rest + co), "annotation", words)
    return _from_subject(text, directory.subject_re if directory is not None else None)


def _from_brackets(text: str) -> NamedOwner | None:
    found: list[NamedOwner] = []
    for m in _BRACKETED.finditer(text):
        content = m.group(1).strip()
        parsed = _role_segments(content)
        if parsed is None:
            names = _bare_list(content)
            # A bare list counts only where it closes the item or a sentence of it, as
            # annotations do; "(区财政局)" inside a sentence may be an aside.
            after = text[m.end() : m.end() + 1]
            if names is None or (after and after not in "。；;，,\n"):
                continue
            parsed = (names[:1], names[1:], "", True)
        lead, co, deadline, _ = parsed
        found.append(
            NamedOwner(tuple(lead), tuple(co), "annotation", m.group(0), deadline, m.span())
        )
    if not found:
        return None
    # Several annotations in one item (one per sentence): each one's lead leads its part, the
    # first of them the item.
    lead: list[str] = []
    for owner in found:
        lead.extend(n for n in owner.lead if n not in lead)
    co: list[str] = []
    for owner in found:
        for name in [*owner.lead, *owner.co]:
            if name not in lead and name not in co:
                co.append(name)
    deadline = next((o.deadline_text for o in reversed(found) if o.deadline_text), "")
    words = "".join(o.words for o in found)
    return NamedOwner(tuple(lead), tuple(co), "annotation", words, deadline, found[-1].span)


def _from_labels(text: str) -> NamedOwner | None:
    """``牵头单位：…配合单位：…`` / ``责任单位：…；完成时限：…`` outside brackets."""
    first = _KEY.search(text)
    if first is None:
        return None
    content = text[first.start() :]
    # Stop at the end of the labelled passage: a sentence end that is not followed by another
    # label.
    parsed = _role_segments(content.rstrip("。 \n"))
    if parsed is None:
        # Labels followed by prose ("责任单位：区商务局。推动……"): read up to the first 。
        cut = content.split("。")[0]
        parsed = _role_segments(cut)
        if parsed is None:
            return None
        content = cut
    lead, co, deadline, _ = parsed
    span = (first.start(), first.start() + len(content))
    return NamedOwner(tuple(lead), tuple(co), "annotation", content.strip(), deadline, span)


# One or more unit names opening a sentence, then the verb: "铁道部、交通部负责……".
_NAME_LIST = rf"{_UNIT_NAME.pattern}(?:[、和及与]{_UNIT_NAME.pattern})*"
# Words that may stand between the subject and its verb: 按照各自职能分工，负责……
_ADVERBIAL = r"(?:按照?各自(?:的)?职[能责](?:分工)?[，,]?|按职责分工[，,]?|分别|共同|具体)?"
_GENERIC_SUBJECT = re.compile(rf"({_NAME_LIST}){_ADVERBIAL}({_SUBJECT_VERB})")
_HELPERS = re.compile(rf"(?:要)?会同({_NAME_LIST})")
# 由中国农业发展银行会同中国储备粮管理总公司及时清算
_BY_WITH = re.compile(rf"由({_NAME_LIST})会同({_NAME_LIST})")


def _from_subject(text: str, known: re.Pattern[str] | None) -> NamedOwner | None:
    if not re.search(_SUBJECT_VERB, text):
        return None
    # A unit that opens the item, or its second sentence (after a heading sentence), carries
    # it; one named further on is usually one actor among several.
    for start in list(_SENTENCE_START.finditer(text))[:2]:
        rest = text[start.end() : start.end() + 120]
        if not rest:
            continue
        # 根据……的安排，X负责…… / 经国务院批准，X……: the subject follows the opening phrase.
        intro = _INTRO.match(rest)
        if intro:
            rest = rest[intro.end() :]
        names: list[str] = []
        tail = ""
        m = known.match(rest) if known is not None else None
        if m:
            names, tail = [m.group(1)], rest[m.end(1) :]
        else:
            m = _GENERIC_SUBJECT.match(rest)
            if m:
                strong = re.fullmatch(_STRONG_VERB, m.group(2)) is not None
                candidates = split_units(m.group(1))
                if (
                    candidates
                    and _plausible_subject(candidates[0], strong=strong)
                    and all(_plausible_subject(n, strong=True) for n in candidates[1:])
                ):
                    names, tail = candidates, rest[m.start(2) :]
        if not names:
            continue
        helpers = _HELPERS.match(tail)
        co = [n for n in split_units(helpers.group(1))] if helpers else []
        return NamedOwner(
            tuple(names[:1]),
            tuple(names[1:] + co),
            "subject",
            rest[: len(rest) - len(tail) + 4],
        )
    return None


# Words that end like a unit but are not one when they open a sentence.
_NOT_SUBJECT = re.compile(
    r"(?:工作|任务|政策|社会|全社会|机会|大会|会议|部署|全部|内部|外部|局部|干部|基层干部|"
    r"各方|本部|总部|俱乐部)$"
)
# Words a unit's name does not contain: "不按照本预案规定和……指挥部要求" is a clause.
_CLAUSE_WORDS = re.compile(r"[的不按对把将在由为以从被让使]|如果|凡是|对于|关于")


def _plausible_subject(name: str, *, strong: bool = False) -> bool:
    if is_collective(name) or _NOT_SUBJECT.search(name) or _CLAUSE_WORDS.search(name):
        return False
    if strong:
        # "公安部负责……", "国家发展改革委牵头……": any body's name before 负责/牵头/会同.
        return len(name) <= 20
    # Before a weaker verb (要, 需) the name must say which body it is: a district unit (区…),
    # a street or town, a task force or office.
    return bool(
        re.match(r"^(?:区|市|县|省|镇|乡)", name)
        or re.search(r"(?:街道|镇|乡|专班|办公室|办|中心|指挥部|领导小组|工作组)$", name)
    )


def strip_annotation(text: str, owner: NamedOwner | None) -> str:
    """``text`` without the owner annotation ``owner`` was read from (titles and summaries)."""
    if owner is None or owner.span is None or not owner.words:
        return text
    cleaned = text
    for m in list(_BRACKETED.finditer(text))[::-1]:
        if m.group(0) in owner.words:
            cleaned = cleaned[: m.start()] + cleaned[m.end() :]
    if cleaned == text and owner.words in text:
        cleaned = text.replace(owner.words, "")
    return re.sub(r"\s+([。；;，,])", r"\1", cleaned).strip(" ，,；;")


# ---------------------------------------------------------------------------------------------
# Matching names to units


@lru_cache(maxsize=1)
def shipped_short_names() -> tuple[tuple[str, str], ...]:
    """(short form, full name) rows of ``data/unit_short_names.csv``; a short form may have
    several full names (districts name the same office differently); the first that exists in
    the tree is taken."""
    raw = resources.files("kaimen.ledger.parsing").joinpath("data/unit_short_names.csv")
    rows = csv.reader(raw.read_text(encoding="utf-8").splitlines())
    next(rows, None)
    return tuple(
        (short.strip(), full.strip())
        for short, full, *_ in (r for r in rows if len(r) >= 2)
        if short.strip() and full.strip()
    )


class UnitDirectory:
    """The unit tree's names, with every form a document may use for them."""

    def __init__(
        self,
        units: Iterable[str],
        *,
        aliases: Mapping[str, str] | None = None,
        short_names: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.units = list(dict.fromkeys(u for u in units if u))
        known = set(self.units)
        self.lookup: dict[str, str] = {}
        for unit in self.units:
            self.lookup.setdefault(unit, unit)
        # The office's own aliases first: they are the district's word for its units.
        for alias, unit in (aliases or {}).items():
            if unit in known and alias:
                self.lookup.setdefault(alias, unit)
        rows = shipped_short_names() if short_names is None else tuple(short_names)
        for short, full in rows:
            if full in known:
                self.lookup.setdefault(short, full)
        for unit in self.units:
            # Speeches drop the district prefix (商务局) and the party committee's 委 is kept
            # (区委组织部 → 组织部 is in the table; 区纪委监委 → 纪委监委 here).
            if unit.startswith("区") and len(unit) > 3:
                self.lookup.setdefault(unit[1:], unit)
        for short in list(self.lookup):
            if short.startswith("区") and len(short) > 3:
                self.lookup.setdefault(short[1:], self.lookup[short])

    def match(self, name: str) -> str | None:
        name = re.sub(r"\s+", "", name)
        if not name:
            return None
        found = self.lookup.get(name)
        if found is None and not name.startswith("区"):
            found = self.lookup.get("区" + name) or self.lookup.get("区委" + name)
        return found

    @cached_property
    def subject_re(self) -> re.Pattern[str] | None:
        """A sentence opening with any form of a unit's name and a verb (区商务局要……)."""
        names = sorted(self.lookup, key=len, reverse=True)
        if not names:
            return None
        alternation = "|".join(re.escape(n) for n in names)
        return re.compile(rf"({alternation})(?:{_SUBJECT_VERB})")

    def resolve(self, owner: NamedOwner) -> Resolved:
        lead: list[str] = []
        co: list[str] = []
        unmatched: list[str] = []
        collective: list[str] = []
        flags: list[str] = []
        for role, names in (("lead", owner.lead), ("co", owner.co)):
            for name in names:
                if is_collective(name):
                    # Kept as written, in the role the document gives it; never a unit.
                    collective.append(name)
                    target = lead if role == "lead" else co
                    if name not in lead and name not in co:
                        target.append(name)
                    continue
                unit = self.match(name)
                if unit is None:
                    unmatched.append(name)
                    unit = name
                target = lead if role == "lead" else co
                if unit not in lead and unit not in co:
                    target.append(unit)
        if unmatched:
            flags.append(
                "原文点名的单位“" + "”“".join(unmatched) + "”在单位名录中找不到："
                "请在审核时对应到名录中的单位（可记住这一简称），或请系统管理员增设该单位。"
            )
        if collective:
            flags.append(
                "原文的“" + "”“".join(collective) + "”是泛指的一类单位，已照原文列出，"
                "未替换为具体单位；如需逐一落实，请手工指定。"
            )
        return Resolved(lead, co, unmatched, collective, flags)


@lru_cache(maxsize=8)
def _directory(units: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> UnitDirectory:
    return UnitDirectory(units, aliases=dict(aliases))


def directory_for(units: Iterable[str], aliases: Mapping[str, str] | None = None) -> UnitDirectory:
    """A (cached) directory for these unit names and aliases."""
    return _directory(tuple(units), tuple(sorted((aliases or {}).items())))


def default_unit_names(responsibility_units: Iterable[str]) -> list[str]:
    """Without a unit tree: the responsibility table's units and the short-name data's full names."""
    return list(
        dict.fromkeys([*responsibility_units, *(full for _, full in shipped_short_names())])
    )
