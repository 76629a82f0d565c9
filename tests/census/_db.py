"""Real database behaviour for the tests, without patching the code under test: a trigger that makes
the database refuse a write (as a full disk or a lost server would), or that writes something of its own
when a row goes in (as another person saving at that moment would). SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def on_insert(table: str, statement: str | None = None) -> Iterator[None]:
    """While open, an insert into ``table`` makes the database fail ("disk full") — or, given a
    ``statement``, runs it after each inserted row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            body = statement + ";" if statement else "RAISE EXCEPTION 'disk full' USING ERRCODE = '53100';"
            cursor.execute(
                f"CREATE FUNCTION dudao_test_trigger() RETURNS trigger AS $$ BEGIN {body} RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            when = "AFTER" if statement else "BEFORE"
            cursor.execute(
                f"CREATE TRIGGER dudao_test {when} INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION dudao_test_trigger()"
            )
        else:
            body = statement if statement else "SELECT RAISE(ABORT, 'disk full')"
            when = "AFTER" if statement else "BEFORE"
            cursor.execute(f"CREATE TRIGGER dudao_test {when} INSERT ON {table} BEGIN {body}; END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS dudao_test ON {table}")
                cursor.execute("DROP FUNCTION IF EXISTS dudao_test_trigger()")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS dudao_test")
