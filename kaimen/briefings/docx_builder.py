"""The weekly dispatch briefing (调度通报) as a Word document in the official layout.

GB/T 9704-2012《党政机关公文格式》, the figures used here:

- 5.1 幅面: A4, 210 mm × 297 mm (GB/T 148).
- 5.2.1 页边与版心: 天头 (top margin) 37 mm ± 1 mm, 订口 (left margin) 28 mm ± 1 mm, 版心
  156 mm × 225 mm. Hence bottom = 297 − 37 − 225 = 35 mm and right = 210 − 28 − 156 = 26 mm.
- 5.2.2 字体和字号: unless stated otherwise, 3号仿宋 (16 pt); 7.3.1 标题 2号小标宋 (22 pt),
  centred; 7.3.3 正文 层次序数 "一、" 黑体, "(一)" 楷体, "1." and "(1)" 仿宋.
- 5.2.3 行数和字数: 22 lines a page, 28 characters a line.
- 7.3.5.2 不加盖印章的公文: the issuing office (发文机关署名) 右空二字 after the body, the date
  (成文日期) on the next line starting two characters to the right of the office's first
  character; 7.3.5.4: the date in Arabic numerals, year in full, no leading zeros.
- 7.5 页码: 4号半角宋体 Arabic numerals with a 一字线 on each side ("— 1 —"), the line 7 mm
  below the text block; odd pages 右空一字, even pages 左空一字 (i.e. at the outside edge).

The 22 lines are Word's line grid (``w:docGrid w:type="lines"``): the line pitch is the text
height ÷ 22, rounded down so that 22 lines really fit, and body paragraphs use the same exact
line spacing. The 28 characters come from squeezing each 三号 character by 0.25 pt
(``CHAR_SQUEEZE_TWIPS``), which Word and LibreOffice both honour.

The fonts named here (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体) are the ones the
standard's readers have on their office PCs; they are named, not embedded, and ``OfficialFonts``
can name others. East Asian text only takes a font from ``w:eastAsia`` in ``w:rFonts``, so every
run sets all four slots.

Built from a ``BriefingSnapshot`` only, so the same snapshot always gives the same briefing.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from kaimen.briefings import charts
from kaimen.briefings.snapshot import LIGHT_LABELS, BriefingSnapshot, IndicatorRow, RankingRow

# Page (GB/T 9704-2012 5.1, 5.2.1)
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
TOP_MM = 37  # 天头
LEFT_MM = 28  # 订口
TEXT_WIDTH_MM = 156  # 版心宽
TEXT_HEIGHT_MM = 225  # 版心高
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# Sizes (号 → pt)
SIZE_2 = Pt(22)  # 二号: title
SIZE_3 = Pt(16)  # 三号: body and headings
SIZE_4 = Pt(14)  # 四号: page numbers, captions
SIZE_5 = Pt(10.5)  # 五号: table text (a table of 7 columns does not fit 156 mm in 三号)

PAGE_NUMBER_GAP_MM = 7  # 7.5: the 一字线 is 7 mm below the text block
EM_DASH = "\u2014"  # 一字线


def _twips(mm: float) -> int:
    # Word stores page geometry in whole twips; compute the grid from what it will store.
    return int(Mm(mm).twips)


TEXT_HEIGHT_TWIPS = _twips(PAGE_HEIGHT_MM) - _twips(TOP_MM) - _twips(BOTTOM_MM)
TEXT_WIDTH_TWIPS = _twips(PAGE_WIDTH_MM) - _twips(LEFT_MM) - _twips(RIGHT_MM)
# Rounded down, or the 22nd line would not fit: 12756 twips ÷ 22 → 579 twips (28.95 pt, the
# "固定值28.95磅" of the usual Word setting).
LINE_PITCH_TWIPS = TEXT_HEIGHT_TWIPS // LINES_PER_PAGE
BODY_CHAR_TWIPS = int(SIZE_3.pt * 20)  # one body character, for indents in twips
# 28 三号 characters (16 pt each) are 448 pt, 5.8 pt more than the 156 mm (8845 twips) text
# width: each body character is drawn 5 twips (0.25 pt) narrower (w:spacing on the run), so 28
# fit a line and a 29th does not, in Word and in LibreOffice alike. (A character grid would do the same in Word,
# but LibreOffice gives each 16 pt character two 15.8 pt grid cells: a page of spaced-out text.)
CHAR_SQUEEZE_TWIPS = math.floor(TEXT_WIDTH_TWIPS / CHARS_PER_LINE - BODY_CHAR_TWIPS)

RED = "FF0000"  # 7.2.2 / 7.2.4: the 发文机关标志 and the separator are red
MASTHEAD_MAX = Pt(42)  # 初号: about 15 mm a character, the standard's widest
SEPARATOR_EIGHTHS = 12  # the red rule, in eighths of a point (1.5 pt)
DRAFT_NUMBER = "（草稿，签发时编号）"

LIGHT_COLOURS = {"green": "00B050", "yellow": "FFC000", "red": "FF0000"}
LIGHT_DOT = "●"

# Element order inside w:pPr and w:rPr (ECMA-376): Word refuses a file whose children are out
# of order, so additions go before the first successor present.
# fmt: off
_PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)
# fmt: on


@dataclass(frozen=True)
class OfficialFonts:
    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page_number: str = "宋体"
    latin: str | None = None  # digits and Latin letters; None: the same font as the Chinese


def _set_child(parent: Any, tag: str, order: Sequence[str]) -> Any:
    """The ``tag`` child of ``parent``, created in schema order when absent."""
    existing = parent.find(qn(tag))
    if existing is not None:
        return existing
    element = OxmlElement(tag)
    successors = order[order.index(tag) + 1 :]
    for child in parent:
        if child.tag in {qn(s) for s in successors}:
            child.addprevious(element)
            return element
    parent.append(element)
    return element


def _set_rfonts(rpr: Any, family: str, latin: str | None) -> None:
    fonts = _set_child(rpr, "w:rFonts", _RPR_ORDER)
    for slot, name in (
        ("w:ascii", latin or family),
        ("w:hAnsi", latin or family),
        ("w:eastAsia", family),
        ("w:cs", latin or family),
    ):
        fonts.set(qn(slot), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _style_run(
    run: Run,
    family: str,
    size: Pt,
    *,
    latin: str | None = None,
    bold: bool = False,
    colour: str | None = None,
) -> Run:
    run.font.size = size
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    rpr = run._element.get_or_add_rPr()
    _set_rfonts(rpr, family, latin)
    sz_cs = _set_child(rpr, "w:szCs", _RPR_ORDER)
    sz_cs.set(qn("w:val"), str(int(size.pt * 2)))
    if size == SIZE_3:
        spacing = _set_child(rpr, "w:spacing", _RPR_ORDER)
        spacing.set(qn("w:val"), str(CHAR_SQUEEZE_TWIPS))
    return run


def _snap_off(paragraph: Paragraph) -> None:
    # Pictures and table text must not be forced onto the 28.95 pt grid (a chart would be
    # clipped to one line's height).
    snap = _set_child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", _PPR_ORDER)
    snap.set(qn("w:val"), "0")


def _indent_chars(
    paragraph: Paragraph, *, first: int = 0, left: float = 0, right: float = 0
) -> None:
    """Indents in characters (w:*Chars, hundredths of a grid character) with twip fallbacks."""
    ind = _set_child(paragraph._p.get_or_add_pPr(), "w:ind", _PPR_ORDER)
    if first:
        ind.set(qn("w:firstLineChars"), str(first * 100))
        ind.set(qn("w:firstLine"), str(first * BODY_CHAR_TWIPS))
    if left:
        ind.set(qn("w:leftChars"), str(round(left * 100)))
        ind.set(qn("w:left"), str(round(left * BODY_CHAR_TWIPS)))
    if right:
        ind.set(qn("w:rightChars"), str(round(right * 100)))
        ind.set(qn("w:right"), str(round(right * BODY_CHAR_TWIPS)))


def _char_width(text: str) -> float:
    """Width in full-width characters: a half-width digit is half a character."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def masthead_size(name: str) -> Pt:
    """The masthead's size: 初号 at most, smaller when the name would not fit the text width."""
    fits = Mm(TEXT_WIDTH_MM).pt / max(_char_width(name), 1)
    return Pt(min(MASTHEAD_MAX.pt, math.floor(fits)))


def _red_rule(paragraph: Paragraph) -> None:
    """A red line across the text width under ``paragraph`` (the 版头's 分隔线)."""
    bdr = _set_child(paragraph._p.get_or_add_pPr(), "w:pBdr", _PPR_ORDER)
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(SEPARATOR_EIGHTHS))
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), RED)
    bdr.append(bottom)


_CJK_COMMA = re.compile(r"(?<=[\u3400-\u9fff])\s*,\s*(?=[\u3400-\u9fff])")


def as_written(title: str) -> str:
    """A task's title in the briefing's punctuation: a half-width comma between Chinese
    characters (left by the speech's text layer) becomes "，"."""
    return _CJK_COMMA.sub("，", title.strip())


def format_date(d: date) -> str:
    """GB/T 9704-2012 7.3.5.4: "2025年3月3日", no leading zeros."""
    return f"{d.year}年{d.month}月{d.day}日"


def _num(value: Decimal | None, suffix: str = "") -> str:
    if value is None:
        return "—"
    text = format(value, "f")
    return f"{text}{suffix}"


_CN_NUMERALS = "一二三四五六七八九十"


def cn_numeral(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 (enough for sections and sub-sections)."""
    if n <= 10:
        return _CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (
        ("" if tens == 1 else _CN_NUMERALS[tens - 1])
        + "十"
        + (_CN_NUMERALS[ones - 1] if ones else "")
    )


class _Builder:
    def __init__(self, snapshot: BriefingSnapshot, fonts: OfficialFonts, include_charts: bool):
        self.s = snapshot
        self.fonts = fonts
        self.include_charts = include_charts
        self.doc: DocxDocument = Document()
        self.tables = 0
        self.figures = 0
        self.chart_problem = ""  # why a chart could not be drawn, when one could not

    # -- page and defaults -------------------------------------------------------------------

    def setup(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(TOP_MM)
        section.bottom_margin = Mm(BOTTOM_MM)
        section.left_margin = Mm(LEFT_MM)
        section.right_margin = Mm(RIGHT_MM)
        section.gutter = Mm(0)
        section.header_distance = Mm(15)
        # The number line sits 7 mm under the text block; Word measures the footer distance from
        # the page's bottom edge to the bottom of the footer line (one 四号 line, exact).
        section.footer_distance = Twips(
            _twips(BOTTOM_MM - PAGE_NUMBER_GAP_MM) - int(SIZE_4.pt * 20)
        )
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))

        # The template's defaults name theme fonts (w:eastAsiaTheme …), which Word prefers to
        # explicit names and would leak into every style; replace them, and mark the text as
        # Chinese so Word picks Chinese line-breaking and punctuation rules.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        old_fonts = default_rpr.find(qn("w:rFonts"))
        if old_fonts is not None:
            default_rpr.remove(old_fonts)
        normal = self.doc.styles["Normal"]
        normal.font.size = SIZE_3
        for rpr in (default_rpr, normal.element.get_or_add_rPr()):
            _set_rfonts(rpr, self.fonts.body, self.fonts.latin)
            lang = _set_child(rpr, "w:lang", _RPR_ORDER)
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(LINE_PITCH_TWIPS)
        pf.widow_control = False  # a 公文 page is filled to its 22 lines

        props = self.doc.core_properties
        props.title = self.s.title
        props.author = self.s.issuer
        props.last_modified_by = self.s.issuer
        props.subject = f"{self.s.campaign} {self.s.period}"
        props.language = "zh-CN"
        stamp = datetime.combine(self.s.issue_date, time(8, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
        props.created = stamp
        props.modified = stamp
        props.revision = 1
        # python-docx's template carries a thumbnail of its own sample page; file browsers
        # would show it as the briefing's preview.
        package_rels = self.doc.part.package.rels
        for r_id, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package_rels[r_id]

    def page_numbers(self) -> None:
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            for run in list(p.runs):
                run._element.getparent().remove(run._element)
            pf = p.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = SIZE_4
            pf.space_before = Pt(0)
            pf.space_after = Pt(0)
            pf.first_line_indent = Pt(0)
            _snap_off(p)
            # 单页码居右空一字，双页码居左空一字 (one 四号 character)
            if odd:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                pf.right_indent = SIZE_4
            else:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                pf.left_indent = SIZE_4
            self._page_field(p)

    def _page_field(self, p: Paragraph) -> None:
        family = self.fonts.page_number

        def run(text: str = "") -> Run:
            return _style_run(p.add_run(text), family, SIZE_4, latin=family)

        run(f"{EM_DASH} ")
        begin = run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), "begin")
        begin._element.append(fld)
        instr_run = run()
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = " PAGE "
        instr_run._element.append(instr)
        sep = run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), "separate")
        sep._element.append(fld)
        run("1")
        end = run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), "end")
        end._element.append(fld)
        run(f" {EM_DASH}")

    # -- paragraphs --------------------------------------------------------------------------

    def _paragraph(self) -> Paragraph:
        p = self.doc.add_paragraph()
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(LINE_PITCH_TWIPS)
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        return p

    def masthead(self) -> None:
        """版头 (GB/T 9704-2012 7.2): the publication's name in red 小标宋, the issue number
        (期号) under it, the 编发单位 and the date on one line, and the red separator under them.
        A draft has no number yet: the line says it is numbered when issued."""
        name = self.s.masthead or "调度通报"
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = masthead_size(name)
        p.paragraph_format.line_spacing = Pt(size.pt * 1.25)
        _snap_off(p)
        _style_run(p.add_run(name), self.fonts.title, size, latin=self.fonts.latin, colour=RED)
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number = self.s.number or DRAFT_NUMBER
        _style_run(p.add_run(number), self.fonts.body, SIZE_3, latin=self.fonts.latin)
        p = self._paragraph()
        _snap_off(p)
        p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        _style_run(
            p.add_run(f"{self.s.issuer}编\t{format_date(self.s.issue_date)}"),
            self.fonts.body,
            SIZE_3,
            latin=self.fonts.latin,
        )
        _red_rule(p)
        self.blank()

    def title(self) -> None:
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(SIZE_2.pt * 1.5)
        _snap_off(p)
        _style_run(p.add_run(self.s.title), self.fonts.title, SIZE_2, latin=self.fonts.latin)
        self.blank()

    def blank(self) -> None:
        self._paragraph()

    def body(self, text: str, *, indent: bool = True) -> Paragraph:
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            _indent_chars(p, first=2)  # 每个自然段左空二字
        _style_run(p.add_run(text), self.fonts.body, SIZE_3, latin=self.fonts.latin)
        return p

    def heading(self, level: int, marker: str, text: str) -> Paragraph:
        """一、 in 黑体, (一) in 楷体, 1. and (1) in 仿宋 — each 左空二字 like a paragraph."""
        family = {1: self.fonts.heading1, 2: self.fonts.heading2}.get(level, self.fonts.body)
        p = self._paragraph()
        p.paragraph_format.keep_with_next = True
        _indent_chars(p, first=2)
        _style_run(p.add_run(f"{marker}{text}"), family, SIZE_3, latin=self.fonts.latin)
        return p

    def item(self, marker: str, lead: str, text: str) -> Paragraph:
        """A numbered item whose lead words are in the level's font and the rest in the body's."""
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _indent_chars(p, first=2)
        _style_run(p.add_run(f"{marker}{lead}"), self.fonts.body, SIZE_3, latin=self.fonts.latin)
        _style_run(p.add_run(text), self.fonts.body, SIZE_3, latin=self.fonts.latin)
        return p

    def caption(self, text: str) -> None:
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        _style_run(p.add_run(text), self.fonts.heading1, SIZE_4, latin=self.fonts.latin)

    # -- tables and pictures -----------------------------------------------------------------

    def table(
        self,
        caption: str,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths_mm: Sequence[float],
    ) -> Table:
        """A captioned table across the 156 mm text width (``widths_mm`` sums to it)."""
        self.tables += 1
        self.caption(f"表{self.tables}　{caption}")
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)  # Word reads the cells' widths, LibreOffice the grid's
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # repeat the header row on each page
        tr_pr.append(repeat)
        for i, name in enumerate(header):
            self._cell(table.cell(0, i), name, header=True)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                self._cell(table.cell(r, c), value)
        return table

    def _cell(self, cell: _Cell, value: object, *, header: bool = False) -> None:
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        _snap_off(p)
        family = self.fonts.heading1 if header else self.fonts.body
        if isinstance(value, _Light):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if value.light in LIGHT_COLOURS:
                _style_run(
                    p.add_run(LIGHT_DOT),
                    self.fonts.body,
                    SIZE_5,
                    latin=self.fonts.latin,
                    colour=LIGHT_COLOURS[value.light],
                )
            _style_run(
                p.add_run(LIGHT_LABELS.get(value.light or "", "未亮灯")),
                family,
                SIZE_5,
                latin=self.fonts.latin,
            )
            return
        text = str(value)
        p.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER if header or len(text) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
        )
        _style_run(p.add_run(text), family, SIZE_5, latin=self.fonts.latin)

    def picture(self, png: bytes, caption: str) -> None:
        self.figures += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _snap_off(p)
        p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
        self.caption(f"图{self.figures}　{caption}")

    # -- sections ----------------------------------------------------------------------------

    def build(self) -> DocxDocument:
        self.setup()
        self.page_numbers()
        self.masthead()
        self.title()
        if self.s.addressee:
            self.body(self.s.addressee, indent=False)
        self.body(
            f"现将{_work(self.s.campaign)}{self.s.as_of or self.s.period}的推进情况通报如下。"
        )
        sections = (
            ("总体情况", self.overview, True),
            ("主要指标", self.indicators, True),
            ("图表", self.charts, self._has_charts()),
            ("排名与红黑榜", self.rankings, bool(self.s.rankings or self.s.honour_roll)),
            ("逾期任务与督办", self.overdue, True),
            (f"{self.s.nowcast_quarter}预测", self.nowcast, bool(self.s.nowcast)),
        )
        # a heading only where content follows it
        n = 0
        for name, fill, present in sections:
            if not present:
                continue
            n += 1
            self.heading(1, f"{cn_numeral(n)}、", name)
            fill()
        self.signature()
        return self.doc

    def _has_charts(self) -> bool:
        if not self.include_charts:
            return False
        groups = self.s.peer_groups()
        ranked = any(r.total is not None for r in self.s.rankings)
        return bool(self.s.charts or (groups and ranked))

    def overview(self) -> None:
        o = self.s.overview
        for text in o.paragraphs:
            self.body(text)
        lights = o.green + o.yellow + o.red + o.no_light
        self.body(
            f"本期监测指标{lights}项，其中绿灯{o.green}项、黄灯{o.yellow}项、红灯{o.red}项"
            f"{f'、尚未亮灯{o.no_light}项' if o.no_light else ''}；台账任务{o.tasks_total}项，"
            f"已完成{o.tasks_done}项，逾期未完成{o.tasks_overdue}项。"
        )

    def indicators(self) -> None:
        rows = self.s.indicators
        if not rows:
            self.body("本期没有纳入监测的指标。")
            return
        self.table(
            "主要指标完成情况",
            # the percent sign in the header, as statistical tables have it: a column of
            # 16–19 mm then holds "-10.50" on one line
            (
                "指标（单位）",
                "累计",
                "完成率（%）",
                "应完成（%）",
                "累计增速（%）",
                "亮灯",
                "情况说明",
            ),
            [
                (
                    f"{r.name}（{r.measure}）",
                    _num(r.actual),
                    _num(r.completion_pct),
                    _num(r.expected_pct),
                    _num(r.growth_pct),
                    _Light(r.light),
                    r.explanation,
                )
                for r in rows
            ],
            (28, 19, 17, 17, 17, 16, 42),
        )
        noted = [r for r in rows if r.unit_notes]
        if noted:
            self.heading(2, "（一）", "有关单位的情况说明")
            for i, r in enumerate(noted, start=1):
                self._indicator_notes(i, r)

    def _indicator_notes(self, i: int, r: IndicatorRow) -> None:
        self.heading(3, f"{i}.", f"{r.name}（{r.light_label}）")
        for j, note in enumerate(r.unit_notes, start=1):
            self.item(f"（{j}）", f"{note.unit}：", note.text)

    def charts(self) -> None:
        """Each chart, or, when one cannot be drawn (no Chinese font), a sentence saying so:
        a briefing never silently loses its charts (``chart_problem`` tells the caller too)."""
        wanted: list[tuple[str, Any]] = [
            (
                f"{series.indicator}：实际、计划与上年同期",
                lambda s=series: charts.indicator_chart(s),
            )
            for series in self.s.charts
        ]
        for group in self.s.peer_groups():
            rows = [r for r in self.s.rankings if r.peer_group == group]
            if any(r.total is not None for r in rows):
                title = f"{group}组得分排名"
                wanted.append(
                    (title, lambda rows=rows, t=title: charts.ranking_chart(rows, title=t))
                )
        missed = 0
        for caption, draw in wanted:
            try:
                png = draw()
            except charts.CjkFontMissing as exc:
                self.chart_problem = self.chart_problem or exc.message
                missed += 1
                continue
            self.picture(png, caption)
        if missed:
            self.body(f"本期有{missed}幅图表未能绘制：{self.chart_problem}")

    def rankings(self) -> None:
        groups = self.s.peer_groups()
        n = 0
        for group in groups:
            n += 1
            self.heading(2, f"（{cn_numeral(n)}）", f"{group}排名")
            rows = [r for r in self.s.rankings if r.peer_group == group]
            self.table(
                f"{group}得分与排名",
                _RANKING_HEADER,
                [_ranking_cells(r) for r in rows],
                (14, 32, 16, 16, 16, 16, 16, 30),
            )
        n += 1
        self.heading(2, f"（{cn_numeral(n)}）", "红黑榜")
        for i, (board, name) in enumerate((("red", "红榜"), ("black", "黑榜")), start=1):
            entries = [e for e in self.s.honour_roll if e.board == board]
            self.heading(3, f"{i}.", name)
            if not entries:
                self.body(f"本期{name}暂无单位。")
            for j, e in enumerate(entries, start=1):
                self.item(f"（{j}）", f"{e.unit}（{e.peer_group}）：", e.reason)

    def overdue(self) -> None:
        tasks = self.s.overdue_tasks
        if not tasks:
            self.body("截至本期，台账任务均在完成时限内推进，无逾期任务。")
            return
        self.body(f"截至本期，逾期未完成的任务共{len(tasks)}项，督办情况如下。")
        self.table(
            "逾期任务与督办情况",
            ("序号", "任务", "牵头单位", "完成时限", "逾期（工作日）", "督办情况"),
            [
                (
                    i,
                    as_written(t.title),
                    t.lead_unit,
                    format_date(t.deadline),
                    t.overdue_workdays,
                    as_written(t.supervision)
                    + (f"；拟：{t.proposed_step}（待确认）" if t.proposed_step else ""),
                )
                for i, t in enumerate(tasks, start=1)
            ],
            (10, 50, 24, 24, 14, 34),
        )

    def nowcast(self) -> None:
        rows = self.s.nowcast
        q = self.s.nowcast_quarter
        if not rows:
            self.body(f"本期数据尚不足以预测{q}走势。")
            return
        when = "年末" if q == "全年" else f"{q}末"
        self.body(
            f"按往年同期的季节规律，由截至目前的累计数推算{when}各指标的可能结果如下，"
            "区间为约80%的把握范围，仅供研判，不作为考核依据。"
        )
        self.table(
            f"{when}预测",
            ("指标（单位）", "截至", "累计", f"{when}预测", "约80%区间", "目标", "完成目标概率"),
            [
                (
                    f"{r.indicator}（{r.measure}）",
                    r.period,
                    _num(r.actual_to_date),
                    _num(r.projection),
                    f"{_num(r.low)}～{_num(r.high)}" if r.low is not None else "历史数据不足",
                    _num(r.target),
                    _num(r.probability_pct, "%"),
                )
                for r in rows
            ],
            (34, 14, 18, 22, 28, 18, 22),
        )
        # One note per distinct sentence: the interval's method is the same for most
        # indicators and is said once, naming the indicators only when it differs.
        notes: dict[str, list[str]] = {}
        for r in rows:
            if r.note:
                notes.setdefault(r.note, []).append(r.indicator)
        for note, names in notes.items():
            if len(notes) == 1 and len(names) == len(rows):
                self.body(f"注：{note}")
            else:
                self.body(f"注：{'、'.join(names)}，{note}")

    def signature(self) -> None:
        """7.3.5.2: the office 右空二字; the date below, starting two characters further right."""
        self.blank()
        issuer = self.s.issuer
        when = format_date(self.s.issue_date)
        sig_w, date_w = _char_width(issuer), _char_width(when)
        date_right = sig_w - date_w
        sig_right = 2.0
        if date_right < 2:
            date_right = 2.0
            sig_right = date_w + 4 - sig_w
        for text, right in ((issuer, sig_right), (when, date_right)):
            p = self._paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _indent_chars(p, right=right)
            _style_run(p.add_run(text), self.fonts.body, SIZE_3, latin=self.fonts.latin)


def _work(campaign: str) -> str:
    return campaign if campaign.endswith("工作") else f"{campaign}工作"


@dataclass(frozen=True)
class _Light:
    light: str | None


_RANKING_HEADER = ("名次", "单位", "总分", "比速度", "比质量", "比创新", "较上期", "备注")


def _ranking_cells(r: RankingRow) -> tuple[object, ...]:
    return (
        r.rank_label,
        r.unit,
        _num(r.total),
        _num(r.speed),
        _num(r.quality),
        _num(r.innovation),
        r.movement_label,
        r.note,
    )


@dataclass(frozen=True)
class RenderedDocx:
    data: bytes
    chart_problem: str = ""  # why charts are missing from the document ("" when none are)


def render_briefing_docx(
    snapshot: BriefingSnapshot,
    *,
    fonts: OfficialFonts | None = None,
    include_charts: bool = True,
) -> RenderedDocx:
    """The docx bytes and, when a chart could not be drawn, why (the page says it too)."""
    builder = _Builder(snapshot, fonts or OfficialFonts(), include_charts)
    buf = io.BytesIO()
    builder.build().save(buf)
    return RenderedDocx(buf.getvalue(), builder.chart_problem)


def build_briefing_document(
    snapshot: BriefingSnapshot,
    *,
    fonts: OfficialFonts | None = None,
    include_charts: bool = True,
) -> DocxDocument:
    """The python-docx Document of the briefing; a chart that cannot be drawn with Chinese
    labels is left out and the document says so (``include_charts=False``: no charts)."""
    return _Builder(snapshot, fonts or OfficialFonts(), include_charts).build()


def build_briefing_docx(
    snapshot: BriefingSnapshot,
    *,
    fonts: OfficialFonts | None = None,
    include_charts: bool = True,
) -> bytes:
    return render_briefing_docx(snapshot, fonts=fonts, include_charts=include_charts).data


def write_briefing_docx(
    snapshot: BriefingSnapshot,
    path: str | Path,
    *,
    fonts: OfficialFonts | None = None,
    include_charts: bool = True,
) -> Path:
    target = Path(path)
    target.write_bytes(build_briefing_docx(snapshot, fonts=fonts, include_charts=include_charts))
    return target
