"""The database work of one public submission, in plain SQL: the survey's hot path.

Building a query with the ORM cost about as much CPU as everything else in a submission together
(0.5–0.8 ms a query on the benchmark machine), and the issue asks for 300 answers a second on two
cores; docs/benchmarks.md has the figures. These few statements are written once, portable between
SQLite and PostgreSQL, and every value passes through its model field's own conversion, so what is
stored is exactly what ``Response.objects.create`` would store. Everything else about surveys uses
the ORM; the test suite runs this module on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from dudao.surveys.models import Questionnaire, QuotaCount, Response, Survey

# The questionnaire, its survey and (when a code is given) the survey's one-use code with the
# response that used it, in one round trip.
_FORM = (
    'SELECT q.id, q.items, s.id, s.key, s.status, s.config, s.plan, s.county_id, s.year, s.title, t.id, t."group",'
    " r.id FROM surveys_questionnaire q JOIN surveys_survey s ON s.id = q.survey_id"
    " LEFT JOIN surveys_token t ON t.survey_id = s.id AND t.code = %s"
    " LEFT JOIN surveys_response r ON r.token_id = t.id"
    ' WHERE s.key = %s AND q."group" = %s AND q.version = %s'
)
_TOKEN = (
    'SELECT t.id, t."group", r.id FROM surveys_token t LEFT JOIN surveys_response r ON r.token_id = t.id'
    " WHERE t.code = %s AND t.survey_id = %s"
)

Code = tuple[int, str, bool]  # a one-use code: (id, group, already used)
_INSERT = (
    'INSERT INTO surveys_response (survey_id, questionnaire_id, "group", token_id, answers, school_id, town, stage,'
    " seconds, flags, review, submitted_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_CELL = 'WHERE survey_id = %s AND "group" = %s AND town = %s AND stage = %s'
_TAKE = f"UPDATE surveys_quotacount SET count = count + 1 {_CELL}"
_GIVE_BACK = f"UPDATE surveys_quotacount SET count = count - 1 {_CELL} AND count > 0"
# one rate counter (an address's or a device's, in one time window) counted and read in one statement
_BUMP = (
    'INSERT INTO surveys_ratecounter (key, "window", count) VALUES (%s, %s, 1) ON CONFLICT (key, "window")'
    " DO UPDATE SET count = surveys_ratecounter.count + 1 RETURNING count"
)
_FORGET = 'DELETE FROM surveys_ratecounter WHERE "window" < %s'


def _from_db(model: type[Any], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    return field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value


def _to_db(name: str, value: Any) -> Any:
    field = Response._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column of the response
    return field.get_db_prep_save(value, connection)


def form(key: str, group: str, version: int, code: str = "") -> tuple[Survey, Questionnaire, Code | None] | None:
    """The survey (the fields a submission needs), this version of the group's questionnaire and,
    when ``code`` is given, that one-use code of the survey (None when it has no such code)."""
    with connection.cursor() as cursor:
        cursor.execute(_FORM, [code, key, group, version])
        row = cursor.fetchone()
    if row is None:
        return None
    qid, items, sid, key, status, config, plan, county, year, title, token_id, token_group, used = row
    survey = Survey(
        id=sid, key=key, status=status, config=_from_db(Survey, "config", config),
        plan=_from_db(Survey, "plan", plan), county_id=county, year=year, title=title,
    )  # fmt: skip
    questionnaire = Questionnaire(
        id=qid, survey=survey, group=group, version=version, items=_from_db(Questionnaire, "items", items)
    )
    return survey, questionnaire, None if token_id is None else (token_id, token_group, used is not None)


def token(survey: Survey, code: str) -> Code | None:
    """(id, group, already used) of the survey's one-use code, or None when it has no such code."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN, [code, survey.pk])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2] is not None)


@contextmanager
def counting() -> Iterator[Any]:
    """A transaction for the counters of one answer (its address's and device's rate counters, its
    cell's place), before the answer itself is stored. On PostgreSQL its commit does not wait for the
    disk (``synchronous_commit`` off for this transaction only): a counter row every answer of a cell
    (or of one address) updates is locked until its transaction ends, and a commit that waits for
    fsync (about 5 ms on the benchmark machine) would let no more than ~200 answers a second through
    one cell. The answer's own INSERT, committed after, waits for the disk as always, and since the
    log is written in order its flush also makes these counts durable: after a crash a counter can
    hold more than the stored answers (never fewer), so a cell never takes more than its quota;
    ``actions.recount`` corrects it (ADR 0032)."""
    alone = not connection.in_atomic_block  # inside a caller's transaction the setting would reach its writes
    with transaction.atomic(), connection.cursor() as cursor:
        if alone and connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield cursor


def bump(cursor: Any, key: str, window: int, oldest: int) -> int:
    """Adds one to the rate counter of ``key`` in ``window`` and returns its new count, in one
    statement; the counter's first answer also deletes the counters of windows before ``oldest``."""
    cursor.execute(_BUMP, [key, window])
    count = int(cursor.fetchone()[0])
    if count == 1:
        cursor.execute(_FORGET, [oldest])
    return count


def store(survey: Survey, questionnaire: Questionnaire, values: dict[str, Any]) -> None:
    """Inserts the response (its place in its cell already taken): raises IntegrityError, nothing
    written, when its one-use code was used meanwhile (the unique constraint decides between
    concurrent submits). Outside a transaction the INSERT is one statement, its own transaction."""
    row = [
        survey.pk, questionnaire.pk, values["group"], values.get("token_id"), _to_db("answers", values["answers"]),
        values.get("school_id"), values.get("town", ""), values.get("stage", ""), values.get("seconds"),
        _to_db("flags", values.get("flags", [])), values.get("review", ""), _to_db("submitted_at", timezone.now()),
    ]  # fmt: skip
    with nullcontext() if connection.get_autocommit() else transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INSERT, row)


def give_back(survey: Survey, cell: tuple[str, str, str]) -> None:
    """Returns a place taken in ``cell`` for an answer that was not stored after all."""
    with counting() as cursor:
        cursor.execute(_GIVE_BACK, [survey.pk, *cell])


def take_place(cursor: Any, survey: Survey, cell: tuple[str, str, str], limit: int | None) -> bool:
    """Counts one answer in ``cell`` unless it already holds ``limit`` (None: no limit). One
    conditional UPDATE; the cell's first answer creates its counter. When the UPDATE finds nothing,
    the counter is read: full only if it holds ``limit`` or more; created meanwhile, the UPDATE is
    tried again (a counter goes down only by a recount, or by one when an answer gives its place back)."""
    if limit is not None and limit <= 0:
        return False
    sql, args = _TAKE, [survey.pk, *cell]
    if limit is not None:
        sql, args = f"{sql} AND count < %s", [*args, limit]
    group, town, stage = cell
    for _attempt in range(5):
        cursor.execute(sql, args)
        if cursor.rowcount:
            return True
        counter = QuotaCount.objects.filter(survey=survey, group=group, town=town, stage=stage)
        held = counter.values_list("count", flat=True).first()
        if held is not None:
            if limit is not None and held >= limit:
                return False
            continue  # created by a concurrent submit after the UPDATE looked: take the place by the update
        try:
            with transaction.atomic():
                QuotaCount.objects.create(survey=survey, group=group, town=town, stage=stage, count=1)
            return True
        except IntegrityError:  # a concurrent submit created it first
            continue
    raise RuntimeError(f"the counter of {cell} kept changing under five attempts")
