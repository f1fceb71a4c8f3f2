"""The demo's story is told in the latest year whose first quarter is over."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kaimen.lib import demo_calendar, workdays


@pytest.mark.parametrize(
    ("today", "year", "month"),
    [
        (date(2025, 4, 20), 2025, 3),  # the day the story was written for
        (date(2026, 3, 31), 2025, 12),  # the first quarter is not over yet: last year's story
        (date(2026, 4, 1), 2026, 3),
        (date(2026, 12, 3), 2026, 9),
        (date(2027, 1, 15), 2026, 12),
    ],
)
def test_story_year_and_latest_month(today: date, year: int, month: int) -> None:
    assert demo_calendar.story_year(today) == year
    assert demo_calendar.latest_month(today) == month


def test_written_dates_move_by_whole_years_onto_working_days() -> None:
    on = date(2026, 12, 3)
    for written in (date(2025, 2, 5), date(2025, 2, 14), date(2025, 3, 3), date(2025, 4, 1)):
        day = demo_calendar.moved(written, on)
        assert day.year == 2026
        assert 0 <= (day - written.replace(year=2026)).days <= 10
        assert workdays.is_workday(day), day
    # The story as written stays as written.
    assert demo_calendar.moved(date(2025, 3, 15), date(2025, 4, 20)) == date(2025, 3, 15)


def test_a_fresh_demo_reads_like_this_year(tmp_path: Path) -> None:
    """`kaimen demo` on 3 December 2026: the 2026 campaign, figures to 1-9月, history to 2025,
    and a second run changes nothing."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env.update(
        KAIMEN_DEMO_TODAY="2026-12-03",
        KAIMEN_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kaimen.settings_test",
        DATABASE_URL="",
        PYTHONPATH=os.pathsep.join([str(root), env.get("PYTHONPATH", "")]),
    )

    def kaimen(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "kaimen.cli", *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    kaimen("migrate", "--noinput", "-v0")
    kaimen("demo")
    second = kaimen("demo")
    assert "unchanged" in second
    assert "loaded" not in second

    db = sqlite3.connect(tmp_path / "kaimen.sqlite3")
    (name, start, end), *_ = db.execute("select name, start, end from ledger_campaign").fetchall()
    assert (name, start, end) == ("2026年一季度开门红", "2026-02-05", "2026-03-31")
    years = dict(db.execute("select year, max(end_month) from targets_actual group by year"))
    assert years[2026] == 9
    assert min(years) == 2018
    assert years[2025] == 12
    assert db.execute("select count(*) from targets_target where year = 2026").fetchone()[0] > 0
    deadlines = {row[0][:4] for row in db.execute("select deadline from ledger_task")}
    assert deadlines == {"2026"}
