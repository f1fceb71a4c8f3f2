"""Task tables (任务分解表) as Word tables, spreadsheets and text flattened out of a table."""

from __future__ import annotations

from pathlib import Path

from kaimen.ledger.parsing import parse_file, parse_text
from kaimen.ledger.parsing.tables import column_role, header_roles


def _rows(doc) -> list[tuple[str, str, str]]:
    return [(n.path, n.heading, n.text) for n in doc.walk()]


def test_header_words_name_the_columns() -> None:
    assert column_role("序号") == "seq"
    assert column_role("重点任务") == "task"
    assert column_role("具体措施") == "measures"
    assert column_role("牵头单位") == "lead"
    assert column_role("责任单位（牵头）") == "lead"
    assert column_role("配合单位") == "co"
    assert column_role("责任单位") == "resp"
    assert column_role("完成时限") == "deadline"
    assert column_role("一季度") == "quarter"
    assert column_role("区发改局") is None
    assert header_roles(["序号", "重点任务", "牵头单位"]) == ["seq", "task", "lead"]
    assert header_roles(["姓名", "电话", "地址"]) is None


def _word_table(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某某区2025年一季度重点任务分解表")
    table = document.add_table(rows=6, cols=6)
    for col, text in enumerate(["序号", "重点任务", "具体措施", "责任单位", "", "完成时限"]):
        table.cell(0, col).text = text
    for col, text in enumerate(["", "", "", "牵头单位", "配合单位", ""]):
        table.cell(1, col).text = text
    for col in (0, 1, 2, 5):
        table.cell(0, col).merge(table.cell(1, col))
    table.cell(0, 3).merge(table.cell(0, 4))
    table.cell(2, 0).merge(table.cell(2, 5)).text = "一、扩大有效投资"
    rows = {
        3: ["1", "抓好项目开工", "3月底前新开工项目20个。", "区发改局", "区财政局", "3月底前"],
        5: ["2", "开展促消费活动", "组织促销活动10场。", "区商务局", "", "3月31日前"],
    }
    table.cell(4, 0).merge(table.cell(4, 5)).text = "二、促进消费增长"
    for row, cells in rows.items():
        for col, text in enumerate(cells):
            table.cell(row, col).text = text
    document.save(str(path))


def test_a_word_task_table_becomes_rows_under_its_categories(tmp_path: Path) -> None:
    path = tmp_path / "分解表.docx"
    _word_table(path)
    doc = parse_file(path, year=2025, use_llm=False)
    assert doc.title == "某某区2025年一季度重点任务分解表"
    assert [(n.path, n.heading) for n in doc.walk()] == [
        ("一", "扩大有效投资"),
        ("一/1", "抓好项目开工"),
        ("二", "促进消费增长"),
        ("二/2", "开展促消费活动"),
    ]
    first = doc.nodes[0].children[0]
    assert first.text.startswith("3月底前新开工项目20个。")
    # The unit cells reach the owners as the annotation a plan would write.
    assert "（区发改局牵头，区财政局配合；完成时限：3月底前）" in first.text
    assert first.task is not None
    assert first.task.deadline is not None
    assert first.task.deadline.isoformat() == "2025-03-31"


def test_a_spreadsheet_with_a_category_column_and_a_quarter_column(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["某某区一季度任务清单"])
    sheet.append(["序号", "类别", "重点任务", "责任单位", "一季度", "完成时限"])
    sheet.append([1, "项目建设", "抓好项目开工", "区发改局、区财政局", "开工20个", "3月底前"])
    sheet.append([2, None, "加快要素保障", "区自然资源局", "落实指标", "2月底前"])
    sheet.append([3, "消费", "开展促消费活动", "区商务局", "活动10场", "3月底前"])
    path = tmp_path / "清单.xlsx"
    workbook.save(path)
    doc = parse_file(path, year=2025, use_llm=False)
    assert doc.title == "某某区一季度任务清单"
    assert [(n.path, n.heading) for n in doc.walk()] == [
        ("", "项目建设"),
        ("1", "抓好项目开工"),
        ("2", "加快要素保障"),
        ("", "消费"),
        ("3", "开展促消费活动"),
    ]
    row = doc.nodes[0].children[0]
    assert "一季度：开工20个" in row.text
    assert "责任单位：区发改局、区财政局" in row.text


def test_a_table_flattened_to_one_cell_a_line_is_read_as_a_table() -> None:
    text = (
        "某某区一季度重点任务分解表\n"
        "序号\n重点任务\n具体措施\n牵头单位\n配合单位\n完成时限\n"
        "1\n抓好项目开工\n3月底前新开工项目20个。\n区发改局\n区财政局\n3月底前\n"
        "2\n加快要素保障\n落实用地指标。\n区自然资源局\n区发改局\n2月底前\n"
    )
    doc = parse_text(text, year=2025, use_llm=False)
    assert doc.title == "某某区一季度重点任务分解表"
    assert [(n.marker, n.heading) for n in doc.walk()] == [
        ("1", "抓好项目开工"),
        ("2", "加快要素保障"),
    ]
    assert (
        doc.nodes[1].text == "落实用地指标。（区自然资源局牵头，区发改局配合；完成时限：2月底前）"
    )


def test_a_table_inside_a_plan_hangs_under_the_heading_above_it() -> None:
    text = (
        "某某区一季度工作方案\n"
        "一、总体要求\n"
        "坚持稳中求进。\n"
        "二、重点任务\n"
        "序号\t重点任务\t牵头单位\t完成时限\n"
        "1\t抓好项目开工\t区发改局\t3月底前\n"
        "2\t开展促消费活动\t区商务局\t3月底前\n"
        "三、保障措施\n"
        "加强组织领导。\n"
    )
    doc = parse_text(text, year=2025, use_llm=False)
    assert [n.path for n in doc.walk()] == ["一", "二", "二/1", "二/2", "三"]


def test_a_table_whose_cells_are_separated_by_spaces() -> None:
    text = (
        "2016年量化指标任务分工\n"
        "序号 工 作 任 务 牵头负责部门\n"
        "1 居民消费价格涨幅3%左右 发展改革委\n"
        "2 城镇新增就业1000万人以上 人力资源社会保障部\n"
    )
    doc = parse_text(text, year=2016, use_llm=False)
    assert [(n.marker, n.heading) for n in doc.walk()] == [
        ("1", "居民消费价格涨幅3%左右"),
        ("2", "城镇新增就业1000万人以上"),
    ]
    assert doc.nodes[1].text.endswith("（人力资源社会保障部牵头）")


def test_a_header_over_two_columns_holding_a_group_and_a_unit() -> None:
    text = (
        "某县考核细则\n"
        "序号\t考核项目\t考核项目\t分值\t考核内容\n"
        "\t总分\t总分\t100\t\n"
        "一、\t通用考核项目\t通用考核项目\t40\t\n"
        "1\t组织领导\t组织领导\t8\t组织领导\n"
        "二、\t部门履职考核项目\t部门履职考核项目\t60\t\n"
        "1\t重点考核部门\t县农粮局\t30\t持续推进畜禽养殖污染控制\n"
        "2\t重点考核部门\t县水利局\t30\t持续开展非法采砂专项整治\n"
    )
    doc = parse_text(text, year=2018, use_llm=False)
    assert [(n.path, n.heading) for n in doc.walk()] == [
        ("一", "通用考核项目"),
        ("一/1", "组织领导"),
        ("二", "部门履职考核项目"),
        ("二/", "重点考核部门"),
        ("二//1", "持续推进畜禽养殖污染控制"),
        ("二//2", "持续开展非法采砂专项整治"),
    ]
    assert "县农粮局牵头" in doc.nodes[1].children[0].children[0].text


def test_a_flattened_table_with_category_rows_and_skipped_numbers() -> None:
    text = (
        "附件\n推广清单\n序号\n改革举措\n主 要 内 容\n指导部门\n推广范围\n"
        "一、知识产权保护方面（共1项）\n1\n“三合一”审判\n整合审判资源。\n最高人民法院\n全国\n"
        "二、管理体制创新方面（共1项）\n5\n决策容错机制\n制定地方性法规。\n国家发展改革委\n全国\n"
    )
    doc = parse_text(text, year=2018, use_llm=False)
    # An attachment printed on its own: its title is the document's title.
    assert doc.title == "推广清单"
    assert [(n.path, n.heading) for n in doc.walk()] == [
        ("一", "知识产权保护方面（共1项）"),
        ("一/1", "“三合一”审判"),
        ("二", "管理体制创新方面（共1项）"),
        ("二/5", "决策容错机制"),
    ]


def test_a_flattened_row_with_two_tasks_under_one_number() -> None:
    text = (
        "2016年民生实事目标任务分解表\n"
        "序号\n民生实事\n责任单位\n完成时限\n"
        "1\n新建2座人行天桥。\n县住建局\n9月投入使用\n"
        "2\n开工建设县老年养护楼。\n县民政局\n5月底前动工\n开工建设老年大学。\n12月底前\n"
    )
    doc = parse_text(text, year=2016, use_llm=False)
    assert [(n.marker, n.heading) for n in doc.walk()] == [
        ("1", "新建2座人行天桥"),
        ("2", "开工建设县老年养护楼"),
        ("2", "开工建设老年大学"),
    ]
