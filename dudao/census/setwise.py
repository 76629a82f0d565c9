"""New rows whose foreign keys PostgreSQL checks set-wise, one query per key, instead of one trigger
call per row (docs/adr/0034-foreign-keys-checked-set-wise.md).

PostgreSQL checks a foreign key with a trigger per inserted row: a national census import inserts
about 760,000 rows with about 1.9 million such trigger events (every key, null or not), queued while
``COPY`` runs and checked at commit (Django declares the keys ``DEFERRABLE INITIALLY DEFERRED``) — a
third of the import's time. :class:`NewRows` inserts rows *with their ids* while the transaction's
``session_replication_role`` is ``replica`` (those triggers do not fire; ``SET LOCAL``, only around the
``COPY``), then, before the transaction can commit, checks every foreign-key constraint the catalog
lists on those tables over exactly those rows, as the triggers would have:

- every non-null reference names a row that exists (else ``IntegrityError``, the whole import is rolled
  back, as a failed deferred check at commit would) — a row this transaction inserted set-wise exists by
  construction (its ``COPY`` succeeded; the import deletes nothing; nobody else can see it), the others
  are looked up;
- every referenced row this transaction did not insert is locked ``FOR KEY SHARE`` until commit, as the
  trigger locks it, so that nobody deletes it or changes its key meanwhile (rows inserted by this
  transaction cannot be seen by anyone else, so they need no lock).

It is used only where it checks all there is to check: on PostgreSQL, by a role allowed to set
``session_replication_role`` (a superuser, or ``GRANT SET ON PARAMETER`` on PostgreSQL 15+), on tables
that have no trigger but the foreign keys' own (another trigger would be skipped as well; the tests'
failing-database triggers are such triggers) and only single-column keys. Otherwise the rows are
inserted as before, with the per-row triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection
from django.db.models import Model

__all__ = ["NewRows", "multirange"]


def multirange(ids: Iterable[int]) -> str:
    """``ids`` as an ``int8multirange`` literal: runs of consecutive ids (ids from a sequence are one
    run, or a few when others took ids meanwhile)."""
    runs: list[list[int]] = []
    for pk in sorted(set(ids)):
        if runs and runs[-1][1] == pk:
            runs[-1][1] = pk + 1
        else:
            runs.append([pk, pk + 1])
    return "{" + ",".join(f"[{lo},{hi})" for lo, hi in runs) + "}"


class NewRows:
    """Rows inserted with their ids; on PostgreSQL, when :meth:`allowed`, their foreign keys are checked by
    :meth:`check` (call it before the transaction commits, after the last insert)."""

    def __init__(self, models: Sequence[type[Model]]) -> None:
        self.tables = [m._meta.db_table for m in models]
        self.set_wise = connection.vendor == "postgresql" and _allowed(self.tables)
        self.ids: dict[str, list[int]] = {}  # table -> ids inserted set-wise
        self.pk_column = {m._meta.db_table: _pk_column(m) for m in models}

    @contextmanager
    def inserting(self, model: type[Model], ids: Sequence[int]) -> Iterator[None]:
        """Around the insert of the rows ``ids`` of ``model``: its foreign-key triggers off (if set-wise)."""
        table = model._meta.db_table
        if not self.set_wise or not ids:
            yield
            return
        assert table in self.tables, table
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield  # an error here leaves the transaction to be rolled back, and the setting with it
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        self.ids.setdefault(table, []).extend(ids)

    def check(self) -> None:
        """Every foreign key of the rows inserted set-wise: the rows they name exist, and those this
        transaction did not insert are locked ``FOR KEY SHARE`` (``IntegrityError`` otherwise)."""
        if not self.ids:
            return
        ours = {table: multirange(ids) for table, ids in self.ids.items()}
        with connection.cursor() as cursor:
            for table, ids in self.ids.items():
                keys = _foreign_keys(cursor, table)
                mine = [ours.get(p, "{}") if self.pk_column.get(p) == pc else "{}" for _, _, p, pc in keys]
                missing = _missing(cursor, table, self.pk_column[table], (min(ids), max(ids), ours[table]), keys, mine)
                for (name, column, parent, _), n in zip(keys, missing, strict=True):
                    if n:
                        raise IntegrityError(
                            f'insert or update on table "{table}" violates foreign key constraint "{name}": '
                            f"{n} value(s) of {column} name no row of {parent}"
                        )


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.column)


def _allowed(tables: list[str]) -> bool:
    """The role may skip the triggers for this transaction, the tables have none but the foreign keys',
    and every foreign key is of one column."""
    pg15 = connection.pg_version >= 150000  # type: ignore[attr-defined]
    granted = "has_parameter_privilege('session_replication_role', 'SET')" if pg15 else "false"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_setting('session_replication_role') = 'origin' "
            f"AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR {granted}) "
            "AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' "
            "AND cardinality(conkey) > 1)",
            [tables, tables],
        )
        (allowed,) = cursor.fetchone()
    return bool(allowed)


def _foreign_keys(cursor: Any, table: str) -> list[tuple[str, str, str, str]]:
    """(constraint, column, referenced table, referenced column) of every foreign key of ``table``."""
    cursor.execute(
        "SELECT c.conname, a.attname, p.relname, pa.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_class p ON p.oid = c.confrelid "
        "JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass ORDER BY c.conname",
        [table],
    )
    return list(cursor.fetchall())


def _missing(
    cursor: Any,
    table: str,
    pk: str,
    rows: tuple[int, int, str],
    keys: list[tuple[str, str, str, str]],
    mine: list[str],
) -> list[int]:
    """For each foreign key of ``table`` (``keys``), how many distinct non-null values among the new rows
    (``rows``: pk bounds and multirange) name no row of the referenced table, in one scan of the new rows
    for all keys; those rows are locked ``FOR KEY SHARE``. A value in ``mine`` (a multirange of the rows of
    the referenced table this transaction inserted set-wise) is not looked up: the ``COPY`` that wrote that
    row succeeded in this transaction, which deletes nothing, and nobody else can see it."""
    if not keys:
        return []
    qn = connection.ops.quote_name
    columns = ", ".join(dict.fromkeys(qn(column) for _, column, _, _ in keys))
    params: list[Any] = list(rows)
    counts = []
    for (_, column, parent, parent_column), ranges in zip(keys, mine, strict=True):
        c, p, pc = qn(column), qn(parent), qn(parent_column)
        named = f"SELECT n.{c} FROM n WHERE n.{c} IS NOT NULL"
        if ranges != "{}":
            named += f" AND NOT n.{c}::bigint <@ %s::int8multirange"
        counts.append(
            f"(SELECT count(*) FROM (SELECT DISTINCT d.{c} FROM ({named}) d) r) - (SELECT count(*) FROM "
            f"(SELECT 1 FROM {p} x WHERE x.{pc} IN ({named}) FOR KEY SHARE OF x) l)"
        )
        params += [ranges, ranges] if ranges != "{}" else []
    cursor.execute(
        f"WITH n AS MATERIALIZED (SELECT {columns} FROM {qn(table)} "
        f"WHERE {qn(pk)} BETWEEN %s AND %s AND {qn(pk)}::bigint <@ %s::int8multirange) SELECT {', '.join(counts)}",
        params,
    )
    return [int(n) for n in cursor.fetchone()]
