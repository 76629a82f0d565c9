"""A table downloads as exactly what the page shows: same headers, same rounded figures."""

from __future__ import annotations

import csv
import io

from django.test import RequestFactory
from openpyxl import load_workbook

from dudao.tables import Column, Table, download

TABLE = Table(
    name="cv",
    title="差异系数",
    columns=[
        Column("name", "指标"),
        Column("cv", "差异系数", "number", 3),
        Column("share", "达标率", "percent", 1),
        Column("n", "学校数", "int"),
        Column("ok", "结论", "verdict"),
    ],
    rows=[
        {"name": "生师比", "cv": 0.4445, "share": 0.85449, "n": 12, "ok": True},
        {"name": "生均面积", "cv": None, "share": None, "n": 0, "ok": None, "_class": {"cv": "bad"}},
    ],
)


def test_page_cells_round_half_up_and_label_verdicts() -> None:
    (_, first), (_, second) = TABLE.body()
    assert [c.text for c in first] == ["生师比", "0.445", "85.4%", "12", "达标"]
    assert first[4].css == "ok"
    assert [c.text for c in second] == ["生均面积", "—", "—", "0", "未判定"]
    assert second[1].css == "num bad"


def test_csv_holds_the_screen_text() -> None:
    text = TABLE.to_csv().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["指标", "差异系数", "达标率", "学校数", "结论"],
        ["生师比", "0.445", "85.4%", "12", "达标"],
        ["生均面积", "", "", "0", "未判定"],
    ]


def test_xlsx_keeps_numbers_as_numbers_with_the_screen_format() -> None:
    sheet = load_workbook(io.BytesIO(TABLE.to_xlsx())).active
    assert [c.value for c in sheet[1]] == ["指标", "差异系数", "达标率", "学校数", "结论"]
    _name, cv, share, n, ok = sheet[2]
    assert (cv.value, cv.number_format) == (0.445, "0.000")
    assert (share.value, share.number_format) == (0.854, "0.0%")
    assert (n.value, ok.value) == (12, "达标")
    assert sheet["B3"].value is None


def test_download_picks_the_named_table_or_nothing() -> None:
    factory = RequestFactory()
    assert download(factory.get("/x"), [TABLE]) is None
    response = download(factory.get("/x", {"download": "cv", "format": "csv"}), [TABLE])
    assert response["Content-Disposition"] == 'attachment; filename="cv.csv"'
    assert response.content.decode("utf-8-sig").startswith("指标,")
