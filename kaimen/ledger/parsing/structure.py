"""From raw text to the outline of a speech or plan: title, preamble, and the tree of nodes.

Chinese official texts number their parts 一、 / (一) / 1. / (1) (GB/T 9704 order) and, inside a
paragraph, enumerate with 一是……二是……, 第一……第二……, 首先……其次……最后……. Texts that come out
of a PDF are hard-wrapped every ~25 characters, headings included, so lines are first rejoined
into paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaimen.ledger.parsing import TaskProposal

CN_DIGITS = "一二三四五六七八九十"
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(CN_DIGITS)}

# What ends a sentence. Half-width "." is left out: in Chinese prose it is a decimal point.
SENTENCE_END = "。!?!?;;"
_CLOSERS = "”’」』))】〕\"'"
# Punctuation that may dangle at the end of a heading or the start of an item.
_EDGE_PUNCT = ",,、::;;。.!?!?…— \t\u3000\n"
# What may stand just before an in-paragraph enumeration marker (一是, 第一, 首先).
_ENUM_BOUNDARY = "。!?!?;;::,,\n"

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Node:
    """One numbered part of the text: a heading (一、 (一) 1. (1)) or an enumerated item (一是)."""

    marker: str
    level: int
    heading: str
    text: str
    children: list[Node] = field(default_factory=list)
    # "heading" for 一、 (一) 1. (1) ①, "item" for 一是 / 第一 / 首先 inside a paragraph.
    role: str = "heading"
    path: str = ""
    flags: list[str] = field(default_factory=list)
    task: TaskProposal | None = None
    # The text stops inside this node (the file was cut off); its content is incomplete.
    truncated: bool = False

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    title: str
    preamble: str
    nodes: list[Node]
    flags: list[str] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if n.is_leaf]


# ---------------------------------------------------------------------------------------------
# Markers


@dataclass(frozen=True)
class _MarkerKind:
    name: str
    rank: int  # GB/T 9704 order: a smaller rank is a higher level
    pattern: re.Pattern[str]


_CN_NUM = f"[{CN_DIGITS}]{{1,3}}"
# Half- and full-width variants of every separator occur in real files.
HEADING_KINDS = (
    _MarkerKind("cn", 1, re.compile(rf"^({_CN_NUM})[、.．](?![{CN_DIGITS}][、.．])")),
    _MarkerKind("cn_paren", 2, re.compile(rf"^[((]({_CN_NUM})[))]")),
    # "1.5亿元" at the start of a wrapped line is a number, not a marker.
    _MarkerKind("arabic", 3, re.compile(r"^(\d{1,2})(?:[、．]|\.(?!\d))")),
    _MarkerKind("arabic_paren", 4, re.compile(r"^[((](\d{1,2})[))]")),
    _MarkerKind("circled", 5, re.compile(r"^([\u2460-\u2473])")),
)


def cn_to_int(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; None for anything else."""
    if not numeral or any(ch not in _CN_VALUE for ch in numeral):
        return None
    if "十" not in numeral:
        return _CN_VALUE[numeral] if len(numeral) == 1 else None
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def int_to_cn(n: int) -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens - 1] + "十")
    return head + (CN_DIGITS[ones - 1] if ones else "")


def _marker_number(kind: str, raw: str) -> int | None:
    if kind in ("cn", "cn_paren"):
        return cn_to_int(raw)
    if kind == "circled":
        return ord(raw) - 0x2460 + 1
    return int(raw)


def match_heading_marker(paragraph: str) -> tuple[_MarkerKind, re.Match[str]] | None:
    for kind in HEADING_KINDS:
        m = kind.pattern.match(paragraph)
        if m and _marker_number(kind.name, m.group(1)) is not None:
            return kind, m
    return None


# ---------------------------------------------------------------------------------------------
# Normalising and rejoining lines


def normalize_text(text: str) -> str:
    """Line ends to \\n, page breaks to line breaks, invisible and control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\u00a0", " ")
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def display_width(s: str) -> int:
    """Width in half-em: ASCII counts 1, everything else 2.

    In a Chinese document nearly every non-ASCII character is a hanzi or a full-width sign
    (and “” are set full width in Chinese fonts). Counting this way is exact for them and runs
    in C, which matters on a 1 MB plan.
    """
    return 2 * len(s) - len(s.encode("ascii", "ignore"))


def _indent_length(line: str) -> int:
    """Length of a leading indent: a full-width space, a tab, or two or more spaces.

    A single ASCII space is not an indent: it may be the space a hard wrap left before "2025".
    """
    stripped = line.lstrip(" \t\u3000")
    lead = line[: len(line) - len(stripped)]
    if "\u3000" in lead or "\t" in lead or len(lead) >= 2:
        return len(lead)
    return 0


_SALUTATION = re.compile(
    r"^[^,,。;;!?!?]{0,20}(同志|领导|代表|朋友|大家|各位|来宾)[^,,。;;]{0,6}[::]$"
)
_BARE_LINE_END = re.compile(rf"[{re.escape(SENTENCE_END)}::{re.escape(_CLOSERS)}]$")


def is_salutation(line: str) -> bool:
    return bool(_SALUTATION.match(line.strip()))


def _wrap_width(widths: list[int]) -> tuple[int, int]:
    """The typical full-line width of a hard-wrapped text and the slack allowed below it.

    Justified PDF lines vary by a character or two (punctuation compression, first-line
    indents that the text layer drops), hence the tolerance of about 12 %.
    """
    ordered = sorted(widths)
    full = ordered[min(len(ordered) - 1, round(0.75 * (len(ordered) - 1)))]
    return full, max(4, round(full * 0.12))


def looks_hard_wrapped(lines: list[str]) -> bool:
    """Whether lines were broken at a fixed width rather than at paragraph ends.

    Wrapped text has most lines near one width, and those lines mostly stop mid-sentence; a
    file with one paragraph per line has widths all over the place and lines ending in 。.
    """
    content = [ln.rstrip() for ln in lines if ln.strip()]
    if len(content) < 2:
        return False
    widths = [display_width(ln) for ln in content]
    full, slack = _wrap_width(widths)
    # A line on A4 holds ~25-45 characters, a text editor wraps at 80 columns or so; a
    # "width" of 100 characters and more means nothing was wrapped.
    if full > 200:
        return False
    near = [ln for ln, w in zip(content[:-1], widths[:-1], strict=True) if w >= full - slack]
    if len(near) < 0.5 * (len(content) - 1):
        return False
    mid_sentence = [ln for ln in near if not _BARE_LINE_END.search(ln)]
    return len(mid_sentence) >= 0.5 * len(near)


def _join(left: str, right: str) -> str:
    """Glue a wrapped line to the one before it.

    Spaces a wrap left at the end of a line stay when they stand next to Latin text or digits
    ("区委书记在 " + "2025 年") and go between two Chinese characters, where they were never
    meant. Latin words broken at a wrap get their space back.
    """
    stripped = left.rstrip(" ")
    if (
        stripped != left
        and stripped
        and right
        and not stripped[-1].isascii()
        and not right[0].isascii()
    ):
        left = stripped
    if (
        left
        and right
        and left[-1].isascii()
        and left[-1].isalpha()
        and right[0].isascii()
        and right[0].isalpha()
    ):
        return left + " " + right
    return left + right


def split_paragraphs(lines: list[str], *, hard_wrapped: bool | None = None) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs.

    A line starts a new paragraph after a blank line or a short line, when it is indented, when
    it starts with a heading marker (一、 (一) 1. (1)) or is a salutation; otherwise it
    continues the line before. Only line breaks, indents and spaces stranded between two Chinese
    characters are removed; every other character keeps its place.
    """
    wrapped = looks_hard_wrapped(lines) if hard_wrapped is None else hard_wrapped
    widths = [display_width(ln.rstrip()) for ln in lines if ln.strip()]
    full, slack = _wrap_width(widths) if widths else (0, 0)
    paragraphs: list[str] = []
    current: str | None = None
    previous_ends_paragraph = True
    for line in lines:
        if not line.strip():
            previous_ends_paragraph = True
            continue
        indent = _indent_length(line)
        content = line[indent:]
        new_paragraph = (
            current is None
            or previous_ends_paragraph
            or not wrapped
            or indent > 0
            or match_heading_marker(content.lstrip()) is not None
            or is_salutation(content)
        )
        if new_paragraph:
            if current is not None and current.strip():
                paragraphs.append(current.strip())
            current = content
        else:
            current = _join(current or "", content)
        previous_ends_paragraph = (
            not wrapped or display_width(line.rstrip()) < full - slack or is_salutation(content)
        )
    if current is not None and current.strip():
        paragraphs.append(current.strip())
    return paragraphs


# "区委书记 张三" under a title: the speaker, not more title.
_BYLINE = re.compile(
    r"^[\u4e00-\u9fff]{0,12}(?:书记|区长|县长|市长|省长|主任|局长|部长|主席|委员)\s*"
    r"[\u4e00-\u9fff·]{2,4}$"
)


def _split_title(lines: list[str]) -> tuple[str, int]:
    """The title block: leading lines with no sentence punctuation, before the salutation.

    Titles are centred and broken wherever the typesetter liked (the reference breaks before
    “开门红”), so their lines are joined whatever their width.
    """
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    parts: list[str] = []
    length = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            break
        content = line[_indent_length(line) :]
        if (
            any(ch in content for ch in ",,。;;::!?!?")
            or match_heading_marker(content.lstrip())
            or _ENUM_AT_START.match(content.lstrip())
            or re.fullmatch(r"\s*[((].*[))]\s*", content)
            or _BYLINE.match(content.strip())
            or length + len(content) > 80
        ):
            break
        parts.append(content)
        length += len(content)
        i += 1
    rest = lines[i:]
    if not parts or not any(ln.strip() for ln in rest):
        # A lone unpunctuated line is body text, not the title of nothing.
        return "", start
    title = ""
    for part in parts:
        title = _join(title, part)
    return title.strip(), i


# ---------------------------------------------------------------------------------------------
# Sentences and in-paragraph enumerations


def first_sentence(text: str) -> tuple[str, int]:
    """The first sentence of ``text`` and the index just past it (closing quotes included)."""
    for i, ch in enumerate(text):
        if ch in SENTENCE_END or ch == "\n":
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            return text[:end], end
    return text, len(text)


def strip_edge_punct(text: str) -> str:
    return text.strip().strip(_EDGE_PUNCT).strip()


def heading_of(text: str) -> str:
    sentence, _ = first_sentence(text.strip())
    return sentence.strip().rstrip(_EDGE_PUNCT)


@dataclass(frozen=True)
class EnumMarker:
    family: str
    number: int
    start: int  # index of the marker in the body
    end: int  # index just past the marker (and the punctuation that follows 第一 / 首先)
    marker: str  # as written: 一是, 第一, 首先


_ENUM_PATTERNS: dict[str, re.Pattern[str]] = {
    # 一是……二是……; 一要……二要…… is the same figure with a modal verb.
    "shi": re.compile(rf"({_CN_NUM})是"),
    "yao": re.compile(rf"({_CN_NUM})要(?!求)"),
    # 第一,…… but not 第一季度 / 第一时间 / 第一生产力: the ordinal must be followed by a pause.
    "di": re.compile(rf"第({_CN_NUM})(?=[,,、::])"),
    "order": re.compile(r"首先|其次|再次|最后(?=[,,、::])"),
}
_ORDER_NUMBER = {"首先": 1, "其次": 2, "再次": 3}
_LEADING_PAUSE = re.compile(r"^[,,、::\s]+")
_ENUM_AT_START = re.compile(rf"^(?:{_CN_NUM}[是要]|第{_CN_NUM}[,,、::]|首先)")


def _enum_candidates(body: str) -> dict[str, list[EnumMarker]]:
    found: dict[str, list[EnumMarker]] = {}
    for family, pattern in _ENUM_PATTERNS.items():
        for m in pattern.finditer(body):
            if m.start() > 0 and body[m.start() - 1] not in _ENUM_BOUNDARY:
                continue
            if family == "order":
                number = _ORDER_NUMBER.get(m.group(0), 99)
            else:
                number = cn_to_int(m.group(1)) or 0
            end = m.end()
            while end < len(body) and body[end] in ",,、::":
                end += 1
            found.setdefault(family, []).append(
                EnumMarker(family, number, m.start(), end, m.group(0))
            )
    return found


def _chain(candidates: list[EnumMarker], first: EnumMarker) -> list[EnumMarker]:
    """一是 → the next 二是 after it → the next 三是 …; 首先 → 其次 → 再次 … → 最后."""
    chain = [first]
    for cand in candidates:
        if cand.start <= chain[-1].end:
            continue
        last = chain[-1]
        if cand.family == "order":
            if last.number == 99:
                break
            follows = cand.number == 99 or cand.number == last.number + 1
            # 再次 may repeat; 首先 never comes second.
            follows = follows or (cand.number == 3 and last.number == 3)
        else:
            follows = cand.number == last.number + 1
        if follows:
            chain.append(cand)
    return chain


def find_enumeration(body: str, *, lead_end: int = 0) -> list[EnumMarker]:
    """The enumeration that structures ``body``, or [] when there is none.

    It must count up from one (一是, 二是, 三是 …), which keeps "一是" inside running prose
    ("坚持一是一、二是二") from splitting the paragraph. A lone 一是 counts only right after
    the lead sentence (a text cut off after its first item); otherwise two items are needed.
    """
    best: list[EnumMarker] = []
    for candidates in _enum_candidates(body).values():
        for cand in candidates:
            if cand.number != 1:
                continue
            chain = _chain(candidates, cand)
            if len(chain) > len(best) or (
                len(chain) == len(best) and best and chain[0].start < best[0].start
            ):
                best = chain
    if len(best) == 1 and body[lead_end : best[0].start].strip():
        return []
    return best


# ---------------------------------------------------------------------------------------------
# The outline


@dataclass
class _Open:
    node: Node
    rank: int
    kind: str
    number: int
    parts: list[str]
    structural_children: list[Node] = field(default_factory=list)
    last_child_number: dict[str, int] = field(default_factory=dict)


def _path_key(marker: str) -> str:
    return marker.strip().rstrip("、.．")


def _finish(open_node: _Open) -> None:
    """Turn a node's collected paragraphs into heading, own text and enumerated items."""
    node = open_node.node
    body = "\n".join(p for p in open_node.parts).strip()
    _, lead_end = first_sentence(body)
    items = find_enumeration(body, lead_end=lead_end)
    own = body[: items[0].start] if items else body
    node.text = own.strip()
    node.heading = heading_of(own) if own.strip() else ""
    enum_nodes: list[Node] = []
    for i, item in enumerate(items):
        end = items[i + 1].start if i + 1 < len(items) else len(body)
        content = body[item.end : end].strip()
        content = _LEADING_PAUSE.sub("", content)
        enum_nodes.append(
            Node(
                marker=item.marker,
                level=node.level + 1,
                heading=heading_of(content),
                text=content,
                role="item",
            )
        )
    node.children = enum_nodes + open_node.structural_children


def _assign_paths(nodes: list[Node], prefix: str = "") -> None:
    for node in nodes:
        node.path = f"{prefix}/{_path_key(node.marker)}" if prefix else _path_key(node.marker)
        _assign_paths(node.children, node.path)


_TERMINAL = set(SENTENCE_END) | set(_CLOSERS) | {"…", "—", ".", "!", "?"}


def build_outline(text: str, *, hard_wrapped: bool | None = None) -> Outline:
    """Parse ``text`` into title, preamble and the node tree. Never raises on any string."""
    lines = normalize_text(text).split("\n")
    title, body_from = _split_title(lines)
    paragraphs = split_paragraphs(lines[body_from:], hard_wrapped=hard_wrapped)
    flags: list[str] = []

    first_marked = next(
        (i for i, p in enumerate(paragraphs) if match_heading_marker(p) is not None), None
    )
    if first_marked is None:
        return _outline_without_headings(title, paragraphs)

    preamble = "\n".join(paragraphs[:first_marked])
    roots: list[Node] = []
    stack: list[_Open] = []
    root_numbers: dict[str, int] = {}
    for paragraph in paragraphs[first_marked:]:
        found = match_heading_marker(paragraph)
        if found is None:
            stack[-1].parts.append(paragraph)
            continue
        kind, m = found
        while stack and stack[-1].rank >= kind.rank:
            _finish(stack.pop())
        number = _marker_number(kind.name, m.group(1)) or 0
        node = Node(marker=m.group(0), level=len(stack) + 1, heading="", text="")
        numbers = stack[-1].last_child_number if stack else root_numbers
        expected = numbers.get(kind.name, 0) + 1
        if number != expected:
            node.flags.append(
                f"编号“{m.group(0)}”不连续(此处应为第{expected}项),请核对是否漏项或误识别。"
            )
        numbers[kind.name] = number
        (stack[-1].structural_children if stack else roots).append(node)
        stack.append(_Open(node, kind.rank, kind.name, number, [paragraph[m.end() :].strip()]))
    while stack:
        _finish(stack.pop())

    _assign_paths(roots)
    outline = Outline(title=title, preamble=preamble, nodes=roots, flags=flags)
    _flag_truncation(outline, paragraphs[-1])
    return outline


def _outline_without_headings(title: str, paragraphs: list[str]) -> Outline:
    """No 一、 / (一) anywhere: a short notice may still enumerate 一是……二是…… at top level."""
    body = "\n".join(paragraphs)
    items = find_enumeration(body, lead_end=len(body)) if body else []
    if len(items) < 2:
        flags = [
            "未识别到任何层级标记(如“一、”“(一)”“1.”或“一是”),无法拆分任务。"
            "请确认文件是讲话或工作方案的正文,或在审核页手工添加任务。"
        ]
        return Outline(title=title, preamble=body, nodes=[], flags=flags)
    holder = _Open(Node(marker="", level=0, heading="", text=""), 0, "", 0, [body])
    _finish(holder)
    outline = Outline(title=title, preamble=holder.node.text, nodes=holder.node.children, flags=[])
    _assign_paths(outline.nodes)
    _flag_truncation(outline, paragraphs[-1])
    return outline


def _flag_truncation(outline: Outline, last_paragraph: str) -> None:
    tail = last_paragraph.rstrip()
    if not tail or tail[-1] not in ",,、::;;(《“":
        return
    last = list(outline.walk())[-1] if outline.nodes else None
    where = f"“{last.marker}{last.heading}”" if last else "末尾"
    message = f"文本在{where}处中断(结尾是“{tail[-1]}”),内容可能不完整,请核对原文件是否缺页。"
    outline.flags.append(message)
    if last is not None:
        last.flags.append(message)
        last.truncated = True
