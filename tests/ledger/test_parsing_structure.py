"""The outline of official texts: every numbering form in both widths, levels, and the frame.

The samples are short texts written in the manner of real documents (意见, 方案, 讲话, 通知):
full-width punctuation as GB/T 9704 sets it, half-width and the usual slips as variants.
"""

from __future__ import annotations

import pytest

from kaimen.ledger.parsing.structure import Outline, build_outline, match_heading_marker


def _tree(outline: Outline) -> list[tuple[str, str, str]]:
    """(path, marker, heading) of every node, in document order."""
    return [(n.path, n.marker, n.heading) for n in outline.walk()]


def _markers(outline: Outline) -> list[str]:
    return [n.path for n in outline.walk()]


# ---------------------------------------------------------------------------------------------
# Markers


@pytest.mark.parametrize(
    ("paragraph", "kind", "number", "marker"),
    [
        ("一、总体要求", "cn", 1, "一、"),
        ("十二、保障措施", "cn", 12, "十二、"),
        ("三．工作措施", "cn", 3, "三．"),
        ("三.工作措施", "cn", 3, "三."),
        ("（一）扩大有效投资", "cn_paren", 1, "（一）"),
        ("(一)扩大有效投资", "cn_paren", 1, "(一)"),
        ("（一)扩大有效投资", "cn_paren", 1, "（一)"),
        ("（十四）优化营商环境", "cn_paren", 14, "（十四）"),
        ("1.抓好项目开工", "arabic", 1, "1."),
        ("1．抓好项目开工", "arabic", 1, "1．"),
        ("１．抓好项目开工", "arabic", 1, "１．"),
        ("2、加快要素保障", "arabic", 2, "2、"),
        ("（1）加强调度", "arabic_paren", 1, "（1）"),
        ("(1)加强调度", "arabic_paren", 1, "(1)"),
        ("1)加强调度", "arabic_half", 1, "1)"),
        ("①加强调度", "circled", 1, "①"),
        ("第一条　为了规范管理，制定本办法。", "article", 1, "第一条"),
        ("第三章 保障措施", "chapter", 3, "第三章"),
        ("第二节 项目管理", "section", 2, "第二节"),
        ("第一部分 总体要求", "part", 1, "第一部分"),
    ],
)
def test_every_numbering_form_is_a_marker(
    paragraph: str, kind: str, number: int, marker: str
) -> None:
    found = match_heading_marker(paragraph)
    assert found is not None
    assert (found.kind, found.number, found.marker) == (kind, number, marker)


@pytest.mark.parametrize(
    "paragraph",
    [
        "1.5亿元的项目资金已经到位。",
        "一、二季度是全年工作的关键。",
        "第一季度完成投资50亿元。",
        "第一条件是安全。",
        "“一、”这样的编号不是标题。",
        "按照（一）项的要求推进。",
        "2025年全区生产总值增长6%。",
    ],
)
def test_numbers_and_quotations_are_not_markers(paragraph: str) -> None:
    assert match_heading_marker(paragraph) is None


@pytest.mark.parametrize(
    ("paragraph", "heading"),
    [
        ("（一） 扩大有效投资。加快项目建设。", "扩大有效投资"),
        ("（一）　扩大有效投资。加快项目建设。", "扩大有效投资"),
        ("（一）.扩大有效投资。加快项目建设。", "扩大有效投资"),
        ("（一）、扩大有效投资。加快项目建设。", "扩大有效投资"),
        ("一. 总体要求", "总体要求"),
        ("　　（一）扩大有效投资。加快项目建设。", "扩大有效投资"),
    ],
)
def test_slips_around_markers_do_not_reach_the_heading(paragraph: str, heading: str) -> None:
    outline = build_outline(f"一、重点任务\n{paragraph}\n")
    node = list(outline.walk())[-1]
    assert node.heading == heading
    assert " " not in node.marker
    assert "\u3000" not in node.marker


def test_full_width_plan_nests_by_gb_order() -> None:
    text = (
        "一、总体要求\n"
        "坚持稳中求进。\n"
        "二、重点任务\n"
        "（一）扩大有效投资。加快项目建设。\n"
        "1．抓好项目开工。3月底前新开工项目20个。\n"
        "（1）工业项目。每月调度。\n"
        "（2）基础设施项目。加快征地拆迁。\n"
        "2．加快要素保障。落实用地指标。\n"
        "（二）促进消费增长。开展促消费活动。\n"
        "三、保障措施\n"
        "加强组织领导。\n"
    )
    assert _markers(build_outline(text)) == [
        "一",
        "二",
        "二/（一）",
        "二/（一）/1",
        "二/（一）/1/（1）",
        "二/（一）/1/（2）",
        "二/（一）/2",
        "二/（二）",
        "三",
    ]


def test_half_width_variant_nests_the_same_way() -> None:
    full = "一、重点任务\n（一）扩大投资。加快建设。\n1．抓开工。多开工。\n（二）促消费。办活动。\n"
    half = "一、重点任务\n(一)扩大投资。加快建设。\n1.抓开工。多开工。\n(二)促消费。办活动。\n"
    assert [n.heading for n in build_outline(full).walk()] == [
        n.heading for n in build_outline(half).walk()
    ]
    assert [n.level for n in build_outline(full).walk()] == [1, 2, 3, 2]
    assert [n.level for n in build_outline(half).walk()] == [1, 2, 3, 2]


def test_a_document_that_starts_at_the_second_level_keeps_it_at_the_top() -> None:
    text = (
        "为做好一季度工作，提出如下措施：\n"
        "（一）抓项目。加快开工。\n"
        "1．工业项目。每月调度。\n"
        "（二）促消费。开展活动。\n"
    )
    outline = build_outline(text)
    assert [(n.path, n.level) for n in outline.walk()] == [
        ("（一）", 1),
        ("（一）/1", 2),
        ("（二）", 1),
    ]


def test_a_skipped_level_nests_under_the_heading_above() -> None:
    text = (
        "一、重点任务\n1．抓项目。加快开工。\n2．促消费。开展活动。\n二、保障措施\n1．加强领导。\n"
    )
    assert _markers(build_outline(text)) == ["一", "一/1", "一/2", "二", "二/1"]


def test_numbers_running_on_across_sections_are_not_flagged() -> None:
    text = (
        "一、扩大投资\n（一）抓项目。加快开工。\n（二）抓招商。办好推介会。\n"
        "二、促进消费\n（三）办活动。开展促消费活动。\n（四）稳外贸。帮助企业拓市场。\n"
    )
    outline = build_outline(text)
    assert _markers(outline) == ["一", "一/（一）", "一/（二）", "二", "二/（三）", "二/（四）"]
    assert all(not n.flags for n in outline.walk())


def test_a_gap_in_numbering_is_flagged() -> None:
    outline = build_outline("一、重点任务\n（一）抓项目。开工。\n（三）促消费。办活动。\n")
    assert any("不连续" in f for f in list(outline.walk())[-1].flags)


def test_heading_ends_at_the_first_full_stop_and_body_stays_in_text() -> None:
    text = "一、重点任务\n（一）扩大有效投资，稳住基本盘。加快项目建设，一季度完成投资50亿元。\n"
    node = list(build_outline(text).walk())[-1]
    assert node.heading == "扩大有效投资，稳住基本盘"
    assert node.text.endswith("一季度完成投资50亿元。")


def test_a_heading_alone_on_its_line_is_the_whole_line() -> None:
    text = "一、提高站位，认清形势，增强紧迫感\n坚持问题导向。\n"
    assert build_outline(text).nodes[0].heading == "提高站位，认清形势，增强紧迫感"


def test_articles_nest_under_chapters() -> None:
    text = (
        "第一章 总则\n"
        "第一条　为了规范项目管理，制定本办法。\n"
        "第二条　本办法适用于全区政府投资项目。\n"
        "第二章 项目管理\n"
        "第三条　项目单位应当按月报送进度。\n"
    )
    assert _markers(build_outline(text)) == [
        "第一章",
        "第一章/第一条",
        "第一章/第二条",
        "第二章",
        "第二章/第三条",
    ]


def test_a_wrapped_line_starting_with_a_number_is_not_a_heading() -> None:
    # Hard-wrapped at 20 characters: "（五）" in the middle of a sentence lands at a line start.
    text = (
        "一、重点任务\n"
        "（一）扩大有效投资。各部门要按照方案第\n"
        "（五）项的要求，抓紧推进项目建设，确保\n"
        "一季度完成投资50亿元，不折不扣完成。\n"
        "（二）促进消费增长。开展促消费活动。\n"
    )
    outline = build_outline(text, hard_wrapped=True)
    assert _markers(outline) == ["一", "一/（一）", "一/（二）"]


@pytest.mark.parametrize(
    ("body", "markers"),
    [
        ("一是抓项目，加快开工。二是促消费，开展活动。三是稳外贸。", ["一是", "二是", "三是"]),
        ("一要抓项目，加快开工。二要促消费，开展活动。", ["一要", "二要"]),
        ("第一，抓项目，加快开工。第二，促消费，开展活动。", ["第一", "第二"]),
        ("第一，抓项目，加快开工；第二，促消费，开展活动。", ["第一", "第二"]),
        (
            "首先，抓项目。其次，促消费。再次，稳外贸。最后，强保障。",
            ["首先", "其次", "再次", "最后"],
        ),
    ],
)
def test_enumerations_inside_a_paragraph_become_items(body: str, markers: list[str]) -> None:
    outline = build_outline(f"一、重点任务\n（一）抓好三件事。{body}\n")
    parent = outline.nodes[0].children[0]
    assert [c.marker for c in parent.children] == markers
    assert all(c.role == "item" for c in parent.children)


# ---------------------------------------------------------------------------------------------
# The frame


def test_salutation_on_the_title_line_goes_to_the_preamble() -> None:
    text = "在全区经济工作会议上的讲话同志们：\n今天召开会议。\n一、认清形势\n形势很好。\n"
    outline = build_outline(text)
    assert outline.title == "在全区经济工作会议上的讲话"
    assert outline.preamble.startswith("同志们：")


def test_closing_call_and_signature_are_not_glued_to_the_last_task() -> None:
    text = (
        "在全区一季度经济工作会议上的讲话\n"
        "同志们：\n"
        "今天召开会议，部署一季度工作。\n"
        "一、抓好重点任务\n"
        "（一）扩大有效投资。加快项目建设，3月底前开工20个项目。\n"
        "同志们，一季度时间紧、任务重，让我们奋勇争先，确保实现“开门红”！\n"
        "2025年1月10日\n"
    )
    outline = build_outline(text)
    last = list(outline.walk())[-1]
    assert last.text.endswith("开工20个项目。")
    assert outline.closing.startswith("同志们，一季度时间紧")
    assert outline.closing.endswith("2025年1月10日")
    assert not last.flags


def test_signature_date_and_distribution_lines_are_frame() -> None:
    text = (
        "关于做好一季度重点工作的通知\n"
        "各镇人民政府、街道办事处，区政府各部门：\n"
        "现就有关事项通知如下。\n"
        "一、抓好项目建设\n"
        "各单位要加快项目开工。\n"
        "二、强化督查考核\n"
        "区督查室每周通报进展。\n"
        "某某区人民政府办公室\n"
        "2025年1月10日\n"
        "（此件公开发布）\n"
        "抄送：区委办公室，区人大常委会办公室。\n"
        "某某区人民政府办公室　　　　2025年1月10日印发\n"
    )
    outline = build_outline(text)
    assert outline.title == "关于做好一季度重点工作的通知"
    assert _markers(outline) == ["一", "二"]
    assert outline.nodes[-1].text.endswith("区督查室每周通报进展。")
    assert "抄送" in outline.closing
    assert "某某区人民政府办公室" in outline.closing


def test_an_issuing_notice_is_preamble_and_the_plan_gives_the_title() -> None:
    text = (
        "某某区人民政府办公室文件\n"
        "某政办〔2025〕3号\n"
        "某某区人民政府办公室关于印发《某某区2025年一季度经济“开门红”工作方案》的通知\n"
        "各镇人民政府、街道办事处，区政府各部门：\n"
        "现将《某某区2025年一季度经济“开门红”工作方案》印发给你们，请认真贯彻落实。\n"
        "某某区人民政府办公室\n"
        "2025年1月10日\n"
        "某某区2025年一季度经济“开门红”工作方案\n"
        "为推动一季度经济实现良好开局，制定本方案。\n"
        "一、总体要求\n"
        "坚持稳中求进。\n"
    )
    outline = build_outline(text)
    assert outline.title == "某某区2025年一季度经济“开门红”工作方案"
    assert outline.preamble.startswith("各镇人民政府")
    assert "请认真贯彻落实" in outline.preamble
    assert _markers(outline) == ["一"]


@pytest.mark.parametrize("line", ["附件：某某区一季度重点项目清单", "附件1", "附件 1："])
def test_an_attachment_starts_a_new_top_level_part(line: str) -> None:
    title_line = "" if "清单" in line else "某某区一季度重点项目清单\n"
    text = (
        "关于做好一季度工作的通知\n"
        "一、抓好项目建设\n"
        "（一）加快开工。3月底前开工。\n"
        f"{line}\n{title_line}"
        "一、工业项目\n"
        "（一）新建厂房。2月底前开工。\n"
    )
    outline = build_outline(text)
    annex = outline.nodes[-1]
    assert annex.marker.startswith("附件")
    assert annex.heading == "某某区一季度重点项目清单"
    assert annex.level == 1
    assert [c.path for c in annex.walk()][1:] == [
        f"{annex.path}/一",
        f"{annex.path}/一/（一）",
    ]


def test_an_attachment_line_in_prose_is_not_a_part() -> None:
    text = "一、抓好项目建设\n附件中的清单由区发改局负责更新。\n"
    outline = build_outline(text)
    assert _markers(outline) == ["一"]


# ---------------------------------------------------------------------------------------------
# The command


def test_kaimen_parse_runs_without_setting_django_up(tmp_path) -> None:
    import subprocess
    import sys

    source = tmp_path / "方案.txt"
    source.write_text("关于做好一季度工作的通知\n一、抓好项目建设\n加快开工。\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from kaimen.cli import main\n"
        "try:\n"
        f"    main(['parse', {str(source)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print('DJANGO' if any(m.startswith('django') for m in sys.modules) else 'PURE')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("PURE")
    assert '"title": "关于做好一季度工作的通知"' in done.stdout


def test_an_issuing_notice_that_numbers_its_own_requests_stays_in_the_preamble() -> None:
    text = (
        "区人民政府办公室关于印发2025年区《政府工作报告》确定的主要目标任务责任分解方案的通知\n"
        "各街道办事处，区人民政府各部门：\n"
        "《责任分解方案》已经区人民政府同意，现印发给你们，并就有关事项通知如下：\n"
        "一、各责任单位要高度重视，于2025年1月15日前将工作方案报区人民政府办公室。\n"
        "二、区绩效考评机构要将目标任务纳入绩效管理考核范围。\n"
        "某某区人民政府办公室\n"
        "2025年1月3日\n"
        "2025年区《政府工作报告》确定的主要目标任务责任分解方案\n"
        "一、主要预期目标\n"
        "（一）地区生产总值增长6%以上\n"
        "责任单位：区发展和改革局\n"
    )
    outline = build_outline(text)
    assert outline.title == "2025年区《政府工作报告》确定的主要目标任务责任分解方案"
    assert "二、区绩效考评机构" in outline.preamble
    assert _tree(outline) == [
        ("一", "一、", "主要预期目标"),
        ("一/（一）", "（一）", "地区生产总值增长6%以上"),
    ]


def test_a_list_of_attachments_above_the_signature_is_not_a_part() -> None:
    text = (
        "关于做好一季度工作的通知\n"
        "各镇人民政府、街道办事处：\n"
        "一、抓好项目建设\n"
        "（一）加快开工。3月底前开工20个项目。\n"
        "附件：1．某某区一季度重点项目清单\n"
        "2．某某区一季度重点任务分解表\n"
        "某某区人民政府办公室\n"
        "2025年1月10日\n"
        "附件1\n"
        "某某区一季度重点项目清单\n"
        "一、工业项目\n"
        "（一）新建厂房。2月底前开工。\n"
    )
    outline = build_outline(text)
    assert [n.path for n in outline.nodes] == ["一", "附件1"]
    assert outline.nodes[0].children[0].text.endswith("3月底前开工20个项目。")
    assert "某某区一季度重点任务分解表" in outline.closing


def test_a_speech_may_open_with_shouxian_and_go_on_with_di_er() -> None:
    text = "一、提高站位\n大家都知道。首先，我们要认识到创建的意义。第二，我们要坚持创建惠民。\n"
    outline = build_outline(text)
    assert [c.marker for c in outline.nodes[0].children] == ["首先", "第二"]


def test_decimal_numbering_nests_with_items_below_every_depth() -> None:
    text = (
        "某某区粮食应急预案\n"
        "1 总则\n"
        "1.1 编制目的\n"
        "为了有效应对粮食市场异常波动，制定本预案。\n"
        "1.2 工作原则\n"
        "（1）统一领导。分级负责。\n"
        "2 组织机构\n"
        "2.1 指挥部\n"
        "2.1.1 指挥部职责\n"
        "（1）掌握粮食市场形势。\n"
        "（2）完成交办的其他事项。\n"
        "2.1.2 办公室职责\n"
        "综合有关情况。\n"
    )
    assert _markers(build_outline(text)) == [
        "1",
        "1/1.1",
        "1/1.2",
        "1/1.2/（1）",
        "2",
        "2/2.1",
        "2/2.1/2.1.1",
        "2/2.1/2.1.1/（1）",
        "2/2.1/2.1.1/（2）",
        "2/2.1/2.1.2",
    ]


@pytest.mark.parametrize("line", ["1.5亿元的项目资金到位", "3 个项目已经开工"])
def test_quantities_are_not_decimal_headings(line: str) -> None:
    assert match_heading_marker(line) is None


def test_a_table_of_contents_is_not_the_outline() -> None:
    text = (
        "某某区应急预案\n目  录\n1 总则\n2 组织机构\n"
        "1 总则\n本预案适用于全区。\n2 组织机构\n成立指挥部。\n"
    )
    outline = build_outline(text)
    assert _markers(outline) == ["1", "2"]
    assert "目  录" in outline.preamble


def test_a_label_before_a_colon_is_the_heading() -> None:
    text = "一、等级划分\n（一）国家级（Ⅰ级）：两个以上省出现应急状态的情况。\n"
    node = build_outline(text).nodes[0].children[0]
    assert node.heading == "国家级（Ⅰ级）"
    sentence = build_outline("第一章 总则\n第二条　国务院由下列人员组成：总理、副总理。\n")
    assert sentence.nodes[0].children[0].heading == "国务院由下列人员组成：总理、副总理"


def test_a_heading_runs_past_a_semicolon_to_the_full_stop() -> None:
    text = "一、总体要求\n（一）坚持解放思想，实事求是；开拓创新。全面推进工作。\n"
    assert build_outline(text).nodes[0].children[0].heading == "坚持解放思想，实事求是；开拓创新"


def test_an_item_naming_a_year_is_not_a_decimal() -> None:
    found = match_heading_marker("1.2018年主要工作目标任务分解表")
    assert found is not None
    assert (found.kind, found.marker) == ("arabic", "1.")


def test_a_letter_that_issues_a_plan_is_titled_by_the_plan() -> None:
    text = (
        "国务院办公厅关于印发\n国 家 粮 食 应 急 预 案 的 函\n国办函〔2005〕57号\n"
        "各省、自治区、直辖市人民政府：\n《国家粮食应急预案》已经国务院同意，现印发给你们，请认真实施。\n"
        "国务院办公厅\n二〇〇五年六月十一日\n国家粮食应急预案\n1 总则\n本预案适用于全国。\n"
    )
    outline = build_outline(text)
    assert outline.title == "国家粮食应急预案"
    assert _markers(outline) == ["1"]


def test_a_fragment_that_starts_mid_enumeration_keeps_its_item() -> None:
    text = (
        "在全县农村工作会议上的讲话（节选）\n"
        "四要加强组织领导，靠实工作责任。各乡镇要把春耕生产摆上重要位置，抓好落实。\n"
        "同志们，春耕在即，让我们打好今年农村工作的第一仗！\n"
    )
    outline = build_outline(text)
    assert [n.marker for n in outline.nodes] == ["四要"]
    assert outline.nodes[0].text.startswith("加强组织领导")
    assert outline.closing.startswith("同志们，春耕在即")
