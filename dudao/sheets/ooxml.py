"""Office Open XML packages (.xlsx, .docx) from untrusted hands, opened within bounds.

An .xlsx or .docx is a zip of XML parts. Nothing here trusts either layer:

* **The zip** (:class:`Package`): its directory is checked before a byte is decompressed — the
  number of entries, each entry's declared uncompressed size and the sum of them, the compression
  ratio of each part over 1 MiB, no encryption and no unknown compression — and every part is
  counted again as it is decompressed (Python's zip reader stops at the declared size and then
  checks the CRC, so a directory that lies is a damaged file).
* **The XML** (:meth:`Package.parse`): parsed as a stream with expat, in chunks, with no document
  type definition (so no entity can be declared, let alone expanded: no "billion laughs", no
  external entity), elements nested at most ``xml_depth`` deep, and no single node — a tag with its
  attributes, a comment, a processing instruction — over ``xml_node_bytes``: expat re-scans a token
  that spans chunks from its start on every chunk, so one huge comment costs quadratic time; the
  bound stops it after a megabyte. The bytes fed but not yet consumed by an event are exactly the
  pending token, so the check costs nothing per element. What a handler keeps (cell text, shared
  strings) it bounds itself (:mod:`dudao.sheets.workbook`).

Every refusal is an :class:`~dudao.engine.problems.InputError` with one problem (a stable rule code,
Chinese and English, the file's name as value): ``not_xlsx`` / ``not_docx`` (not a zip, damaged,
encrypted), ``too_many_parts``, ``part_too_large``, ``uncompressed_too_large``,
``compression_ratio``, ``xml_forbidden`` (a DTD or an entity), ``xml_too_deep``,
``xml_node_too_large``. The bounds are :class:`dudao.sheets.limits.Limits` (ADR 0010).

:func:`clean_docx` is the report template's gate: a .docx within bounds, every XML part parsed
once, its external relationships and its attached template removed (Word fetches an attached
template, a linked picture or frame from wherever they point, when the document is opened), and
refused if it holds macros or fields that fetch or run something.
"""

from __future__ import annotations

import io
import posixpath
import pyexpat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, NoReturn

from lxml import etree

from dudao.engine.problems import InputError, Problem
from dudao.sheets.limits import MIB, Limits, current_limits, shown_bytes

Kind = Literal["xlsx", "docx"]
CHUNK = 64 * 1024
RATIO_FLOOR = MIB  # the ratio is checked on parts larger than this (small parts compress well)
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

NOT_VALID: dict[str, tuple[str, str, str]] = {
    "xlsx": (
        "not_xlsx",
        "文件不是有效的 .xlsx 工作簿（可能已损坏，或是改了扩展名的其他文件）：请在 Excel 或 WPS 中打开并另存为 .xlsx",
        "The file is not a valid .xlsx workbook (it may be damaged, or another kind of file renamed): "
        "open it in Excel or WPS and save as .xlsx",
    ),
    "docx": (
        "not_docx",
        "文件不是有效的 Word 文档（.docx）（可能已损坏，或是改了扩展名的其他文件）："
        "请在 Word 或 WPS 中打开并另存为 .docx",
        "The file is not a valid Word document (.docx) (it may be damaged, or another kind of file renamed): "
        "open it in Word or WPS and save as .docx",
    ),
}
_RESAVE_ZH = "这不像是 Excel、WPS 或 Word 保存的文件；请在其中打开后另存一份再上传"
_RESAVE_EN = "this is not how Excel, WPS or Word save a file; open it in one of them and save a copy"


def refuse(rule: str, zh: str, en: str, value: str | None = None) -> NoReturn:
    raise InputError([Problem(rule, zh, en, value=value)])


class StopReading(Exception):
    """Raised by a handler to stop parsing a part early (the rest is not needed)."""


class XmlHandler:
    """Receives one part's events from :meth:`Package.parse`. ``start`` gets the element's local name
    (no namespace) and its attributes (names with their namespace as ``{uri}name`` only when they
    have one); ``text`` gets character data in pieces. Override what you need."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str  # the last segment of the type URI, e.g. "worksheet", "attachedTemplate"
    target: str  # as written
    external: bool
    part: str | None  # the target part's name in the package (internal relationships)


class Package:
    """An OOXML package checked against ``limits`` (by default :func:`current_limits`) when opened.

    ``source`` is a path or the file's bytes; ``name`` is the file's name as the user knows it (the
    value of every problem). Use as a context manager, or call :meth:`close`."""

    def __init__(self, source: Path | bytes, name: str, kind: Kind, limits: Limits | None = None) -> None:
        self.name, self.kind = name, kind
        self.limits = limits or current_limits()
        self.read_bytes = 0  # decompressed so far, all parts together
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        if size > self.limits.file_bytes:
            self._refuse_size(size)
        self._stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
        try:
            self._check_count(_declared_entries(self._stream, size))  # before zipfile reads the whole directory
            try:
                self._zip = zipfile.ZipFile(self._stream)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
                self.not_valid()
            self._check_directory()
        except BaseException:
            self.close()
            raise
        self.parts = {info.filename: info for info in self._zip.infolist()}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if hasattr(self, "_zip"):
            self._zip.close()
        self._stream.close()

    # -- refusals

    def not_valid(self) -> NoReturn:
        refuse(*NOT_VALID[self.kind], value=self.name)

    def _refuse_size(self, size: int) -> NoReturn:
        limit = self.limits.file_bytes
        refuse(
            "file_too_large",
            f"文件过大（{shown_bytes(size)}），上限为 {shown_bytes(limit)}；请删除无关的工作表、图片后再上传",
            f"The file is too large ({shown_bytes(size, 'en')}; the limit is {shown_bytes(limit, 'en')}): remove "
            "unrelated sheets and images",
            self.name,
        )

    def _check_count(self, n: int) -> None:
        if n > self.limits.parts:
            limit = self.limits.parts
            refuse(
                "too_many_parts",
                f"文件内部有 {n:,} 个部件，超过 {limit:,} 个的上限：{_RESAVE_ZH}",
                f"The file holds {n:,} parts, over the limit of {limit:,}: {_RESAVE_EN}",
                self.name,
            )

    def _check_directory(self) -> None:
        limits = self.limits
        infos = self._zip.infolist()
        self._check_count(len(infos))
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:  # encrypted entry
                self.not_valid()
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.not_valid()
            self._check_part_size(info.filename, info.file_size)
            if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                refuse(
                    "compression_ratio",
                    f"文件内部的“{info.filename}”压缩比为 {ratio:,}:1，超过 {limits.ratio}:1 的上限"
                    f"（恶意构造的“压缩炸弹”常见此特征）：{_RESAVE_ZH}",
                    f"The part {info.filename!r} is compressed {ratio:,}:1, over the limit of {limits.ratio}:1 (the "
                    f"mark of a 'zip bomb'): {_RESAVE_EN}",
                    self.name,
                )
            total += info.file_size
            self._check_total(total)

    def _check_part_size(self, part: str, size: int) -> None:
        if size > self.limits.part_bytes:
            limit = self.limits.part_bytes
            refuse(
                "part_too_large",
                f"文件内部的“{part}”解压后超过 {shown_bytes(limit)} 的上限（{shown_bytes(size)}）：请删除无关的"
                "工作表、图片，或拆分后分别上传",
                f"The part {part!r} is over the limit of {shown_bytes(limit, 'en')} once uncompressed "
                f"({shown_bytes(size, 'en')}): remove unrelated sheets and images, or split the file",
                self.name,
            )

    def _check_total(self, total: int) -> None:
        if total > self.limits.uncompressed_bytes:
            limit = self.limits.uncompressed_bytes
            refuse(
                "uncompressed_too_large",
                f"文件解压后超过 {shown_bytes(limit)} 的上限：请删除无关的工作表、图片，或拆分后分别上传",
                f"The file is over the limit of {shown_bytes(limit, 'en')} once uncompressed: remove unrelated "
                "sheets and images, or split the file",
                self.name,
            )

    # -- reading

    def read(self, part: str) -> bytes:
        """The part's bytes, decompressed within the bounds."""
        out = bytearray()
        self._decompress(part, out.extend)
        return bytes(out)

    def _decompress(self, part: str, feed: Callable[[bytes], Any]) -> None:
        info = self.parts.get(part)
        if info is None:
            self.not_valid()
        read = 0
        try:
            fh = self._zip.open(info)
        except _ZIP_ERRORS:
            self.not_valid()
        with fh:
            while True:
                try:
                    chunk = fh.read(CHUNK)
                except _ZIP_ERRORS:  # a damaged stream, or a CRC that does not match (a directory that lies)
                    self.not_valid()
                if not chunk:
                    break
                read += len(chunk)
                self.read_bytes += len(chunk)
                self._check_part_size(part, read)
                self._check_total(self.read_bytes)
                feed(chunk)

    def parse(self, part: str, handler: XmlHandler) -> None:
        """Parse the part as XML within the bounds, sending its events to ``handler`` (which may raise
        :class:`StopReading` to stop early). A part that is no well-formed XML is a damaged file."""
        parser = _BoundedParser(self, part, handler)
        try:
            self._decompress(part, parser.feed)
            parser.close()
        except StopReading:
            pass

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of ``part`` ("" for the package's own), from its ``_rels/*.rels`` part."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels not in self.parts:
            return []
        collect = _RelationshipCollector(folder)
        self.parse(rels, collect)
        return collect.found

    def xml_parts(self) -> list[str]:
        return [n for n in self.parts if n.lower().endswith((".xml", ".rels"))]


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError)
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def _declared_entries(stream: IO[bytes], size: int) -> int:
    """The number of entries the zip's end record declares (0 if there is none: not a zip, which
    the zip reader then says), read from the file's tail without reading its directory."""
    tail_size = min(size, 22 + 0xFFFF + 20)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_EOCD)
    stream.seek(0)
    if at < 0 or at + 22 > len(tail):
        return 0
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, at - 12)
        if offset + 40 <= size:
            stream.seek(offset)
            record = stream.read(40)
            stream.seek(0)
            if record[:4] == _ZIP64_EOCD:
                (entries,) = struct.unpack_from("<Q", record, 32)
    return int(entries)


class _BoundedParser:
    """expat over one part, fed in chunks, within the package's XML bounds."""

    def __init__(self, package: Package, part: str, handler: XmlHandler) -> None:
        self.package, self.part, self.handler = package, part, handler
        self.limits = package.limits
        self.fed = 0
        self.depth = 0
        self.names: dict[str, str] = {}  # qualified name -> local name
        p = pyexpat.ParserCreate(namespace_separator="}")
        p.buffer_text = True
        p.buffer_size = CHUNK
        p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._forbidden
        p.EntityDeclHandler = self._forbidden
        p.ExternalEntityRefHandler = self._forbidden
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        if type(handler).text is not XmlHandler.text:
            p.CharacterDataHandler = handler.text
        self.parser = p
        self.max_depth = self.limits.xml_depth
        self.on_start, self.on_end = handler.start, handler.end

    def _local(self, name: str) -> str:
        local = self.names[name] = name[name.rfind("}") + 1 :]
        return local

    # The two handlers below run once per element of the part: kept lean.
    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            self._refuse(
                "xml_too_deep",
                f"XML 元素嵌套超过 {self.max_depth} 层",
                f"XML elements are nested more than {self.max_depth} deep",
            )
        self.on_start(self.names.get(name) or self._local(name), attrs)

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.on_end(self.names.get(name) or self._local(name))

    def _forbidden(self, *args: object) -> NoReturn:
        self._refuse(
            "xml_forbidden",
            "含有文档类型定义（DTD）或实体声明（Office 文件不含这些内容，恶意文件借此消耗服务器资源）",
            "it holds a document type definition (DTD) or an entity declaration (Office files have none; "
            "malicious files use them to exhaust the server)",
        )

    def _refuse(self, rule: str, zh: str, en: str) -> NoReturn:
        refuse(
            rule, f"文件内部的“{self.part}”{zh}：{_RESAVE_ZH}", f"The part {self.part!r}: {en}; {_RESAVE_EN}",
            self.package.name,
        )  # fmt: skip

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except pyexpat.ExpatError:
            self.package.not_valid()
        self.fed += len(chunk)
        pending = self.fed - self.parser.CurrentByteIndex  # the token not yet complete
        if pending > self.limits.xml_node_bytes:
            limit = shown_bytes(self.limits.xml_node_bytes)
            self._refuse(
                "xml_node_too_large",
                f"有单个 XML 节点（标签、注释或文本）超过 {limit}",
                f"one XML node (a tag, a comment or a text) is over {shown_bytes(self.limits.xml_node_bytes, 'en')}",
            )

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except pyexpat.ExpatError:
            self.package.not_valid()


class _RelationshipCollector(XmlHandler):
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.found: list[Relationship] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name != "Relationship":
            return
        target = attrs.get("Target", "")
        external = attrs.get("TargetMode", "").lower() == "external"
        part = None
        if not external:
            path = target[1:] if target.startswith("/") else posixpath.join(self.folder, target)
            part = posixpath.normpath(path).lstrip("/")
        kind = attrs.get("Type", "").rsplit("/", 1)[-1]
        self.found.append(Relationship(attrs.get("Id", ""), kind, target, external, part))


# ---------------------------------------------------------------------------------------------
# Word documents (the county's report template)

# Field instructions that fetch from elsewhere or run something when the document is opened or updated.
_ACTIVE_FIELDS = ("DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "IMPORT", "LINK")
_MACRO_MARKS = ("vbaproject.bin", "vbadata.xml")
_RELS_ATTR_PREFIX = "{" + REL_NS + "}"


class _Validate(XmlHandler):
    """Takes a part's events (so it is parsed once, within the bounds) and keeps its field instructions."""

    def __init__(self) -> None:
        self.fields: list[list[str]] = []  # each field's instruction, in pieces
        self.in_instr = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "fldChar" and attrs.get(W_NS + "}fldCharType") == "begin":
            self.fields.append([])
        elif name == "instrText":
            self.in_instr = True
            if not self.fields:
                self.fields.append([])
        elif name == "fldSimple":
            self.fields.append([attrs.get(W_NS + "}instr", "")])

    def end(self, name: str) -> None:
        if name == "instrText":
            self.in_instr = False

    def text(self, data: str) -> None:
        if self.in_instr and sum(map(len, self.fields[-1])) < 10_000:
            self.fields[-1].append(data)

    def active_field(self) -> str | None:
        for pieces in self.fields:
            instruction = "".join(pieces).strip()
            if instruction.split(maxsplit=1)[:1] and instruction.split()[0].upper() in _ACTIVE_FIELDS:
                return instruction
        return None


def clean_docx(content: bytes, name: str, limits: Limits | None = None) -> bytes:
    """A Word document from outside, made safe to keep and to build reports on: within the bounds,
    every XML part well-formed; without external relationships (each reference to one is removed: a
    hyperlink keeps its text, a linked picture its embedded copy if any) and without an attached
    template. Refused (``InputError``) if it is no .docx within the bounds, holds macros
    (``docx_macros``) or a field that fetches or runs something when updated (``docx_active_field``:
    DDE, INCLUDETEXT, INCLUDEPICTURE, LINK …)."""
    with Package(content, name, "docx", limits) as package:
        lowered = {n.lower() for n in package.parts}
        if any(n.endswith(_MACRO_MARKS) for n in lowered):
            refuse(
                "docx_macros",
                "模板含有宏（VBA），出于安全原因不能使用：请另存为不含宏的 Word 文档（.docx）后再上传",
                "The template holds macros (VBA), which are not accepted for safety: save it as a Word document "
                "without macros (.docx) and upload it again",
                name,
            )
        for part in package.xml_parts():
            check = _Validate()
            package.parse(part, check)
            field = check.active_field()
            if field:
                refuse(
                    "docx_active_field",
                    f"模板含有会从外部取内容或运行程序的域代码（{field[:60]}），出于安全原因不能使用：请删除该域后再上传",
                    f"The template holds a field that fetches content from elsewhere or runs a program "
                    f"({field[:60]}), not accepted for safety: remove the field and upload it again",
                    name,
                )
        removed = _external_ids(package)
        if not removed:
            return content
        return _rewrite(package, removed)


def _external_ids(package: Package) -> dict[str, set[str]]:
    """part -> ids of its relationships to drop (external ones and the attached template)."""
    out: dict[str, set[str]] = {}
    for rels in [n for n in package.parts if n.endswith(".rels")]:
        folder, base = posixpath.split(rels)
        source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
        for rel in package.relationships(source):
            if rel.external or rel.type == "attachedTemplate":
                out.setdefault(source, set()).add(rel.id)
    return out


def _rewrite(package: Package, removed: dict[str, set[str]]) -> bytes:
    """The package again, without the relationships ``removed`` and every reference to them. The
    parts were all parsed within the bounds already, so lxml (no entities, no network) may build them."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    validated = set(package.xml_parts())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in package._zip.infolist():
            data = package.read(info.filename)
            folder, base = posixpath.split(info.filename)
            if base.endswith(".rels"):
                source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
                if source in removed:
                    data = _drop_relationships(data, removed[source], parser)
            elif info.filename in removed and info.filename in validated:
                data = _drop_references(data, removed[info.filename], parser)
            target.writestr(info, data)
    return out.getvalue()


def _drop_relationships(data: bytes, ids: set[str], parser: etree.XMLParser) -> bytes:
    root = etree.fromstring(data, parser)
    for rel in list(root):
        if rel.get("Id") in ids:
            root.remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_references(data: bytes, ids: set[str], parser: etree.XMLParser) -> bytes:
    """Remove what points at a dropped relationship: the attached template element, a hyperlink's
    link (its runs stay), and any other attribute naming the relationship."""
    root = etree.fromstring(data, parser)
    for element in list(root.iter()):
        hits = [k for k, v in element.attrib.items() if k.startswith(_RELS_ATTR_PREFIX) and v in ids]
        if not hits:
            continue
        parent = element.getparent()
        local = etree.QName(element).localname
        if local == "attachedTemplate" and parent is not None:
            parent.remove(element)
        elif local == "hyperlink" and parent is not None:
            index = parent.index(element)
            for child in list(element):
                parent.insert(index, child)
                index += 1
            parent.remove(element)
        else:
            for k in hits:
                del element.attrib[k]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
