"""LibreOffice as the real client of the documents we write: convert one to PDF and read it back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def to_pdf(tmp_path: Path, name: str, content: bytes) -> PdfReader:
    """``content`` saved as ``tmp_path/name``, converted by ``soffice`` (a profile of its own in
    ``tmp_path``), read back."""
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


def pdf_pages_and_text(tmp_path: Path, name: str, content: bytes) -> tuple[int, str]:
    """The page count and the text without whitespace of ``content`` converted to PDF."""
    reader = to_pdf(tmp_path, name, content)
    return len(reader.pages), re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
