"""Charts on every machine: the CJK font ships with Kaimen (mplfonts, Noto Sans CJK SC under the
SIL Open Font License) and is registered with matplotlib at start, so a machine without Debian's
fonts-noto-cjk still draws every chart of the briefing.

The check runs in a fresh interpreter pointed at a font list without CJK fonts: a new, empty
MPLCONFIGDIR, and matplotlib's font list built there with MPL_IGNORE_SYSTEM_FONTS=1, so it knows
only the DejaVu fonts it carries itself, as on a fresh server without Chinese fonts. The variable
is dropped once the list is built (it would also confine every later font lookup to matplotlib's
own folder), and only then is Kaimen imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kaimen.briefings import charts

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import io, json, os
from matplotlib import font_manager  # the font list, built without the system's fonts
os.environ.pop("MPL_IGNORE_SYSTEM_FONTS")
import django
django.setup()
system_cjk = sorted(
    e.name for e in font_manager.fontManager.ttflist
    if "CJK" in e.name and "mplfonts" not in e.fname
)
from kaimen.briefings import charts
from kaimen.briefings.docx_builder import render_briefing_docx
from tests.briefings.test_snapshot import sample_snapshot
import docx
rendered = render_briefing_docx(sample_snapshot())
document = docx.Document(io.BytesIO(rendered.data))
print(json.dumps({
    "system_cjk_before": system_cjk,
    "font": charts.find_cjk_font(),
    "font_file": str(font_manager.findfont(charts.find_cjk_font(), fallback_to_default=False)),
    "pictures": len(document.inline_shapes),
    "problem": rendered.chart_problem,
}))
"""


def _run(tmp_path: Path) -> dict:
    config = tmp_path / "mplconfig"
    config.mkdir()
    env = {
        **os.environ,
        "MPLCONFIGDIR": str(config),
        "MPL_IGNORE_SYSTEM_FONTS": "1",
        "DJANGO_SETTINGS_MODULE": "kaimen.settings_test",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(charts.bundled_font_dir() is None, reason="mplfonts is not installed")
def test_the_docx_has_its_charts_on_a_machine_without_cjk_fonts(tmp_path):
    result = _run(tmp_path)
    assert result["system_cjk_before"] == []  # matplotlib saw no Chinese font of the system
    assert result["font"] == "Noto Sans CJK SC"
    assert "mplfonts" in result["font_file"]
    assert result["pictures"] == 4  # two indicators, two peer groups' rankings
    assert result["problem"] == ""


def test_the_bundled_fonts_are_the_ofl_noto_faces_only():
    folder = charts.bundled_font_dir()
    if folder is None:
        pytest.skip("mplfonts is not installed (pip install mplfonts)")
    registered = charts.register_fonts()
    assert [p.name for p in registered] == list(charts.BUNDLED_FONT_FILES)
    assert all(name.startswith("Noto") for name in charts.BUNDLED_FONT_FILES)
    assert charts.register_fonts() == registered  # idempotent: nothing is added twice
