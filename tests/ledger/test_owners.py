"""Owners a document names itself: annotations, labelled lines, 由…负责, a unit as subject."""

from __future__ import annotations

import pytest

from kaimen.ledger.parsing import parse_text
from kaimen.ledger.parsing.owners import (
    UnitDirectory,
    find_named_owner,
    is_collective,
    shipped_short_names,
    split_units,
    strip_annotation,
)

DISTRICT = [
    "区发展和改革局",
    "区财政局",
    "区自然资源和规划局",
    "区人力资源和社会保障局",
    "区住房和城乡建设局",
    "区市场监督管理局",
    "区文化广电旅游体育局",
    "区商务局",
    "区投资促进局",
    "区委区政府督查室",
    "区开门红工作调度办公室",
    "城关街道",
]


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory(DISTRICT)


def _owner(text: str, directory: UnitDirectory | None = None):
    owner = find_named_owner(text, directory=directory)
    assert owner is not None, text
    return owner


@pytest.mark.parametrize(
    "text",
    [
        "加快项目前期工作。（区发改局牵头，区财政局、区自然资源局配合）",
        "加快项目前期工作。(区发改局牵头,区财政局、区自然资源局配合)",
        "加快项目前期工作（区发改局牵头，区财政局和区自然资源局配合）。",
    ],
)
def test_it_reads_lead_and_co_units_from_an_annotation(text, directory):
    owner = _owner(text)
    assert owner.lead == ("区发改局",)
    assert owner.co == ("区财政局", "区自然资源局")
    assert owner.source == "annotation"
    resolved = directory.resolve(owner)
    assert resolved.lead_units == ["区发展和改革局"]
    assert resolved.co_units == ["区财政局", "区自然资源和规划局"]
    assert resolved.unmatched == []


@pytest.mark.parametrize(
    "text",
    [
        "开展消费季活动。（责任单位：区商务局、区文旅局；完成时限：2025年6月底前）",
        "开展消费季活动。(责任单位:区商务局、区文旅局;完成时限:2025年6月底前)",
        "开展消费季活动〔责任单位：区商务局、区文旅局；完成时限：2025年6月底前〕",
    ],
)
def test_it_reads_responsible_units_and_time_limit(text):
    owner = _owner(text)
    assert owner.lead == ("区商务局",)
    assert owner.co == ("区文旅局",)
    assert owner.deadline_text == "2025年6月底前"


def test_the_first_listed_leads_when_the_document_says_so():
    owner = _owner(
        "落实减税降费政策。（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门）"
    )
    assert owner.lead == ("税务总局",)
    assert owner.co == ("财政部", "海关总署")
    owner = _owner("完善人才政策（区人社局、区科技局负责，排在第一位的为牵头单位）。")
    assert owner.lead == ("区人社局",)


def test_units_sharing_duties_with_no_lead_marked_are_led_by_the_first():
    owner = _owner("完善人才政策。（区人社局、区科技局按职责分工负责）")
    assert owner.lead == ("区人社局",)
    assert owner.co == ("区科技局",)


def test_a_lead_with_everyone_else_by_their_duties(directory):
    owner = _owner(
        "全面实施清单管理。（市政府办公室、市审改办牵头，市级各有关部门及各县市区政府按职责分工负责）"
    )
    # Two units lead jointly; the ledger keeps the first as lead (drafting says so).
    assert owner.lead == ("市政府办公室", "市审改办")
    assert "市级各有关部门" in owner.co
    resolved = directory.resolve(owner)
    assert "市级各有关部门" in resolved.collective
    assert "市级各有关部门" not in resolved.unmatched


def test_names_listed_before_a_later_role_word_share_it():
    owner = _owner("加强项目储备。（区发改局牵头，区财政局、区交运局等部门，各街道办事处配合）")
    assert owner.lead == ("区发改局",)
    assert owner.co == ("区财政局", "区交运局", "各街道办事处")


def test_a_bare_list_of_units_closing_an_item():
    owner = _owner("研发推广新型应急通信装备。（工信部、公安部、应急管理部）")
    assert owner.lead == ("工信部",)
    assert owner.co == ("公安部", "应急管理部")


def test_brackets_that_name_no_unit_are_not_owners():
    assert find_named_owner("编制《纲要》（以下简称《纲要》），确保2025年底前完成。") is None
    assert find_named_owner("提升服务（含线上服务）质量，做到有求必应。") is None


def test_labelled_lines_after_an_item():
    text = (
        "推进政务服务一网通办。牵头单位：区政务服务局配合单位：区大数据中心、各镇街"
        "完成时限：2025年9月底前"
    )
    owner = _owner(text)
    assert owner.lead == ("区政务服务局",)
    assert owner.co == ("区大数据中心", "各镇街")
    assert owner.deadline_text == "2025年9月底前"
    owner = _owner("推进一网通办。\n责任单位：区政务服务局、区大数据中心")
    assert owner.lead == ("区政务服务局",)
    assert owner.co == ("区大数据中心",)


def test_by_whom_in_the_sentence():
    owner = _owner("由区投促局负责组织招商推介活动，区商务局配合。")
    assert owner.lead == ("区投促局",)
    assert owner.co == ("区商务局",)
    assert owner.span is None  # part of the sentence: never stripped from the title


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("区发改局要牵头制定优化营商环境若干措施。", "区发展和改革局"),
        ("城关街道要做好辖区企业走访服务。", "城关街道"),
        ("调度办要每周汇总各单位进展。", "区开门红工作调度办公室"),
        ("抓好项目建设。区商务局要会同区财政局制定促消费政策。", "区商务局"),
    ],
)
def test_a_unit_as_the_subject_of_a_sentence(text, unit, directory):
    owner = _owner(text, directory)
    assert owner.source == "subject"
    assert directory.resolve(owner).lead_units == [unit]


def test_collective_and_personal_subjects_are_not_units(directory):
    assert find_named_owner("各级各部门要切实担负起主体责任。", directory=directory) is None
    assert find_named_owner("广大干部要增强担当意识。", directory=directory) is None
    assert find_named_owner("四个专班要各司其职、协同配合。", directory=directory) is None
    assert find_named_owner("全区上下要形成合力。", directory=directory) is None


def test_splitting_lists_of_units():
    assert split_units("区财政局、区自然资源局，区住建局;区税务局") == [
        "区财政局",
        "区自然资源局",
        "区住建局",
        "区税务局",
    ]
    assert split_units("区财政局和区税务局") == ["区财政局", "区税务局"]
    # 和 inside one name does not split it.
    assert split_units("区发展和改革局") == ["区发展和改革局"]
    assert split_units("区交运局、区水务局等部门") == ["区交运局", "区水务局"]
    assert is_collective("各镇街")
    assert is_collective("各有关部门")
    assert is_collective("区直各部门")
    assert not is_collective("区财政局")


def test_short_names_match_the_tree(directory):
    cases = {
        "区发改局": "区发展和改革局",
        "区人社局": "区人力资源和社会保障局",
        "区住建局": "区住房和城乡建设局",
        "区自然资源局": "区自然资源和规划局",
        "区市场监管局": "区市场监督管理局",
        "区文旅局": "区文化广电旅游体育局",
        "发改局": "区发展和改革局",
        "商务局": "区商务局",
        "督查室": "区委区政府督查室",
        "区财政局": "区财政局",
    }
    for short, full in cases.items():
        assert directory.match(short) == full, short
    # A short form whose full name the district lacks matches nothing.
    assert directory.match("区卫健委") is None
    assert ("区卫健委", "区卫生健康委员会") in shipped_short_names()


def test_the_offices_aliases_match_first():
    directory = UnitDirectory(DISTRICT, aliases={"区审改办": "区发展和改革局"})
    assert directory.match("区审改办") == "区发展和改革局"
    # An alias for a unit the tree lacks is ignored, not invented.
    directory = UnitDirectory(DISTRICT, aliases={"区审改办": "区审改委"})
    assert directory.match("区审改办") is None


def test_unmatched_names_are_kept_as_written_and_flagged(directory):
    owner = _owner("开展检查。（区发改局牵头，区审改办、区级相关部门配合）")
    resolved = directory.resolve(owner)
    assert resolved.lead_units == ["区发展和改革局"]
    assert resolved.co_units == ["区审改办", "区级相关部门"]
    assert resolved.unmatched == ["区审改办"]
    assert any("区审改办" in f and "系统管理员" in f for f in resolved.flags)


def test_the_annotation_is_stripped_from_a_title():
    text = "精简审批手续（区政务服务局牵头，区发改局配合）"
    owner = _owner(text)
    assert strip_annotation(text, owner) == "精简审批手续"


PLAN = """示范区2025年优化营商环境工作方案
一、重点任务
1.精简项目审批手续。加快推进网上审批。（区政务服务局牵头，区发改局、区审改办配合）
2.落实减税降费政策。（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门）
3.开展消费季活动。（责任单位：区商务局；完成时限：2025年6月底前）
4.区发改局要牵头制定优化营商环境若干措施。
5.城关街道要做好辖区企业走访服务。
6.调度办要每周汇总各单位进展。
"""


def _leaves(doc: dict) -> list[dict]:
    out: list[dict] = []

    def walk(nodes):
        for node in nodes:
            if node["children"]:
                walk(node["children"])
            else:
                out.append(node)

    walk(doc["nodes"])
    return out


def test_parse_output_carries_named_owners_and_unmatched_names():
    doc = parse_text(PLAN, year=2025, units=DISTRICT).to_dict()
    leaves = _leaves(doc)
    assert [leaf["task"]["kind"] for leaf in leaves] == ["task"] * 6
    first = leaves[0]
    assert first["heading"] == "精简项目审批手续"
    assert "区政务服务局牵头" in first["text"]  # the original text keeps the annotation
    assert first["task"]["named_owner"]["lead"] == ["区政务服务局"]
    assert first["task"]["named_owner"]["source"] == "annotation"
    # 区政务服务局 is not in this tree, nor 区审改办: kept as written.
    assert first["task"]["lead_units"] == ["区政务服务局"]
    assert first["task"]["co_units"] == ["区发展和改革局", "区审改办"]
    assert first["task"]["unmatched_units"] == ["区政务服务局", "区审改办"]
    tax = leaves[1]["task"]
    assert tax["lead_units"] == ["税务总局"]
    assert tax["co_units"] == ["财政部", "海关总署"]
    consumption = leaves[2]["task"]
    assert consumption["lead_units"] == ["区商务局"]
    assert consumption["deadline"] == "2025-06-30"
    assert [leaf["task"]["lead_units"] for leaf in leaves[3:]] == [
        ["区发展和改革局"],
        ["城关街道"],
        ["区开门红工作调度办公室"],
    ]
    assert all(leaf["task"]["named_owner"]["source"] == "subject" for leaf in leaves[3:])


def test_without_a_tree_the_shipped_names_are_used():
    doc = parse_text(PLAN, year=2025).to_dict()
    leaves = _leaves(doc)
    assert leaves[0]["task"]["lead_units"] == ["区政务服务管理局"]
    assert leaves[0]["task"]["unmatched_units"] == ["区审改办"]
    assert leaves[5]["task"]["lead_units"] == ["区开门红工作调度办公室"]


@pytest.mark.parametrize(
    ("text", "lead", "co"),
    [
        # 负责部门 with a label the parser does not read after it
        (
            "放宽外籍技术人员比例要求。（负责部门：人力资源社会保障部、商务部；适用范围：所有试验区）",
            ("人力资源社会保障部",),
            ("商务部",),
        ),
        (
            "石油储备模式。（负责部门：发展改革委、粮食和储备局，适用范围：浙江自贸试验区）",
            ("发展改革委",),
            ("粮食和储备局",),
        ),
        # the first listed leads, said after a full stop, with 下同
        (
            "失业保险基金列支。（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）",
            ("人力资源社会保障部",),
            ("财政部",),
        ),
        # X会同Y负责
        ("形成产业集群。（国家发展改革委会同有关部门负责）", ("国家发展改革委",), ("有关部门",)),
        # 指导, 等和
        ("实现产消平衡。（生态环境部、工业和信息化部指导）", ("生态环境部",), ("工业和信息化部",)),
        (
            "积极参与消费扶贫。（扶贫办、全国总工会等和各省级人民政府负责）",
            ("扶贫办",),
            ("全国总工会", "各省级人民政府"),
        ),
        # the leaders in charge named before the units
        (
            "建设众创空间(分管副省长、协管副秘书长负责,省科技厅牵头,省财政厅配合)。",
            ("省科技厅",),
            ("省财政厅",),
        ),
        # a label of roles
        (
            "地区生产总值增长6%以上。分管省领导：林某某部门分工：省发展改革委牵头，各地、各部门配合。",
            ("省发展改革委",),
            ("各地", "各部门"),
        ),
        # square brackets holding round ones
        (
            "巩固防控成果。[牵头单位:区卫健局;责任单位:区防控指挥部成员单位、各街办(新区)]",
            ("区卫健局",),
            ("区防控指挥部成员单位", "各街办(新区)"),
        ),
        # labelled lines separated by blank lines
        (
            "努力实现地区生产总值增长6.2%左右。\n\n牵头单位:区发改局\n\n责任单位:立山经济开发区,各街道",
            ("区发改局",),
            ("立山经济开发区", "各街道"),
        ),
        # roles and labels together, as a task table's unit and deadline columns read
        (
            "推进项目。（区发改局牵头，区财政局、区住建局配合；完成时限：2025年3月底前）",
            ("区发改局",),
            ("区财政局", "区住建局"),
        ),
        (
            "推进项目。（区财政局配合，责任单位：区发改局；完成时限：3月底前）",
            ("区发改局",),
            ("区财政局",),
        ),
        # a list of units opening the item
        ("铁道部、交通部负责及时安排应急粮食的运输。", ("铁道部",), ("交通部",)),
        (
            "根据指挥部的安排，中国储备粮管理总公司负责中央储备粮动用计划的执行。",
            ("中国储备粮管理总公司",),
            (),
        ),
        (
            "国家发展改革委及国家粮食局、商务部按照各自职能分工，负责粮食市场应急供应工作。",
            ("国家发展改革委",),
            ("国家粮食局", "商务部"),
        ),
        (
            "动员民营企业参与。（全国工商联、共青团中央、全国妇联等和各省级人民政府负责）",
            ("全国工商联",),
            ("共青团中央", "全国妇联", "各省级人民政府"),
        ),
        (
            "国务院新闻办会同国家发展改革委制订新闻发布预案。",
            ("国务院新闻办",),
            ("国家发展改革委",),
        ),
    ],
)
def test_the_forms_real_plans_use(text, lead, co):
    owner = _owner(text)
    assert owner.lead == lead
    assert owner.co == co


def test_several_annotations_in_one_item_each_lead_their_part():
    owner = _owner(
        "探索押金返还制度。（农业农村部、市场监管总局指导）实施无害化处理。（生态环境部、财政部指导）"
    )
    assert owner.lead == ("农业农村部", "生态环境部")
    assert owner.co == ("市场监管总局", "财政部")


def test_joint_leads_stay_leads():
    owner = _owner("审议重大工程专项。（农业农村部、工业和信息化部牵头负责）")
    assert owner.lead == ("农业农村部", "工业和信息化部")


def test_a_collective_owner_alone_is_kept_as_written_and_matches_no_unit(directory):
    owner = _owner("制定具体实施办法。（各省级人民政府负责）")
    assert owner.lead == ("各省级人民政府",)
    resolved = directory.resolve(owner)
    assert resolved.lead_units == ["各省级人民政府"]  # as written, not a unit
    assert resolved.collective == ["各省级人民政府"]
    assert resolved.unmatched == []


def test_clauses_and_later_sentences_are_not_subjects(directory):
    # "…指挥部要求" is a clause, not a unit being asked to act.
    assert (
        find_named_owner("不按照本预案规定和指挥部要求采取应急措施的。", directory=directory)
        is None
    )
    assert (
        find_named_owner(
            "试点工作小组（以下简称试点工作小组），领导试点工作。", directory=directory
        )
        is None
    )
    # A unit named in the third sentence is one actor among several, not the item's owner.
    text = "明确部门职责。做好政策衔接。国家药监局负责质量监管。"
    assert find_named_owner(text, directory=directory) is None


def test_by_one_unit_together_with_another():
    owner = _owner("对应急动用的储备粮贷款，由中国农业发展银行会同中国储备粮管理总公司及时清算。")
    assert owner.lead == ("中国农业发展银行",)
    assert owner.co == ("中国储备粮管理总公司",)


def test_a_unit_that_will_act_opens_the_item(directory):
    owner = _owner(
        "加强督查，有效监督。\n兴庆区政府办公室将严格按照督查制度加强跟踪督查。", directory
    )
    assert owner.lead == ("兴庆区政府办公室",)


def test_a_headings_owner_carries_the_items_under_it():
    text = (
        "示范区2025年科技创新政策(2025年)\n"
        "一、强化科技创新（区科技局牵头）\n"
        "1.加强科创平台效能建设。鼓励科研机构做好本地科技成果转化。\n"
        "2.支持企业研发。对研发投入给予补助。（区财政局负责）\n"
    )
    doc = parse_text(text, year=2025, units=DISTRICT + ["区科学技术局"]).to_dict()
    section = doc["nodes"][0]
    assert section["heading"] == "强化科技创新"
    first, second = _leaves(doc)
    assert first["task"]["kind"] == "task"
    assert first["task"]["lead_units"] == ["区科学技术局"]
    assert second["task"]["lead_units"] == ["区财政局"]  # its own annotation decides
