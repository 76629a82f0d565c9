"""The evidence pack (佐证材料): every supporting document of a county × year × standard, one .zip
with a manifest (清单.xlsx) and a folder per indicator, streamed as it is written.

Gathered from the county items' evidence (``dudao.evaluation.Evidence``, filed under the item's
code) and the rectification tasks' progress reports (``dudao.rectification.TaskEvidence``, filed
under each indicator the task serves — its item's indicator or the task's own — or 未关联指标).
The zip is written through :class:`_Sink` into chunks the response sends at once, so a large pack
starts downloading immediately and never sits whole in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from openpyxl import Workbook
from typing_extensions import Buffer

from dudao.evaluation.models import Evidence
from dudao.orgs.models import Region
from dudao.rectification.models import TaskEvidence
from dudao.sheets.writer import workbook_bytes
from dudao.standards import load

UNLINKED = "未关联指标"
CHUNK = 64 * 1024


@dataclass
class PackEntry:
    indicator: str  # a code, or UNLINKED
    folder: str  # "L3 每百名学生拥有体育、艺术专任教师数"
    source: str  # 县级指标 / 整改任务
    about: str  # the item code or the task's title
    doc: Evidence | TaskEvidence
    path: str = ""  # inside the zip


def _names(standard_id: str) -> dict[str, str]:
    standard = load(standard_id)
    names = {ind.code: ind.name_zh for ind in standard.indicators}
    for area in standard.areas:
        names.update({item.code: item.name_zh for item in area.items or []})
    names.update({item.code: item.name_zh for item in standard.veto})
    return names


def _folder(code: str, names: dict[str, str]) -> str:
    name = names.get(code, "")
    text = f"{code} {name}".strip() if code != UNLINKED else UNLINKED
    return text.replace("/", "／").replace("\\", "＼")[:80]


def _unique(path: str, taken: set[str]) -> str:
    stem, suffix, n = str(PurePosixPath(path).with_suffix("")), PurePosixPath(path).suffix, 2
    candidate = path
    while candidate in taken:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    taken.add(candidate)
    return candidate


def pack_entries(county: Region, year: int, standard_id: str) -> list[PackEntry]:
    """Every document, in folder order, each with its path inside the zip (unique)."""
    names = _names(standard_id)
    entries = [
        PackEntry(doc.item.code, _folder(doc.item.code, names), "县级指标", doc.item.code, doc)
        for doc in Evidence.objects.filter(
            item__county=county, item__year=year, item__standard_id=standard_id
        ).select_related("item")
    ]
    task_docs = (
        TaskEvidence.objects.filter(report__task__county=county, report__task__plan__year=year)
        .select_related("report__task__item")
        .order_by("pk")
    )
    for doc in task_docs:
        task = doc.report.task
        item = getattr(task, "item", None)
        codes = [item.indicator] if item is not None and item.indicator else list(task.indicators or [])
        for code in codes or [UNLINKED]:
            entries.append(PackEntry(code, _folder(code, names), "整改任务", task.title, doc))
    entries.sort(key=lambda e: (e.indicator == UNLINKED, e.indicator, e.source, e.doc.pk))
    taken: set[str] = set()
    for entry in entries:
        entry.path = _unique(f"{entry.folder}/{entry.doc.original_name}", taken)
    return entries


def manifest_xlsx(county: Region, year: int, entries: list[PackEntry]) -> bytes:
    wb = Workbook()
    ws = wb.worksheets[0]  # the sheet a new workbook has
    ws.title = "佐证材料清单"
    ws.append([f"{county.name}{year}年度佐证材料清单"])
    ws.append(["序号", "指标", "来源", "关联事项", "文件名", "包内路径", "大小（字节）", "SHA-256", "上传时间"])
    for i, e in enumerate(entries, start=1):
        uploaded = e.doc.uploaded_at.replace(tzinfo=None) if e.doc.uploaded_at else None
        ws.append([i, e.folder, e.source, e.about, e.doc.original_name, e.path, e.doc.size, e.doc.sha256, uploaded])
        ws.cell(ws.max_row, 7).number_format = "#,##0"
        ws.cell(ws.max_row, 9).number_format = "yyyy-mm-dd hh:mm"
    for col, width in zip("ABCDEFGHI", (6, 36, 10, 30, 30, 50, 12, 20, 18), strict=True):
        ws.column_dimensions[col].width = width
    return workbook_bytes(wb)


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
    """The zip, chunk by chunk: the manifest first, then each document in its folder."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("清单.xlsx", manifest_xlsx(county, year, entries))
        yield sink.drain()
        for entry in entries:
            info = zipfile.ZipInfo(entry.path, date_time=entry.doc.uploaded_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with entry.doc.file.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    if data := sink.drain():
                        yield data
            yield sink.drain()
    yield sink.drain()
