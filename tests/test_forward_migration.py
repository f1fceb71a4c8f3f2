"""A database made by Kaimen before Campaign moved to kaimen.campaigns migrates forward with every
row kept, its campaigns readable through the new model and its audit chain intact.

The fixture ``tests/data/pre-seams-demo.sqlite3.gz`` is Kaimen's schema and demo data at commit
755148d (main before the apps were carved out), built in a detached worktree of that commit with
the project's virtualenv::

    git worktree add --detach /tmp/pre-seams 755148d && cd /tmp/pre-seams
    export DJANGO_SETTINGS_MODULE=kaimen.settings_test KAIMEN_VAR_DIR=/tmp/pre-seams-var \\
           DATABASE_URL=sqlite:////tmp/pre-seams-var/pre-seams-demo.sqlite3
    python -m kaimen.cli migrate
    python -m kaimen.cli demo
    python -m kaimen.cli briefing build --campaign <the demo campaign's id> --out /tmp/b.docx
    python -m kaimen.cli shell < extra.py   # see below
    python -m kaimen.cli audit verify       # OK: 133 audit events, chain intact.

``extra.py`` adds through the ORM what the demo leaves empty: one notification channel
(ChannelConfig, e-mail), one Delivery (delivered) with one DeliveryAttempt, and one attachment
row each in ledger_attachment (on the first progress report) and accountability_attachment (on
the first explanation); the files themselves are not needed. The database was then VACUUMed and
compressed with ``gzip -9 -n``.

The copy is migrated in a child process (its own settings and connection, so the test database
of the session is not touched), which runs ``migrate``, ``audit verify`` and reads the campaigns
through ``kaimen.campaigns.models.Campaign`` with ``call_command`` and the ORM.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

FIXTURE = Path(__file__).parent / "data" / "pre-seams-demo.sqlite3.gz"
ROOT = Path(__file__).resolve().parent.parent
# Rows Django itself adds or may add as the schema grows: applied migrations, and the content
# types and permissions of models added since (never fewer than before).
GROWING = {"django_migrations", "django_content_type", "auth_permission"}

CHILD = """
import io, json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
out = io.StringIO()
call_command("audit", "verify", stdout=out)
from kaimen.campaigns.models import Campaign
from kaimen.ledger.models import Task
print(json.dumps({
    "verify": out.getvalue().strip(),
    "campaigns": list(Campaign.objects.order_by("pk").values_list("pk", "name")),
    "tasks_per_campaign": {str(c.pk): c.tasks.count() for c in Campaign.objects.all()},
    "tasks": Task.objects.count(),
}))
"""

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the fixture is an SQLite database; the forward migration is tested on SQLite only",
)


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # The table names come from sqlite_master, not from input.
        count = 'SELECT COUNT(*) FROM "{}"'
        return {t: db.execute(count.format(t)).fetchone()[0] for t in tables}


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """(counts before, counts after, what the child process read) for a migrated copy."""
    folder = tmp_path_factory.mktemp("forward")
    path = folder / "pre-seams-demo.sqlite3"
    with gzip.open(FIXTURE, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    before = _counts(path)
    content_types = _rows(path, "SELECT id, app_label, model FROM django_content_type")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "kaimen.settings_test",
        "DATABASE_URL": f"sqlite:///{path}",
        "KAIMEN_VAR_DIR": str(folder / "var"),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    read = json.loads(child.stdout.strip().splitlines()[-1])
    return before, _counts(path), read, content_types, path


def test_the_fixture_is_a_database_from_before_the_move(migrated):
    before, _after, _read, content_types, _path = migrated
    assert before["ledger_campaign"] >= 1
    assert ("ledger", "campaign") in {(app, model) for _id, app, model in content_types}
    for table in ("briefings_channelconfig", "briefings_delivery", "briefings_deliveryattempt"):
        assert before[table] >= 1, table


def test_every_table_keeps_its_name_and_its_rows(migrated):
    before, after, _read, _ct, _path = migrated
    missing = sorted(set(before) - set(after))
    assert missing == [], f"tables gone after migrating: {missing}"
    changed = {t: (n, after[t]) for t, n in before.items() if t not in GROWING and after[t] != n}
    assert changed == {}, f"row counts changed (before, after): {changed}"
    for table in GROWING:
        assert after[table] >= before[table], table


def test_the_campaigns_are_read_through_kaimen_campaigns(migrated):
    _before, _after, read, _ct, path = migrated
    stored = _rows(path, "SELECT id, name FROM ledger_campaign ORDER BY id")
    assert [tuple(c) for c in read["campaigns"]] == stored
    assert sum(read["tasks_per_campaign"].values()) == read["tasks"] > 0


def test_the_campaign_content_type_moved_with_its_permissions(migrated):
    _before, _after, _read, content_types, path = migrated
    old = {(app, model): pk for pk, app, model in content_types}
    now = {(app, model): pk for pk, app, model in _rows(path, "SELECT * FROM django_content_type")}
    assert ("ledger", "campaign") not in now
    assert now[("campaigns", "campaign")] == old[("ledger", "campaign")]


def test_the_audit_chain_is_intact(migrated):
    _before, after, read, _ct, _path = migrated
    assert read["verify"] == f"OK: {after['audit_auditevent']} audit events, chain intact."
