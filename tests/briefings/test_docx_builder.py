"""The briefing docx, read back with python-docx: sections, tables, charts, GB/T 9704 layout.

The xlsx appendix is checked here too: both documents come from the same snapshot.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import replace
from decimal import Decimal

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from openpyxl import load_workbook

from kaimen.briefings import charts
from kaimen.briefings.charts import cjk_font_available
from kaimen.briefings.docx_builder import (
    CHAR_SQUEEZE_TWIPS,
    LINE_PITCH_TWIPS,
    build_briefing_docx,
    cn_numeral,
    format_date,
    render_briefing_docx,
)
from kaimen.briefings.snapshot import BriefingSnapshot, UnitNote
from kaimen.briefings.xlsx_builder import build_briefing_xlsx
from tests.briefings.test_snapshot import sample_snapshot

SECTIONS = (
    "一、总体情况",
    "二、主要指标",
    "三、图表",
    "四、排名与红黑榜",
    "五、逾期任务与督办",
    "六、一季度预测",
)


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    if not cjk_font_available():
        how = "apt install fonts-noto-cjk"
        if os.environ.get("KAIMEN_REQUIRE_FULL") == "1":
            pytest.fail(f"a CJK font is required in CI but missing: {how}")
        pytest.skip(f"no CJK font for the charts ({how})")
    return build_briefing_docx(sample_snapshot())


@pytest.fixture(scope="module")
def document(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


def paragraph(document, text: str):
    for p in document.paragraphs:
        if p.text == text:
            return p
    raise AssertionError(f"no paragraph {text!r}")


def fonts_of(run) -> dict[str, str]:
    rfonts = run._element.rPr.find(qn("w:rFonts"))
    return {k: rfonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")}


def test_every_section_is_there_in_order(document):
    texts = [p.text for p in document.paragraphs]
    positions = [texts.index(s) for s in SECTIONS]
    assert positions == sorted(positions)


def test_the_text_is_chinese(document):
    text = "".join(p.text for p in document.paragraphs)
    text += "".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    letters = [ch for ch in text if ch.isalpha()]  # digits and punctuation aside
    latin = [ch for ch in letters if ch.isascii()]
    assert len(letters) > 1000
    assert latin == []


def test_tables_hold_indicators_rankings_tasks_and_the_nowcast(document):
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert headers[0][:2] == ["指标（单位）", "累计"]
    assert headers[0][-2:] == ["亮灯", "情况说明"]
    assert (
        headers.count(["名次", "单位", "总分", "比速度", "比质量", "比创新", "较上期", "备注"]) == 2
    )
    assert ["序号", "任务", "牵头单位", "完成时限", "逾期（工作日）", "督办情况"] in headers
    assert headers[-1][3] == "一季度末预测"
    indicators = document.tables[0]
    assert len(indicators.rows) == 1 + len(sample_snapshot().indicators)
    towns = document.tables[1]
    assert [c.text for c in towns.rows[2].cells][:3] == ["并列2", "南湖镇", "85.50"]


def test_lights_are_a_coloured_dot_and_a_word(document):
    table = document.tables[0]
    retail = next(r for r in table.rows if r.cells[0].text.startswith("社会消费品零售总额"))
    light = retail.cells[5].paragraphs[0]
    assert light.text == "●红灯"
    assert str(light.runs[0].font.color.rgb) == "FF0000"
    unlit = table.rows[1].cells[5].text
    assert unlit == "未亮灯"


def test_the_units_explanations_follow_the_table(document):
    paragraph(document, "（一）有关单位的情况说明")
    p = next(p for p in document.paragraphs if p.text.startswith("（1）区商务局："))
    assert "春节错月" in p.text


def test_charts_are_inline_png_images(document):
    shapes = document.inline_shapes
    assert len(shapes) == 4  # two indicators, two peer groups' rankings
    for shape in shapes:
        r_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blob = document.part.related_parts[r_id].blob
        assert blob.startswith(b"\x89PNG")
        assert shape.width <= document.sections[0].page_width - document.sections[0].left_margin
    paragraph(document, "图1\u3000规上工业增加值：实际、计划与上年同期")
    paragraph(document, "图3\u3000镇街组得分排名")


def test_a_picture_paragraph_is_not_clipped_by_the_line_grid(document):
    p = next(p for p in document.paragraphs if p._p.findall(".//" + qn("w:drawing")))
    assert p.paragraph_format.line_spacing_rule != WD_LINE_SPACING.EXACTLY
    assert p._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"


def test_page_setup_follows_gb_t_9704(document):
    section = document.sections[0]
    for length, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(length.mm - mm) < 0.05


def test_the_grid_gives_22_lines_of_28_characters(document):
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    # a line grid only: LibreOffice would give each 16 pt character two cells of a char grid
    assert grid.get(qn("w:type")) == "lines"
    line_pitch = int(grid.get(qn("w:linePitch")))
    assert line_pitch == LINE_PITCH_TWIPS == 579
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    assert 22 * line_pitch <= height < 23 * line_pitch
    # each body character is squeezed so that 28 fit a line and 29 do not
    run = paragraph(document, "四个招商专班本周新增签约项目3个，协议投资额12.6亿元。").runs[0]
    squeeze = int(run._element.rPr.find(qn("w:spacing")).get(qn("w:val")))
    assert squeeze == CHAR_SQUEEZE_TWIPS == -5
    char_pitch = 16 * 20 + squeeze  # twips
    assert 28 * char_pitch <= width < 29 * char_pitch


def test_the_masthead_is_red_with_the_issue_number_the_issuer_the_date_and_a_red_rule(document):
    masthead, number, issuer_line = document.paragraphs[:3]
    assert masthead.text == "开门红工作调度通报"
    assert masthead.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = masthead.runs[0]
    assert str(run.font.color.rgb) == "FF0000"
    assert fonts_of(run)["eastAsia"] == "方正小标宋简体"
    # 初号 at most (about 15 mm a character), and the name fits the 156 mm text width
    assert Pt(22) < run.font.size <= Pt(42)
    assert run.font.size.pt * 9 <= Mm(156).pt
    assert number.text == "第5期"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert issuer_line.text == "区开门红工作调度办公室编\t2025年3月10日"
    rule = issuer_line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:val")) == "single"
    assert rule.get(qn("w:color")) == "FF0000"


def test_the_title_under_the_masthead_is_xiaobiaosong_size_2_centred_in_black(document):
    title = paragraph(document, "关于2025年一季度开门红工作推进情况的通报")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert run.font.size == Pt(22)
    assert fonts_of(run)["eastAsia"] == "方正小标宋简体"
    assert run.font.color.rgb is None


def test_a_draft_carries_no_issue_number():
    draft = replace(sample_snapshot(), number="")
    document = docx.Document(io.BytesIO(build_briefing_docx(draft, include_charts=False)))
    assert document.paragraphs[1].text == "（草稿，签发时编号）"
    assert not any("第" in p.text and "期" in p.text for p in document.paragraphs[:3])


def test_the_period_is_written_as_offices_write_it(document):
    intro = next(p.text for p in document.paragraphs if p.text.startswith("现将"))
    assert intro == "现将2025年一季度开门红工作截至3月9日的推进情况通报如下。"


def test_the_forecast_note_is_said_once_when_every_indicator_shares_it():
    s = sample_snapshot()
    same = tuple(replace(r, note="区间由8个历史年份的留一年预测误差得出。") for r in s.nowcast)
    assert len(same) >= 2
    document = docx.Document(
        io.BytesIO(build_briefing_docx(replace(s, nowcast=same), include_charts=False))
    )
    notes = [p.text for p in document.paragraphs if "留一年预测误差" in p.text]
    assert notes == ["注：区间由8个历史年份的留一年预测误差得出。"]


def test_different_forecast_notes_name_their_indicators(document):
    notes = [p.text for p in document.paragraphs if p.text.startswith("注：")]
    assert notes == [
        "注：规上工业增加值，按近5年同期季节规律推算。",
        "注：社会消费品零售总额，历史数据不足3年，不给出区间和概率。",
    ]


def test_the_overdue_table_names_tasks_by_their_title_as_written():
    s = sample_snapshot()
    late = replace(s.overdue_tasks[0], task="二/(一)/二是", title="释放消费潜能,大力发展首发经济")
    document = docx.Document(
        io.BytesIO(build_briefing_docx(replace(s, overdue_tasks=(late,)), include_charts=False))
    )
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "任务")
    assert table.rows[1].cells[1].text == "释放消费潜能，大力发展首发经济"


def test_the_body_is_fangsong_size_3_on_exact_lines_indented_two_characters(document):
    p = paragraph(document, "四个招商专班本周新增签约项目3个，协议投资额12.6亿元。")
    run = p.runs[0]
    assert run.font.size == Pt(16)
    assert fonts_of(run) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "仿宋_GB2312")
    assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert p.paragraph_format.line_spacing == Twips(579)
    assert p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_the_defaults_name_the_body_font_and_chinese(docx_bytes):
    styles = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/styles.xml").decode()
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="仿宋_GB2312"' in defaults
    assert "eastAsiaTheme" not in defaults
    assert 'w:eastAsia="zh-CN"' in defaults


def test_heading_levels_use_heiti_kaiti_and_fangsong(document):
    h1 = paragraph(document, "二、主要指标")
    h2 = paragraph(document, "（三）红黑榜")
    h3 = paragraph(document, "1.红榜")
    h4 = next(p for p in document.paragraphs if p.text.startswith("（1）东城街道（镇街）"))
    assert fonts_of(h1.runs[0])["eastAsia"] == "黑体"
    assert fonts_of(h2.runs[0])["eastAsia"] == "楷体_GB2312"
    assert fonts_of(h3.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert fonts_of(h4.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert all(p.runs[0].font.size == Pt(16) for p in (h1, h2, h3, h4))


def test_page_numbers_are_dashed_songti_size_4_at_the_outside_edge(document, docx_bytes):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    for p in (odd, even):
        assert p.text == "— 1 —"
        assert " PAGE " in [e.text for e in p._p.iter(qn("w:instrText"))]
        for run in p.runs:
            assert run.font.size == Pt(14)
            assert fonts_of(run)["eastAsia"] == "宋体"
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert odd.paragraph_format.right_indent == Pt(14)
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert even.paragraph_format.left_indent == Pt(14)


def test_the_issuing_office_and_date_close_the_document(document):
    signature, when = document.paragraphs[-2:]
    assert signature.text == "区开门红工作调度办公室"
    assert when.text == "2025年3月10日"
    for p in (signature, when):
        assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 右空二字 for the office; the date starts two characters right of the office's start:
    # the office is 11 characters, the date 6.5 (digits are half-width) → 11 + 2 − 6.5 − 2 = 4.5
    assert signature._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "200"
    assert when._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "450"


def test_the_same_snapshot_rebuilds_the_same_document(docx_bytes):
    stored = sample_snapshot().to_json()
    again = build_briefing_docx(BriefingSnapshot.from_json(stored))

    def body(data: bytes) -> bytes:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")

    assert body(again) == body(docx_bytes)


def test_without_a_cjk_font_the_page_says_the_charts_could_not_be_drawn(monkeypatch):
    monkeypatch.setattr(charts, "_installed_families", set)
    rendered = render_briefing_docx(sample_snapshot())
    assert "中文字体" in rendered.chart_problem
    document = docx.Document(io.BytesIO(rendered.data))
    assert len(document.inline_shapes) == 0
    texts = [p.text for p in document.paragraphs]
    following = texts[texts.index("三、图表") + 1]
    assert following.startswith("本期有4幅图表未能绘制：没有找到中文字体")


def test_a_briefing_built_without_charts_has_no_chart_heading():
    document = docx.Document(
        io.BytesIO(build_briefing_docx(sample_snapshot(), include_charts=False))
    )
    assert len(document.inline_shapes) == 0
    texts = [p.text for p in document.paragraphs]
    assert not any("图表" in t for t in texts)
    assert "三、排名与红黑榜" in texts


def _level_one(document) -> list[int]:
    return [
        i
        for i, p in enumerate(document.paragraphs)
        if p.runs and fonts_of(p.runs[0])["eastAsia"] == "黑体" and "、" in p.text[:3]
    ]


def test_a_heading_only_where_content_follows():
    s = replace(
        sample_snapshot(), charts=(), rankings=(), honour_roll=(), overdue_tasks=(), nowcast=()
    )
    document = docx.Document(io.BytesIO(build_briefing_docx(s)))
    texts = [p.text for p in document.paragraphs]
    headings = [texts[i] for i in _level_one(document)]
    assert headings == ["一、总体情况", "二、主要指标", "三、逾期任务与督办"]
    assert "截至本期，台账任务均在完成时限内推进，无逾期任务。" in texts
    assert not any("图表" in t or "预测" in t or "红黑榜" in t for t in texts)
    for i in _level_one(document):
        assert texts[i + 1].strip(), f"{texts[i]} is followed by nothing"


def test_small_helpers():
    assert [cn_numeral(n) for n in (1, 6, 10, 11, 20, 23)] == [
        "一",
        "六",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
    from datetime import date

    assert format_date(date(2025, 3, 3)) == "2025年3月3日"


# ---------------------------------------------------------------------------------------------
# The xlsx appendix


@pytest.fixture(scope="module")
def workbook():
    s = sample_snapshot()
    hostile = replace(
        s.indicators[3],
        unit_notes=(
            *s.indicators[3].unit_notes,
            UnitNote('=HYPERLINK("http://x","点我")', "@SUM(A1:A9)"),
        ),
    )
    s = replace(s, indicators=(*s.indicators[:3], hostile, *s.indicators[4:]), title="=1+1 通报")
    return load_workbook(io.BytesIO(build_briefing_xlsx(s)))


def test_one_sheet_per_section(workbook):
    assert workbook.sheetnames == [
        "总体情况",
        "主要指标",
        "图表数据",
        "排名",
        "红黑榜",
        "逾期任务与督办",
        "一季度预测",
    ]


def test_text_that_looks_like_a_formula_stays_text(workbook):
    title = workbook["总体情况"]["B2"]
    assert title.value == "=1+1 通报"
    assert title.data_type == "s"
    notes = workbook["主要指标"]["K5"]
    assert notes.data_type == "s"
    assert notes.value.startswith("区商务局：-3.2%")
    assert "=HYPERLINK" in notes.value
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} became a formula"


def test_numbers_stay_numbers_and_lights_are_fills(workbook):
    ws = workbook["主要指标"]
    assert ws["D3"].value == Decimal("25.30") or ws["D3"].value == 25.3
    assert ws["D3"].data_type == "n"
    assert ws["I5"].value == "红灯"
    assert ws["I5"].fill.fgColor.rgb == "FFFF0000"
    assert ws["I3"].fill.fgColor.rgb == "FF00B050"
    assert workbook["逾期任务与督办"]["D2"].is_date
    ranking = workbook["排名"]
    assert [c.value for c in ranking[3]][:5] == ["镇街", 2, "是", "南湖镇", 85.5]
