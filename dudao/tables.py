"""Tables shown on a page and downloaded as .xlsx or .csv: one object, so a download holds exactly
what the screen shows (the same rows, columns, headers and rounded figures).

A view builds its :class:`Table` objects, renders them with ``{% include "includes/table.html" %}``
and hands them to :func:`download` first::

    tables = [cv_table(run), schools_table(run)]
    if (response := download(request, tables)) is not None:
        return response
    return render(request, "overview/county.html", {"tables": tables, ...})

``?download=<table name>&format=xlsx`` (or ``csv``) returns that table. Figures are rounded for
display once, here (half-up, as counties round by hand); the .xlsx keeps them as numbers with a
matching number format, never as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dudao.engine.rules import round_half_up
from dudao.sheets.writer import Figure, csv_bytes, workbook_bytes

Kind = Literal["text", "int", "number", "percent", "verdict"]
FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """``kind``: text; int; number (``decimals`` places); percent (a fraction shown as 12.3%, with
    ``decimals`` places of the percentage); verdict (True/False/None shown as 达标/未达标/未判定)."""

    key: str
    label: str
    kind: Kind = "text"
    decimals: int = 2

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number", "percent")

    def value(self, raw: Any) -> Any:
        """The figure as shown: rounded half-up; None stays None (shown as —)."""
        if raw is None or raw == "":
            return None
        if self.kind == "int":
            whole = round_half_up(float(raw), 0)
            return None if whole is None else int(whole)  # None: not a finite number
        if self.kind == "number":
            return round_half_up(float(raw), self.decimals)
        if self.kind == "percent":
            return round_half_up(float(raw), self.decimals + 2)
        if self.kind == "verdict":
            return raw if raw is None else bool(raw)
        return str(raw)

    def text(self, raw: Any) -> str:
        """The cell as printed on the page and in the .csv."""
        value = self.value(raw)
        if self.kind == "verdict":
            return {True: _("达标"), False: _("未达标"), None: _("未判定")}[value]
        if value is None:
            return "—"
        if self.kind == "int":
            return f"{value:d}"
        if self.kind == "number":
            return f"{value:.{self.decimals}f}"
        if self.kind == "percent":
            return f"{value * 100:.{self.decimals}f}%"
        return value

    def css(self, raw: Any) -> str:
        if self.kind == "verdict":
            return {True: "ok", False: "bad", None: "muted"}[self.value(raw)]
        return "num" if self.numeric else ""

    @property
    def number_format(self) -> str:
        if self.kind == "int":
            return "0"
        if self.kind == "number":
            return "0." + "0" * self.decimals if self.decimals else "0"
        if self.kind == "percent":
            return "0." + "0" * self.decimals + "%" if self.decimals else "0%"
        return "General"


@dataclass
class Cell:
    """One cell ready for the template: its text, CSS classes and optional link."""

    text: str
    css: str = ""
    href: str = ""


@dataclass
class Table:
    """``rows`` are dicts by column key. Optional per row: ``_href`` {key: url} for links, ``_class``
    {key: css class} (e.g. "bad" to colour a CV over its limit), ``_row_class`` for the whole row.
    ``name`` is the download's name (letters, digits, dashes); ``title`` its caption and sheet title.
    ``key`` names the column that says what a row is (a school, a task); the first column if not given."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    key: str = ""

    def body(self) -> list[tuple[str, list[Cell]]]:
        """(row class, cells) for the template."""
        out = []
        for row in self.rows:
            hrefs, classes = row.get("_href", {}), row.get("_class", {})
            cells = []
            for col in self.columns:
                raw = row.get(col.key)
                css = " ".join(c for c in (col.css(raw), classes.get(col.key, "")) if c)
                cells.append(Cell(col.text(raw), css, hrefs.get(col.key, "")))
            out.append((row.get("_row_class", ""), cells))
        return out

    @property
    def key_number(self) -> int:
        """The key column's place, counting from 1 (a phone shows it as the title of the row's card)."""
        keys = [c.key for c in self.columns]
        return keys.index(self.key) + 1 if self.key in keys else 1

    def header_css(self) -> list[tuple[Column, str]]:
        return [(c, "num" if c.numeric else "") for c in self.columns]

    def to_csv(self) -> bytes:
        """UTF-8 with a byte-order mark, so Excel on Windows reads the Chinese right; text that a
        spreadsheet would take for a formula is made inert (dudao.sheets.writer)."""
        rows: list[list[object]] = [[c.label for c in self.columns]]
        for row in self.rows:
            cells: list[object] = []
            for c in self.columns:
                text = c.text(row.get(c.key))
                cells.append("" if text == "—" else Figure(text) if c.numeric else text)
            rows.append(cells)
        return csv_bytes(rows)

    def to_xlsx(self) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook has one sheet
        self.write_sheet(sheet)
        return workbook_bytes(workbook)

    def write_sheet(self, sheet: Worksheet) -> None:
        """Fill ``sheet`` (new and empty) with the table, as its .xlsx download has it; a workbook of several
        tables (``dudao forecast --format xlsx``) is one sheet per table."""
        sheet.title = _sheet_title(self.title)
        sheet.append([c.label for c in self.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2F6")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in self.rows:
            values = []
            for col in self.columns:
                value = col.value(row.get(col.key))
                values.append(col.text(value) if col.kind == "verdict" else value)
            sheet.append(values)
        for index, col in enumerate(self.columns, start=1):
            letter = get_column_letter(index)
            if col.numeric:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = col.number_format
            width = max([len(col.label) * 2, *(len(str(r.get(col.key) or "")) for r in self.rows[:200])], default=8)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 48)
        sheet.freeze_panes = "A2"
        if self.note:
            sheet.cell(row=sheet.max_row + 2, column=1, value=self.note)


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet1"


def table_response(table: Table, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(table.to_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(table.to_xlsx(), content_type=XLSX_TYPE)
    else:
        raise Http404
    filename = f"{table.name}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download(request: HttpRequest, tables: Iterable[Table | None]) -> HttpResponse | None:
    """The requested table as a file when the request asks for one (``?download=name&format=xlsx``),
    else None. An unknown table or format is a 404."""
    name = request.GET.get("download")
    if not name:
        return None
    fmt = request.GET.get("format", "xlsx")
    for table in tables:
        if table is not None and table.name == name:
            return table_response(table, fmt)
    raise Http404


def columns(*specs: Sequence[Any]) -> list[Column]:
    """Shorthand: ``columns(("name", _("学校")), ("cv", _("差异系数"), "number", 3))``."""
    return [Column(*spec) for spec in specs]
