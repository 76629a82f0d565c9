"""Chinese is the source language; the English catalogue must be complete and compiled."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

import dudao

PACKAGE = Path(dudao.__file__).parent
PO = PACKAGE / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def test_every_english_entry_is_translated() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file() -> None:
    po = {e.msgid: (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO)) if e.msgid}
    mo = {e.msgid: (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "run `make messages` to recompile dudao/locale/en/LC_MESSAGES/django.mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by `make test`")
def test_catalogue_holds_every_string_in_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "dudao"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
        cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )  # fmt: skip
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po")) if e.msgid}
    committed = {e.msgid for e in polib.pofile(str(PO)) if e.msgid}
    assert fresh == committed, "run `make messages`: the catalogue is out of date"


def test_english_is_active_when_asked() -> None:
    from dudao.evaluation.render import verdict_label

    with translation.override("en"):
        assert verdict_label(False) == "not met"
    with translation.override("zh-hans"):
        assert verdict_label(False) == "未达标"
