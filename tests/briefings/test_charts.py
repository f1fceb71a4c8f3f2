"""Charts: PNGs with Chinese labels, and a clear error instead of empty boxes."""

from __future__ import annotations

import io
import os
from decimal import Decimal

import pytest
from PIL import Image

from kaimen.briefings import charts
from kaimen.briefings.charts import (
    CjkFontMissing,
    check_glyphs,
    cjk_font_available,
    find_cjk_font,
    indicator_chart,
    ranking_chart,
)
from kaimen.briefings.snapshot import ChartSeries, RankingRow

D = Decimal
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def cjk_font() -> str:
    """The CJK font; skipped on a laptop without one, a failure in CI (KAIMEN_REQUIRE_FULL=1)."""
    if not cjk_font_available():
        how = "apt install fonts-noto-cjk"
        if os.environ.get("KAIMEN_REQUIRE_FULL") == "1":
            pytest.fail(f"a CJK font is required in CI but missing: {how}")
        pytest.skip(f"no CJK font ({how})")
    return find_cjk_font()


SERIES = ChartSeries(
    indicator="规上工业增加值",
    measure="亿元",
    labels=("1-2月", "1-3月", "1-4月"),
    actual=(D("25.3"), None, None),
    plan=(D("21.6"), D("38.4"), D("52.0")),
    last_year=(D("23.4"), D("36.9"), D("49.7")),
)


def test_an_indicator_chart_is_a_png_of_the_expected_size(cjk_font):
    png = indicator_chart(SERIES)
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    assert image.size == (round(charts.WIDTH_IN * charts.DPI), round(charts.HEIGHT_IN * charts.DPI))


def test_the_same_data_draws_the_same_bytes(cjk_font):
    assert indicator_chart(SERIES) == indicator_chart(SERIES)


def test_a_ranking_chart_leaves_out_units_without_a_score(cjk_font):
    rows = [
        RankingRow("镇街", "东城街道", 1, False, D("91.2"), None, None, None, None),
        RankingRow("镇街", "南湖镇", 2, False, D("85.5"), None, None, None, None),
        RankingRow("镇街", "北山镇", None, False, None, None, None, None, None),
    ]
    png = ranking_chart(rows, title="镇街组得分排名")
    assert png.startswith(PNG_MAGIC)
    assert Image.open(io.BytesIO(png)).size[0] == round(charts.WIDTH_IN * charts.DPI)


def test_a_simplified_chinese_face_is_preferred(cjk_font):
    assert cjk_font in charts.PREFERRED_FAMILIES
    if "Noto Sans CJK SC" in charts._installed_families():
        assert cjk_font == "Noto Sans CJK SC"


def test_without_a_cjk_font_the_error_says_to_install_fonts_noto_cjk(monkeypatch):
    monkeypatch.setattr(charts, "_installed_families", lambda: {"DejaVu Sans"})
    assert not cjk_font_available()
    with pytest.raises(CjkFontMissing, match="fonts-noto-cjk"):
        indicator_chart(SERIES)
    with pytest.raises(CjkFontMissing, match="方框"):
        ranking_chart([], title="镇街组得分排名")


def test_a_character_the_font_lacks_is_refused_rather_than_drawn_as_a_box(cjk_font):
    check_glyphs(cjk_font, ["规上工业增加值（亿元）：实际、计划与上年同期 1-2月"])
    with pytest.raises(CjkFontMissing, match="\ue000"):
        check_glyphs(cjk_font, ["区\ue000局"])  # a private-use character: no glyph
    with pytest.raises(CjkFontMissing, match="\U00017000"):
        check_glyphs(cjk_font, ["\U00017000"])  # Tangut, not in a Chinese font
