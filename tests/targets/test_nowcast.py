import importlib.util
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.targets.nowcast import (
    backtest,
    backtest_table,
    load_indicator_history_csv,
    load_series_csv,
    nowcast,
)

D = Decimal
DATA = Path(__file__).resolve().parents[2] / "kaimen" / "targets" / "data"

# Year ends of 100; 1-3月 shares 0.20, 0.25, 0.30 → average 0.25.
THREE_YEARS = {
    2021: {"1-3": D("20"), "1-6": D("50"), "1-9": D("75"), "1-12": D("100")},
    2022: {"1-3": D("25"), "1-6": D("50"), "1-9": D("75"), "1-12": D("100")},
    2023: {"1-3": D("30"), "1-6": D("50"), "1-9": D("75"), "1-12": D("100")},
}


def gdp_nowcast(history, actual="50", target=None):
    return nowcast(
        history=history,
        period=Period.quarter_of(2024, 1),
        actual_to_date=D(actual),
        merged_jan_feb=True,
        quarterly_only=True,
        target=None if target is None else D(target),
    )


def test_year_end_is_the_actual_divided_by_the_average_share():
    # 50 / 0.25 = 200
    result = gdp_nowcast(THREE_YEARS)
    assert result.year_end.value == D("200.00")
    assert result.profile_share == D("0.2500")
    assert result.years_used == (2021, 2022, 2023)


def test_naive_projection_divides_by_the_elapsed_share_of_the_calendar_year():
    # 2024 is a leap year: 1-3月 = 91 of 366 days; 50 / (91/366) = 201.10
    result = gdp_nowcast(THREE_YEARS)
    assert result.calendar_share == D("0.2486")
    assert result.year_end.naive == D("201.10")


# The same with a fourth year, 2020 (1-3月 = 0.20 again), in front.
FOUR_YEARS = {2020: dict(THREE_YEARS[2021]), **THREE_YEARS}


def test_interval_comes_from_the_errors_each_year_would_have_made_in_its_time():
    # 1-3月 shares 0.20 (2020), 0.20, 0.25, 0.30 (2021–2023); each year is projected from the
    # (up to three) years before it, as the office would have projected it then:
    #   2021 from 2020: 20 / 0.20 = 100, error ln(100 / 100) = 0
    #   2022 from 2020–2021: 25 / 0.20 = 125, error ln(100 / 125) = −0.22314
    #   2023 from 2020–2022: 30 / 0.21667 = 138.46, error ln(100 / 138.46) = −0.32542
    # Root mean square: √((0² + 0.22314² + 0.32542²) / 3) = √0.051898 = 0.22781; Student's t
    # with 3 degrees of freedom, 90% quantile 1.6377 → half-width 0.37308. 2024: 50 over the
    # last three years' average share 0.25 = 200, interval 200 × e^∓0.37308 = 137.72 – 290.44
    result = gdp_nowcast(FOUR_YEARS)
    assert result.year_end.value == D("200.00")
    assert result.log_errors == (D("0.0000"), D("-0.2231"), D("-0.3254"))
    assert (result.year_end.low, result.year_end.high) == (D("137.72"), D("290.44"))
    assert "3个历史年份" in result.year_end.interval_note
    assert "以前年份" in result.year_end.interval_note


def test_the_pattern_is_the_last_three_years_and_the_interval_the_last_five_errors():
    # 1-3月 of a year of 100: 10 in 2017–2018, then 20 in 2019–2023 (the pattern moved).
    # Real-time errors, each year from the three before it:
    #   2018 from 2017 (0.10): 10 / 0.10 = 100 → 0
    #   2019 from 2017–2018 (0.10): 200 → ln(0.5) = −0.69315
    #   2020 from 2017–2019 (0.13333): 150 → ln(100 / 150) = −0.40547
    #   2021 from 2018–2020 (0.16667): 120 → ln(100 / 120) = −0.18232
    #   2022, 2023 from the three 0.20 years before them: 100 → 0, 0
    # The last five errors are kept (2018's goes). 2024's 1-3月 of 50 over the last three
    # years' share 0.20 = 250 (the average of all seven years, 0.17143, would give 291.67).
    history = {
        y: {"1-3": D("10" if y < 2019 else "20"), "1-12": D("100")} for y in range(2017, 2024)
    }
    result = gdp_nowcast(history)
    assert result.year_end.value == D("250.00")
    assert result.log_errors == (
        D("-0.6931"),
        D("-0.4055"),
        D("-0.1823"),
        D("0.0000"),
        D("0.0000"),
    )


def test_probability_of_meeting_the_target_is_a_normal_approximation_on_log_errors():
    # errors 0, −0.22314, −0.32542: mean −0.18286, sample stdev 0.16641; the rising share made
    # the projections too high, so a target equal to the projection is met with
    # P = 1 − Φ((0 + 0.18286) / 0.16641) = 1 − Φ(1.0988) ≈ 0.14, not a coin toss
    result = gdp_nowcast(FOUR_YEARS, target="200.00")
    assert result.probability_of_target == D("0.14")
    assert "14%" in result.explanation


def test_with_fewer_than_four_past_years_there_is_no_interval():
    # three years give only two errors (the first year has nothing earlier to learn from)
    result = gdp_nowcast(THREE_YEARS, target="200")
    assert result.year_end.value == D("200.00")
    assert result.year_end.low is None
    assert result.year_end.high is None
    assert result.probability_of_target is None
    assert "无法" in result.year_end.interval_note
    assert "少于4年" in result.year_end.interval_note


def test_quarter_end_is_projected_from_the_ratio_of_shares():
    # Every year: 1-2月 15, 1-3月 24, year 100 → quarter-end = 30 × 24/15 = 48, year = 30 / 0.15
    history = {
        y: {"1-2": D("15"), "1-3": D("24"), "1-12": D("100")} for y in (2020, 2021, 2022, 2023)
    }
    result = nowcast(
        history=history,
        period=Period.cumulative(2024, 2),
        actual_to_date=D("30"),
        merged_jan_feb=True,
    )
    assert result.quarter_end is not None
    assert result.quarter_end.value == D("48.00")
    assert result.quarter_end.horizon == Period.cumulative(2024, 3)
    assert (result.quarter_end.low, result.quarter_end.high) == (D("48.00"), D("48.00"))
    assert result.year_end.value == D("200.00")


def test_years_lacking_the_period_are_skipped_with_a_note():
    history = {**THREE_YEARS, 2020: {"1-6": D("50"), "1-12": D("100")}}
    result = gdp_nowcast(history)
    assert 2020 not in result.years_used
    assert any("2020年缺少1-3月" in note for note in result.notes)


def test_only_years_before_the_nowcast_year_are_used():
    history = {**THREE_YEARS, 2024: {"1-3": D("90"), "1-12": D("100")}}
    assert gdp_nowcast(history).years_used == (2021, 2022, 2023)


def test_no_usable_history_is_a_clear_error():
    with pytest.raises(ValidationError, match="没有可用的历史数据"):
        gdp_nowcast({2023: {"1-6": D("50")}})


shape = st.lists(st.integers(min_value=1, max_value=30), min_size=11, max_size=11).map(
    lambda flows: [D(sum(flows[: i + 1])) / D(sum(flows)) for i in range(11)]
)


@given(
    shares=shape,
    year_ends=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=6),
    true_year_end=st.integers(min_value=1, max_value=10**6),
    month=st.integers(min_value=2, max_value=12),
)
def test_nowcast_of_an_exactly_seasonal_series_is_the_true_year_end(
    shares, year_ends, true_year_end, month
):
    def year(y: int, total: int) -> dict[Period, Decimal]:
        return {
            Period.cumulative(y, m): s * total for m, s in zip(range(2, 13), shares, strict=True)
        }

    history = {2010 + i: year(2010 + i, total) for i, total in enumerate(year_ends)}
    actual = year(2024, true_year_end)[Period.cumulative(2024, month)]
    result = nowcast(
        history=history,
        period=Period.cumulative(2024, month),
        actual_to_date=actual,
        merged_jan_feb=True,
    )
    assert result.year_end.value == D(true_year_end)


def test_backtest_of_an_exactly_seasonal_series_is_exact_and_fully_covered():
    history = {
        y: {"1-3": D(20 * k), "1-6": D(45 * k), "1-9": D(70 * k), "1-12": D(100 * k)}
        for k, y in enumerate(range(2015, 2021), start=1)
    }
    result = backtest(history, merged_jan_feb=True)
    # 2018, 2019, 2020 each have at least three prior years
    assert [(r.label, r.years, r.mape_pct, r.coverage) for r in result.rows] == [
        ("1-3月", 3, D("0.00"), D("1.0000")),
        ("1-6月", 3, D("0.00"), D("1.0000")),
        ("1-9月", 3, D("0.00"), D("1.0000")),
    ]
    # the naive baseline is off: 2018's 1-3月 is 80 and 80 / (90/365) = 324.44 against 400
    case = next(c for c in result.cases if c.year == 2018 and c.period.end_month == 3)
    assert case.naive == D("324.44")


def test_backtest_compares_the_method_with_the_naive_baseline():
    # Without noise the seasonal method is exact while time progress is 19% off at 1-3月:
    # |324.44 − 400| / 400 = 18.89%
    history = {
        y: {"1-3": D(20 * k), "1-6": D(45 * k), "1-9": D(70 * k), "1-12": D(100 * k)}
        for k, y in enumerate(range(2015, 2019), start=1)
    }
    row = backtest(history, merged_jan_feb=True).rows[0]
    assert (row.years, row.naive_mape_pct) == (1, D("18.89"))


@settings(max_examples=40, deadline=None)
@given(
    series=st.lists(
        st.lists(st.integers(min_value=1, max_value=500), min_size=11, max_size=11),
        min_size=4,
        max_size=8,
    )
)
def test_backtest_coverage_is_a_share_between_zero_and_one(series):
    history = {
        2010 + i: {f"1-{m}": D(sum(flows[: m - 1])) for m in range(2, 13)}
        for i, flows in enumerate(series)
    }
    result = backtest(history, merged_jan_feb=True)
    for row in result.rows:
        # a year replayed from three earlier years has no interval yet (two errors)
        assert 0 <= row.intervals <= row.years
        assert (row.coverage is None) is (row.intervals == 0)
        assert row.coverage is None or D(0) <= row.coverage <= D(1)
        assert row.mape_pct >= 0
        assert row.naive_mape_pct >= 0


def test_backtest_refuses_january_in_a_merged_series():
    history = {y: {"1": D("5"), "1-2": D("10"), "1-12": D("100")} for y in range(2015, 2020)}
    with pytest.raises(ValidationError, match="1-2月"):
        backtest(history, merged_jan_feb=True)


def test_backtest_without_enough_years_says_what_it_needs():
    with pytest.raises(ValidationError, match="至少有3个"):
        backtest({k: v for k, v in THREE_YEARS.items()}, merged_jan_feb=True)


def test_backtest_table_lists_each_period():
    history = {
        y: {"1-3": D(20 * k), "1-6": D(45 * k), "1-9": D(70 * k), "1-12": D(100 * k)}
        for k, y in enumerate(range(2015, 2020), start=1)
    }
    table = backtest_table(backtest(history, merged_jan_feb=True))
    assert "1-6月" in table
    assert "100%" in table


# --- CSV --------------------------------------------------------------------------------------


def test_load_series_csv_reads_the_bureau_spellings(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text(
        "# a comment line\nyear,period,value\n2024,1,10\n2024,1-2月,25.5\n2024,1-12,300\n",
        encoding="utf-8",
    )
    series = load_series_csv(path)
    assert series == {
        2024: {
            Period.month(2024, 1): D("10"),
            Period.cumulative(2024, 2): D("25.5"),
            Period.cumulative(2024, 12): D("300"),
        }
    }


def test_load_series_csv_reports_every_bad_row_with_its_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "year,period,value\n"
        "2024,1-2,10\n"
        "20x4,1-3,10\n"  # line 3: year
        "2024,3-5,10\n"  # line 4: not cumulative
        "2024,1-4,十\n"  # line 5: not a number
        "2024,1-2月,11\n"  # line 6: duplicate of line 2
        "2024\n",  # line 7: too few columns
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        load_series_csv(path)
    message = excinfo.value.message
    assert "5处错误" in message
    assert "第3行year列" in message
    assert "第4行period列" in message
    assert "第5行value列" in message
    assert "第6行" in message
    assert "与第2行重复" in message
    assert "第7行：列数不足" in message


def test_load_series_csv_names_missing_columns(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("年份,期间,数值\n2024,1-2,10\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="缺少列：year、period、value"):
        load_series_csv(path)


def test_load_series_csv_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match="空的"):
        load_series_csv(path)


def test_load_series_csv_reads_a_gbk_file_saved_by_excel(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("year,period,value\n2024,1-2月,10\n".encode("gbk"))
    assert load_series_csv(path) == {2024: {Period.cumulative(2024, 2): D("10")}}


def test_demo_history_has_four_synthetic_indicators_for_eight_years():
    path = DATA / "demo_history.csv"
    assert "synthetic" in path.read_text(encoding="utf-8").splitlines()[0]
    data = load_indicator_history_csv(path)
    assert set(data) == {
        "gdp",
        "industrial_value_added",
        "fixed_asset_investment",
        "retail_sales",
    }
    for code, series in data.items():
        assert sorted(series) == list(range(2017, 2025))
        for year, row in series.items():
            months = [p.end_month for p in row]
            assert months == ([3, 6, 9, 12] if code == "gdp" else list(range(2, 13)))
            values = list(row.values())
            assert values == sorted(values), (code, year)


def test_demo_history_is_what_the_seeded_script_writes():
    spec = importlib.util.spec_from_file_location("make_demo", DATA / "make_demo_history.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being built
    sys.modules["make_demo"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["make_demo"]
    lines = [*module.header(), "indicator_code,year,period,value"]
    lines += [f"{c},{y},{p},{v}" for c, y, p, v in module.generate()]
    assert (DATA / "demo_history.csv").read_text(encoding="utf-8") == "\n".join(lines) + "\n"


def test_demo_history_backtests_better_than_time_progress_for_investment():
    series = load_indicator_history_csv(DATA / "demo_history.csv")["fixed_asset_investment"]
    result = backtest(series, merged_jan_feb=True)
    first_quarter = next(r for r in result.rows if r.end_month == 3)
    assert first_quarter.years == 5
    assert first_quarter.mape_pct < first_quarter.naive_mape_pct


def test_interval_covers_about_eighty_percent_on_synthetic_series_with_known_truth():
    # 40 districts × 8 years of a fixed seasonal pattern with independent 10% noise per
    # period; each year with ≥ 3 prior years is replayed, and those with ≥ 4 have an interval.
    # An ~80% interval should cover about 80% of the true year ends (0.82 in a 150-district
    # run: errors of projections from fewer years are a little larger; 40 keep it fast).
    pattern = [0.15, 0.08, 0.08, 0.08, 0.09, 0.08, 0.08, 0.08, 0.09, 0.08, 0.11]
    covered = total = 0
    for seed in range(40):
        rng = random.Random(seed)
        history = {}
        for year in range(2017, 2025):
            flows = [w * rng.lognormvariate(0, 0.1) for w in pattern]
            history[year] = {
                f"1-{m}": D(repr(round(sum(flows[: m - 1]) * 1000, 2))) for m in range(2, 13)
            }
        for case in backtest(history, merged_jan_feb=True).cases:
            if case.covered is None:
                continue
            covered += case.covered
            total += 1
    assert total == 40 * 4 * 10
    assert 0.72 <= covered / total <= 0.88
