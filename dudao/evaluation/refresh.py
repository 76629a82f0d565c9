"""What actions call when they change what an evaluation reads (census figures or status, a school's
attributes, a county item): in the changing transaction, the stored results of those counties and
that year are marked out of date and the counties' census readiness is stored again
(docs/adr/0033); once the transaction commits, a background job brings the results up to date
(in-process without a broker; ADR 0020).

One job per county and year per transaction, however many changes it holds: an import or a seed that
saves and approves hundreds of records of a county queues one re-evaluation, not one per record. Every
change adds its counties to the connection's pending set and asks for a callback at commit; the first
callback of the commit queues the whole set and empties it, the others find nothing left. A change in
a savepoint that was rolled back leaves its counties in the set, to be queued once for nothing with
the next commit, which the job (idempotent) answers by doing nothing; no change is ever left unqueued.
A county the broker refused stays in the set for the next commit; the periodic sweep catches it too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper


def _pending(connection: BaseDatabaseWrapper) -> set[tuple[int, int]]:
    if not hasattr(connection, "dudao_refresh_pending"):
        connection.dudao_refresh_pending = set()  # type: ignore[attr-defined]
    return connection.dudao_refresh_pending  # type: ignore[attr-defined]


def after_change(county_ids: Iterable[int], year: int) -> None:
    """Mark these counties' stored results of ``year`` out of date, store their readiness, and queue
    their re-evaluation after the commit."""
    from dudao.census import readiness
    from dudao.evaluation.models import EvaluationRun

    ids = sorted(set(county_ids))
    if not ids:
        return
    EvaluationRun.objects.filter(county_id__in=ids, year=year, outdated=False).update(outdated=True)
    readiness.store(ids, [year])
    connection = transaction.get_connection()
    _pending(connection).update((pk, year) for pk in ids)

    def queue() -> None:
        from dudao.evaluation.jobs import refresh_county

        pending = _pending(connection)
        while pending:
            county_id, county_year = min(pending)
            refresh_county.delay(county_id, county_year)
            pending.discard((county_id, county_year))

    transaction.on_commit(queue, robust=True)
