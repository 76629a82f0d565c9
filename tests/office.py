"""LibreOffice as the real client of the documents we write: convert one to PDF and read it back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_pages_and_text(tmp_path: Path, name: str, content: bytes) -> tuple[int, str]:
    """Write ``content`` as ``tmp_path/name``, convert it with ``soffice`` (a profile of its own in
    ``tmp_path``) and return the PDF's page count and its text without whitespace."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    source = tmp_path / name
    source.write_bytes(content)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    reader = PdfReader(tmp_path / (source.stem + ".pdf"))
    return len(reader.pages), re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
