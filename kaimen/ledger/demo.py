"""The demo campaign "<year>年一季度开门红": the reference speech parsed, reviewed and published, then
a few weeks of plausible work — weekly progress reports, most tasks reported done and closed by
the office, one awaiting acceptance, one overdue with a confirmed 督办单.

Everything goes through the services, at the real time (so the audit trail tells the truth about
when the demo was loaded); afterwards the demo moves its own business dates back into the first
quarter of the story's year (written as 2025; ``kaimen.lib.demo_calendar`` moves it to the
latest first quarter that is over). Idempotent: a campaign of that name means the demo is
already there, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from kaimen.audit.services import record
from kaimen.campaigns.demo import CAMPAIGN, END, START
from kaimen.campaigns.models import Campaign
from kaimen.ledger import escalation as ledger_escalation
from kaimen.ledger import services
from kaimen.ledger.models import (
    Decision,
    LedgerDraft,
    Level,
    ProgressReport,
    StepState,
    SupervisionStep,
    Task,
    Trigger,
)
from kaimen.ledger.services.responsibility import _load_defaults as _load_responsibility_defaults
from kaimen.lib import clock, demo_calendar, official_calendar
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import Window
from kaimen.org.demo import DEMO_PASSWORD, liaison_display_name
from kaimen.org.models import Membership, Role, Unit, User

SPEECH = Path(__file__).resolve().parent / "data" / "2025-q1-kaimenhong-speech.txt"
TZ = ZoneInfo("Asia/Shanghai")
# Fridays of the written story, in the story's year (on a working day).
REPORT_DAYS = [demo_calendar.moved(date(2025, 2, 14) + timedelta(weeks=n)) for n in range(7)]
OVERDUE_PATH = "二/(一)/二是"  # 首发经济、品牌经济 (区商务局): the demo's laggard
AWAITING_PATH = "二/(二)/一是"  # 全员招商 (区投资促进局): done, waiting for the office
# Liaison accounts the demo adds for lead units that have none (the org demo has three).
LIAISON_NAMES = {
    "区发展和改革局": "liaison.fagai",
    "区纪委监委": "liaison.jiwei",
    "区委区政府督查室": "liaison.ducha",
    "区委组织部": "liaison.zuzhi",
    "区委办公室": "liaison.weiban",
    "区文化广电旅游体育局": "liaison.wenlv",
    "区政务服务管理局": "liaison.zhengwu",
    "区市场监督管理局": "liaison.shijian",
    "区司法局": "liaison.sifa",
    "区人力资源和社会保障局": "liaison.renshe",
    "区统计局": "liaison.tongji",
    "区科学技术局": "liaison.keji",
    "区工业和信息化局": "liaison.gongxin",
}
PROGRESS = {
    "二/(一)/一是": [
        "已制定促消费政策宣传方案,在商圈、社区张贴政策海报300余份。",
        "联合银行发放第一批数字消费券500万元,核销率62%。",
        "配套政策《关于促进消费扩容提质的若干措施》已报区政府常务会审议。",
    ],
    OVERDUE_PATH: [
        "梳理首发经济招引清单,对接品牌12个。",
        "2个首店项目洽谈中,新品发布会场地待落实。",
    ],
    "二/(二)/一是": [
        "印发全员招商工作方案,发动各部门报送线索46条。",
        "围绕主导产业链梳理缺链补链企业清单,走访企业18家。",
        "新签约上下游配套项目5个,总投资23亿元。",
    ],
    "二/(二)/二是": [
        "“早春行动”方案已印发,四个专班完成组建并明确职责。",
        "专班赴长三角开展集中招商2次,新增在谈项目9个。",
        "签约项目7个,其中亿元以上项目3个。",
    ],
}
GENERIC = ["已召开专题会议部署,明确责任科室和时间表。", "各项措施按计划推进,已完成阶段性目标。"]

# The office's 任务分解表 of March for the departments: with the speech's tasks, every department
# of the district leads work due in March, so every one of them is scored on its results.
# (unit, task, deadline in March, outcome): "on_time" reported done before the deadline, "late"
# reported done a week after it ("open": not done yet, overdue). A unit reports weekly from
# the campaign's start, on every Friday before the deadline except the ``_SKIPPED`` ones.
# Departments that missed some weekly reports (how many of the last Fridays they skipped).
_SKIPPED = {"区委宣传部": 1, "区统计局": 1, "区财政局": 2, "区司法局": 2, "区生态环境局": 1,
            "区应急管理局": 1, "区政府办公室": 1, "区农业农村局": 1, "区委组织部": 1,
            "区科学技术局": 1, "区交通运输局": 2, "区税务局": 1, "区政务服务管理局": 1,
            "区人力资源和社会保障局": 2}  # fmt: skip
TABLE_TITLE = "全区拼抢一季度“开门红”部门重点任务分解表"
DEPARTMENT_TASKS = [
    ("区委办公室", "建立“开门红”重点工作周调度机制", 7, "on_time"),
    ("区委办公室", "编发“开门红”工作动态专报", 28, "on_time"),
    ("区政府办公室", "梳理区政府常务会议定事项落实清单", 14, "on_time"),
    ("区政府办公室", "督促一季度政务服务事项提速落实", 28, "late"),
    ("区委组织部", "开展重点项目一线干部实绩考察", 21, "on_time"),
    ("区委组织部", "选派干部到重点项目专班挂职", 31, "on_time"),
    ("区委宣传部", "策划“开门红”系列主题宣传报道", 10, "on_time"),
    ("区委宣传部", "组织重点项目集中开工宣传", 24, "late"),
    ("区纪委监委", "开展营商环境领域作风问题专项监督", 14, "on_time"),
    ("区纪委监委", "督促整改涉企服务问题线索", 28, "on_time"),
    ("区委区政府督查室", "督查一季度重点项目推进情况", 17, "on_time"),
    ("区委区政府督查室", "通报“开门红”重点任务落实情况", 31, "late"),
    ("区发展和改革局", "组织一季度重点项目集中开工", 14, "on_time"),
    ("区发展和改革局", "谋划储备专项债券项目", 28, "on_time"),
    ("区统计局", "完成一季度统计数据质量核查", 14, "on_time"),
    ("区统计局", "开展规上企业入统培育摸底", 21, "on_time"),
    ("区财政局", "提前下达一季度重点项目资金", 10, "on_time"),
    ("区财政局", "兑现惠企政策资金第一批", 28, "late"),
    ("区商务局", "组织春季促消费系列活动", 21, "on_time"),
    ("区投资促进局", "建立在谈项目周跟踪台账", 14, "on_time"),
    ("区文化广电旅游体育局", "举办春季文旅消费季活动", 17, "on_time"),
    ("区文化广电旅游体育局", "推出一季度文旅惠民措施", 31, "late"),
    ("区市场监督管理局", "推行经营主体登记“一网通办”", 14, "on_time"),
    ("区市场监督管理局", "开展春节后市场价格专项检查", 24, "late"),
    ("区政务服务管理局", "推行重点项目审批“帮办代办”", 10, "on_time"),
    ("区政务服务管理局", "压减工程建设项目审批时限", 28, "on_time"),
    ("区司法局", "开展涉企行政执法检查专项清理", 14, "late"),
    ("区司法局", "为重点项目提供合同合规审查", 28, "late"),
    ("区科学技术局", "组织高新技术企业申报辅导", 7, "on_time"),
    ("区科学技术局", "推动科技型中小企业评价入库", 24, "on_time"),
    ("区工业和信息化局", "推动技改项目一季度开工", 14, "on_time"),
    ("区工业和信息化局", "开展规上工业企业“一企一策”帮扶", 28, "late"),
    ("区住房和城乡建设局", "推动重点项目施工许可提速办理", 14, "late"),
    ("区住房和城乡建设局", "开展建筑业企业资质升级帮扶", 28, "late"),
    ("区自然资源和规划局", "保障一季度重点项目用地报批", 21, "on_time"),
    ("区自然资源和规划局", "完成重点项目规划条件核定", 31, "late"),
    ("区人力资源和社会保障局", "举办春风行动招聘会", 10, "on_time"),
    ("区人力资源和社会保障局", "落实稳岗返还和就业补贴", 24, "on_time"),
    ("区生态环境局", "完成重点项目环评审批服务", 17, "on_time"),
    ("区生态环境局", "开展涉企环境执法“无事不扰”试点", 28, "late"),
    ("区农业农村局", "组织春耕备耕生产服务", 14, "late"),
    ("区农业农村局", "推进农业产业化项目开工", 28, "late"),
    ("区交通运输局", "保障重点项目施工道路通行", 7, "on_time"),
    ("区交通运输局", "推进物流枢纽配套道路建设", 31, "on_time"),
    ("区应急管理局", "开展复工复产安全生产检查", 14, "on_time"),
    ("区应急管理局", "组织重点企业安全生产培训", 21, "late"),
    ("区税务局", "落实结构性减税降费政策", 17, "on_time"),
    ("区税务局", "开展新办纳税人“套餐式”服务", 28, "on_time"),
]


@dataclass
class DemoLedgerResult:
    created: bool
    tasks: int = 0
    reports: int = 0
    accounts: list[str] = field(default_factory=list)


def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _liaison_for(unit: Unit, created: list[str]) -> User:
    membership = (
        Membership.objects.filter(unit=unit, role=Role.LIAISON, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    username = LIAISON_NAMES.get(unit.name, f"liaison.u{unit.pk}")
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(
            username=username,
            display_name=liaison_display_name(unit),
            must_change_password=True,
            password_changed_at=clock.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created.append(username)
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.LIAISON, is_active=True)
    return user


def _publish(office: User) -> Campaign:
    # Loaded as pasted text: the demo leaves no file behind in the upload area.
    draft = services.draft_create_from_text(
        actor=office, text=SPEECH.read_text(encoding="utf-8"), year=demo_calendar.story_year()
    )
    for proposal in draft.unit_proposals.filter(decision=Decision.PENDING):
        services.unit_proposal_decide(actor=office, proposal=proposal, accept=True)
    services.draft_accept_complete(actor=office, draft=draft)
    for item in draft.items.filter(is_leaf=True, kind="task", decision=Decision.PENDING):
        # A task the parser could not give a unit or deadline: the demo office rejects it.
        services.draft_item_decide(actor=office, item=item, decision=Decision.REJECTED)
    result = services.draft_publish(
        actor=office,
        draft=draft,
        new_campaign=services.NewCampaign(CAMPAIGN, START, END),
    )
    return result.campaign


def _department_table(units: dict[str, Unit]) -> str:
    rows = ["序号\t重点任务\t牵头单位\t完成时限"]
    year = demo_calendar.story_year()
    n = 0
    for unit_name, title, day, _outcome in DEPARTMENT_TASKS:
        if unit_name in units:
            n += 1
            rows.append(f"{n}\t{title}\t{unit_name}\t{year}年3月{day}日")
    return TABLE_TITLE + "\n" + "\n".join(rows) + "\n"


def _publish_department_tasks(office: User, campaign: Campaign) -> list[Task]:
    units = {u.name: u for u in Unit.objects.filter(name__in={r[0] for r in DEPARTMENT_TASKS})}
    if not units:
        return []
    draft = services.draft_create_from_text(
        actor=office, text=_department_table(units), year=demo_calendar.story_year()
    )
    for proposal in draft.unit_proposals.filter(decision=Decision.PENDING):
        services.unit_proposal_decide(actor=office, proposal=proposal, accept=True)
    services.draft_accept_complete(actor=office, draft=draft)
    for item in draft.items.filter(is_leaf=True, kind="task", decision=Decision.PENDING):
        services.draft_item_decide(actor=office, item=item, decision=Decision.REJECTED)
    return services.draft_publish(actor=office, draft=draft, campaign=campaign).tasks


def _department_work(tasks: list[Task], office: User, created_accounts: list[str]) -> int:
    """Weekly reports; done before the deadline, after it, or not yet (DEPARTMENT_TASKS)."""
    outcome = {(u, t): o for u, t, _d, o in DEPARTMENT_TASKS}
    reports = 0
    for task in tasks:
        liaison = _liaison_for(task.lead_unit, created_accounts)
        how = outcome.get((task.lead_unit.name, task.title), "on_time")
        days = _report_days(task)
        texts = [GENERIC[min(n, len(GENERIC) - 1)] for n in range(len(days))]
        for n, text in enumerate(texts, start=1):
            percent = (40 if how == "open" else 80) * n // len(texts)
            services.progress_report(actor=liaison, task=task, text=text, percent=percent)
            reports += 1
        if how == "open":
            continue
        services.task_request_closure(
            actor=liaison, task=task, summary="各项工作已按要求完成,相关材料已归档备查。"
        )
        services.task_accept_closure(actor=office, task=task, note="经核实,同意办结。")
        reports += 1
    return reports


def _report_days(task: Task) -> list[date]:
    """The Fridays a department reported on: every one before the deadline but the skipped."""
    fridays = [d for d in REPORT_DAYS if d < task.deadline] or REPORT_DAYS[:1]
    skip = _SKIPPED.get(task.lead_unit.name, 0)
    return fridays[: max(1, len(fridays) - skip)] if skip else fridays


def _backdate_department_tasks(tasks: list[Task]) -> None:
    """Reports on the Fridays before the deadline; done two days before it, or a week late."""
    outcome = {(u, t): o for u, t, _d, o in DEPARTMENT_TASKS}
    for task in Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related("lead_unit"):
        how = outcome.get((task.lead_unit.name, task.title), "on_time")
        days = _report_days(task)
        for report, day in zip(task.reports.order_by("pk"), days, strict=False):
            ProgressReport.objects.filter(pk=report.pk).update(reported_at=_at(day))
        changes: dict = {"published_at": _at(START, 10), "last_report_at": _at(days[-1])}
        if how != "open":
            done = (
                task.deadline - timedelta(days=2)
                if how == "on_time"
                else task.deadline + timedelta(days=7)
            )
            changes["closure_requested_at"] = _at(done)
            changes["closed_at"] = _at(demo_calendar.day(4, 2), 10)
        Task.objects.filter(pk=task.pk).update(**changes)


def _work(task: Task, office: User, created_accounts: list[str]) -> int:
    liaison = _liaison_for(task.lead_unit, created_accounts)
    texts = PROGRESS.get(task.path, GENERIC)
    overdue = task.path == OVERDUE_PATH
    for n, text in enumerate(texts, start=1):
        percent = (30 if overdue else 80) * n // len(texts)
        services.progress_report(actor=liaison, task=task, text=text, percent=percent)
    if overdue:
        return len(texts)
    services.task_request_closure(
        actor=liaison, task=task, summary="各项工作已按要求完成,相关材料已归档备查。"
    )
    if task.path != AWAITING_PATH:
        services.task_accept_closure(actor=office, task=task, note="经核实,同意办结。")
    return len(texts) + 1


def _backdate(campaign: Campaign, skip: set[int] = frozenset()) -> None:
    """Move the demo's business dates into the story's first quarter (``demo_calendar``)."""
    published = _at(START, 10)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=published)
    LedgerDraft.objects.filter(campaign=campaign).update(
        created_at=published - timedelta(hours=2), published_at=published
    )
    for task in Task.objects.filter(campaign=campaign).exclude(pk__in=skip):
        reports = list(task.reports.order_by("pk"))
        last = None
        for report, day in zip(reports, REPORT_DAYS, strict=False):
            last = _at(day)
            ProgressReport.objects.filter(pk=report.pk).update(reported_at=last)
        changes: dict = {"published_at": published, "last_report_at": last}
        if task.closure_requested_at:
            changes["closure_requested_at"] = last
        if task.closed_at:
            changes["closed_at"] = _at(demo_calendar.day(4, 2), 10)
        Task.objects.filter(pk=task.pk).update(**changes)


def _supervise(campaign: Campaign, office: User, skip: set[int] = frozenset()) -> None:
    """The ledger's supervision records of the story, kept as they were before escalation became
    one ladder: the office confirmed a 提醒 (3 March) and then a 督办单 (7 March) for every
    progress report still missing on those days. Today's ladder (accountability) reads them as
    the steps already taken; the ledger only shows them on its history page."""
    cal = official_calendar.load()
    for day, level in (
        (demo_calendar.day(3, 3), Level.REMINDER),
        (demo_calendar.day(3, 7), Level.ORDER),
    ):
        window = Window(campaign_id=campaign.pk, year=campaign.year, today=day, calendar=cal)
        for fact in ledger_escalation.facts(window):
            if fact.kind != escalation.MISSED_REPORT or fact.until is not None:
                continue
            if fact.refs["task"] in skip:  # the departments' table: the story has no 督办 there
                continue
            step, created = SupervisionStep.objects.get_or_create(
                task_id=fact.refs["task"],
                trigger_key=f"report:{fact.on.isoformat()}",
                level=level,
                defaults={
                    "trigger": Trigger.REPORT,
                    "state": StepState.CONFIRMED,
                    "reason": fact.description[:300],
                    "proposed_at": _at(day, 8),
                    "decided_by": office,
                    "decided_at": _at(day, 11),
                    "decision_note": "请抓紧报送。",
                },
            )
            if created:
                record(
                    actor=office,
                    action="ledger.supervision.confirm",
                    obj=step,
                    unit=step.task.lead_unit_id,
                    after={"state": step.state, "level": step.level},
                    message="示范数据：督办记录",
                )
    services.supervision_run()  # today's lights


def load_demo_campaign(*, operator: str = "kaimen demo") -> DemoLedgerResult:
    if Campaign.objects.filter(name=CAMPAIGN).exists():
        return DemoLedgerResult(created=False)
    office = (
        User.objects.filter(
            memberships__role=Role.OFFICE, memberships__is_active=True, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if office is None:
        raise RuntimeError("the demo ledger needs the demo district first (kaimen demo loads it)")
    created_accounts: list[str] = []
    with transaction.atomic():
        # The office's responsibility table starts as the one shipped with Kaimen.
        _load_responsibility_defaults(actor=office)
        campaign = _publish(office)
        reports = 0
        for task in Task.objects.filter(campaign=campaign).select_related("lead_unit"):
            reports += _work(task, office, created_accounts)
        department_tasks = _publish_department_tasks(office, campaign)
        reports += _department_work(department_tasks, office, created_accounts)
        _backdate(campaign, skip={t.pk for t in department_tasks})
        _backdate_department_tasks(department_tasks)
        _supervise(campaign, office, skip={t.pk for t in department_tasks})
        if created_accounts:
            record(
                actor=None,
                actor_name=operator,
                action="demo.ledger_accounts",
                after={"ledger_liaisons": created_accounts},
            )
    return DemoLedgerResult(
        created=True,
        tasks=Task.objects.filter(campaign=campaign).count(),
        reports=reports,
        accounts=created_accounts,
    )


def run_demo(write) -> None:
    """The ledger's part of ``kaimen demo`` (after the district: it needs its units and the
    office's account)."""
    ledger = load_demo_campaign()
    if ledger.created:
        write(
            f"{CAMPAIGN}: the reference speech parsed and published as {ledger.tasks} tasks, "
            f"{ledger.reports} progress reports."
        )
        for username in ledger.accounts:
            write(f"  {username:<20} liaison of a lead unit (password as above)")
    else:
        write(f"{CAMPAIGN}: already there, unchanged.")
