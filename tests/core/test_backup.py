"""The restore drill, end to end through the real `kaimen` command: back up, change, restore,
compare every table with the manifest and verify the audit chain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KAIMEN = [sys.executable, "-m", "kaimen.cli"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KAIMEN, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["KAIMEN_VAR_DIR"] = str(tmp_path / "var")
    env["KAIMEN_ENV"] = "demo"
    return env


def test_backup_and_restore_round_trip_on_sqlite(sqlite_env, tmp_path):
    assert run(["migrate", "-v0"], sqlite_env).returncode == 0
    assert run(["demo"], sqlite_env).returncode == 0
    out = tmp_path / "backup.sqlite3"
    made = run(["backup", "--out", str(out)], sqlite_env)
    assert made.returncode == 0, made.stderr
    assert out.exists()
    assert (tmp_path / "backup.sqlite3.manifest.json").exists()

    # Something changes after the backup: a new unit (written straight into the file).
    import sqlite3

    db = sqlite3.connect(tmp_path / "var" / "kaimen.sqlite3")
    db.execute(
        "INSERT INTO org_unit (name, short_name, kind, duties, contact_phone, sort_order,"
        " is_active, version, created_at) VALUES ('临时单位', '', 'department', '', '', 1, 1, 1,"
        " '2026-01-01 00:00:00')"
    )
    db.commit()
    db.close()

    restored = run(["restore", str(out), "--yes"], sqlite_env)
    assert restored.returncode == 0, restored.stderr
    assert "audit chain intact" in restored.stdout
    db = sqlite3.connect(tmp_path / "var" / "kaimen.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM org_unit WHERE name = '临时单位'").fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_drill_fails_when_the_manifest_disagrees(sqlite_env, tmp_path):
    assert run(["migrate", "-v0"], sqlite_env).returncode == 0
    out = tmp_path / "backup.sqlite3"
    assert run(["backup", "--out", str(out)], sqlite_env).returncode == 0
    manifest = tmp_path / "backup.sqlite3.manifest.json"
    manifest.write_text(
        manifest.read_text("utf-8").replace('"org_unit": 0', '"org_unit": 5'), "utf-8"
    )
    restored = run(["restore", str(out), "--yes"], sqlite_env)
    assert restored.returncode != 0
    assert "org_unit" in restored.stderr


def test_restore_of_a_missing_file_says_so(sqlite_env, tmp_path):
    assert run(["migrate", "-v0"], sqlite_env).returncode == 0
    restored = run(["restore", str(tmp_path / "nope.sqlite3"), "--yes"], sqlite_env)
    assert restored.returncode != 0
    assert "备份文件不存在" in restored.stderr
