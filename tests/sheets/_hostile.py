"""A corpus of hostile files, built in the test session (nothing large is committed): workbooks and Word
documents made to exhaust a server that reads them without bounds, each with the rule that refuses it
under the default limits. Several are small on disk and enormous once read: that is the point."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from ._xlsx import MAIN, REL, repeated, sheet_xml, workbook_rels, write_parts, write_workbook

MIB = 1024 * 1024
ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>学校标识码</t></is></c></row>'

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _sheet(path: Path, data: bytes | object, **kwargs: object) -> Path:
    return write_workbook(path, {"学校数据": data}, **kwargs)  # type: ignore[dict-item]


def huge_comment(path: Path) -> Path:
    """One comment of 150 MiB in the worksheet (F1: expat re-scans an unfinished comment on every chunk)."""
    body = sheet_xml(ROW)
    return _sheet(path, repeated(body[:-12] + b"<!--", b"x", 150 * MIB, b"-->" + body[-12:]))


def huge_comment_45kb(path: Path) -> Path:
    """The F1 file: about 45 KB that hold a 45 MiB comment."""
    body = sheet_xml(ROW)
    return _sheet(path, repeated(body[:-12] + b"<!--", b"x", 45 * MIB, b"-->" + body[-12:]))


def billion_laughs(path: Path) -> Path:
    return _sheet(path, (LAUGHS + f'<worksheet xmlns="{MAIN}"><sheetData>&lol9;</sheetData></worksheet>').encode())


def external_entity(path: Path) -> Path:
    doc = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet xmlns="{MAIN}">'
    return _sheet(path, (doc + "<sheetData>&e;</sheetData></worksheet>").encode())


def deep_nesting(path: Path) -> Path:
    return _sheet(path, repeated(f'<worksheet xmlns="{MAIN}">'.encode(), b"<a>", 50_000, b"</worksheet>"))


def huge_shared_string(path: Path) -> Path:
    strings = repeated(f'<sst xmlns="{MAIN}"><si><t>'.encode(), b"a", 150 * MIB, b"</t></si></sst>")
    return _sheet(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings=strings)


def many_shared_strings(path: Path) -> Path:
    strings = repeated(f'<sst xmlns="{MAIN}">'.encode(), b"<si><t>x</t></si>", 10_000_000, b"</sst>")
    return _sheet(path, sheet_xml(ROW), strings=strings)


def many_sheets(path: Path) -> Path:
    """A workbook listing 100,000 sheets (all the same part)."""
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, 100_001))
    book = f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>'.encode()
    return _sheet(path, sheet_xml(ROW), book=book)


def many_parts(path: Path) -> Path:
    extra = {f"xl/media/p{i}.bin": b"" for i in range(20_000)}
    return _sheet(path, sheet_xml(ROW), extra=extra)  # type: ignore[arg-type]


def zeros_1gib(path: Path) -> Path:
    """A part of 1 GiB of zeros (about 1 MB compressed)."""
    return _sheet(path, repeated(b"", b"\x00" * MIB, 1024, b""))


def lying_directory(path: Path) -> Path:
    """The directory says a 2 MiB part of zeros holds 1,000 bytes: read as declared, its CRC fails."""
    _sheet(path, repeated(b"", b"\x00" * MIB, 2, b""))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # the part's central directory entry
    data[at + 24 : at + 28] = (1000).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def far_cell(path: Path) -> Path:
    body = ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return _sheet(path, sheet_xml(body))


def million_formatted_rows(path: Path) -> Path:
    """A million empty, formatted rows (and a data row at the top)."""
    rows = "".join(f'<row r="{r}" spans="1:20" s="1" customFormat="1" ht="15"/>' for r in range(2, 1_000_001))
    return _sheet(path, sheet_xml(ROW + rows))


def huge_attribute(path: Path) -> Path:
    return _sheet(path, repeated(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1" x="'.encode(), b"y", 150 * MIB,
                                 b'"/></sheetData></worksheet>'))  # fmt: skip


def csv_newlines(path: Path) -> Path:
    path.write_bytes("学校标识码,学校名称\n".encode() + b"\n" * (19 * MIB))
    return path


def csv_huge_field(path: Path) -> Path:
    path.write_bytes("学校标识码,学校名称\n1,".encode() + b"x" * (19 * MIB))
    return path


def csv_wide(path: Path) -> Path:
    path.write_bytes("学校标识码,学校名称\n".encode() + (b"," * MIB + b"\n") * 18)
    return path


def docx_laughs(path: Path) -> Path:
    document = (LAUGHS + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")  # fmt: skip
    return write_parts(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": document.encode()})


def docx_zeros(path: Path) -> Path:
    zeros = repeated(b"", b"\x00" * MIB, 300, b"")  # 300 MiB
    return write_parts(path, {"[Content_Types].xml": b"<Types/>", "word/media/x.bin": zeros})


def docx_deep(path: Path) -> Path:
    body = repeated(b'<w:document xmlns:w="x">', b"<w:p>", 50_000, b"</w:document>")
    return write_parts(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": body})


# name -> (builder, file suffix, the rule that refuses it under the default limits)
CORPUS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "huge_comment": (huge_comment, ".xlsx", "compression_ratio"),
    "huge_comment_45kb": (huge_comment_45kb, ".xlsx", "compression_ratio"),
    "billion_laughs": (billion_laughs, ".xlsx", "xml_forbidden"),
    "external_entity": (external_entity, ".xlsx", "xml_forbidden"),
    "deep_nesting": (deep_nesting, ".xlsx", "xml_too_deep"),
    "huge_shared_string": (huge_shared_string, ".xlsx", "compression_ratio"),
    "many_shared_strings": (many_shared_strings, ".xlsx", "compression_ratio"),
    "many_sheets": (many_sheets, ".xlsx", "too_many_sheets"),
    "many_parts": (many_parts, ".xlsx", "too_many_parts"),
    "zeros_1gib": (zeros_1gib, ".xlsx", "part_too_large"),
    "lying_directory": (lying_directory, ".xlsx", "not_xlsx"),
    "far_cell": (far_cell, ".xlsx", "too_many_cells"),
    "huge_attribute": (huge_attribute, ".xlsx", "compression_ratio"),
    "csv_newlines": (csv_newlines, ".csv", "too_many_cells"),
    "csv_huge_field": (csv_huge_field, ".csv", "not_csv"),
    "csv_wide": (csv_wide, ".csv", "too_many_cells"),
    "docx_laughs": (docx_laughs, ".docx", "xml_forbidden"),
    "docx_zeros": (docx_zeros, ".docx", "part_too_large"),
    "docx_deep": (docx_deep, ".docx", "xml_too_deep"),
}


def build_corpus(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: build(folder / f"{name}{suffix}") for name, (build, suffix, _rule) in CORPUS.items()}


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


__all__ = ["CORPUS", "build_corpus", "million_formatted_rows", "workbook_rels", "zip_names"]
