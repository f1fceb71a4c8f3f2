"""Charts for the briefing, as PNG images with Chinese labels.

matplotlib draws missing glyphs as empty boxes (豆腐块) without complaint, and a briefing whose
chart reads "□□□□" is worse than none. So the CJK font is looked up explicitly, every label is
checked against the font's glyphs, and a missing font is a clear error; ``cjk_font_available()``
lets a caller check beforehand.

The font ships with the application: the ``mplfonts`` dependency bundles Noto Sans CJK SC (SIL
Open Font License), which is registered with matplotlib when this module is imported, so every
machine draws the charts whether or not Debian's fonts-noto-cjk is installed. Without the
package, CJK fonts installed on the system after matplotlib cached its font list are looked up
too (no cache to delete by hand).

No pyplot: a ``Figure`` with the Agg canvas needs no global backend or state, so charts can be
drawn from a worker thread.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import math
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from kaimen.briefings.snapshot import ChartSeries, RankingRow
from kaimen.lib.errors import KaimenError

log = logging.getLogger(__name__)

# The OFL-licensed faces of mplfonts (it also carries SimHei, which is not free to ship: unused).
BUNDLED_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "NotoSerifCJKsc-Regular.otf")
_SYSTEM_CJK_HINTS = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "simhei", "simsun", "msyh")

# Simplified-Chinese faces first: the SC variants of Noto/Source Han draw mainland glyph shapes.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "SimSun",
)
DPI = 200
WIDTH_IN = 6.0  # about 152 mm: fits the 156 mm text width of GB/T 9704
HEIGHT_IN = 3.2

_COLOURS = {
    "actual": "#c00000",
    "plan": "#1f4e79",
    "last_year": "#7f7f7f",
    "bar": "#1f4e79",
    "limited": "#9dc3e6",
}
LIMITED_LABEL = "（样本不足）"


class CjkFontMissing(KaimenError):
    default_code = "cjk_font_missing"
    default_message = (
        "没有找到中文字体，图表无法绘制（中文会显示为方框）。Kaimen 随附的字体包 mplfonts "
        "未安装：请执行“pip install mplfonts”，或在服务器上安装中文字体（Debian/Ubuntu："
        "apt install fonts-noto-cjk），然后重启服务。"
    )


def bundled_font_dir() -> Path | None:
    """The font folder of the ``mplfonts`` package, without importing it (None: not installed)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return folder if folder.is_dir() else None


def _add(path: Path) -> bool:
    known = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    if path in known:
        return True
    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError) as exc:  # an unreadable or truncated file
        log.warning("font %s could not be registered with matplotlib: %s", path, exc)
        return False
    return True


def register_fonts() -> list[Path]:
    """Register the bundled CJK fonts with matplotlib (idempotent); without the bundle, any CJK
    font of the system that matplotlib's cached font list does not know yet. Returns the files
    registered."""
    added: list[Path] = []
    folder = bundled_font_dir()
    if folder is not None:
        for name in BUNDLED_FONT_FILES:
            path = folder / name
            if path.is_file() and _add(path):
                added.append(path)
    if added or _preferred_installed():
        return added
    for fname in font_manager.findSystemFonts():
        path = Path(fname)
        if any(hint in path.name.lower() for hint in _SYSTEM_CJK_HINTS) and _add(path):
            added.append(path)
    return added


def _preferred_installed() -> bool:
    installed = _installed_families()
    return any(family in installed for family in PREFERRED_FAMILIES)


def _installed_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


def find_cjk_font() -> str:
    """The family name of an installed CJK font; raises CjkFontMissing when there is none."""
    installed = _installed_families()
    for family in PREFERRED_FAMILIES:
        if family in installed:
            return family
    raise CjkFontMissing()


def cjk_font_available() -> bool:
    try:
        find_cjk_font()
    except CjkFontMissing:
        return False
    return True


def check_glyphs(family: str, texts: Iterable[str]) -> None:
    """Refuse to draw text the font has no glyph for (it would come out as boxes)."""
    path = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
    font = font_manager.get_font(path)
    missing = sorted(
        {
            ch
            for text in texts
            for ch in text
            if not ch.isspace()
            and unicodedata.category(ch) != "Cc"
            and font.get_char_index(ord(ch)) == 0
        }
    )
    if missing:
        raise CjkFontMissing(
            f"字体“{family}”缺少这些字符的字形：{''.join(missing[:20])}，图表会显示为方框。"
            "请安装 fonts-noto-cjk（apt install fonts-noto-cjk）或改用含这些字符的字体。"
        )


def _float(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    # No "Software" stamp: the same snapshot gives the same bytes.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def indicator_chart(series: ChartSeries) -> bytes:
    """Actual vs plan vs last year for one indicator, as a PNG."""
    family = find_cjk_font()
    title = f"{series.indicator}（{series.measure}）：实际、计划与上年同期"
    legend = ("实际", "计划", "上年同期")
    check_glyphs(family, [title, *legend, *series.labels])
    font = FontProperties(family=family, size=10)
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(series.labels)))
    for values, name, style, colour in (
        (series.actual, legend[0], "-o", _COLOURS["actual"]),
        (series.plan, legend[1], "--s", _COLOURS["plan"]),
        (series.last_year, legend[2], ":^", _COLOURS["last_year"]),
    ):
        if any(v is not None for v in values):
            ax.plot(x, [_float(v) for v in values], style, color=colour, label=name, markersize=4)
    ax.set_xticks(x, list(series.labels), fontproperties=font)
    ax.set_title(title, fontproperties=FontProperties(family=family, size=11))
    ax.set_ylabel(series.measure, fontproperties=font)
    ax.tick_params(labelfontfamily=family)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(prop=font, frameon=False)
    return _png(fig)


def ranking_chart(rows: Sequence[RankingRow], *, title: str) -> bytes:
    """Horizontal bars of total scores, best at the top; units without a score are left out."""
    family = find_cjk_font()
    scored = sorted((r for r in rows if r.total is not None), key=lambda r: (r.rank or 0, r.unit))
    names = [r.unit for r in scored]
    check_glyphs(family, [title, *names, "总分", LIMITED_LABEL])
    font = FontProperties(family=family, size=10)
    height = max(HEIGHT_IN, 0.35 * len(scored) + 1.0)
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    ax = fig.add_subplot()
    y = list(range(len(scored)))
    totals = [_float(r.total) for r in scored]
    # A unit short of samples is ranked below the best fully-sampled unit even with a higher
    # total: drawn paler and labelled, so the longer bar further down does not look like a bug.
    colours = [_COLOURS["limited"] if r.limited else _COLOURS["bar"] for r in scored]
    ax.barh(y, totals, color=colours, height=0.6)
    for yi, row in zip(y, scored, strict=True):
        label = f"{row.total}{LIMITED_LABEL if row.limited else ''}"
        ax.text(_float(row.total) + 0.5, yi, label, va="center", fontproperties=font)
    ax.set_yticks(y, names, fontproperties=font)
    ax.invert_yaxis()
    ax.set_xlim(0, max([100.0, *totals]) * 1.18)  # room for the labels
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("总分", fontproperties=font)
    ax.set_title(title, fontproperties=FontProperties(family=family, size=11))
    ax.tick_params(labelfontfamily=family)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


register_fonts()
