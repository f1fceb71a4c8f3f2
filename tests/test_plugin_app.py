"""A new domain app plugs in without editing any other app: tests/plugin/throwaway registers one
notification event, one score metric, one home panel, one API router and one permission from
its own AppConfig.ready(), and its checks run under a settings module that only adds it to
INSTALLED_APPS (a separate process, because Django's app registry is set once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_throwaway_app_plugs_in_through_the_registries_only():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DATABASE_URL", None)  # its own throwaway SQLite test database
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/plugin/plugin_checks.py",
            "--ds=tests.plugin.settings",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout, result.stdout[-4000:]
