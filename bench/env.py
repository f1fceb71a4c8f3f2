"""Benchmarks run against a fresh SQLite database in a temporary directory (or DATABASE_URL)."""

from __future__ import annotations

import os
import tempfile


def fresh_database() -> None:
    if not os.environ.get("DATABASE_URL"):
        var = tempfile.mkdtemp(prefix="kaimen-bench-")
        os.environ["KAIMEN_VAR_DIR"] = var
        os.makedirs(os.path.join(var, "static"), exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaimen.settings")
    os.environ.setdefault("KAIMEN_ENV", "demo")
    os.environ.setdefault("KAIMEN_ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
