"""The demo campaign's work competition: a scheme with the speech's three dimensions, innovation
practices the towns submitted and the office rated, and the March 2025 month run — shown to the
units, one objection answered, confirmed and published with its 红黑榜 and commendations.

Everything goes through the services at the real time (the audit trail tells the truth about
when the demo was loaded); afterwards the demo moves its own business dates into April 2025,
where the story happened (written as 2025; ``kaimen.lib.demo_calendar`` moves it to the
story's year). Idempotent: a scheme on the demo campaign means the demo is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from kaimen.audit.services import record
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import codec, services
from kaimen.evaluation.honour_roll import objection_window
from kaimen.evaluation.models import (
    Commendation,
    InnovationPractice,
    Objection,
    ObjectionOutcome,
    RollBoard,
    ScoreRun,
    ScoringScheme,
)
from kaimen.lib import clock, demo_calendar, official_calendar
from kaimen.org.demo import CAMPAIGN_OFFICE, DEMO_PASSWORD, liaison_display_name
from kaimen.org.models import Membership, Role, Unit, UnitKind, User

TZ = ZoneInfo("Asia/Shanghai")
SCHEME_NAME = f"{demo_calendar.story_year()}年一季度开门红工作竞赛考核方案"
RUN_DAY = demo_calendar.day(3, 15)  # the month run of March 2025
SHOWN_ON = demo_calendar.day(4, 8)  # after the statistics bureau's 1-3月 release
PUBLISHED_ON = demo_calendar.day(4, 16)
EXCLUDED = (CAMPAIGN_OFFICE, "区大数据中心")
# Town liaisons the demo adds to submit practices (the org demo has only 城关街道's).
TOWN_LIAISONS = {
    "东城街道": "liaison.dongcheng",
    "西城街道": "liaison.xicheng",
    "南湖街道": "liaison.nanhu",
    "北山镇": "liaison.beishan",
    "河口镇": "liaison.hekou",
}
# (unit, title, description, date, rating, comment)
PRACTICES = [
    ("城关街道", "“企业服务日”一站式办结", "每周三集中受理辖区企业诉求，街道班子成员现场办公，当场能办的当场办结。", demo_calendar.day(3, 5), "8.5", "机制清晰，已形成制度，可在全区推广。"),
    ("城关街道", "老旧商圈夜间消费季", "联合商户推出夜市和消费券叠加优惠，周末客流环比增长三成。", demo_calendar.day(3, 20), "7.0", "促消费成效明显，建议补充长效安排。"),
    ("东城街道", "产业园“拎包入驻”标准厂房", "提前建成标准厂房并预办手续，签约企业最快两周投产。", demo_calendar.day(3, 12), "9.0", "直接服务“早春行动”项目落地，效果突出。"),
    ("东城街道", "项目审批“容缺受理”", "对重点项目非关键材料实行容缺受理、限期补正。", demo_calendar.day(3, 26), "6.5", "做法可行，需注意风险防控。"),
    ("西城街道", "社区团购助农直通车", "对接本地农户开展社区团购，带动农产品销售。", demo_calendar.day(3, 18), "5.5", "有一定成效，创新性一般。"),
    ("南湖街道", "新能源产业链“链长+专员”", "每条产业链配一名链长和一名专员，跟踪上下游配套企业。", demo_calendar.day(3, 10), "8.0", "贴合产业链招商，建议与投资促进局联动。"),
    ("南湖街道", "电池材料项目帮办专班", "为南湖新能源电池材料项目组建帮办专班，周调度周通报。", demo_calendar.day(3, 24), "7.5", "推进有力。"),
    ("北山镇", "物流枢纽用地“预审+预批”", "物流枢纽项目用地实行预审预批，节省审批时间约40天。", demo_calendar.day(3, 14), "6.0", "成效待项目开工后检验。"),
    ("河口镇", "水环境治理“河长+企业”共治", "沿河企业认领河段、共担治理，治理进度提前。", demo_calendar.day(3, 7), "7.0", "机制新颖。"),
    ("区商务局", "首店经济招引清单", "梳理品牌首店招引清单，建立一店一策跟踪机制。", demo_calendar.day(3, 11), "6.5", "思路对头，落地尚需加快。"),
    ("区投资促进局", "全员招商线索积分制", "线索按质量计分、按落地结算，不以数量论英雄。", demo_calendar.day(3, 21), "8.0", "以结果计分，符合减负要求。"),
    ("区投资促进局", "“早春行动”云签约", "疫情后首次采用线上线下同步签约，签约项目7个。", demo_calendar.day(3, 28), "7.5", "效果较好。"),
]  # fmt: skip
OBJECTING_TOWN = "西城街道"
OBJECTION_TEXT = (
    "本单位“社区团购助农直通车”举措带动农产品销售40余万元，评分5.5分偏低，请复核比创新得分。"
)
OBJECTION_ANSWER = (
    "经复核：举措评分依据创新性、实际成效和可推广性综合评定，该举措创新性一般，维持原评分。"
    "申诉不成立。"
)


@dataclass
class DemoEvaluationResult:
    created: bool
    practices: int = 0
    units_ranked: int = 0
    commendations: int = 0
    accounts: list[str] = field(default_factory=list)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _office() -> User | None:
    return (
        User.objects.filter(
            memberships__role=Role.OFFICE,
            memberships__is_active=True,
            memberships__unit__name=CAMPAIGN_OFFICE,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def _liaison(unit: Unit, created: list[str]) -> User:
    membership = (
        Membership.objects.filter(unit=unit, role=Role.LIAISON, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    username = TOWN_LIAISONS.get(unit.name, f"liaison.u{unit.pk}")
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


def _scheme(office: User, campaign: Campaign) -> None:
    ratio100 = {"method": "ratio_to_target", "target": "100", "cap": "1", "bands": []}
    config = {
        "name": SCHEME_NAME,
        "missing": "reweight",
        "min_samples": 2,
        "dimensions": [
            {
                "dimension": "speed",
                "weight": "50",
                "metrics": [
                    {
                        "code": "speed.indicator_progress",
                        "weight": "60",
                        "normalisation": {"method": "ratio_to_target", "cap": "1.25"},
                    },
                    {
                        "code": "speed.tasks_on_time",
                        "weight": "40",
                        "normalisation": ratio100,
                    },
                ],
            },
            {
                "dimension": "quality",
                "weight": "40",
                "metrics": [
                    {"code": "quality.reports_accepted", "weight": "40", "normalisation": ratio100},
                    {
                        "code": "quality.closed_without_rework",
                        "weight": "30",
                        "normalisation": ratio100,
                        "min_samples": 1,
                    },
                    {
                        "code": "quality.red_explained",
                        "weight": "30",
                        "normalisation": ratio100,
                        "min_samples": 1,
                    },
                ],
            },
            {
                "dimension": "innovation",
                # A small weight against the sum of ratings (15 points: two good practices), so
                # a unit's one practice is not scored 0 because another unit had three.
                "weight": "10",
                "metrics": [
                    {
                        "code": "innovation.practice_rating",
                        "weight": "100",
                        "normalisation": {"method": "ratio_to_target", "target": "15", "cap": "1"},
                        "min_samples": 1,
                    }
                ],
            },
        ],
    }
    services.scheme_save(
        actor=office,
        campaign=campaign,
        config=config,
        peer_groups=[UnitKind.DEPARTMENT, UnitKind.TOWN],
        excluded_unit_ids=list(Unit.objects.filter(name__in=EXCLUDED).values_list("pk", flat=True)),
        # 红黑榜 an office can defend: 红榜 ≥ 85 points and in the top fifth of the group, 黑榜
        # < 60 points and in the bottom tenth; no list for a group of fewer than five units.
        top_k=3,
        bottom_k=3,
        top_share="20",
        bottom_share="10",
        red_min_total="85",
        black_below_total="60",
        min_group_size=5,
        objection_workdays=5,
    )


def _practices(office: User, campaign: Campaign, created: list[str]) -> int:
    units = {u.name: u for u in Unit.objects.filter(name__in={p[0] for p in PRACTICES})}
    count = 0
    for unit_name, title, description, day, rating, comment in PRACTICES:
        unit = units.get(unit_name)
        if unit is None:
            continue
        practice = services.practice_submit(
            actor=_liaison(unit, created),
            campaign=campaign,
            unit=unit,
            title=title,
            description=description,
            practiced_on=day,
        )
        services.practice_rate(
            actor=office, practice=practice, rating=rating, comment=comment, expected_version=1
        )
        InnovationPractice.objects.filter(pk=practice.pk).update(
            submitted_at=_at(day, 17), rated_at=_at(demo_calendar.day(4, 3), 15)
        )
        count += 1
    return count


def _run(office: User, campaign: Campaign, created: list[str]) -> ScoreRun:
    run = services.run_compute(actor=office, campaign=campaign, period_kind="month", day=RUN_DAY)
    run = services.run_open_objections(actor=office, run=run)
    town = Unit.objects.filter(name=OBJECTING_TOWN).first()
    if town is not None and run.standings.filter(unit=town).exists():
        objection = services.objection_lodge(
            actor=_liaison(town, created), run=run, unit=town, text=OBJECTION_TEXT
        )
        services.objection_answer(
            actor=office,
            objection=objection,
            answer=OBJECTION_ANSWER,
            outcome=ObjectionOutcome.REJECTED,
        )
        Objection.objects.filter(pk=objection.pk).update(
            lodged_at=_at(demo_calendar.day(4, 10), 16),
            answered_at=_at(demo_calendar.day(4, 14), 11),
        )
    # The window as it stood in April 2025: closed by now, so the office may publish.
    cal = official_calendar.load()
    window = objection_window(
        SHOWN_ON, workdays=5, overrides=cal.overrides, complete_years=cal.complete_years
    )
    ScoreRun.objects.filter(pk=run.pk).update(
        computed_at=_at(demo_calendar.day(4, 7), 9),
        window_opened_at=_at(SHOWN_ON, 9),
        window_shown_on=window.shown_on,
        window_closes_on=window.closes_on,
    )
    run.refresh_from_db()
    run = services.run_publish(actor=office, run=run, confirm=True)
    ScoreRun.objects.filter(pk=run.pk).update(published_at=_at(PUBLISHED_ON, 15))
    return run


def _commend(office: User, campaign: Campaign, run: ScoreRun) -> int:
    roll = codec.roll_from_dict(run.roll)
    count = 0
    for group in roll.groups:
        if not group.red:
            continue
        unit = Unit.objects.get(pk=int(group.red[0].unit))
        services.commendation_grant(
            actor=office, campaign=campaign, kind="unit", unit=unit, run=run
        )
        count += 1
    best_town = (
        run.standings.filter(board=RollBoard.RED, peer_group="town").order_by("order").first()
    )
    if best_town is not None:
        services.commendation_grant(
            actor=office,
            campaign=campaign,
            kind="person",
            unit=best_town.unit,
            person_name="陈晓东",
            deeds="牵头推进辖区重点项目和企业服务，3月份协调解决企业难题12件",
            run=run,
        )
        count += 1
    Commendation.objects.filter(run=run).update(granted_at=_at(demo_calendar.day(4, 18), 10))
    return count


def load_demo_evaluation(*, operator: str = "kaimen demo") -> DemoEvaluationResult:
    campaign = Campaign.objects.filter(name=CAMPAIGN).first()
    if campaign is None or ScoringScheme.objects.filter(campaign=campaign).exists():
        return DemoEvaluationResult(created=False)
    office = _office()
    if office is None:
        raise RuntimeError("the demo rankings need the demo district first (kaimen demo loads it)")
    created: list[str] = []
    with transaction.atomic():
        _scheme(office, campaign)
        practices = _practices(office, campaign, created)
        run = _run(office, campaign, created)
        commendations = _commend(office, campaign, run)
        if created:
            record(
                actor=None,
                actor_name=operator,
                action="demo.evaluation_accounts",
                after={"town_liaisons": created},
            )
    return DemoEvaluationResult(
        created=True,
        practices=practices,
        units_ranked=run.standings.filter(rank__isnull=False).count(),
        commendations=commendations,
        accounts=created,
    )


def run_demo(write) -> None:
    """The rankings' part of ``kaimen demo`` (after the ledger and the targets: it reads both)."""
    evaluation = load_demo_evaluation()
    if evaluation.created:
        write(
            f"Rankings: a scheme, {evaluation.practices} rated innovation practices and the "
            f"March run published ({evaluation.units_ranked} units ranked, "
            f"{evaluation.commendations} commendations)."
        )
        for username in evaluation.accounts:
            write(f"  {username:<20} liaison of a town (password as above)")
    else:
        write("Rankings: already there, unchanged.")
