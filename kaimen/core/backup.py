"""数据备份恢复 (等保三级 8.1.4.x): an online backup, a restore, and a drill that proves them.

SQLite is copied with its online backup API (consistent while the site is serving); PostgreSQL
with pg_dump in custom format and pg_restore. A backup is followed by a manifest of per-table row
counts, so a restore can be checked table by table and the audit chain re-verified.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from kaimen.lib.errors import ValidationError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, int]


def table_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _pg_env() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = [
        "-h", settings.get("HOST") or "127.0.0.1",
        "-p", str(settings.get("PORT") or 5432),
        "-U", settings.get("USER") or "",
        "-d", settings["NAME"],
    ]  # fmt: skip
    return args, env


def backup(out: Path) -> BackupResult:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = table_counts()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        if not shutil.which("pg_dump"):
            raise ValidationError(
                "找不到 pg_dump:请安装 PostgreSQL 客户端(Debian: postgresql-client)。"
            )
        subprocess.run(["pg_dump", "-Fc", "-f", str(out), *args], check=True, env=env)  # noqa: S603, S607
    else:
        raise ValidationError(f"不支持备份 {connection.vendor} 数据库。")
    out.chmod(0o600)
    _manifest_path(out).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return BackupResult(out, manifest)


def restore(source: Path) -> None:
    """Replace the current database with ``source``. The caller stops the site first."""
    source = Path(source)
    if not source.exists():
        raise ValidationError(f"备份文件不存在:{source}")
    if connection.vendor == "sqlite":
        with sqlite3.connect(source) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise ValidationError(f"备份文件已损坏(integrity_check 未通过):{source}")
        connection.ensure_connection()
        src = sqlite3.connect(source)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        subprocess.run(  # noqa: S603
            [  # noqa: S607 - pg_restore from PATH, like pg_dump above
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(source),
            ],  # noqa: S607
            check=True,
            env=env,
        )
    else:
        raise ValidationError(f"不支持恢复 {connection.vendor} 数据库。")


def compare_with_manifest(source: Path) -> list[str]:
    """Tables whose row count differs from the backup's manifest (empty = identical)."""
    manifest_file = _manifest_path(Path(source))
    if not manifest_file.exists():
        return [f"没有找到清单文件 {manifest_file.name}"]
    expected = json.loads(manifest_file.read_text("utf-8"))
    actual = table_counts()
    problems = []
    for table, count in expected.items():
        if actual.get(table) != count:
            problems.append(f"{table}: 备份 {count} 行,恢复后 {actual.get(table)} 行")
    return problems
