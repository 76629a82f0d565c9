"""The bounds every untrusted file is read within (uploads, imports, a county's report template).

The figures and why they are what they are: ``docs/adr/0010-bounded-reading-of-untrusted-files.md``.
Each is a Django setting (``DUDAO_UPLOAD_MAX_*``, read from the environment, see ``.env.example``);
outside Django (a notebook, a script) the defaults below hold. This module imports no Django: it looks
at the settings only when Django is already loaded and configured.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields

MIB = 1024 * 1024

# Excel's own limits (a file beyond them was not written by Excel, WPS or LibreOffice).
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767


@dataclass(frozen=True)
class Limits:
    """Bounds on one untrusted file. ``file_bytes`` is checked before anything is read; the package
    bounds (``uncompressed_bytes``, ``part_bytes``, ``parts``, ``ratio``) from the zip's directory
    before anything is decompressed and again while it is; the XML bounds (``xml_depth``,
    ``xml_node_bytes``) while each part is parsed; ``sheets`` and ``cells`` while a workbook is read."""

    file_bytes: int = 20 * MIB  # the file as uploaded (compressed, for .xlsx/.docx)
    uncompressed_bytes: int = 256 * MIB  # all parts of a package together, as declared and as read
    part_bytes: int = 200 * MIB  # one part, as declared and as read
    parts: int = 1_000  # entries in the package
    ratio: int = 100  # uncompressed : compressed, for a part over 1 MiB
    sheets: int = 256  # worksheets listed by a workbook
    cells: int = 10_000_000  # rows × columns of the area of a sheet that holds data
    xml_depth: int = 100  # nesting of XML elements
    xml_node_bytes: int = MIB  # one tag with its attributes, one comment, one text node

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"limit {f.name} must be a positive whole number, not {value!r}")


# Setting name -> Limits field.
SETTINGS = {
    "DUDAO_UPLOAD_MAX_BYTES": "file_bytes",
    "DUDAO_UPLOAD_MAX_UNCOMPRESSED_BYTES": "uncompressed_bytes",
    "DUDAO_UPLOAD_MAX_PART_BYTES": "part_bytes",
    "DUDAO_UPLOAD_MAX_PARTS": "parts",
    "DUDAO_UPLOAD_MAX_RATIO": "ratio",
    "DUDAO_UPLOAD_MAX_SHEETS": "sheets",
    "DUDAO_UPLOAD_MAX_CELLS": "cells",
    "DUDAO_UPLOAD_MAX_XML_DEPTH": "xml_depth",
    "DUDAO_UPLOAD_MAX_XML_NODE_BYTES": "xml_node_bytes",
}


def current_limits() -> Limits:
    """The limits in force: Django's ``DUDAO_UPLOAD_MAX_*`` settings when Django is configured, else
    the defaults."""
    conf = sys.modules.get("django.conf")
    settings = getattr(conf, "settings", None)
    if settings is None or not settings.configured:
        return Limits()
    given = {name: getattr(settings, setting) for setting, name in SETTINGS.items() if hasattr(settings, setting)}
    return Limits(**given)


def shown_bytes(n: int, lang: str = "zh") -> str:
    """A size as people read it: 20 MB, 1.5 MB, 900 KB; 1,000 字节 / 1,000 bytes."""
    for unit, size in (("MB", MIB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"
    return f"{n:,} bytes" if lang == "en" else f"{n:,} 字节"
