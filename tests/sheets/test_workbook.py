"""The one workbook reader (dudao.sheets.workbook): cells as a person sees them in Excel, from files as
Excel, WPS, LibreOffice and openpyxl write them, read in one bounded pass."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from dudao.engine.problems import InputError
from dudao.sheets.template import write_rows
from dudao.sheets.workbook import open_workbook

from ._xlsx import MAIN, sheet_xml, write_workbook


def openpyxl_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """What openpyxl (read-only, values) gives, without trailing empty cells and rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet]
    ws.reset_dimensions()
    rows = []
    for row in ws.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(tuple(cells))
    while rows and not rows[-1]:
        rows.pop()
    wb.close()
    return rows


def rows_of(path: Path | bytes, sheet: str | None = None, name: str | None = None) -> list[tuple[Any, ...]]:
    with open_workbook(path, name) as wb:
        return [tuple(r) for r in wb.read(sheet or wb.sheet_names[0]).rows]


def mixed_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["文字", "整数", "小数", "布尔", "日期", "时间", "空", "错误", "长文字"])
    ws.append(["第一小学", 1200, 1234.5, True, dt.datetime(2025, 9, 1), dt.time(8, 30), None, "#N/A", "字" * 500])
    ws.append([" 空格 ", 0, -0.25, False, dt.date(2024, 2, 29), None, None, None, "x"])
    ws.append([None, None, None])
    ws.append(["合并", None, None, None, None, None, None, None, "尾"])
    ws.merge_cells("A5:C6")
    ws["J2"] = 1e20
    wb.create_sheet("第二页").append(["a", 1])
    wb.save(path)
    return path


def test_values_are_those_openpyxl_reads(tmp_path: Path) -> None:
    path = mixed_workbook(tmp_path / "m.xlsx")
    with open_workbook(path) as wb:
        assert wb.sheet_names == ["数据", "第二页"]
        sheet = wb.read("数据")
        assert [tuple(r) for r in sheet.rows] == openpyxl_rows(path, "数据")
        assert sheet.merged == [(4, 0, 5, 2)]
        assert sheet.formulas == {}
        assert rows_of(path, "第二页") == [("a", 1)]


@pytest.mark.parametrize("kind", ["template", "demo"])
def test_the_templates_workbooks_read_as_openpyxl_reads_them(tmp_path: Path, kind: str) -> None:
    from dudao.demo.synthetic import demo_county
    from dudao.sheets.template import DATA_SHEET, write_template

    path = tmp_path / f"{kind}.xlsx"
    write_template(path) if kind == "template" else write_rows(path, demo_county())
    assert rows_of(path, DATA_SHEET) == openpyxl_rows(path, DATA_SHEET)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_a_workbook_saved_by_libreoffice(tmp_path: Path) -> None:
    src = mixed_workbook(tmp_path / "src.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx",
         "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    path = out / "src.xlsx"
    assert rows_of(path, "数据") == openpyxl_rows(path, "数据")


def test_bytes_are_read_like_a_path(tmp_path: Path) -> None:
    path = mixed_workbook(tmp_path / "m.xlsx")
    assert rows_of(path.read_bytes(), "数据", name="m.xlsx") == rows_of(path, "数据")


def test_shared_strings_with_rich_text_and_phonetic_runs(tmp_path: Path) -> None:
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>甲</t></si><si><r><t>第一</t></r><r><rPr><b/></rPr><t xml:space="preserve">小学 '
        f'</t></r><rPh sb="0" eb="1"><t>ダイイチ</t></rPh></si></sst>'
    ).encode()
    body = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    path = write_workbook(tmp_path / "s.xlsx", {"表": sheet_xml(body)}, strings=strings)
    assert rows_of(path) == [("甲", "第一小学 ")]


def test_a_prefixed_namespace_and_cells_without_positions(tmp_path: Path) -> None:
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>'
        "<x:c><x:v>2</x:v></x:c></x:row><x:row><x:c><x:v>3.5</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    ).encode()
    assert rows_of(write_workbook(tmp_path / "p.xlsx", {"表": sheet})) == [("a", 2), (3.5,)]


def test_dates_in_chinese_builtin_formats_and_1904(tmp_path: Path) -> None:
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00"/></numFmts>'
        '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
        '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="14"/><xf numFmtId="164"/>'
        '<xf numFmtId="58"/></cellXfs></styleSheet>'
    ).encode()
    body = (
        '<row r="1">'
        + "".join(f'<c r="{c}1" s="{s}"><v>45901</v></c>' for c, s in zip("ABCDE", range(5), strict=True))
        + "</row>"
    )
    path = write_workbook(tmp_path / "d.xlsx", {"表": sheet_xml(body)}, styles=styles)
    first = dt.datetime(2025, 9, 1)
    assert rows_of(path) == [(45901, first, first, 45901, first)]
    book = (
        f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<workbookPr date1904="1"/><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    path = write_workbook(tmp_path / "e.xlsx", {"表": sheet_xml(body)}, styles=styles, book=book)
    assert rows_of(path)[0][1] == dt.datetime(2029, 9, 2)


def test_booleans_errors_text_results_and_formulas_without_values(tmp_path: Path) -> None:
    body = (
        '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#DIV/0!</v></c>'
        '<c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1"><f>1+2</f></c></row>'
        '<row r="2"><c r="A2"><f t="shared" ref="A2:A4" si="0">D1*2</f></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"/></c><c r="B3"><f>SUM(A1:A2)</f><v>7</v></c></row>'
    )
    path = write_workbook(tmp_path / "f.xlsx", {"表": sheet_xml(body)})
    with open_workbook(path) as wb:
        sheet = wb.read("表")
    assert [tuple(r) for r in sheet.rows] == [(True, "#DIV/0!", "ab"), (), (None, 7)]
    assert sheet.formulas == {(1, 3): "=1+2", (2, 0): "=D1*2", (3, 0): "=D2*2"}


def test_the_header_scan_stops_early(tmp_path: Path) -> None:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 200))
    path = write_workbook(tmp_path / "h.xlsx", {"表": sheet_xml(body)})
    with open_workbook(path) as wb:
        assert len(wb.read("表", max_rows=10).rows) == 10
        assert len(wb.read("表").rows) == 199


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ('<row r="1"><c r="A1" t="s"><v>3</v></c></row>', "not_xlsx"),  # no such shared string
        ('<row r="0"><c r="A0"><v>1</v></c></row>', "not_xlsx"),
        ('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>', "not_xlsx"),
        ('<row r="1"><c r="A1"><v>1</v></c>', "not_xlsx"),  # not well-formed
    ],
)
def test_a_damaged_sheet_is_refused(tmp_path: Path, body: str, rule: str) -> None:
    path = write_workbook(tmp_path / "x.xlsx", {"表": f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData>'
                                                       "</worksheet>".encode()})  # fmt: skip
    with pytest.raises(InputError) as info:
        rows_of(path)
    (problem,) = info.value.problems
    assert problem.rule == rule and problem.message_zh and problem.message_en
