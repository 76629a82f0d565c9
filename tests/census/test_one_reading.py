"""One reading of a county workbook: ``dudao evaluate``, ``dudao import_census``, the upload page and the
API answer every file alike — the same rules, in the same words (sheet, row, column as written, value,
rule, Chinese and English) — with no traceback, and a refused import leaves the database as it was.

Two corpora run through the four paths: broken workbooks (tests/census/_broken.py, one defect each,
built from the demo county) and hostile files (tests/sheets/_hostile.py)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from dudao.engine.problems import Problem
from dudao.orgs.models import Membership, Region, Role, SchoolYear
from tests.census._broken import COUNTY, KINDS
from tests.personas import YEAR, World, client_for
from tests.sheets._hostile import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_supervisor(world: World) -> User:
    """The demo county (130135) in the world's province, and its supervision office's supervisor."""
    city = Region.objects.create(code="1301", name="演示市", level="city", parent=world.province)
    county = Region.objects.create(code=COUNTY, name="示范县（演示）", level="county", parent=city)
    user = User.objects.create_user("演示县督导", password="dudao-test")
    Membership.objects.create(user=user, role=Role.COUNTY_SUPERVISOR, region=county)
    return user


def snapshot() -> dict[str, Any]:
    """Every table's row count, and the census rows themselves."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    census = apps.get_model("census", "CensusRecord").objects.order_by("pk").values_list()
    digest = hashlib.sha256(repr(list(census)).encode()).hexdigest()
    return {"counts": counts, "census": digest}


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.rstrip().endswith("]")]


def rule_of(line: str) -> str:
    return line.rstrip()[line.rstrip().rindex("[") + 1 : -1]


class Outcome:
    """How one path answered: the problem lines (zh, ``Problem.text``), or accepted with its warnings."""

    def __init__(self, path: str, problems: list[str] | None, warnings: list[str] | None = None) -> None:
        self.path, self.problems, self.warnings = path, problems, warnings or []

    @property
    def rules(self) -> set[str]:
        return {rule_of(p) for p in self.problems or []}


def by_evaluate(path: Path) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("evaluate", str(path), "--format", "json", stdout=out, stderr=err)
    except CommandError:
        return Outcome("evaluate", lines(err.getvalue()))
    return Outcome("evaluate", None, [w["rule"] for w in json.loads(out.getvalue())["warnings"]])


def by_command(path: Path) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_census", str(path), "--year", str(YEAR), "--county", COUNTY, stdout=out, stderr=err)
    except CommandError:
        return Outcome("import_census", lines(err.getvalue()))
    return Outcome("import_census", None, [rule_of(line) for line in lines(out.getvalue())])


def by_page(path: Path, client: Client) -> Outcome:
    """The upload: its problems at once (nothing kept), or its preview (the import as a dry run)."""
    with path.open("rb") as fh:
        response = client.post(f"/census/county/{COUNTY}/{YEAR}/import/", {"file": fh}, follow=True)
    assert response.status_code == 200, response.status_code
    problems = response.context.get("problems")
    if problems is not None:
        return Outcome("page", [p.text("zh") for p in problems])
    result = response.context.get("result")
    assert result is not None, [str(m) for m in response.context["messages"]]
    return Outcome("page", None, [w.rule for w in result.warnings])


def by_api(path: Path, client: Client) -> Outcome:
    with path.open("rb") as fh:
        response = client.post("/api/v1/census/imports", {"file": fh, "year": YEAR, "county": COUNTY})
    body = response.json()
    if response.status_code == 400:
        assert body["code"] == "invalid_file"
        return Outcome("api", [Problem(**p).text("zh") for p in body["details"]])
    assert response.status_code == 201, body
    return Outcome("api", None, [w["rule"] for w in body["warnings"]])


def every_reading(path: Path, user: User) -> list[Outcome]:
    """The four paths, the database compared around each refused import."""
    client = client_for(user)  # the session is stored before the first snapshot
    outcomes = [by_evaluate(path)]
    for run in (by_command, lambda p: by_page(p, client), lambda p: by_api(p, client)):
        before = snapshot()
        outcome = run(path)
        if outcome.problems is not None:
            assert snapshot() == before, f"{outcome.path} changed the database on a refused import"
        outcomes.append(outcome)
    return outcomes


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_reading_answers_a_broken_workbook_alike(kind: str, demo_supervisor: User, tmp_path: Path) -> None:
    expected = KINDS[kind]
    path = expected.build(tmp_path)
    outcomes = every_reading(path, demo_supervisor)
    for outcome in outcomes:
        if expected.errors:
            assert outcome.problems is not None, f"{outcome.path} accepted {kind}"
            assert outcome.rules == set(expected.errors), (outcome.path, outcome.problems)
        else:
            assert outcome.problems is None, (outcome.path, outcome.problems)
            assert set(expected.warnings) <= set(outcome.warnings), (outcome.path, outcome.warnings)
    if expected.errors:
        first = outcomes[0].problems
        for outcome in outcomes[1:]:
            assert outcome.problems == first, f"{outcome.path} words it otherwise than evaluate"
        for line in first or []:
            assert "Traceback" not in line


def test_a_name_on_two_lines_is_stored_on_one(demo_supervisor: User, tmp_path: Path) -> None:
    client = client_for(demo_supervisor)
    by_api(KINDS["name_on_two_lines"].build(tmp_path), client)
    assert SchoolYear.objects.get(school__code="2130010001", year=YEAR).name == "示范县实验小学"


@pytest.mark.parametrize("name", [n for n, (_, suffix, _) in CORPUS.items() if suffix != ".docx"])
def test_every_reading_refuses_a_hostile_file_alike(
    name: str, demo_supervisor: User, hostile_files: dict[str, Path]
) -> None:
    for outcome in every_reading(hostile_files[name], demo_supervisor):
        assert outcome.rules == {CORPUS[name][2]}, (outcome.path, outcome.problems)


def test_the_corpus_is_large_enough() -> None:
    assert len(KINDS) >= 60
    assert {"no_rows", "missing_column", "too_large", "bad_level", "students_mismatch"} <= {
        r for k in KINDS.values() for r in k.errors
    }


@pytest.mark.parametrize(
    "kind", ["template_untouched", "no_students_column", "pupils_1e20", "junior_level_on_a_primary"]
)
def test_the_command_line_exits_1_with_the_problems_and_no_traceback(kind: str, tmp_path: Path) -> None:
    """B1, B2, B4, B6 as a person at a terminal sees them: ``dudao evaluate`` in a process of its own."""
    path = KINDS[kind].build(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "dudao.cli", "evaluate", str(path)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dudao.settings"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr.replace("CommandError", "")
    assert {rule_of(line) for line in lines(done.stderr)} == set(KINDS[kind].errors)
    assert ("未输出结果" in done.stderr and "工作表“学校数据”" in done.stderr) or kind == "no_students_column"
