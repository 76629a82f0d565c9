"""A benchmark-only Celery task (``benchmarks/bench_scale.py queue --first``): the first evaluation of
a county that has no stored result yet, which ``dudao.evaluation.jobs.refresh_county`` (it refreshes
stored results) does not do. Workers load it with ``celery -A dudao worker -I benchmarks.scale_tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bench_scale.evaluate")
def evaluate(county_id: int, year: int, standard_id: str) -> int:
    from dudao.actors import system
    from dudao.evaluation.actions import evaluate_county
    from dudao.orgs.models import Region

    return evaluate_county(system("benchmark"), Region.objects.get(pk=county_id), year, standard_id).pk
