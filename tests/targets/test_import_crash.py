"""Crash safety (SECURITY.md, Reliability): a process killed in the middle of an import leaves
no figures, an intact SQLite file, and a batch that is later marked failed and can be retried.

The import runs in child processes on their own SQLite file (the test database lives in
memory and cannot be shared); the child SIGKILLs itself after writing the first rows inside the
import's transaction, so no Python clean-up runs at all.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.targets.workbooks import MAIN_ROWS, bureau_workbook

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, signal, sys
from datetime import timedelta
from decimal import Decimal
os.environ["DJANGO_SETTINGS_MODULE"] = "kaimen.settings_test"
import django
django.setup()
from django.core.management import call_command
from kaimen.org.models import Unit, UnitKind
from kaimen.targets import imports, services
from kaimen.targets.models import ImportBatch

mode, workbook = sys.argv[1], sys.argv[2]
if mode == "setup":
    call_command("migrate", verbosity=0)
    Unit.objects.create(name="区委区政府", kind=UnitKind.LEADERSHIP)
    common = dict(measure_unit="亿元", kind="amount", frequency="monthly", light_basis="growth",
                  green_within_pts=Decimal(0), yellow_within_pts=Decimal(2))
    for code, name, merged in (("industrial_value_added", "规模以上工业增加值", True),
                               ("fixed_asset_investment", "固定资产投资", True),
                               ("retail_sales", "社会消费品零售总额", True),
                               ("budget_revenue", "一般公共预算收入", False),
                               ("gdp", "地区生产总值", False)):
        services.indicator_create(actor=None, system=True, code=code, name=name,
                                  merged_jan_feb=merged, **common)
elif mode == "crash":
    data = open(workbook, "rb").read()
    batch, _ = imports.import_upload(actor=None, data=data, file_name="月报.xlsx", system=True)
    imports.CHUNK_SIZE = 2
    original = imports.write_chunk
    def die_after_first_chunk(chunk, calls=[]):
        original(chunk)
        calls.append(len(chunk))
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
    imports.write_chunk = die_after_first_chunk
    imports.import_commit(actor=None, batch=batch, system=True)
    print("not killed")
elif mode == "recover":
    imports.LEASE = timedelta(0)
    print("reaped", imports.imports_reap_interrupted())
    batch = ImportBatch.objects.get()
    print("status", batch.status)
    result = imports.import_commit(actor=None, batch=batch, system=True)
    print("created", result.created)
"""


def child(mode: str, workbook: Path, var_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"KAIMEN_VAR_DIR": str(var_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(workbook)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def inspect(database: Path) -> tuple[str, int, list[str]]:
    with sqlite3.connect(database) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        figures = db.execute("SELECT count(*) FROM targets_actual").fetchone()[0]
        statuses = [row[0] for row in db.execute("SELECT status FROM targets_importbatch")]
    return integrity, figures, statuses


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_process_killed_mid_import_leaves_nothing_half_written(tmp_path):
    workbook = tmp_path / "月报.xlsx"
    workbook.write_bytes(bureau_workbook(main_rows=MAIN_ROWS, towns=[]))
    var_dir = tmp_path / "var"
    setup = child("setup", workbook, var_dir)
    assert setup.returncode == 0, setup.stderr[-3000:]

    crash = child("crash", workbook, var_dir)
    assert crash.returncode == -signal.SIGKILL, crash.stdout + crash.stderr[-3000:]
    assert "not killed" not in crash.stdout
    integrity, figures, statuses = inspect(var_dir / "kaimen.sqlite3")
    # two figures had been written inside the transaction when the process died
    assert (integrity, figures, statuses) == ("ok", 0, ["running"])

    recover = child("recover", workbook, var_dir)
    assert recover.returncode == 0, recover.stderr[-3000:]
    assert "reaped 1" in recover.stdout
    assert "status failed" in recover.stdout
    assert "created 4" in recover.stdout
    assert inspect(var_dir / "kaimen.sqlite3") == ("ok", 4, ["committed"])
