"""Reading and writing the sheets county offices keep in Excel (.xlsx) or CSV.

Pure Python (openpyxl, pandas, the standard library's expat); no Django. Reading goes through one
bounded reader (:mod:`dudao.sheets.workbook`, :mod:`dudao.sheets.ooxml`, the bounds of
:mod:`dudao.sheets.limits`) and one generic table interface (:func:`read_table`, :class:`ColumnSpec`);
the school data table (:func:`read_school_table`) stands on them.
"""

from __future__ import annotations

from dudao.sheets.limits import Limits, current_limits
from dudao.sheets.reader import SchoolTable, read_school_table
from dudao.sheets.table import ColumnSpec, Row, Table, read_table
from dudao.sheets.template import write_rows, write_template
from dudao.sheets.workbook import open_workbook

__all__ = [
    "ColumnSpec",
    "Limits",
    "Row",
    "SchoolTable",
    "Table",
    "current_limits",
    "open_workbook",
    "read_school_table",
    "read_table",
    "write_rows",
    "write_template",
]
