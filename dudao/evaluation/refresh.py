"""What actions call when they change what an evaluation reads (census figures or status, a school's
attributes, a county item): in the changing transaction, the stored results of those counties and
that year are marked out of date and the counties' census readiness is stored again
(docs/adr/0033); once the transaction commits, a background job brings the results up to date
(in-process without a broker; ADR 0020)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction


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

    def queue() -> None:
        from dudao.evaluation.jobs import refresh_county

        for pk in ids:
            refresh_county.delay(pk, year)

    transaction.on_commit(queue, robust=True)
