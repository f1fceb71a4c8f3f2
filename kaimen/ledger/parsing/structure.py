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

from kaimen.ledger.parsing.tables import (
    CELL_SEPARATOR,
    Table,
    TableRow,
    column_role,
    flattened_rows,
    owner_annotation,
    read_grid,
    spaced_rows,
)

if TYPE_CHECKING:
    from kaimen.ledger.parsing import TaskProposal

CN_DIGITS = "一二三四五六七八九十"
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(CN_DIGITS)}

# What ends a sentence. Half-width "." is left out: in Chinese prose it is a decimal point.
SENTENCE_END = "。！？!?；;"
_CLOSERS = "”’」』）)】〕\"'"
# Punctuation that may dangle at the end of a heading or the start of an item.
_EDGE_PUNCT = "，,、：:；;。.！!？?…— \t\u3000\n"
# What may stand just before an in-paragraph enumeration marker (一是, 第一, 首先).
_ENUM_BOUNDARY = "。！？!?；;：:，,\n"

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
    # The closing call, signature, date and 抄送/印发 lines: part of the document, not of any task.
    closing: str = ""

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if n.is_leaf]


# ---------------------------------------------------------------------------------------------
# Markers


# Full-width forms of ASCII (！ to ～) and the ideographic space, folded to their ASCII twins for
# matching only. The mapping is one character to one character, so an index found in the folded
# text is the same index in the original, and output keeps the characters as written.
_FOLD_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_WIDTH[0x3000] = 0x20


def fold_width(text: str) -> str:
    """（一） → (一), １． → 1., the ideographic space → a space; same length as ``text``."""
    return text.translate(_FOLD_WIDTH)


_CN_NUM = f"[{CN_DIGITS}]{{1,3}}"
_ORDINAL = f"(?:[{CN_DIGITS}百零〇]{{1,4}}|\\d{{1,3}})"
# Matched on folded text, so "(" stands for （ and ( alike, "." for ． and ., " " for the
# ideographic space. Slips seen in real files are allowed: a space inside the parentheses or
# after the separator, 一. for 一、, mixed-width parentheses, 1) for （1）. The alternatives are
# tried in order; each group's name is the kind of marker.
# 1.5亿元 / 3 个 / 2.5 万人: a quantity, not a decimal heading.
_NO_UNIT = r"(?! ?[亿万千百元个家项倍年月日号人次吨米公平台户套所座条件%‰])"
_MARKER = re.compile(
    rf"^(?:第(?P<part>{_ORDINAL})部分"
    rf"|第(?P<chapter>{_ORDINAL})章"
    rf"|第(?P<section>{_ORDINAL})节"
    rf"|第(?P<article>{_ORDINAL})条(?![件例款])"
    # 一、二季度 is a range of quarters, not heading 一 followed by 二.
    rf"|(?P<cn>{_CN_NUM}) ?[、.](?![{CN_DIGITS}](?:[、.]|季度|月))"
    rf"|\( ?(?P<cn_paren>{_CN_NUM}) ?\)"
    # "1.5亿元" at the start of a wrapped line is a number, not a marker.
    # 1.2018年…… is item 1 naming a year.
    r"|(?P<arabic>\d{1,2}) ?(?:、|\.(?!\d)|\.(?=(?:19|20)\d\d年))"
    r"|\( ?(?P<arabic_paren>\d{1,2}) ?\)"
    r"|(?P<arabic_half>\d{1,2})\)(?!\d)"
    r"|(?P<circled>[\u2460-\u2473])"
    # Decimal numbering of 预案 and standards: 1 总则 / 1.1 编制目的 / 1.2.1 国家级.
    rf"|(?P<decimal3>\d{{1,2}}\.\d{{1,2}}\.\d{{1,2}})(?=[ \u4e00-\u9fff]){_NO_UNIT}"
    rf"|(?P<decimal2>\d{{1,2}}\.\d{{1,2}})(?=[ \u4e00-\u9fff]){_NO_UNIT}"
    rf"|(?P<decimal1>\d{{1,2}}) (?=[\u4e00-\u9fff]){_NO_UNIT})"
)
# The customary order of the kinds, highest first: only a tie-break when a document introduces
# a kind below a heading that already has deeper kinds; the document's own order comes first.
_CUSTOMARY = {
    kind: rank
    for rank, kind in enumerate(
        (
            "part",
            "chapter",
            "section",
            "article",
            "decimal1",
            "decimal2",
            "decimal3",
            "cn",
            "cn_paren",
            "arabic",
            "arabic_paren",
            "arabic_half",
            "circled",
        )
    )
}
# 1.1 / 1.2.1 may carry their body on the line; a bare "1 总则" must be a short line of its own.
_DECIMAL_KINDS = frozenset({"decimal1", "decimal2", "decimal3"})
MARKER_KINDS = tuple(_MARKER.groupindex)
# A marker can only start with one of these (folded): a quick test for the common case.
_MARKER_FIRST = frozenset(f"第({CN_DIGITS}0123456789（０１２３４５６７８９") | frozenset(
    chr(c) for c in range(0x2460, 0x2474)
)
# What a slip may leave after a parenthesised marker: （一）. or （1）、
_AFTER_PAREN = re.compile(r"[.、,:]")
# An attachment: 附件 / 附件1 / 附件：《…》, the start of a new top-level part.
_ANNEX = re.compile(r"^附件 ?(\d{1,2}|[一二三四五六七八九十]{1,2})?(?: ?[:：]| *$| +(?=\S))")


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


def ordinal_value(raw: str) -> int | None:
    """一 → 1, 十四 → 14, 14 → 14, ① → 1; None when ``raw`` is not a number."""
    if raw.isdigit() and raw.isascii():
        return int(raw)
    if len(raw) == 1 and "\u2460" <= raw <= "\u2473":
        return ord(raw) - 0x2460 + 1
    return cn_to_int(raw)


@dataclass(frozen=True)
class MarkerMatch:
    kind: str
    number: int
    marker: str  # as written, without the spaces or slip punctuation around it
    end: int  # index in the paragraph where the heading text starts


def match_heading_marker(paragraph: str) -> MarkerMatch | None:
    """The numbering marker a paragraph starts with (一、 （一） 1. （1） ① 第一条 …), if any."""
    if not paragraph or paragraph[0] not in _MARKER_FIRST:
        return None
    head = fold_width(paragraph[:16])
    m = _MARKER.match(head)
    if m is None:
        return None
    kind = m.lastgroup or ""
    raw = m.group(kind)
    if kind in _DECIMAL_KINDS:
        if kind == "decimal1" and (
            len(paragraph) > 40 or any(ch in paragraph for ch in "，,。；;！!？?")
        ):
            return None
        raw = raw.rsplit(".", 1)[-1]
    number = ordinal_value(raw)
    if number is None:
        return None
    end = m.end()
    marker = paragraph[:end].replace(" ", "").replace("\u3000", "")
    if kind in ("cn_paren", "arabic_paren"):
        slip = _AFTER_PAREN.match(head, end)
        if slip:
            end = slip.end()
    while end < len(paragraph) and paragraph[end] in " \u3000\t":
        end += 1
    return MarkerMatch(kind, number, marker, end)


def match_annex(paragraph: str) -> MarkerMatch | None:
    """附件 / 附件1 / 附件：title at the start of a short paragraph (not prose about 附件)."""
    if not paragraph.startswith("附件"):
        return None
    head = fold_width(paragraph[:12])
    m = _ANNEX.match(head)
    if m is None or len(paragraph) > 80 or "。" in paragraph:
        return None
    number = ordinal_value(m.group(1)) if m.group(1) else 1
    marker = paragraph[: m.end(1) if m.group(1) else 2].replace(" ", "").replace("\u3000", "")
    end = m.end()
    while end < len(paragraph) and paragraph[end] in " \u3000\t:：":
        end += 1
    return MarkerMatch("annex", number or 1, marker, end)


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
    r"^[^，,。；;！!？?]{0,20}(同志|领导|代表|朋友|大家|各位|来宾)[^，,。；;]{0,6}[：:]$"
)
_BARE_LINE_END = re.compile(rf"[{re.escape(SENTENCE_END)}：:{re.escape(_CLOSERS)}]$")


def is_salutation(line: str) -> bool:
    line = line.strip()
    return line[-1:] in (":", "：") and bool(_SALUTATION.match(line))


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
    # Two or three lines say nothing about a wrap width.
    if len(content) < 4:
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
    last_number: dict[str, int] = {}
    for line in lines:
        if not line.strip():
            previous_ends_paragraph = True
            continue
        indent = _indent_length(line)
        content = line[indent:]
        marker = match_heading_marker(content.lstrip())
        # A wrap inside a sentence may leave "（二）项" or "3." at the start of a line: it is a
        # heading only if it is the next number of its kind.
        if (
            marker is not None
            and wrapped
            and not previous_ends_paragraph
            and indent == 0
            and marker.number not in (1, last_number.get(marker.kind, 0) + 1)
        ):
            marker = None
        if marker is not None:
            last_number[marker.kind] = marker.number
        new_paragraph = (
            current is None
            or previous_ends_paragraph
            or not wrapped
            or indent > 0
            or marker is not None
            or is_salutation(content)
            or match_annex(content.lstrip()) is not None
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


# Lines above a title in an official document: the red header (…文件), the document number
# (X政办〔2025〕3号), the signer, urgency and openness notes.
_LETTERHEAD = re.compile(
    r"^(?:\S{2,30}文件|.{0,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号"
    r"|签发人[:：].*|(?:特急|加急|平急|特提|急件)|(?:公开方式|密级)[:：].*)$"
)
# A salutation set on the title's own line: "…上的讲话同志们：".
_GLUED_SALUTATION = re.compile(
    r"^(?P<title>.+)(?P<salutation>(?:同志们|代表们|朋友们|同志|来宾们?)[：:])$"
)
# The wrapper of a notice that issues a plan: its own subject is the plan's title.
_ISSUING_NOTICE = re.compile(r"关于(?:印发|转发|下发|公布)(?P<inner>.{4,80}?)的?(?:通知|函)$")
# The sentence of such a notice that hands the plan over: 现将《…》印发给你们 / 现印发给你们.
_HANDS_OVER = re.compile(r"(?:印发|转发|下发)给你们|现予印发|现印发")


def _split_title(lines: list[str]) -> tuple[str, int]:
    """The title block: leading lines with no sentence punctuation, before the salutation.

    Titles are centred and broken wherever the typesetter liked (the reference breaks before
    “开门红”), so their lines are joined whatever their width. The letterhead and document number
    above a title are skipped; a salutation left on the title's last line is handed back to the
    body; a notice that issues a plan (关于印发《…》的通知) is titled by the plan it issues.
    """
    i = 0
    # An attachment printed on its own starts with a bare 附件 / 附件1 above its title.
    while i < len(lines) and (
        not lines[i].strip()
        or _LETTERHEAD.match(lines[i].strip())
        or re.fullmatch(r"附件\s*\d{0,2}", lines[i].strip())
    ):
        i += 1
    start = i
    parts: list[str] = []
    length = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            break
        content = line[_indent_length(line) :]
        glued = _GLUED_SALUTATION.match(content.strip())
        if glued and not any(ch in glued.group("title") for ch in "，,。；;：:！!？?"):
            parts.append(glued.group("title"))
            lines[i] = glued.group("salutation")
            break
        if (
            any(ch in content for ch in "，,。；;：:！!？?")
            or match_heading_marker(content.lstrip())
            or _ENUM_AT_START.match(content.lstrip())
            or re.fullmatch(r"\s*[（(].*[）)]\s*", content)
            or _BYLINE.match(content.strip())
            or CELL_SEPARATOR in content
            or column_role(content.split(maxsplit=1)[0]) == "seq"
            or "".join(content.split()) == "目录"
            or match_annex(content.strip()) is not None
            or (parts and _LETTERHEAD.match(content.strip()))
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
    title = title.strip()
    issuing = _ISSUING_NOTICE.search(title.replace(" ", "").replace("\u3000", ""))
    if issuing:
        inner = issuing.group("inner")
        if inner.startswith("《") and inner.endswith("》") and inner.count("《") == 1:
            inner = inner[1:-1]
        title = inner
    return title, i


# ---------------------------------------------------------------------------------------------
# Sentences and in-paragraph enumerations


# A heading runs to the first full stop: a semicolon inside it joins clauses of one sentence.
HEADING_END = "。！？!?"


def first_sentence(text: str, ends: str = SENTENCE_END) -> tuple[str, int]:
    """The first sentence of ``text`` and the index just past it (closing quotes included)."""
    for i, ch in enumerate(text):
        if ch in ends or ch == "\n":
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            return text[:end], end
    return text, len(text)


def strip_edge_punct(text: str) -> str:
    return text.strip().strip(_EDGE_PUNCT).strip()


# A label before a colon: "国家级（Ⅰ级）：两个以上……", "总体要求：……". A phrase with a verb of
# composition or a pause in it ("国务院由下列人员组成：") is a sentence, not a label.
_LABEL = re.compile(r"^([^，,、；;。：:！!？?]{2,14})[：:](?=\S)")
_NOT_LABEL = re.compile(r"由|为|是|包括|如下|下列|组成|主要有|有以下")


def heading_of(text: str, *, labels: bool = False) -> str:
    """The heading in a node's text: its first sentence, or with ``labels`` the label before
    a colon when the sentence opens with one. An owner annotation at its end stays: the owners
    step reads it there and takes it off."""
    sentence, _ = first_sentence(text.strip(), HEADING_END)
    if labels:
        label = _LABEL.match(sentence.strip())
        if label and not _NOT_LABEL.search(label.group(1)):
            return label.group(1).strip()
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
    "di": re.compile(rf"第({_CN_NUM})(?=[，,、：:])"),
    "order": re.compile(r"首先|其次|再次|最后(?=[，,、：:])"),
}
_ORDER_NUMBER = {"首先": 1, "其次": 2, "再次": 3}
_LEADING_PAUSE = re.compile(r"^[，,、：:\s]+")
_ENUM_AT_START = re.compile(rf"^(?:{_CN_NUM}[是要]|第{_CN_NUM}[，,、：:]|首先)")


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
            while end < len(body) and body[end] in "，,、：: \u3000":
                end += 1
            found.setdefault(family, []).append(
                EnumMarker(family, number, m.start(), end, m.group(0))
            )
            if m.group(0) == "首先":
                # A speaker may open with 首先 and go on with 第二, 第三.
                found.setdefault("di", []).append(EnumMarker("di", 1, m.start(), end, m.group(0)))
    if "di" in found:
        found["di"].sort(key=lambda e: e.start)
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
    kind: str
    parts: list[str]
    structural_children: list[Node] = field(default_factory=list)
    last_child_number: dict[str, int] = field(default_factory=dict)
    # An attachment's title comes from its own line, not from its first sentence.
    fixed_heading: str | None = None


def _path_key(marker: str) -> str:
    return marker.strip().rstrip("、.．")


def _finish(open_node: _Open, items: list[EnumMarker] | None = None) -> None:
    """Turn a node's collected paragraphs into heading, own text and enumerated items."""
    node = open_node.node
    body = "\n".join(p for p in open_node.parts).strip()
    if items is None:
        _, lead_end = first_sentence(body)
        items = find_enumeration(body, lead_end=lead_end)
    own = body[: items[0].start] if items else body
    node.text = own.strip()
    if open_node.fixed_heading is not None:
        node.heading = open_node.fixed_heading
    else:
        labels = open_node.kind not in ("article", "")
        node.heading = heading_of(own, labels=labels) if own.strip() else ""
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


def _assign_paths(nodes: list[Node], prefix: str = "", level: int = 1) -> None:
    for node in nodes:
        node.level = level
        node.path = f"{prefix}/{_path_key(node.marker)}" if prefix else _path_key(node.marker)
        _assign_paths(node.children, node.path, level + 1)


_TERMINAL = set(SENTENCE_END) | set(_CLOSERS) | {"…", "—", ".", "!", "?"}


# ---------------------------------------------------------------------------------------------
# The document's frame: what closes it and what is not part of the outline


# "同志们，……" after the last heading: the speech's closing call, not part of the last task.
_CLOSING_ADDRESS = re.compile(r"^(?:同志们|各位同志|同志们、朋友们)[，,！!]")
_CN_DATE_DIGITS = "〇零一二三四五六七八九十"
_DATE_LINE = re.compile(
    rf"^[（(]?\s*(?:(?:19|20)\d{{2}}|[{_CN_DATE_DIGITS}]{{4}})\s*年\s*[\d{_CN_DATE_DIGITS}]{{1,3}}\s*月"
    rf"\s*[\d{_CN_DATE_DIGITS}]{{1,3}}\s*日\s*(?:印发)?\s*[）)]?$"
)
# 抄送 / 印发 lines, the openness note, the contact line.
_FRAME_LINE = re.compile(
    r"^(?:抄送[:：]|抄报[:：]|印发[:：]|分送[:：]|[（(]?此件.{0,20}$|[（(]?联系人[:：]|联系电话[:：]"
    r"|[（(]?信息公开(?:选项|形式)?[:：]|.{2,40}(?:19|20)\d{2}\s*年.{1,8}日?\s*印发$)"
)
# The issuer set on its own line above the date (several issuers stand side by side).
_ISSUER_LINE = re.compile(
    r"^[\u4e00-\u9fff（）() \u3000]{2,60}(?:人民政府|办公室|办公厅|委员会|党委|党组|局|厅|委|部|"
    r"中心|领导小组|指挥部|管委会|办事处|政府)$"
)


def is_frame_line(paragraph: str) -> bool:
    """A date, an issuer, a 抄送/印发 line: the signature block, never a task."""
    line = paragraph.strip()
    return bool(_DATE_LINE.match(line) or _FRAME_LINE.match(line) or _ISSUER_LINE.match(line))


def _split_closing(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """A part's body and its closing: the trailing signature block, and a speech's final call
    to the audience (同志们，……) when it follows the part's last heading."""
    end = len(paragraphs)
    while end > 0 and is_frame_line(paragraphs[end - 1]):
        end -= 1
    last_heading = max(
        (i for i in range(end) if match_heading_marker(paragraphs[i]) is not None), default=-1
    )
    for i in range(last_heading + 1, end):
        if _CLOSING_ADDRESS.match(paragraphs[i]):
            end = i
            break
    return paragraphs[:end], paragraphs[end:]


def _title_like(paragraph: str, *, numbered: bool = False) -> bool:
    """A short line without sentence punctuation (and without a marker unless ``numbered``)."""
    return (
        0 < len(paragraph) <= 60
        and not any(ch in paragraph for ch in "，,。；;！!？?")
        and (numbered or match_heading_marker(paragraph) is None)
    )


# ---------------------------------------------------------------------------------------------
# The outline


def build_outline(text: str, *, hard_wrapped: bool | None = None) -> Outline:
    """Parse ``text`` into title, preamble and the node tree. Never raises on any string.

    The level of a heading is decided by the order in which this document uses its kinds of
    marker, not by a fixed list: a plan that starts at （一）, or goes from 一、 straight to 1.,
    nests as it is written. A kind seen for the first time becomes a child of the heading
    above it; a kind seen before closes every open heading at its level or below.
    """
    lines = normalize_text(text).split("\n")
    title, body_from = _split_title(lines)
    body_lines, tables = _take_tables(lines[body_from:])
    paragraphs = split_paragraphs(body_lines, hard_wrapped=hard_wrapped)

    # An attachment that is not a notice's issued plan starts a part of its own even before
    # any heading (a notice whose only content is the attached task table).
    wrapper = any(_HANDS_OVER.search(p) for p in paragraphs[:40])
    first_marked = next(
        (
            i
            for i, p in enumerate(paragraphs)
            if p in tables
            or match_heading_marker(p) is not None
            or (not wrapper and match_annex(p) is not None)
        ),
        None,
    )
    if first_marked is None:
        return _outline_without_headings(title, paragraphs)
    first_marked = _after_issuing_notice(paragraphs, first_marked, tables)

    contents = _table_of_contents(paragraphs, first_marked)
    if contents is not None:
        start, stop = contents
        preamble = "\n".join(paragraphs[:stop])
        paragraphs = paragraphs[:start] + paragraphs[stop:]
        first_marked = start
    else:
        preamble = "\n".join(paragraphs[:first_marked])
    body, closing = _frame_body(paragraphs[first_marked:], tables)

    roots: list[Node] = []
    stack: list[_Open] = []
    order: list[str] = []  # kinds of heading, highest level first, as this document uses them
    root_numbers: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}

    def rank(kind: str) -> int:
        return -1 if kind == "annex" else order.index(kind)

    skip_next = False
    for index, paragraph in enumerate(body):
        if skip_next:
            skip_next = False
            continue
        if paragraph in tables:
            (stack[-1].structural_children if stack else roots).extend(tables[paragraph])
            continue
        annex = match_annex(paragraph)
        if annex is not None:
            while stack:
                _finish(stack.pop())
            order.clear()
            seen_numbers.clear()
            heading = strip_edge_punct(paragraph[annex.end :])
            following = body[index + 1] if index + 1 < len(body) else ""
            listed = match_heading_marker(heading) if heading else None
            if listed is not None:
                # 附件：1．……表 2．……表: a list of attachments, each a child of 附件.
                heading = ""
            elif not heading and _title_like(following):
                heading, skip_next = strip_edge_punct(following), True
            node = Node(marker=annex.marker, level=1, heading=heading, text="")
            roots.append(node)
            stack.append(_Open(node, "annex", [], fixed_heading=heading))
            if listed is None:
                continue
            paragraph = paragraph[annex.end :].strip()
        found = match_heading_marker(paragraph)
        if found is None:
            stack[-1].parts.append(paragraph)
            continue
        if found.kind not in order:
            top = next((o.kind for o in reversed(stack) if o.kind != "annex"), None)
            # Below the heading it appears under; among the kinds already below that heading,
            # GB/T 9704's customary order decides (（1） goes below 1.2.1, not above it).
            at = order.index(top) + 1 if top else 0
            while at < len(order) and _CUSTOMARY[order[at]] < _CUSTOMARY[found.kind]:
                at += 1
            order.insert(at, found.kind)
        level_rank = rank(found.kind)
        while stack and rank(stack[-1].kind) >= level_rank:
            _finish(stack.pop())
        node = Node(marker=found.marker, level=len(stack) + 1, heading="", text="")
        numbers = stack[-1].last_child_number if stack else root_numbers
        expected = numbers.get(found.kind, 0) + 1
        # Numbers may also run on across sections: （十四） under 六、.
        running = seen_numbers.get(found.kind, 0) + 1
        if found.number not in (expected, running):
            node.flags.append(
                f"编号“{found.marker}”不连续（此处应为第{expected}项），请核对是否漏项或误识别。"
            )
        numbers[found.kind] = found.number
        seen_numbers[found.kind] = found.number
        (stack[-1].structural_children if stack else roots).append(node)
        stack.append(_Open(node, found.kind, [paragraph[found.end :].strip()]))
    while stack:
        _finish(stack.pop())

    _assign_paths(roots)
    outline = Outline(
        title=title, preamble=preamble, nodes=roots, flags=[], closing="\n".join(closing)
    )
    if not closing:
        _flag_truncation(outline, paragraphs[-1])
    return outline


# A table stands in the text as one line holding this and its number; control characters never
# reach this point (normalize_text drops them), so no document can contain it.
_TABLE_PLACE = "\x00表"


def _take_tables(lines: list[str]) -> tuple[list[str], dict[str, list[Node]]]:
    """Task tables out of the lines, each replaced by a placeholder paragraph.

    A table is a run of lines with tab-separated cells (as the readers give a Word table or a
    sheet) whose first rows name the columns, or a table flattened to one cell a line.
    """
    out: list[str] = []
    tables: dict[str, list[Node]] = {}
    i = 0
    while i < len(lines):
        grid: list[list[str]] | None = None
        end = i
        if CELL_SEPARATOR in lines[i]:
            while end < len(lines) and CELL_SEPARATOR in lines[end]:
                end += 1
            grid = [ln.split(CELL_SEPARATOR) for ln in lines[i:end]]
        elif lines[i].lstrip()[:1] in ("序", "编"):  # 序号 / 编号 heads a table's header
            if column_role(lines[i]) == "seq":
                flat = flattened_rows(lines, i)
                if flat is not None:
                    grid, end = flat
            elif column_role(lines[i].split(maxsplit=1)[0]) == "seq":
                spaced = spaced_rows(lines, i)
                if spaced is not None:
                    grid, end = spaced
        table = read_grid(grid) if grid else None
        if table is None:
            out.append(lines[i])
            i += 1
            continue
        place = f"{_TABLE_PLACE}{len(tables)}"
        tables[place] = _table_nodes(table)
        out.extend(["", place, ""])
        i = end
    return out, tables


def _row_node(row: TableRow, index: int) -> Node:
    task = row.cells.get("task", "")
    measures = row.cells.get("measures", "")
    body = measures or task
    if row.quarters:
        plan = "；".join(f"{head}：{text}" for head, text in row.quarters)
        body = f"{body.rstrip('。；;')}。{plan}。" if body else f"{plan}。"
    return Node(
        marker=row.seq or str(index + 1),
        level=1,
        heading=strip_edge_punct(task) if task else heading_of(measures),
        text=body + owner_annotation(row),
        role="row",
    )


def _group_node(text: str) -> Node:
    marker = match_heading_marker(text)
    if marker is None:
        return Node(marker="", level=1, heading=strip_edge_punct(text), text=text)
    heading = strip_edge_punct(text[marker.end :])
    return Node(marker=marker.marker, level=1, heading=heading, text=text)


def _table_nodes(table: Table) -> list[Node]:
    """A table's rows as nodes; rows under a category row, or sharing a category cell, become
    children of a node for that category (a category cell inside a category row nests)."""
    rows = [_row_node(row, i) for i, row in enumerate(table.rows)]

    def by_category(start: int, stop: int) -> list[Node]:
        nodes: list[Node] = []
        current: Node | None = None
        for row, node in zip(table.rows[start:stop], rows[start:stop], strict=True):
            if not row.category:
                nodes.append(node)
                current = None
                continue
            if current is None or current.text != row.category:
                current = _group_node(row.category)
                nodes.append(current)
            current.children.append(node)
        return nodes

    if not table.sections:
        return by_category(0, len(rows))
    nodes = by_category(0, table.sections[0][1])
    bounds = [at for _, at in table.sections[1:]] + [len(rows)]
    for (text, start), stop in zip(table.sections, bounds, strict=True):
        group = _group_node(text)
        group.children = by_category(start, stop)
        nodes.append(group)
    return nodes


def _table_of_contents(paragraphs: list[str], first_marked: int) -> tuple[int, int] | None:
    """The span of a table of contents (目录 and its entries) in front of the body: the body
    starts where the first entry comes again. None when there is no 目录 line before it."""
    heads = paragraphs[: first_marked + 1]
    at = next((i for i, p in enumerate(heads) if "".join(p.split()) == "目录"), None)
    if at is None or at + 1 >= len(paragraphs):
        return None
    first = "".join(paragraphs[at + 1].split())
    again = next(
        (i for i in range(at + 2, len(paragraphs)) if "".join(paragraphs[i].split()) == first),
        None,
    )
    return None if again is None else (at, again)


def _after_issuing_notice(paragraphs: list[str], first_marked: int, tables: dict) -> int:
    """Where the plan starts when a notice issues it: after the notice's signature date.

    The notice that hands a plan over (现将《…》印发给你们) may number its own requests
    (一、请各单位……); they belong to the wrapper, which ends with the issuer and the date,
    and the plan follows with its own title and its own 一、.
    """
    handed = next((i for i, p in enumerate(paragraphs[:40]) if _HANDS_OVER.search(p)), None)
    if handed is None:
        return first_marked
    dated = next(
        (i for i in range(handed + 1, len(paragraphs)) if _DATE_LINE.match(paragraphs[i].strip())),
        None,
    )
    if dated is None or dated < first_marked:
        return first_marked
    return next(
        (
            i
            for i in range(dated + 1, len(paragraphs))
            if paragraphs[i] in tables or match_heading_marker(paragraphs[i]) is not None
        ),
        first_marked,
    )


def _frame_body(paragraphs: list[str], tables: dict) -> tuple[list[str], list[str]]:
    """The outline's paragraphs without the closing of the main text and of each attachment.

    A list of attachments above the signature (附件：1．……清单 2．……表) names the attachments
    that follow; it is frame, not a part: an attachment with nothing but names before the next
    one is dropped to the closing.
    """
    starts = [i for i, p in enumerate(paragraphs) if match_annex(p) is not None]
    bounds = [0, *starts, len(paragraphs)]
    body: list[str] = []
    closing: list[str] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a == b:
            continue
        head = [paragraphs[a]] if a in starts else []
        kept, dropped = _split_closing(paragraphs[a + len(head) : b])
        if (
            head
            and b < len(paragraphs)
            and not any(p in tables or not _title_like(p, numbered=True) for p in kept)
        ):
            closing.extend(head + kept + dropped)
            continue
        body.extend(head + kept)
        closing.extend(dropped)
    return body, closing


def _fragment_enumeration(body: str) -> list[EnumMarker]:
    """A fragment of a speech (a page of a longer text, or text cut off) may hold one item of
    an enumeration, or start in its middle (四要……): taken when a marker opens a paragraph."""
    starts = [
        cand
        for candidates in _enum_candidates(body).values()
        for cand in candidates
        if cand.family != "order" and (cand.start == 0 or body[cand.start - 1] == "\n")
    ]
    if not starts:
        return []
    first = min(starts, key=lambda c: c.start)
    return _chain(_enum_candidates(body)[first.family], first)


def _outline_without_headings(title: str, paragraphs: list[str]) -> Outline:
    """No 一、 / （一） anywhere: a short notice may still enumerate 一是……二是…… at top level."""
    kept, dropped = _split_closing(paragraphs)
    body = "\n".join(kept)
    items = find_enumeration(body, lead_end=len(body)) if body else []
    if len(items) < 2:
        items = _fragment_enumeration(body)
    if not items:
        flags = [
            "未识别到任何层级标记（如“一、”“（一）”“1.”或“一是”），无法拆分任务。"
            "请确认文件是讲话或工作方案的正文，或在审核页手工添加任务。"
        ]
        return Outline(title=title, preamble="\n".join(paragraphs), nodes=[], flags=flags)
    holder = _Open(Node(marker="", level=0, heading="", text=""), "", [body])
    _finish(holder, items)
    outline = Outline(
        title=title,
        preamble=holder.node.text,
        nodes=holder.node.children,
        flags=[],
        closing="\n".join(dropped),
    )
    _assign_paths(outline.nodes)
    if not dropped:
        _flag_truncation(outline, paragraphs[-1])
    return outline


def _flag_truncation(outline: Outline, last_paragraph: str) -> None:
    tail = last_paragraph.rstrip()
    if not tail or tail[-1] not in "，,、：:；;（(《“":
        return
    last = list(outline.walk())[-1] if outline.nodes else None
    where = f"“{last.marker}{last.heading}”" if last else "末尾"
    message = f"文本在{where}处中断（结尾是“{tail[-1]}”），内容可能不完整，请核对原文件是否缺页。"
    outline.flags.append(message)
    if last is not None:
        last.flags.append(message)
        last.truncated = True
