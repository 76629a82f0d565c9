"""Checks every uploaded supporting document (佐证材料) passes before it is stored, wherever it is
attached: a county item's evidence (``dudao.evaluation``) or a task's progress report
(``dudao.rectification``, the tasks of meeting decisions included).

A file is refused when its extension is not accepted, it is empty or over the size limit
(``settings.DUDAO_EVIDENCE_MAX_BYTES``, 20 MB by default), or its first bytes are not those of
the type its extension names (a renamed .exe is not a .pdf). The refusal carries a stable code
and Chinese and English messages; the caller turns it into its own app's error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from dudao.errors import ActionError, Both

_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # the old binary Office formats (.doc, .xls)
# Accepted evidence: extension → (content type stored, signatures the file must start with).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "zip": ("application/zip", _ZIP),
}
ACCEPTED = "pdf、jpg、png、docx、xlsx、doc、xls、zip"
# For <input type="file" accept=...>: the browser offers only these (the server checks again).
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in EVIDENCE_TYPES)


class UploadRefused(ActionError):
    """A file that may not be stored (docs/adr/0026)."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the file's own name, without any folder, at most 255 characters
    ext: str
    size: int
    content_type: str
    sha256: str


class StoredFile(models.Model):
    """What is kept of every stored document beside the file itself (each model adds its ``file``
    field, with its own folder, and what the file belongs to)."""

    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def describe(self, checked: CheckedUpload, user: User | None) -> None:
        """Fill the fields from a checked upload and the person (None for the system)."""
        self.original_name, self.size = checked.name, checked.size
        self.content_type, self.sha256 = checked.content_type, checked.sha256
        self.uploaded_by = user


def max_bytes() -> int:
    return int(settings.DUDAO_EVIDENCE_MAX_BYTES)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def check_upload(uploaded_file: File) -> CheckedUpload:
    """Check ``uploaded_file`` (type, size, content) and hash it; raises :class:`UploadRefused`.
    The file is left at its start, ready to be saved."""
    name = Path(uploaded_file.name or "").name
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in EVIDENCE_TYPES:
        raise UploadRefused(
            "bad_file_type",
            gettext_lazy("不支持的文件类型“%(name)s”，可上传：%(accepted)s"),
            name=name,
            accepted=Both(ACCEPTED, ACCEPTED.replace("、", ", ")),
        )
    size = uploaded_file.size or 0
    limit = max_bytes()
    if size > limit:
        raise UploadRefused(
            "file_too_large",
            gettext_lazy("文件“%(name)s”大小为 %(mb_size)s，超过 %(mb_limit)s 的上限"),
            name=name,
            mb_size=_mb(size),
            mb_limit=_mb(limit),
        )
    if size == 0:
        raise UploadRefused("empty_file", gettext_lazy("文件“%(name)s”是空文件"), name=name)
    content_type, signatures = EVIDENCE_TYPES[ext]
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    if not any(head.startswith(s) for s in signatures):
        raise UploadRefused(
            "content_mismatch", gettext_lazy("文件“%(name)s”的内容与扩展名 .%(ext)s 不符"), name=name, ext=ext
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():  # from the start
        digest.update(chunk)
    uploaded_file.seek(0)
    return CheckedUpload(name[-255:], ext, size, content_type, digest.hexdigest())


class RowWithFile(Protocol):
    """A model row with a ``file`` (a FileField): an evidence file, a progress document, a report template."""

    @property
    def file(self) -> FieldFile: ...

    def save(self) -> None: ...


def save_with_file(row: RowWithFile, uploaded_file: File, checked: CheckedUpload) -> None:
    """Store ``uploaded_file`` in ``row.file`` (the default storage, under a random name) and save
    ``row``; if the row cannot be saved, the stored file is deleted again."""
    row.file.save(f"{uuid4().hex}.{checked.ext}", uploaded_file, save=False)
    try:
        with transaction.atomic():
            row.save()
    except BaseException:
        row.file.delete(save=False)
        raise
