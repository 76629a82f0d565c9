"""County items (government guarantee, quality, recognition, vetoes) entered by the county's
supervisor, kept with their history and evidence, and read by the evaluation of stored data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.census.actions import save_record
from dudao.evaluation.actions import (
    EvaluationError,
    attach_evidence,
    current_items,
    evaluate_county,
    set_county_item,
)
from dudao.evaluation.models import CountyItemChange, CountyItemValue, EvaluationRun, Evidence
from dudao.standards import load
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World

STANDARD = "national-2017"
NATIONAL = load(STANDARD)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DOCX = b"PK\x03\x04" + b"\x00" * 64
OUTSIDERS = ["school_clerk", "observer", "neighbour_supervisor", "city_inspector", "department_clerk"]


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def passing_items() -> dict[str, object]:
    """Every area item met (at its bound where it has one), no veto condition."""
    raw: dict[str, object] = {}
    for area in NATIONAL.areas:
        for item in area.items:
            if item.kind in ("bool", "qualitative"):
                raw[item.code] = "是"
            elif item.threshold.op in (">=", "<="):
                raw[item.code] = str(item.threshold.value)
            else:
                raw[item.code] = "0"
    raw.update({item.code: "否" for item in NATIONAL.veto})
    return raw


@pytest.fixture
def passing_county(world: World) -> World:
    """One primary and one junior school meeting every indicator, and every county item met."""
    save_record(SYSTEM, world.primary, YEAR, "primary", {k: v for k, v in PRIMARY.items() if k != "school_type"})
    save_record(SYSTEM, world.junior, YEAR, "junior", {k: v for k, v in JUNIOR.items() if k != "school_type"})
    for code, value in passing_items().items():
        set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, code, value)
    return world


def evaluate(world: World) -> dict:
    return evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD).result


def test_county_items_enter_the_verdict(passing_county: World) -> None:
    world = passing_county
    res = evaluate(world)
    assert {code: a["status"] for code, a in res["areas"].items()} == {
        "RA": "passed",
        "GG": "passed",
        "EQ": "passed",
        "SR": "passed",
    }
    assert res["vetoes"] == [] and res["passed"] is True

    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "SR-01", 0.84, reason="问卷复核")
    res = evaluate(world)
    assert res["areas"]["SR"]["status"] == "failed"
    assert [(v["rule"], v["code"]) for v in res["vetoes"]] == [("veto", "SR-01")]
    assert res["passed"] is False

    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "SR-01", "85%")
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "VETO-03", "存在")
    res = evaluate(world)
    assert [v["code"] for v in res["vetoes"]] == ["VETO-03"] and res["passed"] is False


def test_a_cleared_item_leaves_its_area_incomplete(passing_county: World) -> None:
    world = passing_county
    item = set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "GG-01", "")
    assert item.value is None and "GG-01" not in current_items(world.county, YEAR, STANDARD)
    res = evaluate(world)
    assert res["areas"]["GG"]["status"] == "incomplete" and res["passed"] is None
    # An unanswered veto keeps the verdict open: never passed by omission.
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "GG-01", "是")
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "VETO-01", None)
    assert evaluate(world)["passed"] is None


def test_values_are_stored_as_the_engine_reads_them_with_history(world: World) -> None:
    supervisor = world.county_supervisor
    item = set_county_item(supervisor, world.county, YEAR, STANDARD, "SR-01", "84%", note="第三方测评")
    assert item.value == pytest.approx(0.84) and item.note == "第三方测评" and item.updated_by == supervisor
    set_county_item(supervisor, world.county, YEAR, STANDARD, "SR-01", "0.91", note="复测", reason="补充样本后复测")
    again = set_county_item(supervisor, world.county, YEAR, STANDARD, "SR-01", 0.91, note="复测")  # no change
    flag = set_county_item(SYSTEM, world.county, YEAR, STANDARD, "GG-01", "是")
    assert flag.value is True and flag.updated_by is None

    item.refresh_from_db()
    assert item.value == 0.91 and again.pk == item.pk
    history = [(c.old, c.new, c.user, c.reason, c.note) for c in item.changes.all()]
    assert history == [
        (None, pytest.approx(0.84), supervisor, "", "第三方测评"),
        (pytest.approx(0.84), 0.91, supervisor, "补充样本后复测", "复测"),
    ]
    assert CountyItemValue.objects.count() == 2 and CountyItemChange.objects.count() == 3
    assert all(c.at is not None for c in CountyItemChange.objects.all())


@pytest.mark.parametrize(
    ("code", "value", "rule", "zh", "en"),
    [
        ("GG-99", "是", "unknown_item", "没有指标“GG-99”", "has no item 'GG-99'"),
        ("SR-01", "85", "bad_item_value", "比例应在0到1之间", "a share lies between 0 and 1"),
        ("GG-01", "也许", "bad_item_value", "应为 是/否", "expected yes/no"),
        ("SR-01", "很高", "bad_item_value", "应为数值", "expected a number"),
        ("SR-01", "-0.5", "bad_item_value", "不能为负数", "must not be negative"),
    ],
)
def test_unknown_codes_and_bad_values_are_refused(world: World, code: str, value: str, rule: str, zh: str,
                                                  en: str) -> None:  # fmt: skip
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "SR-01", 0.9)
    with pytest.raises(EvaluationError) as exc:
        set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, code, value, reason="试")
    assert exc.value.code == rule
    assert zh in exc.value.message_zh and en in exc.value.message_en
    assert code in exc.value.message_zh and code in exc.value.message_en
    assert list(CountyItemValue.objects.values_list("code", "value")) == [("SR-01", 0.9)]
    assert CountyItemChange.objects.count() == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_a_reviewer_of_the_county_sets_items(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        set_county_item(getattr(world, who), world.county, YEAR, STANDARD, "SR-01", 0.9)
    assert not CountyItemValue.objects.exists() and not CountyItemChange.objects.exists()


def test_the_neighbours_supervisor_sets_their_own_county(world: World) -> None:
    item = set_county_item(world.neighbour_supervisor, world.neighbour, YEAR, STANDARD, "SR-01", 0.9)
    assert item.county == world.neighbour
    with pytest.raises(PermissionDenied):
        set_county_item(world.county_supervisor, world.neighbour, YEAR, STANDARD, "SR-01", 0.5)
    with pytest.raises(PermissionDenied):
        evaluate_county(world.county_supervisor, world.neighbour, YEAR, STANDARD)
    assert not EvaluationRun.objects.exists()


@pytest.fixture
def item(world: World) -> CountyItemValue:
    return set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "GG-01", "是")


def media_files(settings: object) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("县教育经费预算.pdf", PDF, "application/pdf"),
        ("现场照片.PNG", PNG, "image/png"),
        (
            "编制核定.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_evidence_is_stored_with_who_when_and_what(
    world: World, item: CountyItemValue, settings: object, name: str, content: bytes, content_type: str
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    evidence = attach_evidence(world.county_supervisor, item, upload)
    evidence.refresh_from_db()
    assert evidence.item == item and list(item.evidence.all()) == [evidence]
    assert (evidence.original_name, evidence.size, evidence.content_type) == (name, len(content), content_type)
    assert evidence.uploaded_by == world.county_supervisor and evidence.uploaded_at is not None
    assert evidence.file.name.startswith(f"evidence/{evidence.uploaded_at.year}/")
    with evidence.file.open("rb") as f:
        assert f.read() == content
    assert len(evidence.sha256) == 64
    assert media_files(settings) == [Path(evidence.file.path)]


def test_evidence_at_the_size_limit_is_accepted(world: World, item: CountyItemValue) -> None:
    content = PDF + b"0" * (django_settings.DUDAO_EVIDENCE_MAX_BYTES - len(PDF))
    evidence = attach_evidence(world.county_supervisor, item, SimpleUploadedFile("a.pdf", content))
    assert evidence.size == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content", "rule", "zh", "en"),
    [
        (
            "大文件.pdf",
            PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF)),
            "file_too_large",
            "超过 20 MB",
            "over the 20 MB",
        ),
        ("setup.exe", b"MZ" + b"\x00" * 64, "bad_file_type", "不支持的文件类型", "is not accepted"),
        ("说明.txt", b"hello", "bad_file_type", "pdf、jpg、png、docx、xlsx、doc、xls、zip", "pdf, jpg, png"),
        ("无扩展名", PDF, "bad_file_type", "不支持的文件类型", "is not accepted"),
        ("伪装.pdf", b"MZ" + b"\x00" * 64, "content_mismatch", "内容与扩展名 .pdf 不符", "is not a .pdf file"),
        ("空.pdf", b"", "empty_file", "空文件", "is empty"),
    ],
)
def test_refused_evidence_writes_nothing(
    world: World, item: CountyItemValue, settings: object, name: str, content: bytes, rule: str, zh: str, en: str
) -> None:
    with pytest.raises(EvaluationError) as exc:
        attach_evidence(world.county_supervisor, item, SimpleUploadedFile(name, content))
    assert exc.value.code == rule
    assert zh in exc.value.message_zh and en in exc.value.message_en
    assert not Evidence.objects.exists() and media_files(settings) == []


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_a_reviewer_of_the_county_attaches_evidence(
    world: World, item: CountyItemValue, settings: object, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        attach_evidence(getattr(world, who), item, SimpleUploadedFile("a.pdf", PDF))
    assert not Evidence.objects.exists() and media_files(settings) == []


def test_admin_shows_items_and_runs_read_only(passing_county: World, client: object) -> None:
    from django.contrib.auth.models import User

    world = passing_county
    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    item = CountyItemValue.objects.get(code="SR-01")
    attach_evidence(world.county_supervisor, item, SimpleUploadedFile("测评报告.pdf", PDF))
    client.force_login(User.objects.create_superuser("管理员"))  # type: ignore[attr-defined]
    for url in (
        "/admin/evaluation/evaluationrun/",
        f"/admin/evaluation/evaluationrun/{run.pk}/change/",
        "/admin/evaluation/countyitemvalue/",
        f"/admin/evaluation/countyitemvalue/{item.pk}/change/",
    ):
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, url
    page = client.get(f"/admin/evaluation/countyitemvalue/{item.pk}/change/").content.decode()  # type: ignore[attr-defined]
    assert "测评报告.pdf" in page
    report = client.get(f"/admin/evaluation/evaluationrun/{run.pk}/change/").content.decode()  # type: ignore[attr-defined]
    assert "总体结论：达标" in report
    assert client.get("/admin/evaluation/countyitemvalue/add/").status_code == 403  # type: ignore[attr-defined]
