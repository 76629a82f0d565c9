"""Reading and writing the school data sheets county offices keep in Excel (.xlsx) or CSV.

Pure Python (openpyxl + pandas); no Django.
"""

from __future__ import annotations

from dudao.sheets.reader import SchoolTable, read_school_table
from dudao.sheets.template import write_rows, write_template

__all__ = ["SchoolTable", "read_school_table", "write_rows", "write_template"]
