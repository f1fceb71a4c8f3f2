"""A hand-computed month of scores, built through the services (plain functions, not fixtures).

March 2025, on top of the cast (东城街道 A, 西城街道 B) plus 南湖镇 (C), 北山镇 (D), 区商务局 and
区统计局; 调度办 and 区大数据中心 take no part. Scheme: 比速度 60% (指标完成进度 50%: ratio to the
expected progress, CityScore cap 1.25; 任务按时完成率 50%: ratio to 100, cap 1), 比创新 40%
(创新举措评分 100%: min-max in the peer group). Minimum sample 2; missing data re-weighted.

Indicators: two cumulative indicators, targets of 100 with a plan of 25 at 1-3月 (expected 25%).
Tasks: two per unit, due 20 March; all reported done on 18 March except B's second (25 March).

东城街道 A  completion 31.25, 31.25 vs 25 → 1.25 → 100;  tasks 100, 100 → 100;  speed 100
           practices 8 + 7 = 15
西城街道 B  completion 25, 25 vs 25 → 1 → 80;  tasks 100, 0 → 50;  speed 80×.5 + 50×.5 = 65
           practices 5 + 5 = 10
南湖镇 C    one indicator only (31.25): below the minimum sample, left out; tasks 100 takes
           比速度 whole: speed 100;  practices 9 + 9 = 18
北山镇 D    as A: speed 100;  practices 8 + 7 = 15
创新 (towns, min-max, low 10 high 18): A 62.50, B 0, C 100, D 62.50
Totals: A 100×.6 + 62.50×.4 = 85.00;  D 85.00;  B 65×.6 + 0 = 39.00;  C 100 but short of samples
Ranks:  A and D 并列第1, C 3rd (held off the top: level with the best fully-sampled, ranked
        after them), B 4th.
区商务局    no indicators (missing, re-weighted): speed = tasks 100;  practices 6 + 6 = 12 alone in
           its group → 100;  total 100.00, 1st
区统计局    no data at all: not ranked
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kaimen.campaigns.models import Campaign
from kaimen.evaluation import services
from kaimen.evaluation.models import InnovationPractice, ScoreRun, ScoringScheme
from kaimen.ledger import services as ledger
from kaimen.ledger.models import Task
from kaimen.lib import clock as clock_module
from kaimen.org.models import Role, Unit, UnitKind, User
from kaimen.targets.models import Actual, Indicator, PlanValue, Provenance, Target, Tier
from tests.conftest import make_user
from tests.ledger.ledger_helpers import make_tasks

D = Decimal
TZ = ZoneInfo("Asia/Shanghai")
MARCH = date(2025, 3, 15)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def ratio(target: str | None = None, cap: str = "1.25") -> dict:
    return {"method": "ratio_to_target", "target": target, "cap": cap}


def scheme_config(**overrides) -> dict:
    config = {
        "name": "三月考核",
        "missing": "reweight",
        "min_samples": 2,
        "dimensions": [
            {
                "dimension": "speed",
                "weight": "60",
                "metrics": [
                    {"code": "speed.indicator_progress", "weight": "50", "normalisation": ratio()},
                    {
                        "code": "speed.tasks_on_time",
                        "weight": "50",
                        "normalisation": ratio("100", "1"),
                    },
                ],
            },
            {
                "dimension": "innovation",
                "weight": "40",
                "metrics": [
                    {
                        "code": "innovation.practice_rating",
                        "weight": "100",
                        "normalisation": {"method": "min_max"},
                    }
                ],
            },
        ],
    }
    config.update(overrides)
    return config


def save_scheme(
    world: World, *, top_k: int = 1, bottom_k: int = 1, rules: dict | None = None, **config
) -> ScoringScheme:
    """The scheme of the hand-computed month; its 红黑榜 has no bars and no minimum group size
    unless ``rules`` says otherwise (the world is four towns and two departments)."""
    rules = {"red_min_total": None, "black_below_total": None, "min_group_size": 1} | (rules or {})
    return services.scheme_save(
        actor=world.cast.office,
        campaign=world.campaign,
        config=scheme_config(**config),
        peer_groups=[UnitKind.DEPARTMENT, UnitKind.TOWN],
        excluded_unit_ids=[world.cast.office_unit.pk, world.cast.it_unit.pk],
        top_k=top_k,
        bottom_k=bottom_k,
        objection_workdays=5,
        **rules,
    )


def add_indicator(code: str, name: str, **fields) -> Indicator:
    defaults = {
        "measure_unit": "亿元",
        "kind": "amount",
        "frequency": "monthly",
        "merged_jan_feb": False,
        "light_basis": "completion",
        "expectation": "plan",
        "green_within_pts": D(0),
        "yellow_within_pts": D(5),
    }
    return Indicator.objects.create(code=code, name=name, **(defaults | fields))


def add_target(indicator: Indicator, unit: Unit, *, actual: str | None, share: str = "0.25"):
    target = Target.objects.create(
        indicator=indicator, unit=unit, year=2025, tier=Tier.ENSURE, value=D(100)
    )
    PlanValue.objects.create(target=target, end_month=3, value=D(share) * 100, share=D(share))
    if actual is not None:
        Actual.objects.create(
            indicator=indicator,
            unit=unit,
            year=2025,
            end_month=3,
            provenance=Provenance.OFFICIAL,
            version=1,
            value=D(actual),
            entered_at=clock_module.now(),
        )
    return target


@dataclass
class World:
    cast: object
    campaign: Campaign
    town_c: Unit
    town_d: Unit
    commerce: Unit
    statistics: Unit
    liaison_c: User
    liaison_d: User
    liaison_commerce: User
    tasks: dict[str, list[Task]]
    indicators: tuple[Indicator, Indicator]

    def liaison_of(self, unit: Unit) -> User:
        return {
            self.cast.town_a.pk: self.cast.liaison_a,
            self.cast.town_b.pk: self.cast.liaison_b,
            self.town_c.pk: self.liaison_c,
            self.town_d.pk: self.liaison_d,
            self.commerce.pk: self.liaison_commerce,
        }[unit.pk]


def build_world(cast, clock) -> World:
    """The month of March 2025 described above; the clock ends at 2 April 2025, 09:00."""
    top = cast.top
    town_c = Unit.objects.create(name="南湖镇", kind=UnitKind.TOWN, parent=top)
    town_d = Unit.objects.create(name="北山镇", kind=UnitKind.TOWN, parent=top)
    commerce = Unit.objects.create(name="区商务局", kind=UnitKind.DEPARTMENT, parent=top)
    statistics = Unit.objects.create(name="区统计局", kind=UnitKind.DEPARTMENT, parent=top)
    liaison_c = make_user("liaison_c", (town_c, Role.LIAISON))
    liaison_d = make_user("liaison_d", (town_d, Role.LIAISON))
    liaison_commerce = make_user("liaison_commerce", (commerce, Role.LIAISON))

    clock.current = at(date(2025, 3, 3))
    units = {"a": cast.town_a, "b": cast.town_b, "c": town_c, "d": town_d, "commerce": commerce}
    specs = [(unit, []) for unit in units.values() for _ in range(2)]
    made = make_tasks(cast, specs, deadline=date(2025, 3, 20))
    campaign = made[0].campaign
    Campaign.objects.filter(pk=campaign.pk).update(end=date(2025, 3, 31))
    campaign.refresh_from_db()
    tasks = {key: made[2 * i : 2 * i + 2] for i, key in enumerate(units)}
    world = World(
        cast=cast,
        campaign=campaign,
        town_c=town_c,
        town_d=town_d,
        commerce=commerce,
        statistics=statistics,
        liaison_c=liaison_c,
        liaison_d=liaison_d,
        liaison_commerce=liaison_commerce,
        tasks=tasks,
        indicators=(
            add_indicator("investment", "固定资产投资"),
            add_indicator("output", "工业总产值"),
        ),
    )
    late = tasks["b"][1]
    clock.current = at(date(2025, 3, 18))
    for key, unit in units.items():
        for task in tasks[key]:
            if task.pk != late.pk:
                ledger.task_request_closure(
                    actor=world.liaison_of(unit), task=task, summary="已完成"
                )
    clock.current = at(date(2025, 3, 25))
    ledger.task_request_closure(actor=cast.liaison_b, task=late, summary="已完成（逾期）")

    first, second = world.indicators
    for unit, actuals in (
        (cast.town_a, ("31.25", "31.25")),
        (cast.town_b, ("25", "25")),
        (town_c, ("31.25", None)),
        (town_d, ("31.25", "31.25")),
    ):
        add_target(first, unit, actual=actuals[0])
        if actuals[1] is not None:
            add_target(second, unit, actual=actuals[1])

    clock.current = at(date(2025, 4, 2))
    for unit, ratings in (
        (cast.town_a, ("8", "7")),
        (cast.town_b, ("5", "5")),
        (town_c, ("9", "9")),
        (town_d, ("8", "7")),
        (commerce, ("6", "6")),
    ):
        for n, rating in enumerate(ratings, start=1):
            practice = services.practice_submit(
                actor=world.liaison_of(unit),
                campaign=campaign,
                unit=unit,
                title=f"{unit.name}创新举措{n}",
                description="做法和成效",
                practiced_on=date(2025, 3, 10 + n),
            )
            services.practice_rate(
                actor=cast.office,
                practice=practice,
                rating=rating,
                comment="",
                expected_version=practice.version,
            )
    return world


def compute_march(world: World, *, actor=None) -> ScoreRun:
    return services.run_compute(
        actor=actor or world.cast.office,
        campaign=world.campaign,
        period_kind="month",
        day=MARCH,
    )


def practice_of(world: World, unit: Unit) -> InnovationPractice:
    return InnovationPractice.objects.filter(unit=unit).order_by("pk").first()
