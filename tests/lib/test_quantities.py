from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.quantities import (
    MeasureUnit,
    Quantity,
    parse_decimal,
    parse_percent,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234,567.89", "1234567.89"),
        ("１，２３４．５", "1234.5"),
        ("－3.2", "-3.2"),
        ("\u22123.2", "-3.2"),
        ("+7", "7"),
        (" 12 ", "12"),
        (".5", "0.5"),
        ("0", "0"),
        (42, "42"),
        (12.3, "12.3"),
        (1e20, "100000000000000000000"),
        (Decimal("3.14"), "3.14"),
    ],
)
def test_parse_decimal_reads_what_people_type_and_paste(raw, expected):
    assert parse_decimal(raw) == Decimal(expected)


def test_a_float_from_a_spreadsheet_keeps_its_written_digits():
    assert str(parse_decimal(0.1)) == "0.1"


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "——", "--", "－", "…", "...", "……"])
def test_blank_and_dash_mean_missing(raw):
    assert parse_decimal(raw) is None


def test_a_required_figure_cannot_be_missing():
    with pytest.raises(ValidationError, match="不能为空") as info:
        parse_decimal("—", required=True, field="value")
    assert info.value.field == "value"


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "nan",
        "sNaN",
        "inf",
        "-Infinity",
        "∞",
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("-Infinity"),
    ],
)
def test_nan_and_infinity_are_refused(raw):
    with pytest.raises(ValidationError, match="NaN或无穷大"):
        parse_decimal(raw)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1e5", "科学计数法"),
        ("12,34", "千分位"),
        ("1234,567", "千分位"),
        ("12.5%", "百分号"),
        ("12 5", "不是数字"),
        ("12.5亿元", "不是数字"),
        ("约100", "不是数字"),
        ("1.2.3", "不是数字"),
        ("5.", "不是数字"),
        ("+", "不是数字"),
        ("٣", "不是数字"),
        (True, "不是数字"),
        (["1"], "不是数字"),
        ("1" * 65, "太长"),
    ],
)
def test_refusals_say_what_was_wrong_and_how_to_write_it(raw, says):
    with pytest.raises(ValidationError, match=says) as info:
        parse_decimal(raw)
    assert "请填写阿拉伯数字" in info.value.message


@pytest.mark.parametrize("raw", ["1" * 30, 1e300, Decimal("1E+40")])
def test_absurdly_large_values_are_refused(raw):
    with pytest.raises(ValidationError, match="数值过大"):
        parse_decimal(raw)


def test_range_is_checked_and_the_message_gives_the_range():
    assert parse_decimal("5", min_value=0, max_value=10) == 5
    with pytest.raises(ValidationError, match="应在0到10之间"):
        parse_decimal("11", min_value=0, max_value=10)
    with pytest.raises(ValidationError, match="不能小于0"):
        parse_decimal("-1", min_value=0)
    with pytest.raises(ValidationError, match="不能大于100"):
        parse_decimal("100.01", max_value=Decimal(100))


@given(
    st.one_of(
        st.text(max_size=20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
    )
)
def test_parse_decimal_returns_a_finite_decimal_or_none_or_refuses(raw):
    try:
        value = parse_decimal(raw)
    except ValidationError:
        return
    assert value is None or (isinstance(value, Decimal) and value.is_finite())


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
    )
)
def test_written_figures_round_trip(value):
    assert parse_decimal(f"{value:f}") == value
    assert parse_decimal(f"{value:,f}") == value


@pytest.mark.parametrize("raw", ["12.5%", "12.5 %", "１２．５％", "12.5", 12.5, Decimal("12.5")])
def test_parse_percent_gives_percentage_points(raw):
    assert parse_percent(raw) == Decimal("12.5")


def test_parse_percent_refuses_a_bare_sign_and_checks_the_range():
    with pytest.raises(ValidationError, match="只有百分号"):
        parse_percent("%")
    with pytest.raises(ValidationError, match="不能大于100%"):
        parse_percent("120%", max_value=100)
    assert parse_percent("—") is None


def test_money_converts_exactly_between_yi_wan_and_yuan():
    q = Quantity(Decimal("1.5"), MeasureUnit.YI_YUAN)
    assert q.to("万元") == Quantity(Decimal(15000), "万元")
    assert q.to("元").value == Decimal(150_000_000)
    assert Quantity(Decimal("12345"), "万元").to("亿元").value == Decimal("1.2345")
    assert Quantity(Decimal("0.01"), "元").to("亿元").value == Decimal("1E-10")


def test_percent_and_counts_do_not_convert_to_money():
    with pytest.raises(ValidationError, match="只有亿元、万元、元之间可以换算"):
        Quantity(Decimal(5), "%").to("万元")
    assert Quantity(Decimal(5), "家").to("家") == Quantity(Decimal(5), "家")


def test_quantity_refuses_unknown_units_floats_and_nan():
    with pytest.raises(ValidationError, match="不受支持"):
        Quantity(Decimal(1), "美元")
    with pytest.raises(TypeError, match="Decimal"):
        Quantity(1.5, "亿元")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="有限"):
        Quantity(Decimal("NaN"), "亿元")


def test_quantity_prints_without_scientific_notation():
    assert str(Quantity(Decimal("1.5"), "亿元").to("元")) == "150000000.0元"
    assert str(Quantity(Decimal("12.5"), "%")) == "12.5%"


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("1.2亿元", "万元", Quantity(Decimal(12000), "万元")),
        ("3,000万元", "万元", Quantity(Decimal(3000), "万元")),
        ("3000", "万元", Quantity(Decimal(3000), "万元")),
        ("35家", None, Quantity(Decimal(35), "家")),
        ("1200人次", None, Quantity(Decimal(1200), "人次")),
        ("12.5%", None, Quantity(Decimal("12.5"), "%")),
        ("８万元", "元", Quantity(Decimal(80000), "元")),
    ],
)
def test_parse_quantity_reads_the_written_unit_and_converts_money(raw, unit, expected):
    assert parse_quantity(raw, unit=unit) == expected


def test_parse_quantity_refuses_an_incompatible_or_missing_unit():
    with pytest.raises(ValidationError, match="单位是“%”"):
        parse_quantity("12%", unit="万元")
    with pytest.raises(ValidationError, match="没有写计量单位"):
        parse_quantity("3000")
    assert parse_quantity("—", unit="万元") is None


def test_parse_quantity_checks_the_range_in_the_result_unit():
    with pytest.raises(ValidationError, match="不能大于50000万元"):
        parse_quantity("6亿元", unit="万元", max_value=50000)
