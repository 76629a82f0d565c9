"""A census file waits between its preview and its confirmation (docs/adr/0017-import-preview.md).

:func:`stage_upload` checks the upload (a dry run) and, if it passes, keeps its bytes under
``MEDIA_ROOT/census-imports/`` with a random name, its SHA-256 and an expiry (a file with problems is not
kept); :func:`confirm_upload` imports exactly that file — refused if it expired, if its bytes changed, or if
what it would do differs from the preview (the preview's digest); the staged file is then deleted.
:func:`discard_upload` drops it; expired ones are swept on every new upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.census.actions import CensusError
from dudao.census.models import PendingImport
from dudao.orgs.access import clerk_school_codes, region_permissions
from dudao.orgs.models import Region

if TYPE_CHECKING:  # the import imports the actions (CensusError): at run time it is imported where used
    from dudao.census.importing import ImportResult

FOLDER = "census-imports"


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def shown_name(name: str) -> str:
    """The uploaded file's own name, without any folder, at most 255 characters (keeping its suffix)."""
    base = Path(name.replace("\\", "/")).name or "upload"
    suffix = Path(base).suffix[:16]
    return base if len(base) <= 255 else base[: 255 - len(suffix)] + suffix


def _require_importer(actor: Actor, county: Region) -> None:
    """Whoever reviews the county, or a clerk of some of its schools (the import keeps a clerk to them)."""
    if is_system(actor) or "review" in region_permissions(actor, county) or clerk_school_codes(actor, county):
        return
    raise PermissionDenied


def _path(pending: PendingImport) -> Path:
    return folder() / pending.stored_as


def _delete(pendings: Iterable[PendingImport]) -> int:
    n = 0
    for pending in pendings:
        _path(pending).unlink(missing_ok=True)
        pending.delete()
        n += 1
    return n


def sweep_expired(now: dt.datetime | None = None) -> int:
    """Delete the staged uploads whose time ran out (their files too); how many."""
    return _delete(PendingImport.objects.filter(expires_at__lte=now or timezone.now()))


def stage_upload(actor: User, county: Region, year: int, name: str, chunks: Iterable[bytes]) -> PendingImport:
    """Check an uploaded census file (a dry run of the import) and keep it for its preview: under a random
    name, with its SHA-256, size and expiry. A file with problems raises the import's ``InputError`` and
    nothing is kept — neither the file nor a row (a refused file leaves the database as it was)."""
    _require_importer(actor, county)
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    filename = shown_name(name)
    stored_as = secrets.token_hex(16) + Path(filename).suffix.lower()
    path = target / stored_as
    digest, size = hashlib.sha256(), 0
    with path.open("xb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    try:
        _dry_run(actor, path, filename, county, year)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    sweep_expired()
    minutes = int(settings.DUDAO_IMPORT_PREVIEW_MINUTES)
    with transaction.atomic():
        pending = PendingImport.objects.create(
            token=secrets.token_urlsafe(32), county=county, year=year, user=actor, filename=filename,
            stored_as=stored_as, sha256=digest.hexdigest(), size=size,
            expires_at=timezone.now() + dt.timedelta(minutes=minutes),
        )  # fmt: skip
        record_event(actor, "census.import_staged", target=pending, region=county,
                     data={"file": filename, "sha256": pending.sha256, "size": size, "year": year})  # fmt: skip
    return pending


@contextmanager
def _named(path: Path, filename: str) -> Iterator[Path]:
    """``path`` under the uploaded name (a link in a temporary folder): the import's batch and its messages
    name the file as the user knows it."""
    with tempfile.TemporaryDirectory(prefix="dudao-import-") as tmp:
        link = Path(tmp) / filename
        os.symlink(path, link)
        yield link


def _dry_run(actor: User, path: Path, filename: str, county: Region, year: int) -> ImportResult:
    from dudao.census.importing import import_census

    with _named(path, filename) as named:
        return import_census(named, year, county=county, user=actor, dry_run=True)


def preview(actor: User, pending: PendingImport) -> ImportResult:
    """What importing the staged file would do now (a dry run: nothing is written)."""
    return _dry_run(actor, _path(pending), pending.filename, pending.county, pending.year)


def _check_staged(pending: PendingImport) -> None:
    from dudao.census.importing import _sha256 as file_sha256

    if pending.expires_at <= timezone.now():
        raise CensusError(
            "upload_expired", gettext_lazy("上传的文件已过期（超过确认时限），未导入任何数据；请重新上传")
        )
    path = _path(pending)
    if not path.is_file() or file_sha256(path) != pending.sha256:
        raise CensusError(
            "upload_changed", gettext_lazy("服务器上保存的文件与上传时不一致，未导入任何数据；请重新上传")
        )


def confirm_upload(actor: User, pending: PendingImport, digest: str) -> ImportResult:
    """Import the staged file, exactly as previewed (``digest``); then drop it. ``CensusError``
    ``upload_expired``, ``upload_changed`` or ``plan_changed`` (nothing written; the staged file stays for
    a new preview unless it expired), or the import's own errors."""
    from dudao.census.importing import import_census

    _require_importer(actor, pending.county)
    _check_staged(pending)
    with _named(_path(pending), pending.filename) as path:
        result = import_census(path, pending.year, county=pending.county, user=actor, expected_digest=digest)
    _delete([pending])
    return result


def discard_upload(actor: User, pending: PendingImport) -> None:
    _require_importer(actor, pending.county)
    with transaction.atomic():
        record_event(actor, "census.import_discarded", region=pending.county,
                     data={"file": pending.filename, "sha256": pending.sha256})  # fmt: skip
        _delete([pending])
