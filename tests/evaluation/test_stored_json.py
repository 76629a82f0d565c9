"""A stored run reads back as typed objects (``EvaluationRun.result_obj``, ``summary_obj``) and writes back
the JSON it was stored as, byte for byte: the demo's runs (``dudao seed_demo`` then ``dudao
evaluate_county --all``) and the CLI's ``--format json`` of them (docs/adr/0022-typed-result.md)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from dudao.engine import CountyResult, result_summary
from dudao.evaluation.models import EvaluationRun
from dudao.orgs import demo

GOLDEN = Path(__file__).parents[1] / "engine" / "data" / "golden-national-2017.json"


@pytest.mark.django_db
def test_the_demos_stored_runs_read_back_to_the_same_json() -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("evaluate_county", "--all", "--province", "hebei", stdout=StringIO(), stderr=StringIO())
    with connection.cursor() as cursor:  # the text as stored, not as the field reads it
        cursor.execute("SELECT id, result, summary FROM evaluation_evaluationrun ORDER BY id")
        stored = cursor.fetchall()
    assert len(stored) == 5  # 示范县 2023–2025, 新乡区 and 淮宁市 2025
    for pk, text, summary in stored:
        run = EvaluationRun.objects.get(pk=pk)
        result = run.result_obj
        assert isinstance(result, CountyResult) and run.result_obj is result  # parsed once
        assert result.to_json(indent=None) == text
        assert run.summary_obj.to_json(indent=None) == summary
        assert result_summary(result).to_json(indent=None) == summary
        assert run.passed is result.passed
    latest = EvaluationRun.objects.filter(county__code=demo.COUNTY_CODE, year=demo.CURRENT_YEAR).latest("pk")
    out = StringIO()
    args = ["--county", demo.COUNTY_CODE, "--year", str(demo.CURRENT_YEAR), "--province", "hebei", "--format", "json"]
    call_command("evaluate_county", *args, stdout=out, stderr=StringIO())
    text = dict((pk, t) for pk, t, _s in stored)[latest.pk]
    assert out.getvalue() == json.dumps(json.loads(text), ensure_ascii=False, indent=2)


def test_a_replaced_result_is_read_again() -> None:
    run = EvaluationRun(result=json.loads(GOLDEN.read_text(encoding="utf-8")))
    first = run.result_obj
    assert run.result_obj is first
    changed = json.loads(json.dumps(run.result))
    changed["passed"] = True
    run.result = changed
    assert run.result_obj is not first and run.result_obj.passed is True
