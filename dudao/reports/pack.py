"""The evidence pack (佐证材料): every evidence file of a county × year × standard in one .zip, a folder
per indicator, streamed as it is written.

The files and their indicators come from ``dudao.evidence.catalogue.county_files``: the county items'
files, the files of the progress reports of every task (rectification items, meeting decisions, work
plans), each under every indicator its source gives or a supervisor linked it to. A file with no
indicator yet goes to the folder "待关联" (to link), listed in the index like the others, so nothing is
left out. The index (目录) comes first, as .xlsx and .docx: each file, its indicator, source, uploader
and date, and its path inside the zip.

The zip is written through :class:`_Sink` into chunks the response sends at once, so a large pack
starts downloading immediately and never sits whole in memory.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from typing_extensions import Buffer

from dudao.evidence.catalogue import EvidenceFile, code_order, county_files, indicator_names
from dudao.orgs.models import Region
from dudao.sheets.writer import workbook_bytes

UNLINKED = "待关联"
UNLINKED_FOLDER = "待关联（to link）"
INDEX = ("目录.xlsx", "目录.docx")
CHUNK = 64 * 1024
HEADER = ["序号", "指标", "文件名", "来源", "关联事项", "上传人", "上传日期", "包内路径"]


@dataclass
class PackEntry:
    indicator: str  # a code, or UNLINKED
    folder: str  # "L3 每百名学生拥有体育、艺术专任教师数"
    file: EvidenceFile
    path: str = ""  # inside the zip

    @property
    def source(self) -> str:
        return self.file.source

    @property
    def about(self) -> str:
        return self.file.about


def _folder(code: str, names: dict[str, str]) -> str:
    if code == UNLINKED:
        return UNLINKED_FOLDER
    text = f"{code} {names.get(code, '')}".strip()
    return text.replace("/", "／").replace("\\", "＼")[:80]


def _unique(path: str, taken: set[str]) -> str:
    stem, suffix, n = str(PurePosixPath(path).with_suffix("")), PurePosixPath(path).suffix, 2
    candidate = path
    while candidate in taken:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    taken.add(candidate)
    return candidate


def pack_entries(county: Region, year: int, standard_id: str) -> list[PackEntry]:
    """One entry per file and indicator (a file linked to two indicators is in both folders; one with
    none in 待关联), in the standard's order of indicators, each with a unique path inside the zip."""
    names = indicator_names(standard_id)
    order = {code: i for i, code in enumerate(names)}
    with translation.override("zh-hans"):  # the pack is a Chinese document whatever the page's language
        files = county_files(county, year, standard_id)
    entries = [PackEntry(code, _folder(code, names), f) for f in files for code in (f.codes or [UNLINKED])]
    entries.sort(key=lambda e: (e.indicator == UNLINKED, order.get(e.indicator, len(order)),
                                code_order(e.indicator), e.file.uploaded_at, e.file.key))  # fmt: skip
    taken: set[str] = set()
    for entry in entries:
        entry.path = _unique(f"{entry.folder}/{entry.file.doc.original_name}", taken)
    return entries


def index_rows(entries: list[PackEntry]) -> list[list[str]]:
    """The index's rows (HEADER's columns), one per entry, in Chinese."""
    with translation.override("zh-hans"):
        return _index_rows(entries)


def _index_rows(entries: list[PackEntry]) -> list[list[str]]:
    return [
        [str(i), e.folder, e.file.doc.original_name, e.source, e.about, e.file.uploader,
         f"{e.file.uploaded_at:%Y-%m-%d}", e.path]
        for i, e in enumerate(entries, start=1)
    ]  # fmt: skip


def _title(county: Region, year: int) -> str:
    return f"{county.name}{year}学年佐证材料目录"


def _summary(entries: list[PackEntry]) -> str:
    files = {e.file.key for e in entries}
    unlinked = {e.file.key for e in entries if e.indicator == UNLINKED}
    folders = {e.folder for e in entries if e.indicator != UNLINKED}
    return (
        f"共 {len(files)} 份文件，按 {len(folders)} 项指标分文件夹存放（关联多项指标的文件在每项指标下各存一份）；"
        f"其中 {len(unlinked)} 份尚未关联指标，存放在“{UNLINKED_FOLDER}”文件夹。"
    )


XLSX_WIDTHS = (5, 22, 20, 11, 30, 11, 11, 34)  # characters; A4 landscape at about 90 %


def _row_height(values: list[str]) -> float:
    """Points for a row whose cells wrap: the tallest cell's lines (a Chinese character is two widths
    wide), 15 points a line. Set, because a reader need not measure wrapped rows (LibreOffice's
    conversion does not)."""
    lines = max(math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) / max(1, w - 2)) or 1
                for v, w in zip(values, XLSX_WIDTHS, strict=True))  # fmt: skip
    return 15.0 * lines


def index_xlsx(county: Region, year: int, entries: list[PackEntry]) -> bytes:
    """The index as a workbook that prints: A4 landscape, fit to width, the header row on every page."""
    wb = Workbook()
    ws = wb.worksheets[0]  # the sheet a new workbook has
    ws.title = "佐证材料目录"
    ws.append([_title(county, year)])
    ws.append([_summary(entries)])
    ws.append(HEADER)
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for values in index_rows(entries):
        ws.append([int(values[0]), *values[1:]])
        ws.row_dimensions[ws.max_row].height = _row_height(values)
    for col, width in zip("ABCDEFGH", XLSX_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for cells in ws.iter_rows(min_row=4):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    footer = ws.HeaderFooter.oddFooter
    if footer is not None:  # a new sheet has one
        footer.center.text = "第 &P 页，共 &N 页"
    return workbook_bytes(wb)


def _font(run: Run, size: float, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, "仿宋"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")


def index_docx(county: Region, year: int, entries: list[PackEntry]) -> bytes:
    """The index as a Word document (A4 landscape; the table's header row repeats on every page)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    title = doc.add_paragraph()
    title.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    _font(title.add_run(_title(county, year)), 18, bold=True)
    _font(doc.add_paragraph().add_run(_summary(entries)), 12)
    columns = [0, 1, 2, 3, 4, 5, 6]  # the path is in the .xlsx; the folder names the indicator here
    widths = [1.4, 4.7, 4.6, 2.8, 6.6, 2.6, 3.0]  # cm, 25.7 in all: A4 landscape less 2 cm each side
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid: what LibreOffice lays out by
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, i in zip(header.cells, columns, strict=True):
        _font(cell.paragraphs[0].add_run(HEADER[i]), 10.5, bold=True)
    for row in index_rows(entries):
        cells = table.add_row().cells
        for cell, i in zip(cells, columns, strict=True):
            _font(cell.paragraphs[0].add_run(row[i]), 10.5)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Sink(io.RawIOBase):
    """An unseekable stream the zip writes into; :meth:`drain` hands over what has been written."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def stream_pack(county: Region, year: int, entries: list[PackEntry]) -> Iterator[bytes]:
    """The zip, chunk by chunk: the index (目录.xlsx, 目录.docx) first, then each file in its folder."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(INDEX[0], index_xlsx(county, year, entries))
        zf.writestr(INDEX[1], index_docx(county, year, entries))
        yield sink.drain()
        for entry in entries:
            doc = entry.file.doc
            info = zipfile.ZipInfo(entry.path, date_time=doc.uploaded_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with doc.file.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    if data := sink.drain():
                        yield data
            yield sink.drain()
    yield sink.drain()
