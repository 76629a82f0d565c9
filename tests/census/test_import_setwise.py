"""The national import's write (ADR 0034): on PostgreSQL the new rows' foreign keys are checked set-wise,
one query per key, instead of by a trigger per row. A small national file (several counties, created by
the same synthetic data as ``benchmarks/bench_import.py``) must store exactly what the per-row path
stores, a failure in the middle of the write must leave nothing, and a reference to a row that does not
exist must be refused as the trigger refuses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from dudao.census import actions
from dudao.census.importing import _insert, _new_ids, import_census
from dudao.census.models import CensusChange, CensusEvent, CensusRecord, CensusYear, ImportBatch
from dudao.census.setwise import NewRows, multirange
from dudao.demo import synthetic_schools
from dudao.demo.synthetic import PROVINCES
from dudao.orgs.models import Region, School, SchoolYear
from tests.census._db import on_insert
from tests.personas import SYSTEM, YEAR

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")

WRITTEN = (School, SchoolYear, CensusRecord, CensusEvent, CensusChange, ImportBatch, CensusYear)


def national_file(folder: Path, name: str = "nation.csv") -> Path:
    """Three counties of 15–25 schools in the national CSV layout (English keys, a county_code column), and
    their regions."""
    frame = synthetic_schools(3, (15, 25), seed=18, province="41")
    frame.loc[frame["school_type"] == "special", "level"] = "primary"  # as the benchmark does
    province = Region.objects.create(code="41", name=PROVINCES["41"][0], level="province")
    city = Region.objects.create(code="4101", name="市", level="city", parent=province)
    for code in sorted(set(frame["county_code"])):
        Region.objects.create(code=code, name=f"县{code}", level="county", parent=city)
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def stored() -> dict[str, list[tuple[Any, ...]]]:
    """What an import stored, without ids and times (the two paths take different ids)."""
    school = {s.pk: s.code for s in School.objects.all()}
    return {
        "schools": sorted((s.code, s.county_id) for s in School.objects.all()),
        "school_years": sorted(
            (school[sy["school_id"]], *(v for k, v in sy.items() if k not in ("id", "school_id")))
            for sy in SchoolYear.objects.values()
        ),
        "records": sorted(
            (school[r["school_id"]], *(v for k, v in sorted(r.items()) if k not in ("id", "school_id", "updated_at")))
            for r in CensusRecord.objects.values()
        ),
        "events": sorted(
            (school[e.record.school_id], e.record.level, e.action, e.user_id, e.reason, e.batch.filename)
            for e in CensusEvent.objects.select_related("record", "batch")
        ),
        "changes": sorted(CensusChange.objects.values_list("field", "old", "new")),
        "batches": sorted(ImportBatch.objects.values_list("counties", "rows", "created", "schools_created")),
    }


def nothing_written() -> bool:
    return not any(m.objects.exists() for m in WRITTEN if m is not CensusYear)


def test_the_set_wise_write_stores_what_the_per_row_write_stores(tmp_path: Path) -> None:
    path = national_file(tmp_path)
    if connection.vendor == "postgresql":  # a superuser's test database, tables without triggers of their own
        assert NewRows([School, SchoolYear, CensusRecord, CensusEvent]).set_wise
    sid = transaction.savepoint()
    first = import_census(path, YEAR, county=None, user=SYSTEM)
    set_wise = stored()
    transaction.savepoint_rollback(sid)
    assert nothing_written()
    # A trigger of the table's own (doing nothing) is one the set-wise write would skip: it takes the
    # per-row path, the foreign keys checked by PostgreSQL's triggers.
    with on_insert(CensusEvent._meta.db_table, "PERFORM 1" if connection.vendor == "postgresql" else "SELECT 1"):
        assert not NewRows([CensusEvent]).set_wise or connection.vendor != "postgresql"
        second = import_census(path, YEAR, county=None, user=SYSTEM)
    per_row = stored()

    assert first.created == second.created == len(per_row["records"]) > 45
    assert len(per_row["schools"]) == len(per_row["school_years"]) == len(per_row["events"]) > 45
    assert set_wise == per_row
    # and the figures are the file's (whole-school rows, per-level columns, money and areas)
    again = import_census(path, YEAR, county=None, user=SYSTEM)
    assert again.created == again.updated == 0 and again.unchanged == first.created


def test_a_failure_in_the_middle_of_the_write_leaves_nothing(tmp_path: Path) -> None:
    path = national_file(tmp_path, "boom.csv")
    before = {m.__name__: m.objects.count() for m in WRITTEN}
    if connection.vendor == "postgresql":
        # The database refuses the last rows written (the import events), by a check and not by a trigger:
        # the write stays set-wise; schools, school years and records are in by then.
        table = CensusEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT dudao_test CHECK (reason <> 'boom.csv') NOT VALID")
        assert NewRows([School, SchoolYear, CensusRecord, CensusEvent]).set_wise
        with pytest.raises(actions.CensusError) as info:
            import_census(path, YEAR, county=None, user=SYSTEM)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT dudao_test")
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"  # rolled back with the import
    else:
        with on_insert(CensusEvent._meta.db_table), pytest.raises(actions.CensusError) as info:
            import_census(path, YEAR, county=None, user=SYSTEM)

    assert info.value.code == "database_error"
    assert {m.__name__: m.objects.count() for m in WRITTEN} == before
    assert nothing_written()


@postgres_only
def test_a_reference_to_no_row_is_refused(tmp_path: Path) -> None:
    national_file(tmp_path)
    county = Region.objects.filter(level="county").first()
    assert county is not None
    new = NewRows([School, SchoolYear])
    assert new.set_wise
    ids = _new_ids(School, 2)
    with new.inserting(School, ids):
        _insert(School, ["id", "code", "county_id"], [(pk, f"41999900{k}", county.pk) for k, pk in enumerate(ids)])
    years = _new_ids(SchoolYear, 1)
    with new.inserting(SchoolYear, years):  # a school year of a school that is not there
        row = (years[0], ids[1] + 1000, YEAR, "无", "primary")
        _insert(SchoolYear, ["id", "school_id", "year", "name", "school_type"], [row])
    with transaction.atomic(), pytest.raises(IntegrityError, match="orgs_schoolyear_school_id"):
        new.check()


@postgres_only
def test_the_rows_named_are_locked_as_the_trigger_locks_them(tmp_path: Path) -> None:
    """The county a new school names is locked FOR KEY SHARE (no one may delete it before the commit); the
    schools inserted by the same transaction are not locked (no one else can see them)."""
    national_file(tmp_path)
    county = Region.objects.filter(level="county").first()
    assert county is not None
    new = NewRows([School])
    ids = _new_ids(School, 1)
    with new.inserting(School, ids):
        _insert(School, ["id", "code", "county_id"], [(ids[0], "4199990001", county.pk)])
    with connection.cursor() as cursor:
        xmax = "SELECT xmax::text <> '0' FROM {} WHERE id = %s"
        cursor.execute(xmax.format(Region._meta.db_table), [county.pk])
        assert cursor.fetchone() == (False,)
        new.check()
        cursor.execute(xmax.format(Region._meta.db_table), [county.pk])
        assert cursor.fetchone() == (True,)  # a row lock is written into the row (its xmax)
        cursor.execute(xmax.format(School._meta.db_table), [ids[0]])
        assert cursor.fetchone() == (False,)


def test_multirange_runs() -> None:
    assert multirange([5, 3, 4, 9, 10, 12]) == "{[3,6),[9,11),[12,13)}"
    assert multirange([]) == "{}"


@postgres_only
def test_a_role_without_the_grant_keeps_the_triggers() -> None:
    """A deployment's role (no superuser) may skip the triggers only once granted the setting
    (deploy/install.sh grants it); the role and grant are rolled back with the test."""
    tables = [School, SchoolYear, CensusRecord, CensusEvent]
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE dudao_test_setwise NOLOGIN")
        cursor.execute("SET LOCAL ROLE dudao_test_setwise")
        assert not NewRows(tables).set_wise
        cursor.execute("RESET ROLE")
        cursor.execute("GRANT SET ON PARAMETER session_replication_role TO dudao_test_setwise")
        cursor.execute("SET LOCAL ROLE dudao_test_setwise")
        assert NewRows(tables).set_wise
        cursor.execute("RESET ROLE")
