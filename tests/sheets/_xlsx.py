"""Workbooks built part by part (the XML as a test wants it, not as openpyxl writes it): for the reader's
own tests and for the corpus of hostile files. Large parts are written from chunks, never held whole."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    b'+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()

Part = bytes | Iterable[bytes]


def workbook_xml(names: Iterable[str]) -> bytes:
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    return f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>'.encode()


def workbook_rels(n_sheets: int, *, strings: bool = False, styles: bool = False) -> bytes:
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    ]
    if strings:
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles:
        rels.append(f'<Relationship Id="rIdY" Type="{REL}/styles" Target="styles.xml"/>')
    return f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode()


def sheet_xml(body: str, extra: str = "") -> bytes:
    return f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{body}</sheetData>{extra}</worksheet>'.encode()


def write_parts(path: Path, parts: Mapping[str, Part]) -> Path:
    """A zip of ``parts``; a part given as chunks is streamed in."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if isinstance(data, bytes):
                zf.writestr(name, data)
                continue
            with zf.open(name, "w", force_zip64=True) as out:
                for chunk in data:
                    out.write(chunk)
    return path


def write_workbook(
    path: Path,
    sheets: Mapping[str, Part],
    *,
    strings: Part | None = None,
    styles: bytes | None = None,
    book: bytes | None = None,
    extra: Mapping[str, Part] | None = None,
) -> Path:
    """An .xlsx whose sheets (by name, in order) have the given XML; the package's other parts as the
    arguments say (the workbook part itself may be replaced with ``book``)."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": book if book is not None else workbook_xml(sheets),
        "xl/_rels/workbook.xml.rels": workbook_rels(
            len(sheets), strings=strings is not None, styles=styles is not None
        ),
    }
    for i, data in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = data
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    if styles is not None:
        parts["xl/styles.xml"] = styles
    parts.update(extra or {})
    return write_parts(path, parts)


def repeated(head: bytes, piece: bytes, times: int, tail: bytes, chunk: int = 1 << 20) -> Iterable[bytes]:
    """``head + piece * times + tail`` in chunks of about ``chunk`` bytes."""
    yield head
    per = max(1, chunk // max(1, len(piece)))
    block = piece * per
    left = times
    while left >= per:
        yield block
        left -= per
    if left:
        yield piece * left
    yield tail
