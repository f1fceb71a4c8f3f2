"""A database trigger that refuses UPDATE of a submitted figure, whoever connects (统计法).

The ORM already refuses updates and deletes of ``Actual`` rows; the trigger holds against raw
SQL on the application's own connection as well. DELETE is left to the ORM's refusal: the test
suite flushes tables between transactional tests, and a deleted figure is still caught by the
audit trail, which records every figure written.
"""

from __future__ import annotations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION targets_actual_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'targets_actual: a submitted figure is never updated in place (record a new version)';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER targets_actual_no_update BEFORE UPDATE
    ON targets_actual FOR EACH ROW EXECUTE FUNCTION targets_actual_no_update();
"""
PG_REMOVE = "DROP TRIGGER IF EXISTS targets_actual_no_update ON targets_actual;"
SQLITE_INSTALL = """CREATE TRIGGER IF NOT EXISTS targets_actual_no_update BEFORE UPDATE
    ON targets_actual BEGIN SELECT RAISE(ABORT,
    'targets_actual: a submitted figure is never updated in place (record a new version)'); END"""
SQLITE_REMOVE = "DROP TRIGGER IF EXISTS targets_actual_no_update"


def install(connection) -> None:
    statement = {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL}.get(connection.vendor)
    if statement:
        with connection.cursor() as cursor:
            cursor.execute(statement)


def remove(connection) -> None:
    statement = {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE}.get(connection.vendor)
    if statement:
        with connection.cursor() as cursor:
            cursor.execute(statement)
