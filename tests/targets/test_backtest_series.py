"""The backtest on real published series: gaps, the interval from real-time errors with its t
correction, the overall figures and the command's output on bench/series files."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.targets.nowcast import (
    backtest,
    backtest_table,
    interval_half_width,
    load_series_csv,
    nowcast,
    pooled,
    read_series_csv,
    student_t_quantile,
)

D = Decimal
SERIES = Path(__file__).resolve().parents[2] / "bench" / "series"


def test_student_t_quantiles_match_the_printed_tables():
    # 90% one-sided quantiles from any statistics table
    assert round(student_t_quantile(0.9, 1), 3) == 3.078
    assert round(student_t_quantile(0.9, 4), 3) == 1.533
    assert round(student_t_quantile(0.9, 10), 3) == 1.372
    assert round(student_t_quantile(0.9, 10_000), 3) == 1.282


def test_interval_is_the_rms_of_real_time_errors_times_a_t_quantile():
    # Four years with year ends of 100 and 1-3月 of 20, 25, 30, 25. Each year is projected
    # from the (up to three) years before it only (what was known at the time):
    #   2021 from 2020 (share 0.20): 25 / 0.20 = 125, error ln(100 / 125) = −0.22314
    #   2022 from 2020–2021 (0.225): 30 / 0.225 = 133.33, error ln(0.75) = −0.28768
    #   2023 from 2020–2022 (0.25): 25 / 0.25 = 100, error 0
    # rms = √((0.22314² + 0.28768² + 0²) / 3) = √0.044185 = 0.21020
    # t(0.90, 3 degrees of freedom) = 1.6377 → half-width 0.34426
    # 2024's 1-3月 of 50 over the last three years' share (0.25 + 0.30 + 0.25) / 3 = 0.26667
    # → 187.50, interval 187.50 × e^∓0.34426 = 132.89 – 264.55
    # (Leaving one year out instead gave 0.2877, 0, −0.2513, 0: errors that no one could have
    # made in real time.)
    history = {
        2020: {"1-3": D("20"), "1-12": D("100")},
        2021: {"1-3": D("25"), "1-12": D("100")},
        2022: {"1-3": D("30"), "1-12": D("100")},
        2023: {"1-3": D("25"), "1-12": D("100")},
    }
    result = nowcast(
        history=history,
        period=Period.quarter_of(2024, 1),
        actual_to_date=D("50"),
        merged_jan_feb=True,
        quarterly_only=True,
    )
    assert result.log_errors == (D("-0.2231"), D("-0.2877"), D("0.0000"))
    assert round(interval_half_width((-0.22314, -0.28768, 0.0)), 4) == 0.3443
    assert result.year_end.value == D("187.50")
    assert (result.year_end.low, result.year_end.high) == (D("132.89"), D("264.55"))


def test_fewer_than_three_errors_give_no_interval():
    assert interval_half_width((0.1, -0.1)) is None


def test_interval_is_wider_with_fewer_years_for_the_same_errors():
    # the same spread of errors, known from 3 years rather than 12: t(0.9, 3) > t(0.9, 12)
    few = interval_half_width((0.1, -0.1, 0.1))
    many = interval_half_width((0.1, -0.1, 0.1) * 4)
    assert few is not None
    assert many is not None
    assert few > many


def _gappy_history() -> dict[int, dict[str, Decimal]]:
    # A seasonal pattern (1-3月 = 20%, 1-6月 = 45%, 1-9月 = 70%) on year ends of 100·k, with
    # months missing here and there, as in a series collected from press releases.
    missing = {2015: {"1-6"}, 2016: {"1-3"}, 2017: {"1-9"}, 2018: {"1-6", "1-9"}, 2019: set()}
    history = {}
    for k, year in enumerate(range(2015, 2021), start=1):
        row = {"1-3": D(20 * k), "1-6": D(45 * k), "1-9": D(70 * k), "1-12": D(100 * k)}
        for label in missing.get(year, set()):
            del row[label]
        history[year] = row
    return history


def test_a_year_counts_for_a_period_when_that_period_and_the_year_end_are_there():
    result = backtest(_gappy_history(), merged_jan_feb=True)
    replayed = {(c.year, c.period.end_month) for c in result.cases}
    # 1-3月 is known in 2015, 2017, 2018, 2019, 2020: three earlier ones exist for 2019 and 2020
    # 1-6月 in 2016, 2017, 2019, 2020: only 2020 has three earlier ones
    # 1-9月 in 2015, 2016, 2019, 2020: only 2020
    assert replayed == {(2019, 3), (2020, 3), (2020, 6), (2020, 9)}
    assert [(r.label, r.years) for r in result.rows] == [("1-3月", 2), ("1-6月", 1), ("1-9月", 1)]
    assert result.overall is not None
    assert (result.overall.label, result.overall.years) == ("合计", 4)
    assert result.overall.mape_pct == D("0.00")  # the pattern is exact


def test_a_series_too_short_for_a_period_is_refused_with_the_counts_per_period():
    history = {y: {"1-3": D("20"), "1-12": D("100")} for y in (2021, 2022, 2023)}
    with pytest.raises(ValidationError) as caught:
        backtest(history, merged_jan_feb=True)
    assert "至少有3个年份同时有该期间和1-12月" in caught.value.message
    assert "1-3月有3年" in caught.value.message


def test_overall_row_pools_every_case_and_periods_left_out_are_noted():
    history = _gappy_history()
    history[2020].pop("1-9")  # 1-9月 then has no year with three earlier ones
    result = backtest(history, merged_jan_feb=True)
    assert [r.label for r in result.rows] == ["1-3月", "1-6月"]
    assert any("1-9月" in note and "未回测" in note for note in result.notes)
    assert result.overall is not None
    assert result.overall.years == len(result.cases) == 3
    assert "合计" in backtest_table(result)


def test_pooled_counts_each_case_of_several_series_once():
    first = backtest(_gappy_history(), merged_jan_feb=True)
    second = backtest(_gappy_history(), merged_jan_feb=True)
    row = pooled([first, second])
    assert row.years == 8
    assert row.coverage == D("1.0000")


def test_csv_rows_with_empty_or_dash_values_are_gaps_not_errors(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text(
        "year,period,value,source\n"
        "2024,1,,https://example.org/a\n"  # January not published
        "2024,1-2,25.5,https://example.org/b\n"
        "2024,1-3,—,https://example.org/c\n"
        "2024,1-12,300,https://example.org/d\n",
        encoding="utf-8",
    )
    series, gaps = read_series_csv(path)
    assert series == {
        2024: {Period.cumulative(2024, 2): D("25.5"), Period.cumulative(2024, 12): D("300")}
    }
    assert gaps == ("2024年1月", "2024年1-3月")
    assert load_series_csv(path) == series


def test_csv_value_that_is_text_is_still_an_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("year,period,value\n2024,1-2,abc\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="第2行value列"):
        read_series_csv(path)


def test_every_bench_series_cites_a_source_on_every_row():
    files = sorted(SERIES.glob("*.csv"))
    assert files
    for path in files:
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        header = lines[0].split(",")
        assert header[:4] == ["year", "period", "value", "source"], path.name
        for line in lines[1:]:
            source = line.split(",", 3)[3]
            assert source.startswith(("http://", "https://")), (path.name, line)


def test_command_prints_each_period_and_the_overall_figures_on_a_bench_series():
    out = io.StringIO()
    call_command(
        "targets", "backtest", "--series", str(SERIES / "retail_sales_national.csv"), stdout=out
    )
    text = out.getvalue()
    series, _ = read_series_csv(SERIES / "retail_sales_national.csv")
    result = backtest(series, merged_jan_feb=True)
    assert result.overall is not None
    for row in result.rows:
        assert row.label in text
    assert f"合计：季节法平均误差{result.overall.mape_pct}%" in text
    assert f"时间进度法{result.overall.naive_mape_pct}%" in text
    assert "80%区间覆盖" in text
    assert "2026年没有1-12月的累计数" in text


def test_command_on_a_directory_pools_the_series(tmp_path):
    for name in ("a.csv", "b.csv"):
        lines = ["year,period,value,source"]
        for k, year in enumerate(range(2015, 2021), start=1):
            for month, share in ((3, 20), (6, 45), (12, 100)):
                lines.append(f"{year},1-{month},{share * k},https://example.org/{name}")
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("targets", "backtest", "--series", str(tmp_path), stdout=out)
    assert "2个序列合计：" in out.getvalue()


def test_command_on_an_empty_directory_says_so(tmp_path):
    with pytest.raises(CommandError, match="没有CSV文件"):
        call_command("targets", "backtest", "--series", str(tmp_path), stdout=io.StringIO())


def test_command_reports_a_series_too_short_and_pools_the_others(tmp_path):
    good = ["year,period,value,source"]
    for k, year in enumerate(range(2015, 2021), start=1):
        for month, share in ((3, 20), (12, 100)):
            good.append(f"{year},1-{month},{share * k},https://example.org/good")
    (tmp_path / "a_good.csv").write_text("\n".join(good) + "\n", encoding="utf-8")
    (tmp_path / "b_short.csv").write_text(
        "year,period,value,source\n"
        "2020,1-3,10,https://example.org/s\n"
        "2020,1-12,50,https://example.org/s\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("targets", "backtest", "--series", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "没有可以回测的年份" in text  # b_short.csv, said and skipped
    assert "合计：" in text  # the one replayable series still summed up


def test_command_on_the_investment_series_prints_its_periods_and_overall_figures():
    path = SERIES / "fixed_asset_investment_national.csv"
    out = io.StringIO()
    call_command("targets", "backtest", "--series", str(path), stdout=out)
    text = out.getvalue()
    assert "序列：fixed_asset_investment_national.csv（2010–2026年，1-2月合并发布）" in text
    series, gaps = read_series_csv(path)
    assert gaps == ()
    result = backtest(series, merged_jan_feb=True)
    # 2010–2025 have every month from 1-2月 to 1-12月; 2013–2025 have three earlier years
    assert [r.label for r in result.rows] == [f"1-{m}月" for m in range(2, 12)]
    assert {r.years for r in result.rows} == {13}
    assert {r.intervals for r in result.rows} == {12}  # 2013 has only two real-time errors
    assert result.overall is not None
    assert f"合计：季节法平均误差{result.overall.mape_pct}%" in text
    assert f"时间进度法{result.overall.naive_mape_pct}%" in text
    assert "2026年没有1-12月的累计数，未参与回测。" in text


def test_command_on_the_bench_directory_pools_every_series_file():
    files = sorted(SERIES.glob("*.csv"))
    assert len(files) >= 4
    out = io.StringIO()
    call_command("targets", "backtest", "--series", str(SERIES), stdout=out)
    text = out.getvalue()
    for path in files:
        assert f"序列：{path.name}" in text
    results = [backtest(read_series_csv(p)[0], merged_jan_feb=True) for p in files]
    overall = pooled(results)
    assert f"{len(files)}个序列合计：季节法平均误差{overall.mape_pct}%" in text
    assert f"共{overall.years}次回测" in text
