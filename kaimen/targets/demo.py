"""The demo district's indicators, this year's targets and figures (synthetic, clearly labelled).

Loaded by ``kaimen demo`` after the units and accounts. Idempotent: every step looks for what
it would create and skips it when it is there, so a second run writes nothing and records no
audit event. The history is ``data/demo_history.csv`` (8 years, written as 2017–2024,
synthetic); the towns' shares of the district are synthetic too, and every such figure says so
in its source. The story's year (written as 2025; ``kaimen.lib.demo_calendar`` moves it and its
history to the latest year whose first quarter is over) has targets for the key indicators,
split onto towns and departments, and figures for 1-2月 and 1-3月 as written, continued month by
month to the last completed quarter, so the monitoring page shows this year's lights and a
nowcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction

from kaimen.audit.services import record
from kaimen.lib import clock, demo_calendar
from kaimen.org.demo import TOWNS
from kaimen.org.models import Unit
from kaimen.targets import demo_history_monthly as monthly
from kaimen.targets import services
from kaimen.targets.models import (
    Actual,
    Explanation,
    Indicator,
    PlanMethod,
    Project,
    Provenance,
    SplitBasis,
    Target,
    Tier,
)
from kaimen.targets.nowcast import load_indicator_history_csv
from kaimen.targets.selectors import district_unit

HISTORY_CSV = Path(__file__).with_name("data") / "demo_history.csv"
COMMAND = "kaimen demo"
YEAR = demo_calendar.story_year()
# Years of the written story move by this much (the history CSV is written as 2017–2024).
OFFSET = YEAR - demo_calendar.WRITTEN_YEAR
LATEST_MONTH = demo_calendar.latest_month()
SYNTHETIC = "示范数据（合成）"
D = Decimal

# code, name, other names, unit of measure, kind, frequency, 1-2月 merged, owner department,
# higher is better, price basis, light basis, expectation, green / yellow (points), decimals
CATALOGUE: list[dict] = [
    dict(code="gdp", name="地区生产总值", aliases="GDP\n生产总值", measure_unit="亿元", kind="amount", frequency="quarterly", merged_jan_feb=False, owner="区发展和改革局", price_basis="real", light_basis="growth", green="0", yellow="1", is_key=True, description="按季度核算；增速按可比价计算。"),
    dict(code="industrial_value_added", name="规模以上工业增加值", aliases="规上工业增加值\n规模以上工业增加值（可比价）", measure_unit="指数", kind="amount", frequency="monthly", merged_jan_feb=True, owner="区工业和信息化局", price_basis="real", light_basis="growth", green="0", yellow="2", is_key=True, growth_only=True, description="区级只公布增速；示范数据的水平值为指数化数值（2016年月均=100）。增速按可比价计算。"),
    dict(code="fixed_asset_investment", name="固定资产投资", aliases="固投\n全社会固定资产投资\n固定资产投资（不含农户）", measure_unit="亿元", kind="amount", frequency="monthly", merged_jan_feb=True, owner="区发展和改革局", price_basis="nominal", light_basis="completion", green="0", yellow="5", is_key=True),
    dict(code="retail_sales", name="社会消费品零售总额", aliases="社零\n社零额\n社会消费品零售额", measure_unit="亿元", kind="amount", frequency="monthly", merged_jan_feb=True, owner="区商务局", price_basis="nominal", light_basis="growth", green="0", yellow="2", is_key=True),
    dict(code="budget_revenue", name="一般公共预算收入", aliases="地方一般公共预算收入\n一般公共预算收入（地方级）", measure_unit="亿元", kind="amount", frequency="monthly", merged_jan_feb=False, owner="区财政局", price_basis="nominal", light_basis="completion", expectation="calendar", green="0", yellow="5", is_key=True),
    dict(code="foreign_trade", name="外贸进出口总额", aliases="进出口总额\n外贸进出口", measure_unit="亿元", kind="amount", frequency="monthly", merged_jan_feb=False, owner="区商务局", price_basis="nominal", light_basis="completion", green="0", yellow="5", is_key=True),
    dict(code="fdi_utilized", name="实际使用外资", aliases="实际利用外资\n实际使用外资金额", measure_unit="万美元", kind="amount", frequency="monthly", merged_jan_feb=False, owner="区商务局", price_basis="nominal", light_basis="completion", expectation="calendar", green="0", yellow="5", is_key=True),
    dict(code="investment_funds", name="招商引资到位资金", aliases="到位资金\n招商引资实际到位资金", measure_unit="亿元", kind="amount", frequency="monthly", merged_jan_feb=False, owner="区投资促进局", price_basis="nominal", light_basis="completion", expectation="calendar", green="0", yellow="5", is_key=True),
    dict(code="projects_signed", name="新签约项目数", aliases="签约项目\n新签约项目", measure_unit="个", kind="count", frequency="monthly", merged_jan_feb=False, owner="区投资促进局", light_basis="completion", expectation="calendar", green="0", yellow="5", decimals=0, is_key=True),
    dict(code="projects_started", name="新开工项目数", aliases="新开工项目", measure_unit="个", kind="count", frequency="monthly", merged_jan_feb=False, owner="区发展和改革局", light_basis="completion", expectation="calendar", green="0", yellow="5", decimals=0, is_key=True),
    dict(code="new_industrial_firms", name="新增规上工业企业", aliases="新增规模以上工业企业\n新增规上企业", measure_unit="家", kind="count", frequency="monthly", merged_jan_feb=False, owner="区工业和信息化局", light_basis="completion", expectation="calendar", green="0", yellow="5", decimals=0),
    dict(code="urban_jobs", name="城镇新增就业", aliases="城镇新增就业人数", measure_unit="人", kind="count", frequency="monthly", merged_jan_feb=False, owner="区人力资源和社会保障局", light_basis="completion", expectation="calendar", green="0", yellow="5", decimals=0),
    dict(code="disposable_income", name="居民人均可支配收入", aliases="全体居民人均可支配收入", measure_unit="元", kind="amount", frequency="quarterly", merged_jan_feb=False, owner="区统计局", price_basis="nominal", light_basis="growth", green="0", yellow="1", decimals=0),
    dict(code="unemployment_rate", name="城镇调查失业率", aliases="调查失业率", measure_unit="%", kind="ratio", frequency="quarterly", merged_jan_feb=False, owner="区人力资源和社会保障局", higher_is_better=False, light_basis="level", green="0", yellow="0.3", description="越低越好：目标为上限。"),
    dict(code="rd_intensity", name="研发投入强度", aliases="R&D经费投入强度\n研发经费投入强度", measure_unit="%", kind="ratio", frequency="yearly", merged_jan_feb=False, owner="区科学技术局", light_basis="level", green="0", yellow="0.2"),
]  # fmt: skip

# Each town's synthetic share of the district's 固投 and 社零, and how its 2025 start differs.
TOWN_SHARES = dict(
    zip(TOWNS, ["0.20", "0.16", "0.14", "0.12", "0.11", "0.10", "0.09", "0.08"], strict=True)
)
TOWN_START = {
    "fixed_asset_investment": dict(
        zip(TOWNS, ["0.65", "1.04", "0.95", "1.30", "0.86", "1.01", "0.97", "0.90"], strict=True)
    ),
    "retail_sales": dict(
        zip(TOWNS, ["0.99", "1.03", "1.01", "1.06", "1.00", "1.02", "1.015", "1.00"], strict=True)
    ),
}
TOWN_GROWTH_ADJUST = dict(
    zip(TOWNS, ["-0.3", "0.2", "0.0", "0.4", "-0.2", "0.1", "-0.1", "0.3"], strict=True)
)
FUNDS_WEIGHTS = {
    "区投资促进局": 50,
    "区商务局": 20,
    "区工业和信息化局": 20,
    "区文化广电旅游体育局": 10,
}
PROJECTS = [
    ("城东智能制造产业园一期", "东城街道", "38.5"),
    ("南湖新能源电池材料项目", "南湖街道", "26.0"),
    ("北山物流枢纽", "北山镇", "18.2"),
    ("城关老旧小区改造", "城关街道", "9.6"),
    ("河口水环境综合治理", "河口镇", "12.4"),
]

# District targets for 2025: (code, ensure growth, ensure value, strive growth, method)
TARGETS = [
    ("gdp", "6.0", None, "6.5", PlanMethod.SEASONAL),
    ("industrial_value_added", "8.0", None, "9.0", PlanMethod.SEASONAL),
    ("fixed_asset_investment", "10.0", None, "12.0", PlanMethod.SEASONAL),
    ("retail_sales", "6.0", None, "7.0", PlanMethod.SEASONAL),
    ("budget_revenue", "5.0", "85", None, PlanMethod.EVEN),
    ("foreign_trade", "8.0", "120", None, PlanMethod.EVEN),
    ("fdi_utilized", None, "15000", None, PlanMethod.EVEN),
    ("investment_funds", None, "200", None, PlanMethod.EVEN),
    ("projects_signed", None, "120", None, PlanMethod.EVEN),
    ("projects_started", None, "80", None, PlanMethod.EVEN),
]

# District figures for 2025 (1-2月, 1-3月): value (None = from last year × (1 + nominal
# growth)), published growth. Chosen so that the lights are a realistic mix.
FIGURES = {
    "gdp": {3: (None, "5.6", "6.8")},
    "industrial_value_added": {2: (None, "7.1", "7.1"), 3: (None, "8.3", "8.3")},
    "fixed_asset_investment": {2: ("52.31", "5.4", None), 3: ("80.50", "-5.8", None)},
    "retail_sales": {2: (None, "4.2", "4.6"), 3: (None, "3.5", "3.9")},
    "budget_revenue": {1: ("7.5", "4.1", None), 2: ("14.2", "4.6", None), 3: ("19.0", "3.8", None)},
    "foreign_trade": {1: ("8.6", "6.2", None), 2: ("17.5", "7.0", None), 3: ("23.5", "5.1", None)},
    "fdi_utilized": {1: ("1300", None, None), 2: ("2600", None, None), 3: ("3300", None, None)},
    "investment_funds": {1: ("14", None, None), 2: ("30", None, None), 3: ("52", None, None)},
    "projects_signed": {1: ("9", None, None), 2: ("22", None, None), 3: ("31", None, None)},
    "projects_started": {1: ("4", None, None), 2: ("9", None, None), 3: ("15", None, None)},
}


@dataclass
class TargetsDemoResult:
    indicators: int = 0
    figures: int = 0
    targets: int = 0
    projects: int = 0

    @property
    def created_anything(self) -> bool:
        return bool(self.indicators or self.figures or self.targets or self.projects)


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(D(places), ROUND_HALF_UP)


def load_demo_targets() -> TargetsDemoResult:
    """Create what is missing of the demo catalogue, history, targets and 2025 figures."""
    result = TargetsDemoResult()
    district = district_unit()
    if district is None:
        return result
    units = {u.name: u for u in Unit.objects.all()}
    with transaction.atomic():
        indicators = _catalogue(units, result)
        new_figures = _history(district, units, indicators)
        result.figures += len(new_figures)
        Actual.objects.bulk_create(new_figures)
        _targets(district, units, indicators, result)
        more = _figures_this_year(district, units, indicators)
        result.figures += len(more)
        Actual.objects.bulk_create(more)
        _explanations(district, units, indicators)
        if result.figures:
            record(
                actor=None,
                actor_name=COMMAND,
                action="targets.demo.figures",
                after={"figures": result.figures, "source": SYNTHETIC},
            )
    return result


def _catalogue(units: dict[str, Unit], result: TargetsDemoResult) -> dict[str, Indicator]:
    existing = {i.code: i for i in Indicator.objects.all()}
    for order, row in enumerate(CATALOGUE, start=1):
        if row["code"] in existing:
            continue
        fields = {
            "code": row["code"],
            "name": row["name"],
            "aliases": row.get("aliases", ""),
            "measure_unit": row["measure_unit"],
            "kind": row["kind"],
            "frequency": row["frequency"],
            "merged_jan_feb": row["merged_jan_feb"],
            "owner_unit": units.get(row["owner"]),
            "higher_is_better": row.get("higher_is_better", True),
            "price_basis": row.get("price_basis", ""),
            "light_basis": row["light_basis"],
            "expectation": row.get("expectation", "plan"),
            "green_within_pts": D(row["green"]),
            "yellow_within_pts": D(row["yellow"]),
            "decimals": row.get("decimals", 2),
            "growth_only": row.get("growth_only", False),
            "description": row.get("description", ""),
            "sort_order": order * 10,
            "is_key": row.get("is_key", False),
        }
        existing[row["code"]] = services.indicator_create(actor=None, system=True, **fields)
        result.indicators += 1
    return existing


def _figure(indicator, unit, year, month, value, growth=None, source=SYNTHETIC) -> Actual:
    return Actual(
        indicator=indicator,
        unit=unit,
        year=year,
        end_month=month,
        provenance=Provenance.OFFICIAL,
        version=1,
        value=value,
        growth_pct=growth,
        entered_at=clock.now(),
        source_ref=source,
    )


def _history(
    district: Unit, units: dict[str, Unit], indicators: dict[str, Indicator]
) -> list[Actual]:
    """2017–2024 for the district from the CSV; the towns' 固投 and 社零 as synthetic shares."""
    series = load_indicator_history_csv(HISTORY_CSV)
    have = set(
        Actual.objects.filter(year__lt=YEAR).values_list(
            "indicator_id", "unit_id", "year", "end_month"
        )
    )
    new: list[Actual] = []
    for code, years in series.items():
        indicator = indicators[code]
        for written_year, periods in years.items():
            year = written_year + OFFSET
            for period, value in periods.items():
                if (indicator.pk, district.pk, year, period.end_month) not in have:
                    new.append(
                        _figure(
                            indicator,
                            district,
                            year,
                            period.end_month,
                            value,
                            source="demo_history.csv（合成）",
                        )
                    )
                if code not in ("fixed_asset_investment", "retail_sales"):
                    continue
                for i, town in enumerate(TOWNS):
                    unit = units.get(town)
                    if unit is None or (indicator.pk, unit.pk, year, period.end_month) in have:
                        continue
                    # Shares drift a little year by year, so towns do not move in lockstep.
                    drift = D(1) + D((written_year - 2020) * (i - 3)) / D(400)
                    new.append(
                        _figure(
                            indicator,
                            unit,
                            year,
                            period.end_month,
                            _q(value * D(TOWN_SHARES[town]) * drift),
                        )
                    )
    new.extend(_monthly_history(district, indicators, have))
    return new


def _monthly_history(district: Unit, indicators: dict[str, Indicator], have: set) -> list[Actual]:
    """The district's earlier years of the key indicators the CSV does not hold, built to agree
    with this year's targets and figures (kaimen.targets.demo_history_monthly)."""
    targets = {code: (growth, value) for code, growth, value, *_ in TARGETS}
    this_year = district_figures()
    new: list[Actual] = []
    for code in monthly.PATTERNS:
        growth, value = targets[code]
        indicator = indicators[code]
        series = monthly.monthly_history(
            code,
            year=YEAR,
            target_value=D(value),
            target_growth_pct=D(growth) if growth else None,
            this_year={
                month: (D(v), D(g) if g is not None else None)
                for month, (v, g, _nominal) in this_year.get(code, {}).items()
                if v is not None
            },
            whole_numbers=indicator.decimals == 0,
        )
        for year, months in series.items():
            for month, amount in months.items():
                if (indicator.pk, district.pk, year, month) not in have:
                    new.append(_figure(indicator, district, year, month, amount, source=SYNTHETIC))
    return new


def _targets(
    district: Unit,
    units: dict[str, Unit],
    indicators: dict[str, Indicator],
    result: TargetsDemoResult,
) -> None:
    have = set(Target.objects.filter(year=YEAR).values_list("indicator__code", "unit_id", "tier"))
    towns = [units[t] for t in TOWNS if t in units]
    for code, growth, value, strive, method in TARGETS:
        indicator = indicators[code]
        if (code, district.pk, Tier.ENSURE) in have:
            continue
        target = services.target_set(
            actor=None,
            system=True,
            indicator=indicator,
            unit=district,
            year=YEAR,
            tier=Tier.ENSURE,
            value=D(value) if value else None,
            growth_pct=D(growth) if growth else None,
            method=method,
        )
        result.targets += 1
        if strive:
            services.target_set(
                actor=None, system=True, indicator=indicator, unit=district, year=YEAR,
                tier=Tier.STRIVE, growth_pct=D(strive), method=method,
            )  # fmt: skip
            result.targets += 1
        if code in ("fixed_asset_investment", "retail_sales"):
            services.target_split(
                actor=None, system=True, target=target, units=towns, basis=SplitBasis.SHARE
            )
            result.targets += len(towns)
        elif code == "projects_signed":
            services.target_split(
                actor=None, system=True, target=target, units=towns, basis=SplitBasis.WEIGHTS,
                weights={u.pk: 1 for u in towns},
            )  # fmt: skip
            result.targets += len(towns)
        elif code == "investment_funds":
            departments = [units[n] for n in FUNDS_WEIGHTS if n in units]
            services.target_split(
                actor=None, system=True, target=target, units=departments, basis=SplitBasis.WEIGHTS,
                weights={u.pk: FUNDS_WEIGHTS[u.name] for u in departments},
            )  # fmt: skip
            result.targets += len(departments)
        if code == "fixed_asset_investment":
            for name, town, amount in PROJECTS:
                if town in units and not Project.objects.filter(name=name, year=YEAR).exists():
                    services.project_create(
                        actor=None, system=True, name=name, unit=units[town], year=YEAR,
                        planned_investment=D(amount), notes=SYNTHETIC,
                    )  # fmt: skip
                    result.projects += 1
            services.target_split_onto_projects(actor=None, system=True, target=target)


def district_figures(latest_month: int = LATEST_MONTH) -> dict[str, dict[int, tuple]]:
    """FIGURES as written (1-2月, 1-3月), continued to ``latest_month``: each published growth
    rate closes half its gap to the target growth over the rest of the year (a slow start
    stays behind), and amounts without a growth rate keep their first-quarter pace, quickening
    a little. Values left None are computed from last year × (1 + nominal growth)."""
    targets = {code: D(growth) for code, growth, *_ in TARGETS if growth}
    out: dict[str, dict[int, tuple]] = {}
    for code, periods in FIGURES.items():
        row = CATALOGUE_BY_CODE[code]
        step = 3 if row["frequency"] == "quarterly" else 1
        written = max(periods)
        value0, growth0, nominal0 = periods[written]
        extended = dict(periods)
        for month in range(written + step, latest_month + 1, step):
            share = D(month - written) / D(12 - written)
            growth = nominal = value = None
            if growth0 is not None:
                g0 = D(growth0)
                g = g0 + (targets.get(code, g0) - g0) * share / 2
                growth = str(_q(g, "0.1"))
                gap = D(nominal0) - g0 if nominal0 is not None else D(0)
                nominal = str(_q(g + gap, "0.1"))
            if value0 is not None and (growth0 is None or code in _NO_HISTORY):
                pace = D(month) / D(written) * (1 + D(month - written) / D(100))
                value = _q(D(value0) * pace, "1" if row.get("decimals") == 0 else "0.01")
                value = str(value)
            extended[month] = (value, growth, nominal)
        out[code] = extended
    return out


# Indicators whose last year the demo history does not hold: their amounts are continued from
# the first quarter's pace rather than from last year's figures.
_NO_HISTORY = frozenset(["budget_revenue", "foreign_trade"])
CATALOGUE_BY_CODE = {row["code"]: row for row in CATALOGUE}
# Town counts of signed projects, as written for 1-3 months.
TOWN_SIGNED = {
    1: [2, 1, 1, 1, 1, 1, 1, 1],
    2: [4, 3, 3, 3, 2, 3, 2, 2],
    3: [6, 4, 5, 4, 2, 4, 3, 3],
}


def _figures_this_year(
    district: Unit, units: dict[str, Unit], indicators: dict[str, Indicator]
) -> list[Actual]:
    have = set(Actual.objects.filter(year=YEAR).values_list("indicator_id", "unit_id", "end_month"))
    last_year = {
        (a.indicator_id, a.unit_id, a.end_month): a.value
        for a in Actual.objects.filter(year=YEAR - 1, provenance=Provenance.OFFICIAL)
    }
    new: list[Actual] = []
    for code, periods in district_figures().items():
        indicator = indicators[code]
        for month, (value, growth, nominal) in periods.items():
            if (indicator.pk, district.pk, month) in have:
                continue
            base = last_year.get((indicator.pk, district.pk, month))
            amount = D(value) if value else _q(base * (1 + D(nominal) / 100)) if base else None
            new.append(
                _figure(indicator, district, YEAR, month, amount, D(growth) if growth else None)
            )
            if code in ("fixed_asset_investment", "retail_sales") and amount is not None:
                new.extend(_town_figures(indicator, units, month, amount, last_year, have))
            elif code == "projects_signed":
                for i, town in enumerate(TOWNS):
                    unit = units.get(town)
                    if unit and (indicator.pk, unit.pk, month) not in have:
                        if month in TOWN_SIGNED:
                            count = TOWN_SIGNED[month][i]
                        else:  # the first quarter's pace
                            count = round(TOWN_SIGNED[3][i] * month / 3)
                        new.append(_figure(indicator, unit, YEAR, month, D(count)))
            elif code == "investment_funds":
                factors = {
                    "区投资促进局": "1.10",
                    "区商务局": "0.70",
                    "区工业和信息化局": "1.00",
                    "区文化广电旅游体育局": "0.95",
                }
                for name, weight in FUNDS_WEIGHTS.items():
                    unit = units.get(name)
                    if unit and (indicator.pk, unit.pk, month) not in have:
                        share = D(weight) / 100 * D(factors[name])
                        new.append(_figure(indicator, unit, YEAR, month, _q(amount * share)))
    return new


def _town_figures(indicator, units, month, district_value, last_year, have) -> list[Actual]:
    out = []
    for town in TOWNS:
        unit = units.get(town)
        if unit is None or (indicator.pk, unit.pk, month) in have:
            continue
        start = D(TOWN_START[indicator.code][town])
        if month > 3:  # a town's different start fades over the year
            start = 1 + (start - 1) * 3 / D(month)
        value = _q(district_value * D(TOWN_SHARES[town]) * start)
        base = last_year.get((indicator.pk, unit.pk, month))
        growth = None
        if base:
            # The published rate is on a comparable base (可比口径), close to but not the same
            # as this year ÷ last year.
            growth = _q((value / base - 1) * 100, "0.1") + D(TOWN_GROWTH_ADJUST[town])
        out.append(_figure(indicator, unit, YEAR, month, value, growth))
    return out


def _explanations(district: Unit, units: dict[str, Unit], indicators: dict[str, Indicator]) -> None:
    town = units.get("城关街道")
    if town is None or Explanation.objects.filter(unit=town, year=YEAR).exists():
        return
    Explanation.objects.create(
        indicator=indicators["fixed_asset_investment"],
        unit=town,
        year=YEAR,
        end_month=3,
        text="城关老旧小区改造项目受春节后施工许可办理影响，3月中旬才进场施工，入库投资滞后约1.2亿元；"
        "已由包保领导协调，预计4月底追回进度。（示范数据）",
        light="red",
        author=_demo_author(town),
        author_unit=town,
        created_at=clock.now(),
    )


def _demo_author(unit: Unit):
    membership = unit.memberships.filter(is_active=True).select_related("user").first()
    if membership is not None:
        return membership.user
    from kaimen.org.models import User

    return User.objects.filter(is_active=True).order_by("pk").first()


def run_demo(write) -> None:
    """The targets' part of ``kaimen demo`` (after the district: it needs its units)."""
    targets = load_demo_targets()
    if targets.created_anything:
        write(
            f"Targets: {targets.indicators} indicators, {targets.targets} targets, "
            f"{targets.projects} projects and {targets.figures} figures (synthetic) loaded."
        )
    else:
        write("Targets: already there, unchanged.")
