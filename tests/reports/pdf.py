"""LibreOffice as the real client of the documents we write: convert one to PDF and read it back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def to_pdf(tmp_path: Path, name: str, content: bytes) -> PdfReader:
    """``content`` saved as ``name`` in ``tmp_path``, converted by LibreOffice (its own profile there)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    source = tmp_path / name
    source.write_bytes(content)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    return PdfReader(tmp_path / (source.stem + ".pdf"))
