"""What actions call when they change what an evaluation reads (census figures or status, a school's
attributes, a county item): the stored results of those counties and that year are brought up to date
by a background job once the transaction commits (in-process without a broker; ADR 0020)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction


def after_change(county_ids: Iterable[int], year: int) -> None:
    """Queue the re-evaluation of these counties' stored results for ``year`` after the commit."""
    ids = sorted(set(county_ids))
    if not ids:
        return

    def queue() -> None:
        from dudao.evaluation.jobs import refresh_county

        for pk in ids:
            refresh_county.delay(pk, year)

    transaction.on_commit(queue, robust=True)
