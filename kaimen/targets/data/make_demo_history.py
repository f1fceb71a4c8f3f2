"""Write demo_history.csv: a synthetic 2017–2024 cumulative history for four demo indicators.

Synthetic, not real statistics. Deterministic: a seeded generator, so running this again
rewrites the same file byte for byte. Run from the repository root:

    .venv/bin/python kaimen/targets/data/make_demo_history.py

How the series are made: each year's total grows from the previous one by a trend plus noise;
the year is spread over months (or quarters) by a fixed seasonal pattern with multiplicative
noise; the Spring Festival moves a little activity between 1-2月 and March when it falls late;
monthly amounts are rounded to 0.01 and then accumulated, so cumulative values never decrease.
规上工业, 固投 and 社零 have no January figure (released as 1-2月); GDP is quarterly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kaimen.lib.workdays import spring_festival

SEED = 20250305
FIRST_YEAR, LAST_YEAR = 2017, 2024
OUTPUT = Path(__file__).with_name("demo_history.csv")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: str
    unit: str
    start_total: float  # the 2016 annual total the first growth is applied to
    growth_mean: float  # nominal annual growth, as a fraction
    growth_sd: float
    # Seasonal weights of the release periods: quarters for GDP, else 1-2月 then March…December.
    weights: tuple[float, ...]
    noise_sd: float  # multiplicative noise on each period's amount
    quarterly: bool = False
    # Effect of a late Spring Festival (after February 10) on March, as a fraction: production
    # restarts late (negative), while festival spending spills into March (positive).
    late_festival_march: float = 0.0


INDICATORS = (
    DemoIndicator(
        code="gdp",
        name="地区生产总值",
        unit="亿元",
        start_total=780.0,
        growth_mean=0.065,
        growth_sd=0.015,
        weights=(0.225, 0.245, 0.250, 0.280),
        noise_sd=0.012,
        quarterly=True,
    ),
    DemoIndicator(
        code="industrial_value_added",
        name="规模以上工业增加值",
        unit="指数化数值（2016年月均=100）",
        start_total=1200.0,
        growth_mean=0.070,
        growth_sd=0.020,
        weights=(0.135, 0.085, 0.082, 0.083, 0.086, 0.080, 0.079, 0.084, 0.083, 0.088, 0.105),
        noise_sd=0.030,
        late_festival_march=-0.05,
    ),
    DemoIndicator(
        code="fixed_asset_investment",
        name="固定资产投资",
        unit="亿元",
        start_total=410.0,
        growth_mean=0.080,
        growth_sd=0.050,
        weights=(0.070, 0.068, 0.075, 0.080, 0.100, 0.075, 0.078, 0.095, 0.080, 0.094, 0.185),
        noise_sd=0.090,
        late_festival_march=-0.08,
    ),
    DemoIndicator(
        code="retail_sales",
        name="社会消费品零售总额",
        unit="亿元",
        start_total=330.0,
        growth_mean=0.075,
        growth_sd=0.025,
        weights=(0.178, 0.078, 0.076, 0.080, 0.079, 0.077, 0.078, 0.080, 0.088, 0.083, 0.103),
        noise_sd=0.025,
        late_festival_march=0.03,
    ),
)


def _period_labels(indicator: DemoIndicator) -> list[str]:
    if indicator.quarterly:
        return ["1-3", "1-6", "1-9", "1-12"]
    return [f"1-{m}" for m in range(2, 13)]


def generate() -> list[tuple[str, int, str, Decimal]]:
    rng = random.Random(SEED)  # noqa: S311 -- seeded demo data, nothing secret
    rows: list[tuple[str, int, str, Decimal]] = []
    for indicator in INDICATORS:
        total = indicator.start_total
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            total *= 1 + rng.gauss(indicator.growth_mean, indicator.growth_sd)
            weights = [w * rng.lognormvariate(0, indicator.noise_sd) for w in indicator.weights]
            if not indicator.quarterly and spring_festival(year).timetuple().tm_yday > 41:
                weights[1] *= 1 + indicator.late_festival_march
            scale = total / sum(weights)
            cumulative = Decimal(0)
            for label, weight in zip(_period_labels(indicator), weights, strict=True):
                cumulative += Decimal(repr(weight * scale)).quantize(_CENT)
                rows.append((indicator.code, year, label, cumulative))
    return rows


def header() -> list[str]:
    names = "；".join(f"{i.code}={i.name}（{i.unit}）" for i in INDICATORS)
    return [
        "# 合成数据（synthetic），不是真实统计数据：由 make_demo_history.py 以固定随机种子生成，仅供演示和回测。",
        f"# 示范区 {FIRST_YEAR}–{LAST_YEAR} 年累计值。{names}。",
        "# period 为累计期间：1-2 即 1-2月（规上工业、固投、社零 1月不单独发布）；地区生产总值按季度发布。",
    ]


def main() -> None:
    lines = [*header(), "indicator_code,year,period,value"]
    lines += [f"{code},{year},{period},{value}" for code, year, period, value in generate()]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines to {OUTPUT}")  # noqa: T201 -- a script's report


if __name__ == "__main__":
    main()
