"""The audit trail is append-only and tamper-evident (SECURITY.md 安全审计):

* the ORM and the database refuse to change or delete events;
* ``kaimen audit verify`` recomputes the hash chain and names the first event that was edited,
  deleted, swapped or inserted behind the application's back (a DBA who drops the triggers);
* SM3 where OpenSSL offers it; six calendar months of retention, computed.
"""

# The raw SQL below is the point of these tests (a DBA rewriting history); no user input in it.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from kaimen.audit import chain
from kaimen.audit.models import AuditEvent
from kaimen.audit.services import record, retention_cutoff, verify
from kaimen.org import services
from kaimen.org.models import UnitKind

TABLE = "audit_auditevent"
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def make_events(n: int) -> list[int]:
    return [
        record(
            actor=None, actor_name="tester", action="test.event", message=f"第{i}条", after={"i": i}
        ).pk
        for i in range(n)
    ]


def drop_the_triggers() -> None:
    """What a DBA (not the application) would have to do first to rewrite history."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            # Django's foreign keys are deferred; PostgreSQL will not ALTER a table with
            # deferred checks pending in the transaction, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify_fails_naming(event_id: int) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert f"#{event_id}" in str(failed.value)
    assert f"#{event_id}:" in err.getvalue()
    return err.getvalue()


# --- verify ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_passes_on_a_fresh_database():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK: 0 audit events" in out.getvalue()


@pytest.mark.django_db
def test_verify_passes_after_real_work(cast):
    services.unit_create(actor=cast.office, name="区新设中心", kind=UnitKind.DEPARTMENT)
    services.unit_update(actor=cast.office, unit=cast.town_a, expected_version=1, duties="服务")
    services.person_deactivate(actor=cast.office, person=cast.member_a, reason="调离")
    make_events(3)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"OK: {AuditEvent.objects.count()} audit events" in out.getvalue()
    assert AuditEvent.objects.count() == 6


EDITS = {
    "message": ("message", "篡改"),
    "outcome": ("outcome", "denied"),
    "ip": ("ip", "10.6.6.6"),
    "actor_name": ("actor_name", "someone.else"),
    "action": ("action", "test.other"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("edit", list(EDITS))
def test_verify_names_a_row_edited_with_raw_sql(edit):
    ids = make_events(5)
    column, value = EDITS[edit]
    drop_the_triggers()
    raw(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, ids[2]])
    verify_fails_naming(ids[2])


@pytest.mark.django_db
def test_verify_names_a_row_whose_json_or_time_was_edited():
    ids = make_events(4)
    drop_the_triggers()
    if connection.vendor == "postgresql":
        raw(f"UPDATE {TABLE} SET after = %s::jsonb WHERE id = %s", ['{"i": 99}', ids[1]])
    else:
        raw(f"UPDATE {TABLE} SET after = %s WHERE id = %s", ['{"i": 99}', ids[1]])
    verify_fails_naming(ids[1])


@pytest.mark.django_db
def test_verify_names_a_row_whose_time_was_moved():
    ids = make_events(4)
    moved = AuditEvent.objects.get(pk=ids[3]).at - timedelta(days=30)
    drop_the_triggers()
    raw(f"UPDATE {TABLE} SET at = %s WHERE id = %s", [moved, ids[3]])
    verify_fails_naming(ids[3])


@pytest.mark.django_db
def test_an_edit_with_a_recomputed_hash_is_caught_at_the_next_event():
    ids = make_events(5)
    event = AuditEvent.objects.get(pk=ids[1])
    event.message = "篡改"
    from kaimen.audit.services import payload_of

    forged = chain.link_hash(event.hash_alg, event.prev_hash, payload_of(event))
    drop_the_triggers()
    raw(f"UPDATE {TABLE} SET message = %s, hash = %s WHERE id = %s", ["篡改", forged, ids[1]])
    verify_fails_naming(ids[2])


@pytest.mark.django_db
def test_verify_names_the_event_after_one_deleted_in_the_middle():
    ids = make_events(5)
    drop_the_triggers()
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [ids[2]])
    verify_fails_naming(ids[3])


@pytest.mark.django_db
def test_verify_names_the_first_of_two_swapped_rows():
    ids = make_events(6)
    first, second = ids[1], ids[4]
    columns = [
        f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"
    ]  # everything but the id: each row stays self-consistent, only the order changes
    cols = ", ".join(columns)
    drop_the_triggers()
    raw(
        f"CREATE TEMPORARY TABLE swap_copy AS SELECT * FROM {TABLE} WHERE id IN (%s, %s)",
        [first, second],
    )
    raw(f"UPDATE {TABLE} SET hash = %s WHERE id = %s", ["f" * 64, second])  # free the unique hash
    raw(
        f"UPDATE {TABLE} SET ({cols}) = (SELECT {cols} FROM swap_copy WHERE id = %s) WHERE id = %s",
        [second, first],
    )
    raw(
        f"UPDATE {TABLE} SET ({cols}) = (SELECT {cols} FROM swap_copy WHERE id = %s) WHERE id = %s",
        [first, second],
    )
    raw("DROP TABLE swap_copy")
    assert AuditEvent.objects.get(pk=first).message == "第4条"
    verify_fails_naming(first)


@pytest.mark.django_db
def test_verify_names_a_row_inserted_behind_the_applications_back():
    make_events(3)
    last = AuditEvent.objects.order_by("-id").first()
    forged = AuditEvent(
        at=last.at,
        actor_name="ghost",
        action="test.event",
        prev_hash=chain.GENESIS,  # does not follow the chain
        hash="e" * 64,
        hash_alg=last.hash_alg,
    )
    forged.save()
    verify_fails_naming(forged.pk)


@pytest.mark.django_db
def test_verify_result_names_the_reason():
    ids = make_events(3)
    drop_the_triggers()
    raw(f"UPDATE {TABLE} SET message = %s WHERE id = %s", ["x", ids[0]])
    result = verify()
    assert not result.ok
    assert result.broken.event_id == ids[0]
    assert "edited" in result.broken.reason
    assert result.checked == 1  # stops at the first break


# --- append-only ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_events():
    ids = make_events(2)
    event = AuditEvent.objects.get(pk=ids[0])
    with pytest.raises(TypeError):
        AuditEvent.objects.update(message="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=ids[0]).update(message="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=ids[0]).delete()
    with pytest.raises(TypeError):
        event.delete()
    event.message = "x"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["message"])
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(pk=ids[0]).message == "第0条"
    assert verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET message = 'x'", f"DELETE FROM {TABLE}", f"TRUNCATE {TABLE}"],
    ids=["update", "delete", "truncate"],
)
def test_the_database_refuses_raw_changes_to_the_audit_table(statement):
    if statement.startswith("TRUNCATE") and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is covered)")
    make_events(3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(statement)
    assert AuditEvent.objects.count() == 3
    assert list(AuditEvent.objects.values_list("message", flat=True).order_by("id")) == [
        "第0条",
        "第1条",
        "第2条",
    ]
    assert verify().ok


@pytest.mark.django_db
def test_no_audit_url_changes_or_deletes_events(client, login, cast):
    from django.urls import get_resolver

    patterns = [str(p.pattern) for p in get_resolver("kaimen.audit.urls").url_patterns]
    assert patterns == ["", "export.xlsx"]
    login(cast.auditor)
    make_events(2)
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/audit/")
        assert response.status_code < 500  # a read-only page whatever the method
    assert AuditEvent.objects.filter(action="test.event").count() == 2


# --- the hash -----------------------------------------------------------------------------------------


def test_sm3_test_vector():
    if "sm3" not in hashlib.algorithms_available:
        pytest.fail("this platform's OpenSSL offers no SM3 (the chain would fall back to SHA-256)")
    assert hashlib.new("sm3", b"abc").hexdigest() == SM3_ABC
    assert chain.digest("sm3", b"abc") == SM3_ABC


@pytest.mark.django_db
def test_the_chain_records_sm3_where_openssl_offers_it():
    (event_id,) = make_events(1)
    expected = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"
    assert chain.available_algorithm() == expected
    assert AuditEvent.objects.get(pk=event_id).hash_alg == expected == "sm3"


def test_an_unknown_hash_algorithm_is_refused():
    with pytest.raises(ValueError, match="md5"):
        chain.digest("md5", b"abc")


@pytest.mark.django_db
def test_a_chain_hashed_with_sha256_still_verifies():
    """Events record their algorithm, so a chain survives a move to a machine without SM3."""
    make_events(2)
    from unittest import mock

    with mock.patch.object(chain, "available_algorithm", return_value="sha256"):
        make_events(2)
    assert list(AuditEvent.objects.order_by("id").values_list("hash_alg", flat=True)) == [
        "sm3",
        "sm3",
        "sha256",
        "sha256",
    ]
    assert verify().ok


# --- pure chain (no database) --------------------------------------------------------------------------

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=12),
    st.lists(st.integers(0, 9), max_size=3),
)
payload = st.dictionaries(
    st.sampled_from(["action", "message", "ip", "n", "after"]), values, min_size=1
)


def build_chain(payloads: list[dict], algorithm: str = "sm3") -> list[chain.ChainRow]:
    rows, previous = [], chain.GENESIS
    for index, p in enumerate(payloads, start=1):
        own = chain.link_hash(algorithm, previous, p)
        rows.append(
            chain.ChainRow(id=index, payload=p, prev_hash=previous, hash=own, algorithm=algorithm)
        )
        previous = own
    return rows


@given(st.lists(payload, min_size=1, max_size=15), st.sampled_from(["sm3", "sha256"]))
def test_an_untouched_chain_holds(payloads, algorithm):
    assert chain.first_break(build_chain(payloads, algorithm)) is None


@settings(max_examples=200)
@given(st.lists(payload, min_size=1, max_size=15), st.data())
def test_any_single_edited_payload_is_detected(payloads, data):
    rows = build_chain(payloads)
    index = data.draw(st.integers(0, len(rows) - 1))
    original = dict(rows[index].payload)
    key = data.draw(st.sampled_from(["action", "message", "ip", "n", "after", "extra"]))
    new_value = data.draw(values)
    edited = {**original, key: new_value}
    if chain.canonical_json(edited) == chain.canonical_json(original):
        edited.pop(key)  # the drawn value was the same: remove the key instead
        if not edited:
            edited = {"action": "x"} if original != {"action": "x"} else {"action": "y"}
    rows[index] = replace(rows[index], payload=edited)
    broken = chain.first_break(rows)
    assert broken is not None
    assert broken.event_id == rows[index].id


@given(st.lists(payload, min_size=2, max_size=15), st.data())
def test_any_row_deleted_before_the_end_is_detected_at_the_next(payloads, data):
    rows = build_chain(payloads)
    index = data.draw(st.integers(0, len(rows) - 2))
    follower = rows[index + 1].id
    del rows[index]
    broken = chain.first_break(rows)
    assert broken is not None
    assert broken.event_id == follower


@given(st.lists(payload, min_size=2, max_size=15), st.data())
def test_any_two_swapped_rows_are_detected(payloads, data):
    rows = build_chain(payloads)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    a, b = rows[i], rows[j]
    rows[i] = replace(b, id=a.id)
    rows[j] = replace(a, id=b.id)
    broken = chain.first_break(rows)
    assert broken is not None
    assert broken.event_id == a.id


# --- retention ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (date(2026, 8, 31), date(2026, 2, 28)),
        (date(2026, 11, 27), date(2026, 5, 27)),
        (date(2024, 8, 31), date(2024, 2, 29)),
        (date(2026, 3, 31), date(2025, 9, 30)),
        (date(2026, 1, 15), date(2025, 7, 15)),
        (date(2026, 6, 30), date(2025, 12, 30)),
    ],
)
def test_retention_is_six_calendar_months(today, cutoff):
    assert retention_cutoff(today, months=6) == cutoff


def test_the_retention_window_is_181_to_184_days_every_day_of_the_year():
    lengths = set()
    for year in (2023, 2024, 2025, 2026, 2028, 2100):
        day = date(year, 1, 1)
        while day.year == year:
            length = (day - retention_cutoff(day, months=6)).days
            assert 181 <= length <= 184, day
            lengths.add(length)
            day += timedelta(days=1)
    assert lengths == {181, 182, 183, 184}  # computed on the calendar, never a fixed 180


def test_retention_is_never_shorter_than_six_months():
    today = date(2026, 11, 27)
    assert retention_cutoff(today, months=3) == retention_cutoff(today, months=6)
    assert retention_cutoff(today, months=12) == date(2025, 11, 27)


@pytest.mark.django_db
def test_the_retention_command_prints_the_cutoff(clock):
    from datetime import datetime

    from django.utils import timezone

    clock.current = timezone.make_aware(datetime(2026, 8, 31, 10, 0))
    out = StringIO()
    call_command("audit", "retention", stdout=out)
    assert "2026-02-28" in out.getvalue()


# --- the real console script ---------------------------------------------------------------------------


KAIMEN = Path(sys.executable).with_name("kaimen")


def run_kaimen(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(KAIMEN), *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_the_kaimen_console_script_verifies_and_names_an_edited_event(tmp_path):
    assert KAIMEN.exists(), f"{KAIMEN} is missing: pip install -e . installs it"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "KAIMEN_SECRET_KEY"}
    }
    env.update({"KAIMEN_VAR_DIR": str(tmp_path), "KAIMEN_ENV": "demo"})
    migrated = run_kaimen(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    script = (
        "from kaimen.audit.services import record\n"
        "for i in range(5):\n"
        "    record(actor=None, actor_name='cli', action='test.event', message=str(i))\n"
    )
    assert run_kaimen(env, "shell", "-c", script).returncode == 0
    ok = run_kaimen(env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "OK: 5 audit events" in ok.stdout

    database = tmp_path / "kaimen.sqlite3"
    db = sqlite3.connect(database)
    try:
        (third,) = db.execute(f"SELECT id FROM {TABLE} ORDER BY id LIMIT 1 OFFSET 2").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(f"UPDATE {TABLE} SET message = 'tampered' WHERE id = ?", (third,))
        db.execute("DROP TRIGGER audit_event_no_update")
        db.execute(f"UPDATE {TABLE} SET message = 'tampered' WHERE id = ?", (third,))
        db.commit()
    finally:
        db.close()

    broken = run_kaimen(env, "audit", "verify")
    assert broken.returncode == 2
    assert f"#{third}" in broken.stderr
    assert "OK" not in broken.stdout


def test_bad_input_to_the_audit_command_is_refused():
    with pytest.raises(CommandError):
        call_command("audit", "erase")
