"""Rebuild the b- task tables of the evaluation corpus as Word documents.

The published pages give these tables as text (one cell per line, or cells separated by "|").
Each table is rebuilt here from that text, cell for cell, as a real Word table with a header row,
so the ledger's parser can be measured on the input it receives from district offices: a .docx
whose tasks sit in table rows. Merged cells are kept where the published table merges them.
The source address of each table is in its corpus/<slug>.gold.json.

Run from the repository root:  .venv/bin/python corpus/build_b-tables.py
"""

from pathlib import Path

from docx import Document
from docx.shared import Pt

HERE = Path(__file__).resolve().parent


def _doc(lines):
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    for line in lines:
        doc.add_paragraph(line)
    return doc


def _table(doc, header, rows):
    """Add a table; a row is a list of cell texts, None meaning "merged with the cell above"."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        table.cell(0, i).text = text
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            if text is None:
                continue
            table.cell(r, c).text = text
    # Vertical merges: a None cell joins the nearest filled cell above it.
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            if text is None:
                top = r - 1
                while top > 0 and rows[top - 1][c] is None:
                    top -= 1
                table.cell(top, c).merge(table.cell(r, c))
    return table


def dazhu_2016():
    doc = _doc(
        [
            "大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知",
            "竹府办〔2016〕20号",
            "各乡镇人民政府、街道办事处,县级各部门:",
            "为让人民群众生活得更有保障、更加幸福,根据《2016年政府工作报告》安排部署,现将2016年“民生实事”目标任务分解下达。请各责任领导、责任单位认真研究、强化责任、细化措施,确保全年目标任务顺利完成。县政府督查室将常年跟踪,适时开展督查。请各责任单位于每季度末月20日前将“民生实事”完成情况书面报县政府督查室420室(联系电话:6239325)。",
            "附件:2016年民生实事目标任务分解表",
            "大竹县人民政府办公室",
            "2016年2月26日",
            "附件",
            "2016年民生实事目标任务分解表",
        ]
    )
    _table(
        doc,
        ["序号", "民生实事", "责任单位", "完成时限"],
        [
            [
                "1",
                "启动建设东柳河城区段综合治理工程和东湖湿地公园。",
                "县水务局\n县住建局\n县护城河指挥部",
                "12月底前",
            ],
            ["2", "新建2座人行天桥。", "县住建局", "9月投入使用"],
            ["3", "启动县图书馆新馆建设。", "县文体广新局\n县代建中心", "12月底前"],
            ["4", "建成县残疾人综合服务中心。", "县残联", "5月底前动工"],
            ["5", "开工建设县老年养护楼。", "县民政局", "5月底前动工"],
            [None, "开工建设老年大学。", None, "12月底前"],
            ["6", "迁建县政务服务中心。", "县政务服务中心\n县代建中心", "12月底前"],
            ["7", "加快推进土地滩水库建设。", "县水务局", "12月底前"],
            [
                "8",
                "启动大竹县第十二小学建设,新建中心幼儿园2所。",
                "县教科局\n县代建中心",
                "12月底前",
            ],
            ["9", "完成棚户区改造2836户。", "县住建局", "12月底前"],
            ["10", "城区再新建1个农贸市场。", "县商务局", "12月底前"],
        ],
    )
    return doc


def huoshan_2025():
    doc = _doc(["2025年开发区重点工作及责任清单"])
    _table(
        doc,
        ["序号", "重点工作", "责任领导", "责任单位", "完成时限"],
        [
            [
                "1",
                "坚持服务跟着项目走,优化“重点项目直通车”“无忧办”工作机 制,落实重点项目“领导+专班””“项目管家”等制度,全力服务重 大项目落地见效。",
                "叶林",
                "招商工作部、安商工作部",
                "全年",
            ],
            [
                "2",
                "全力推进开发区“空间再造”,推动工业用地“腾笼换鸟”,力争 全年盘活僵尸企业10家,盘活存量土地400亩。",
                "马振明",
                "改革办",
                "全年",
            ],
            [
                "3",
                "持续提升园区承载能力,加快推进开发区污水处理厂及污水管 网提升项目,全面做好纬六路以北、中沟以北地块水电气路网 等基础设施配套。",
                "张云峰",
                "规划建设局",
                "全年",
            ],
        ],
    )
    return doc


def chongchuan_2023():
    doc = _doc(["2023年区政府重点民生实事项目推进情况(1-11月)"])
    header = [
        "序号",
        "主要任务",
        "全年目标任务",
        "分管 领导",
        "牵头 单位",
        "责任主体与协同单位",
        "1-10月推进情况",
        "1-11月推进情况",
        "是否达序",
        "说明",
    ]
    rows = [
        [
            "24",
            "优化提升50条背街后巷交通组织。",
            "",
            "徐国江",
            "城管局",
            "市政局、相关街道",
            "已进场施工,完成30%。",
            "已进场施工,完成60%。",
            "是",
            "",
        ],
        [
            "25",
            "新增四分类“三定一督”达标小区210个。",
            "",
            "徐国江",
            "城管局",
            "市政局、环卫处、崇川经济开发区、各街道",
            "已进场施工,正在推进点位选址、场地硬化,第一批451个厢房(亭房)正在加紧制作。",
            "在46个小区,建成38个厢房,70个分类亭。",
            "否",
            "前期配合区相关部门对该项目招标质疑、投诉处置,项目于9月28才签订合同,滞后了2个月,后期将加快推进。",
        ],
        [
            "26",
            "新建建筑垃圾中转站8个、建筑垃圾分类池20个。",
            "",
            "徐国江",
            "城管局",
            "崇川经济开发区、相关街道",
            "已建成建筑垃圾中转站3个、分类池10个;其余点位已启动建设流程。",
            "已建成建筑垃圾中转站7个、分类池17个。",
            "是",
            "",
        ],
    ]
    table = _table(doc, header, rows)
    # The published rows give one text for 主要任务 and 全年目标任务: the two cells are merged across.
    for r in range(1, len(rows) + 1):
        table.cell(r, 1).merge(table.cell(r, 2))
        table.cell(r, 1).text = rows[r - 1][1]
    return doc


def kaihua_2023():
    doc = _doc(["开化县2023年度重点工作清单(一季度政府工作报告重点任务执行落实情况)"])
    _table(
        doc,
        ["序号", "工作事项", "进度安排", "进展情况", "完成情况"],
        [
            [
                "1",
                "启动新安综合体建设。",
                "①2月上旬前,完成设计招标。②3月底前,完成图纸深化设计。③5月底前,完成施工许可报批并开工建设。",
                "①已完成。2月10日,完成设计招标。②截至3月31日,施工图正在图审。",
                "达序推进",
            ],
            [
                "2",
                "以更加开放的姿态,支持银行、证券、保险业发展,壮大金融服务业。",
                "①3月底前,召开金融联席会议,明确2023年金融指标增长目标,压实责任,明确举措。②5月底前,召开金融助力“三年活动”破难攻坚要素保障政银企业对接会。③6月底前,出台碳账户贷款贴息、央行结构性货币政策工具贴息政策,并组织开展兑现。",
                "①已完成。2月23日,召开2023年度第一次金融联席会议暨绿色金融推进会,传达省市金融工作精神,明确2023年金融指标增长目标,压实责任明确举措,为打造中国式现代化山区县样板提供高质量金融托举。",
                "达序推进",
            ],
            [
                "3",
                "出境水II类以上水质天数占比和空气优良率均保持在98%以上。",
                "①通过乡镇断面水质、空气自动站,实时监控水、气环境质量数据,每月上报水气环境质量情况,实时提供预警信息,做好水气环境质量保护工作。②每月完成地表水及饮用水源地水质监测、每季度完成农村环境质量监测及城市污水处理厂监测。③每半年完成一次全县农村生活污水处理终端水质监测。",
                "①一季度,我县出境水有效监测天数90天,Ⅰ类水质75天,Ⅱ类水质15天,Ⅱ类水质以上占100%。环境空气质量有效监测天数90天,其中AQI达标天数90天,空气质量为优天数60天(占66.7%),空气质量为良天数30天(占33.3%),AQI优良率为100%。②一季度,完成3次地表水地",
                "",
            ],
        ],
    )
    return doc


TABLES = {
    "b-2016-dazhu-minsheng-shishi-fenjiebiao": dazhu_2016,
    "b-2025-huoshan-kaifaqu-zhongdian-gongzuo-qingdan": huoshan_2025,
    "b-2023-nantong-chongchuan-minsheng-shishi-jinzhan": chongchuan_2023,
    "b-2023-kaihua-zhongdian-gongzuo-qingdan-jinzhan": kaihua_2023,
}


def main():
    for slug, build in TABLES.items():
        build().save(HERE / f"{slug}.docx")
        print(f"corpus/{slug}.docx")


if __name__ == "__main__":
    main()
