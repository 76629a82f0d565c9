"""The annex's sheet 差异来源 (issue #14 §5): each indicator's Theil index and CV², between and within the
groups of each grouping, as numbers, as the stored run carries them (and, for a run stored before the
decomposition, computed from its schools by location and ownership)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dudao.evaluation.actions import current_run
from tests.personas import YEAR, client_for
from tests.rectification.conftest import STANDARD, Rect


def annex(stored: Rect):
    world = stored.world
    response = client_for(world.county_supervisor).get(
        reverse("reports:annex", args=[world.county.code, YEAR, STANDARD])
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    return next(ws for ws in wb if ws.title.endswith("差异来源"))


def test_the_annex_has_the_decomposition_of_the_stored_run(stored: Rect) -> None:
    sheet = annex(stored)
    assert [c.value for c in sheet[2]] == [
        "学段", "指标", "指标名称", "分组方式", "泰尔指数", "组间", "组内", "组间占比",
        "差异系数平方", "组间", "组内", "组间占比",
    ]  # fmt: skip
    run = current_run(stored.world.county, YEAR, STANDARD)
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[1].value and str(r[1].value).startswith("L")]
    expected = [
        (lv, code, key, g)
        for lv, level in run.result_obj.levels.items()
        for code, ind in level.indicators.items()
        for key, g in (ind.decomposition or {}).items()
    ]
    assert len(rows) == len(expected) and expected
    for row, (lv, code, _key, g) in zip(rows, expected, strict=True):
        assert row[1] == code
        assert row[4:7] == [g.theil.total, g.theil.between, g.theil.within]
        assert row[8:11] == [g.cv2.total, g.cv2.between, g.cv2.within]
        assert row[8] == pytest.approx(run.result_obj.indicator(lv, code).cv ** 2)
    assert {r[3] for r in rows} >= {"城乡"}
    cells = [r for r in sheet.iter_rows(min_row=3) if isinstance(r[4].value, int | float)]
    assert cells and all(r[4].number_format == "0.0000" and r[10].number_format == "0.0000" for r in cells)
    assert "组间是各组平均水平之间的差距" in sheet.cell(sheet.max_row, 1).value


def test_a_run_stored_before_the_decomposition(stored: Rect) -> None:
    run = current_run(stored.world.county, YEAR, STANDARD)
    for level in run.result["levels"].values():
        for entry in level.get("indicators", {}).values():
            entry.pop("decomposition")
    run.save(update_fields=["result"])
    rows = [r for r in annex(stored).iter_rows(min_row=3) if r[1].value and str(r[1].value).startswith("L")]
    assert rows and {"城乡", "办学性质"} <= {r[3].value for r in rows}
    for r in rows:
        if r[8].value is not None:
            assert r[9].value + r[10].value == pytest.approx(r[8].value)
