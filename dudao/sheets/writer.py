"""The one way the project writes spreadsheets and CSV files: text stays text (no live formulas).

Anything a person or the public typed (a survey answer, a progress report, a file name, a school's
name, a reason) can end up in a download. Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is what Excel, WPS and LibreOffice take for a formula (OWASP, "CSV injection"), so:

- **.xlsx**: every workbook is saved through :func:`workbook_bytes` or :func:`save_workbook`, which
  go over every cell first: a cell openpyxl took for a formula (a string beginning with ``=``) is
  turned back into a string cell (data type ``s``), and every string cell beginning with one of the
  characters above is marked ``quotePrefix`` — what Excel itself stores when one types ``'=1+1``: the
  text is kept exactly (it reads back unchanged) and stays text even when the cell is edited.
- **.csv**: every file is written by :func:`csv_bytes`, which puts a single quote before such text
  (the OWASP rule). Figures the project formatted itself (``-0.25``, ``-12.3%``) are passed as
  :class:`Figure` and written as they are; Python numbers are numbers.

No module writes a workbook or a CSV file any other way (``tests/test_spreadsheet_injection.py``
checks the source and every download). Pure Python: no Django.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


class Figure(str):
    """A figure the project formatted itself (``-0.25``, ``12.3%``): written to a CSV as it is."""

    __slots__ = ()


def dangerous(text: str) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return text.startswith(DANGEROUS)


def csv_cell(value: object) -> str:
    """One CSV cell: numbers and :class:`Figure` as they are, dangerous text behind a single quote."""
    if value is None:
        return ""
    if isinstance(value, Figure | int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if dangerous(text) else text


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel on Windows reads the Chinese right), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def make_inert(workbook: Workbook) -> Workbook:
    """Every cell of every sheet: no formula, dangerous text marked as text (see the module)."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl reads "=..." as a formula: keep it as the text it was
                    cell.data_type = "s"
                if cell.data_type in ("s", "inlineStr") and isinstance(cell.value, str) and dangerous(cell.value):
                    cell.quotePrefix = True
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, made inert first."""
    buffer = io.BytesIO()
    make_inert(workbook).save(buffer)
    return buffer.getvalue()


def save_workbook(workbook: Workbook, path: Path | str) -> None:
    """Write the workbook to ``path`` made inert first, atomically (a temporary file renamed into
    place, so the file is never half-written)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=path.suffix or ".xlsx", dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        make_inert(workbook).save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
