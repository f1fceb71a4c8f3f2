"""Forecast benchmark: the nowcast replayed on the real published series in bench/series/.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.forecasts [--series DIR_OR_FILE ...]

Each series is a CSV of cumulative values with the address each figure was read from (the
``source`` column); gaps are allowed. Every year with at least three earlier usable years is
projected to its year end at each released period from the earlier years only, by our seasonal
method (the last three years' profile) and by the time-progress projection, with the ~80%
interval of the nowcast (the last five real-time log errors — each earlier year projected from
the three years before it —, root mean square × Student's t quantile; four earlier years
needed). Printed: each series' table, then
the figures of all series pooled, with the two goals of issue 10 checked against them — our
mean error at least 30% below the time-progress one, and the 80% intervals holding 70–90% of the
outcomes. The goals are reported, not asserted: a miss is a finding, not a crash.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

SERIES_DIR = Path(__file__).resolve().parent / "series"
GOAL_IMPROVEMENT_PCT = Decimal(30)
GOAL_COVERAGE = (Decimal("0.70"), Decimal("0.90"))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", action="append", default=[])
    args = parser.parse_args(argv)

    from kaimen.lib.errors import KaimenError
    from kaimen.targets.nowcast import (
        backtest,
        backtest_table,
        improvement_pct,
        pooled,
        read_series_csv,
        summary_line,
    )

    paths: list[Path] = []
    for raw in args.series or [str(SERIES_DIR)]:
        path = Path(raw)
        paths.extend(sorted(path.glob("*.csv")) if path.is_dir() else [path])
    results = []
    for path in paths:
        series, gaps = read_series_csv(path)
        months = {p.end_month for year in series.values() for p in year}
        merged = 1 not in months and 2 in months
        figures = sum(len(row) for row in series.values())
        print(f"\n{path.name}: {min(series)}–{max(series)}, {figures} figures")
        try:
            result = backtest(series, merged_jan_feb=merged)
        except KaimenError as exc:
            print(f"  not replayed: {exc.message}")
            continue
        print(backtest_table(result))
        results.append(result)
    if not results:
        print("no series could be replayed")
        return {}
    overall = pooled(results)
    better = improvement_pct(overall)
    low, high = GOAL_COVERAGE
    print(f"\nall {len(results)} replayed series: {summary_line(overall)}")
    met = better is not None and better >= GOAL_IMPROVEMENT_PCT
    print(
        f"goal: error ≥ {GOAL_IMPROVEMENT_PCT}% below time progress — "
        f"{'met' if met else 'NOT met'} ({better}%)"
    )
    coverage = overall.coverage
    print(
        f"goal: 80% intervals hold {low:.0%}–{high:.0%} of outcomes — "
        f"{'met' if coverage is not None and low <= coverage <= high else 'NOT met'} "
        f"({'—' if coverage is None else f'{coverage:.0%}'})"
    )
    return {
        "series": len(results),
        "cases": overall.years,
        "mape_pct": overall.mape_pct,
        "naive_mape_pct": overall.naive_mape_pct,
        "improvement_pct": better,
        "coverage": coverage,
    }


if __name__ == "__main__":
    main()
