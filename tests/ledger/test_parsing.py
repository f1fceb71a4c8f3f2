"""The speech parser on the reference speech and on the variations real files bring."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaimen.ledger.parsing import ResponsibilityRule, parse_file, parse_text
from kaimen.ledger.parsing.classify import TASK_THRESHOLD, classify
from kaimen.ledger.parsing.export import write_docx, write_xlsx
from kaimen.ledger.parsing.structure import (
    _split_title,
    build_outline,
    normalize_text,
    split_paragraphs,
)
from kaimen.ledger.parsing.timephrases import lunar_new_year, resolve_deadline
from kaimen.ledger.parsing.units import (
    default_responsibility,
    find_proposed_units,
    suggest_units,
)


def _corpus_dir() -> Path:
    """The reference corpus: $KAIMEN_CORPUS_DIR, the repository's corpus/, or the shared one."""
    root = Path(__file__).resolve().parents[2]
    candidates = [
        Path(os.environ.get("KAIMEN_CORPUS_DIR", "")),
        root / "corpus",
        root.parent / "shared" / "corpus",
    ]
    for candidate in candidates:
        if (candidate / "2025-q1-kaimenhong-speech.txt").is_file():
            return candidate
    return root / "corpus"


CORPUS = _corpus_dir()
SPEECH = CORPUS / "2025-q1-kaimenhong-speech.txt"
GOLD = CORPUS / "2025-q1-kaimenhong-speech.gold.json"

pytestmark = pytest.mark.skipif(not SPEECH.exists(), reason="reference corpus not found")


@pytest.fixture(scope="module")
def speech_text() -> str:
    return SPEECH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(speech_text: str) -> dict:
    return parse_text(speech_text).to_dict()


def _items(nodes: list[dict]) -> list[dict]:
    out: list[dict] = []
    for node in nodes:
        if node["children"]:
            out.extend(_items(node["children"]))
        else:
            out.append(node)
    return out


def _assert_matches_gold(got: list[dict], want: list[dict]) -> None:
    assert [n["marker"] for n in got] == [n["marker"] for n in want]
    for g, w in zip(got, want, strict=True):
        if "heading" in w:
            assert g["heading"] == w["heading"]
        if "starts_with" in w:
            assert g["text"].startswith(w["starts_with"]), (g["marker"], g["text"][:30])
        if "kind" in w:
            assert g["task"]["kind"] == w["kind"], (g["path"], g["task"]["reason"])
        if "acceptable_lead_units" in w:
            assert g["task"]["lead_units"], g["path"]
            assert g["task"]["lead_units"][0] in w["acceptable_lead_units"], (
                g["path"],
                g["task"]["unit_suggestions"],
            )
        _assert_matches_gold(g["children"], w.get("children", []))


# ---------------------------------------------------------------------------------------------
# The reference speech


def test_reference_speech_matches_gold_structure(parsed: dict, gold: dict) -> None:
    assert parsed["title"] == gold["title"]
    _assert_matches_gold(parsed["nodes"], gold["nodes"])


def test_reference_speech_counts_match_gold(parsed: dict, gold: dict) -> None:
    counts = parsed["counts"]
    assert counts["level1"] == gold["counts"]["level1"] == 2
    assert counts["level2"] == gold["counts"]["level2"] == 6
    assert counts["items"] == gold["counts"]["items"] == 15
    assert counts["tasks"] == gold["counts"]["tasks"] == 9
    kinds = [n["task"]["kind"] for n in _items(parsed["nodes"]) if n["marker"].endswith("是")]
    assert kinds.count("exhortation") == 6


def test_levels_follow_the_tree(parsed: dict) -> None:
    def check(nodes: list[dict], level: int) -> None:
        for node in nodes:
            assert node["level"] == level
            check(node["children"], level + 1)

    check(parsed["nodes"], 1)


def test_reference_preamble_starts_with_salutation_and_ends_before_first_section(
    parsed: dict,
) -> None:
    assert parsed["preamble"].startswith("同志们:")
    assert parsed["preamble"].endswith("下面,我讲几点意见。")


def test_every_reference_task_has_an_explained_deadline_and_unit(parsed: dict) -> None:
    for item in _items(parsed["nodes"]):
        task = item["task"]
        if task["kind"] != "task":
            continue
        assert task["deadline"] == "2025-03-31"  # the campaign named in the title: 一季度
        assert task["deadline_source"] == "campaign_end"
        lead = task["lead_units"][0]
        suggestion = next(s for s in task["unit_suggestions"] if s["unit"] == lead)
        assert suggestion["matched"]
        assert "匹配" in suggestion["explanation"]
        assert "阈值" in task["reason"]


def test_reference_task_forces_are_proposed_with_their_duties(parsed: dict, gold: dict) -> None:
    proposed = {u["name"]: u for u in parsed["proposed_units"]}
    for expected in gold["task_forces"]:
        unit = proposed[expected["name"]]
        assert unit["duty"].startswith(expected["duty_starts_with"])
        assert unit["kind"] == "task_force"
        assert unit["path"] == "二/(二)/二是"
    assert len(proposed) == len(gold["task_forces"])


def test_truncated_text_parses_as_far_as_it_goes(parsed: dict) -> None:
    last = parsed["nodes"][-1]["children"][-1]
    assert last["marker"] == "(三)"
    assert last["heading"] == "聚力产创融合"
    assert last["children"] == []
    assert last["task"]["kind"] == "exhortation"
    assert any("中断" in f for f in last["flags"])
    assert any("中断" in f for f in parsed["flags"])


def test_to_dict_keeps_the_contract_keys(parsed: dict) -> None:
    assert {"title", "preamble", "nodes"} <= parsed.keys()
    for node in _items(parsed["nodes"]):
        assert {"marker", "level", "heading", "text", "children", "task"} <= node.keys()
        assert {"kind", "reason", "lead_units", "co_units", "deadline"} <= node["task"].keys()
    for node in parsed["nodes"]:
        assert "task" not in node  # only leaves carry a task
    json.dumps(parsed, ensure_ascii=False)


def test_parse_file_reads_the_reference_speech(gold: dict) -> None:
    doc = parse_file(SPEECH)
    assert doc.title == gold["title"]
    assert len(doc.tasks()) == 9


# ---------------------------------------------------------------------------------------------
# Rejoining hard-wrapped lines


def test_heading_broken_across_lines_is_rejoined() -> None:
    text = (
        "一、提高站位,认清形势,增强拼抢“开门红”的紧迫\n"
        "感\n"
        "(一)把握经济风向,锚定全年目标。一是加快建立工作机\n"
        "制,制定方案。二是开展专项行动。\n"
    )
    outline = build_outline(text)
    assert outline.nodes[0].heading == "提高站位,认清形势,增强拼抢“开门红”的紧迫感"
    section = outline.nodes[0].children[0]
    assert section.heading == "把握经济风向,锚定全年目标"
    assert [c.marker for c in section.children] == ["一是", "二是"]
    assert section.children[0].text == "加快建立工作机制,制定方案。"


def test_title_split_over_two_lines_is_one_title() -> None:
    outline = build_outline(
        "关于开展\n“早春行动”的实施方案\n一、总体要求\n(一)加快建立工作机制。\n"
    )
    assert outline.title == "关于开展“早春行动”的实施方案"
    assert outline.nodes[0].heading == "总体要求"


def test_byline_and_date_under_the_title_go_to_the_preamble() -> None:
    outline = build_outline(
        "在全区经济工作会议上的讲话\n区委书记 张三\n(2025年1月10日)\n同志们:\n"
        "下面讲三点意见。\n一、总体要求\n"
    )
    assert outline.title == "在全区经济工作会议上的讲话"
    assert outline.preamble.startswith("区委书记 张三\n(2025年1月10日)\n同志们:")


def test_paragraph_per_line_text_is_not_joined() -> None:
    lines = [
        "一、总体要求",
        "以习近平新时代中国特色社会主义思想为指导,全面贯彻落实中央经济工作会议精神,推动高质量发展,确保实现一季度开门红。",
        "二、主要任务",
        "(一)加快项目建设。各街道要在3月底前完成重点项目开工。",
        "(二)扩大有效投资。区发展和改革局牵头制定投资计划,区财政局配合做好资金保障。",
    ]
    outline = build_outline("\n".join(lines))
    assert [n.heading for n in outline.nodes] == ["总体要求", "主要任务"]
    assert outline.nodes[0].text.endswith("确保实现一季度开门红。")
    assert len(outline.nodes[1].children) == 2


def _true_paragraphs(text: str) -> list[str]:
    lines = normalize_text(text).split("\n")
    title, rest = _split_title(lines)
    return [title, *split_paragraphs(lines[rest:])]


def _rewrap(paragraph: str, width: int) -> str:
    return "\n".join(paragraph[i : i + width] for i in range(0, len(paragraph), width))


@settings(
    max_examples=31, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(width=st.integers(min_value=10, max_value=40))
def test_rewrapping_the_reference_at_any_width_gives_the_same_parse(
    speech_text: str, width: int
) -> None:
    expected = parse_text(speech_text).to_dict()
    rewrapped = "\n".join(_rewrap(p, width) for p in _true_paragraphs(speech_text))
    assert parse_text(rewrapped).to_dict() == expected


@settings(
    max_examples=31, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(width=st.integers(min_value=10, max_value=40))
def test_unwrapped_reference_gives_the_same_parse(speech_text: str, width: int) -> None:
    # One paragraph a line, as Word or a web page gives it.
    expected = parse_text(speech_text).to_dict()
    flat = "\n".join(_true_paragraphs(speech_text))
    assert parse_text(flat).to_dict() == expected


_HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
_PUNCT = st.sampled_from(list(",。、;:“”()  "))


@given(
    paragraphs=st.lists(
        st.text(alphabet=st.one_of(_HANZI, _PUNCT), min_size=1, max_size=120),
        min_size=1,
        max_size=6,
    ),
    width=st.integers(min_value=8, max_value=40),
)
def test_rejoining_only_removes_line_breaks(paragraphs: list[str], width: int) -> None:
    lines = [ln for p in paragraphs for ln in _rewrap(p, width).split("\n")]
    joined = split_paragraphs(lines)

    def visible(s: str) -> str:
        return "".join(ch for ch in s if not ch.isspace())

    assert visible("".join(joined)) == visible("".join(paragraphs))


# ---------------------------------------------------------------------------------------------
# Markers and enumerations


def test_half_width_punctuation_parses_like_full_width() -> None:
    full = "一、总体要求\n(一)加快发展。一是制定方案;二是开展活动。\n"
    half = "一、总体要求\n(一)加快发展。一是制定方案;二是开展活动。\n"
    a, b = build_outline(full), build_outline(half)
    assert [c.marker for c in b.nodes[0].children] == ["(一)"]
    assert [c.heading for c in a.walk()] == [c.heading for c in b.walk()]
    assert [c.marker for c in b.nodes[0].children[0].children] == ["一是", "二是"]


def test_four_levels_of_markers_nest() -> None:
    text = "\n".join(
        [
            "一、主要任务",
            "(一)项目建设",
            "1.加快开工。制定开工计划。",
            "(1)重点项目。建立台账。",
            "(2)一般项目。开展摸排。",
            "2、做好服务。",
            "(二)扩大消费",
            "二、保障措施",
        ]
    )
    outline = build_outline(text)
    levels = [(n.marker, n.level) for n in outline.walk()]
    assert levels == [
        ("一、", 1),
        ("(一)", 2),
        ("1.", 3),
        ("(1)", 4),
        ("(2)", 4),
        ("2、", 3),
        ("(二)", 2),
        ("二、", 1),
    ]
    assert outline.nodes[0].children[0].children[0].children[1].path == "一/(一)/1/(2)"


def test_decimal_number_at_line_start_is_not_a_marker() -> None:
    text = (
        "一、主要目标\n(一)稳定增长。全年地区生产总值增长\n5.5%左右,规上工业增加值增长\n6%以上。\n"
    )
    outline = build_outline(text, hard_wrapped=True)
    section = outline.nodes[0].children[0]
    assert section.children == []
    assert "5.5%左右" in section.text


def test_yi_shi_inside_running_prose_does_not_split() -> None:
    text = "一、工作要求\n(一)坚持统一是前提,坚持一是一、二是二的原则,实事求是地反映情况。\n"
    section = build_outline(text).nodes[0].children[0]
    assert section.children == []
    assert section.heading == "坚持统一是前提,坚持一是一、二是二的原则,实事求是地反映情况"


def test_enumeration_must_count_up_from_one() -> None:
    # 三是 without 二是 does not continue the enumeration: it stays inside the first item.
    text = "一、要求\n(一)抓落实。一是建立台账;三是月底前完成。\n"
    section = build_outline(text).nodes[0].children[0]
    assert [c.marker for c in section.children] == ["一是"]
    assert "三是月底前完成" in section.children[0].text


def test_di_yi_ji_du_is_not_an_enumeration_but_di_yi_comma_is() -> None:
    text = (
        "一、几点要求\n"
        "(一)抓好第一季度工作,发挥第一时间响应作用。\n"
        "(二)强化保障。第一,建立工作专班;第二,制定推进方案;第三,开展督查。\n"
    )
    first, second = build_outline(text).nodes[0].children
    assert first.children == []
    assert [c.marker for c in second.children] == ["第一", "第二", "第三"]
    assert second.children[0].text == "建立工作专班;"
    assert second.children[0].heading == "建立工作专班"


def test_shouxian_qici_zuihou_is_an_enumeration() -> None:
    text = "一、工作安排\n(一)分步推进。首先,摸清底数;其次,制定方案;最后,督查落实。\n"
    section = build_outline(text).nodes[0].children[0]
    assert [c.marker for c in section.children] == ["首先", "其次", "最后"]
    assert section.children[2].heading == "督查落实"


def test_text_without_markers_is_flagged_not_guessed() -> None:
    doc = parse_text("今天天气很好。我们开个会,大家谈谈想法。")
    assert doc.nodes == []
    assert any("未识别到任何层级标记" in f for f in doc.flags)


def test_top_level_enumeration_without_headings_still_gives_items() -> None:
    doc = parse_text(
        "关于做好春节前安全生产工作的通知\n各街道:\n一是开展隐患排查;二是建立值班制度。"
    )
    assert [n.marker for n in doc.nodes] == ["一是", "二是"]
    assert doc.nodes[0].level == 1


def test_marker_gap_is_flagged() -> None:
    outline = build_outline("一、甲\n(一)建立机制。\n(三)开展活动。\n")
    gap = outline.nodes[0].children[1]
    assert any("不连续" in f for f in gap.flags)


_FRAGMENTS = st.sampled_from(
    ["一、", "(一)", "(二)", "1.", "(1)", "一是", "二是", "三是", "第一,", "第二,", "首先",
     "其次", "最后,", "\n", "。", ",", "加快建立机制", "同志们:", "区商务局牵头", "3月底前",
     "  ", "\u3000\u3000", "“", "”", "2025年", "招商引资专班负责项目对接", "设立甲、乙两个专班"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=60).map("".join)))
def test_parser_never_raises_and_tree_is_well_formed(text: str) -> None:
    doc = parse_text(text, use_llm=False)
    data = doc.to_dict()
    json.dumps(data, ensure_ascii=False)

    def check(nodes: list[dict], level: int) -> None:
        for node in nodes:
            assert node["level"] == level
            assert isinstance(node["heading"], str)
            assert isinstance(node["text"], str)
            if node["children"]:
                assert "task" not in node
                check(node["children"], level + 1)
            else:
                assert node["task"]["kind"] in ("task", "exhortation")

    check(data["nodes"], 1)


# ---------------------------------------------------------------------------------------------
# Task or exhortation


def test_concrete_deployment_is_a_task_with_reasons() -> None:
    verdict = classify("各街道要在3月底前建立重点企业服务台账,制定走访计划。")
    assert verdict.kind == "task"
    assert verdict.score >= TASK_THRESHOLD
    assert "制定" in verdict.reason
    assert "各级各部门/各单位" in verdict.reason


def test_call_for_attitude_is_an_exhortation() -> None:
    verdict = classify("广大干部要增强担当意识,坚定发展信心,敢于迎难而上,以身作则传递正能量。")
    assert verdict.kind == "exhortation"
    assert "意识" in verdict.reason
    assert "阈值" in verdict.reason


def test_statement_of_situation_is_an_exhortation() -> None:
    verdict = classify("当前经济形势复杂严峻,困难与机遇并存,挑战前所未有。")
    assert verdict.kind == "exhortation"


# ---------------------------------------------------------------------------------------------
# Units


def test_default_table_covers_the_demo_district() -> None:
    units = {r.unit for r in default_responsibility()}
    for required in (
        "区委办公室", "区政府办公室", "区委组织部", "区委宣传部", "区纪委监委", "区委区政府督查室",
        "区发展和改革局", "区统计局", "区财政局", "区商务局", "区投资促进局",
        "区文化广电旅游体育局", "区市场监督管理局", "区政务服务管理局", "区司法局",
        "区科学技术局", "区工业和信息化局", "区住房和城乡建设局", "区自然资源和规划局",
        "区人力资源和社会保障局", "区生态环境局", "区农业农村局", "区交通运输局",
        "区应急管理局", "区税务局",
    ):  # fmt: skip
        assert required in units
    assert all(r.keywords and r.duties for r in default_responsibility())


def test_unit_suggestion_explains_matched_words() -> None:
    result = suggest_units("围绕产业链开展招商,发动全员招商,拓宽招商渠道。")
    assert result.lead_units == ["区投资促进局"]
    top = result.suggestions[0]
    assert "招商" in " ".join(top.matched)
    assert top.explanation.startswith("匹配:")


def test_multi_character_keyword_survives_segmentation() -> None:
    rules = [
        ResponsibilityRule("区甲局", ("首发经济",)),
        ResponsibilityRule("区乙局", ("经济",)),
    ]
    result = suggest_units("大力发展首发经济,首发经济要有新突破。", rules)
    assert result.lead_units == ["区甲局"]


def test_short_keyword_does_not_match_across_word_boundaries() -> None:
    # 价格 inside 评价格局 is not a word of the sentence; jieba keeps it apart.
    rules = [ResponsibilityRule("区物价局", ("价格",))]
    result = suggest_units("要科学评价格局变化。", rules)
    assert result.lead_units == []


def test_task_with_no_confident_unit_is_flagged_not_guessed() -> None:
    result = suggest_units("认真研究,抓好落实。")
    assert result.lead_units == []
    assert any("未能确定牵头单位" in f for f in result.flags)
    doc = parse_text("一、要求\n(一)认真研究部署,制定工作方案。\n")
    task = doc.leaves()[0].task
    assert task is not None
    assert task.kind == "task"
    assert task.lead_units == []
    assert any("牵头单位" in f for f in task.flags)


def test_explicit_lead_in_text_wins() -> None:
    result = suggest_units("由区财政局牵头,区商务局配合,发放消费券,促进消费。")
    assert result.lead_units == ["区财政局"]
    assert "区商务局" in result.co_units


def test_custom_responsibility_table_replaces_the_default() -> None:
    rules = [ResponsibilityRule("区大数据中心", ("数据共享", "平台"))]
    doc = parse_text("一、任务\n(一)建立数据共享平台,制定共享目录。\n", responsibility=rules)
    assert doc.leaves()[0].task.lead_units == ["区大数据中心"]


def test_bodies_set_up_by_the_text_are_proposed() -> None:
    units = find_proposed_units(
        "成立项目推进、要素保障两个工作专班。项目推进工作专班负责协调开工。"
    )
    assert [u.name for u in units] == ["项目推进工作专班", "要素保障工作专班"]
    assert units[0].duty == "负责协调开工"
    assert units[1].duty == ""


def test_count_of_bodies_that_does_not_match_is_flagged() -> None:
    units = find_proposed_units("设立招商、服务三个专班。")
    assert all(any("请核对" in f for f in u.flags) for u in units)


# ---------------------------------------------------------------------------------------------
# Time phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一季度末前完成", date(2025, 3, 31)),
        ("第一季度内完成", date(2025, 3, 31)),
        ("3月底前出台方案", date(2025, 3, 31)),
        ("三月底前出台方案", date(2025, 3, 31)),
        ("3月底完成", date(2025, 3, 31)),
        ("2月底前完成", date(2025, 2, 28)),
        ("3月15日前完成", date(2025, 3, 15)),
        ("春节前发放到位", date(2025, 1, 28)),
        ("上半年完成", date(2025, 6, 30)),
        ("年底前建成", date(2025, 12, 31)),
        ("年内完成", date(2025, 12, 31)),
        ("前三季度完成", date(2025, 9, 30)),
    ],
)
def test_time_phrase_resolves_relative_to_the_campaign_year(text: str, expected: date) -> None:
    deadline = resolve_deadline(text, year=2025)
    assert deadline.date == expected
    assert deadline.source == "text"
    assert deadline.flags == ()


def test_spring_festival_follows_the_lunar_calendar() -> None:
    assert lunar_new_year(2025) == date(2025, 1, 29)
    assert resolve_deadline("春节前", year=2026).date == date(2026, 2, 16)


def test_month_end_uses_the_current_month_when_known() -> None:
    assert resolve_deadline("月底前报送", year=2025, today=date(2025, 2, 10)).date == date(
        2025, 2, 28
    )
    unknown = resolve_deadline("月底前报送", year=2025)
    assert unknown.date is None
    assert any("没有指明月份" in f for f in unknown.flags)


def test_bare_quarter_is_resolved_but_flagged() -> None:
    deadline = resolve_deadline("确保一季度实现开门红", year=2025)
    assert deadline.date == date(2025, 3, 31)
    assert deadline.flags


@pytest.mark.parametrize(
    ("text", "cadence"),
    [("每周报送进展", "weekly"), ("每月调度一次", "monthly"), ("实行一周一调度", "weekly")],
)
def test_recurring_reports_are_recognised(text: str, cadence: str) -> None:
    assert resolve_deadline(text, year=2025).recurrence == cadence


def test_splitting_targets_by_month_is_not_a_recurrence() -> None:
    assert resolve_deadline("细化分解到每个季度、每个月", year=2025).recurrence is None


def test_default_deadline_is_the_end_of_the_campaign() -> None:
    deadline = resolve_deadline("加快建立机制", year=2025, campaign_end=date(2025, 3, 31))
    assert deadline.date == date(2025, 3, 31)
    assert deadline.source == "campaign_end"


def test_no_campaign_end_gives_no_deadline_and_a_flag() -> None:
    deadline = resolve_deadline("加快建立机制", year=2025)
    assert deadline.date is None
    assert any("完成时限" in f for f in deadline.flags)


def test_several_dates_keep_the_latest_and_list_milestones() -> None:
    deadline = resolve_deadline("3月15日前制定方案,6月底前全面落地", year=2025)
    assert deadline.date == date(2025, 6, 30)
    assert deadline.milestones == (("3月15日前", date(2025, 3, 15)),)


def test_year_argument_overrides_the_title() -> None:
    doc = parse_text("一、任务\n(一)春节前制定并发放消费券方案。\n", year=2026)
    assert doc.leaves()[0].task.deadline == date(2026, 2, 16)


# ---------------------------------------------------------------------------------------------
# Export


@pytest.fixture
def reference_doc(speech_text: str):
    return parse_text(speech_text)


def test_xlsx_export_has_the_usual_columns_and_prints_on_a4_landscape(
    reference_doc, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(reference_doc, tmp_path / "ledger.xlsx")
    ws = load_workbook(path).active
    assert [c.value for c in ws[2]] == [
        "序号",
        "任务内容",
        "牵头单位",
        "配合单位",
        "完成时限",
        "进展情况",
        "状态",
    ]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows.replace("$", "") == "2:2"
    numbers = [r[0].value for r in ws.iter_rows(min_row=3) if isinstance(r[0].value, int)]
    assert numbers == list(range(1, 10))
    first_task = next(r for r in ws.iter_rows(min_row=3) if r[0].value == 1)
    assert first_task[1].value.startswith("明确全年经济目标")
    assert first_task[1].alignment.wrap_text
    assert first_task[2].value == "区发展和改革局"
    assert first_task[6].value == "未启动"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_formula_like_text_is_written_as_a_string(tmp_path: Path) -> None:
    doc = parse_text("一、任务\n(一)建立机制。\n", use_llm=False)
    leaf = doc.leaves()[0]
    leaf.text = '=HYPERLINK("http://example.com","点击")'
    leaf.task.kind = "task"
    leaf.task.lead_units = ["+区商务局", "@区财政局"]
    leaf.task.co_units = ["-区税务局\x00"]
    path = write_xlsx(doc, tmp_path / "inject.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = (
            zf.read("xl/sharedStrings.xml").decode("utf-8")
            if "xl/sharedStrings.xml" in zf.namelist()
            else ""
        )
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert "HYPERLINK" in sheet + strings
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == 1)
    assert row[1].value.startswith("=HYPERLINK")
    assert row[1].data_type == "s"
    assert row[2].value == "+区商务局、@区财政局"
    assert row[3].value == "-区税务局"


def test_docx_export_is_landscape_with_a_repeated_header_row(reference_doc, tmp_path: Path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    path = write_docx(reference_doc, tmp_path / "ledger.docx")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "任务内容",
        "牵头单位",
        "配合单位",
        "完成时限",
        "进展情况",
        "状态",
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    texts = [row.cells[1].text for row in table.rows[1:]]
    assert any(t.startswith("持续深化全员招商") for t in texts)
    assert sum(1 for row in table.rows[1:] if row.cells[0].text.isdigit()) == 9
    assert any(row.cells[4].text == "2025年3月31日前" for row in table.rows[1:])


def test_export_groups_tasks_under_their_sections(reference_doc) -> None:
    from kaimen.ledger.parsing.export import SectionRow, ledger_rows

    sections = [r.title for r in ledger_rows(reference_doc) if isinstance(r, SectionRow)]
    assert sections == [
        "一、提高站位,认清形势,增强拼抢“开门红”的紧迫感",
        "二、明确目标,突出重点,全力冲刺拼实效",
    ]


def test_writers_create_missing_folders(reference_doc, tmp_path: Path) -> None:
    assert write_xlsx(reference_doc, tmp_path / "a" / "ledger.xlsx").stat().st_size > 0
    assert write_docx(reference_doc, tmp_path / "b" / "ledger.docx").stat().st_size > 0
