"""Evidence (佐证材料) wherever it is uploaded, and the indicators it supports.

- ``files``: the checks every uploaded document passes before it is stored, and the abstract
  ``StoredFile`` each app's evidence model extends (a county item's ``evaluation.Evidence``, a task
  progress report's ``rectification.TaskEvidence``).
- ``catalogue``: every evidence file of a county and year, with its source and the indicators it is
  filed under (from its source, plus the links a supervisor made).
- ``models`` / ``actions`` / ``access`` / ``views``: links of a file to more indicators, made on the
  "evidence by indicator" page (``/evidence/county/<code>/<year>/<standard>/``).

The names of ``files`` stay importable from ``dudao.evidence`` (``from dudao.evidence import
check_upload``). They are loaded on first use: this package is also a Django app, and its
``__init__`` runs before the app registry is ready, when no model (not even an abstract one) may be
defined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dudao.evidence.files import (
        ACCEPT_ATTRIBUTE,
        ACCEPTED,
        EVIDENCE_TYPES,
        CheckedUpload,
        RowWithFile,
        StoredFile,
        UploadRefused,
        check_upload,
        max_bytes,
        save_with_file,
    )

__all__ = [
    "ACCEPTED",
    "ACCEPT_ATTRIBUTE",
    "EVIDENCE_TYPES",
    "CheckedUpload",
    "RowWithFile",
    "StoredFile",
    "UploadRefused",
    "check_upload",
    "max_bytes",
    "save_with_file",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dudao.evidence import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
