"""Printable QR sheets of the school links: who sees them, the QR codes they carry (the school's own
link), the class slips and their generator, and the schools listed (open in the survey's year, by town)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from dudao.orgs.models import Region, School, SchoolYear
from dudao.surveys import links, sheets
from dudao.surveys.models import Survey
from tests.personas import World
from tests.surveys.test_staff import OUTSIDERS, READERS, as_

pytestmark = pytest.mark.django_db

CODE = re.compile(r'data-group="(\w+)">.*?(<svg.*?</svg>).*?<p class="url">([^<]*)</p>', re.S)


def pages(s: Survey, code: str) -> list[str]:
    base = f"/surveys/{s.pk}/sheets/"
    return [base, f"{base}all/", f"{base}{code}/", f"{base}{code}/classes/", f"{base}{code}/classes/?labels=一年级1班"]


@pytest.mark.parametrize("who", ["county_supervisor", *READERS, *OUTSIDERS])
def test_access(world: World, survey: Survey, who: str) -> None:
    client = as_(world, who)
    for page in pages(survey, world.primary.code):
        assert client.get(page).status_code == (404 if who in OUTSIDERS else 200), page


def test_anonymous_is_sent_to_login(world: World, survey: Survey) -> None:
    for page in pages(survey, world.primary.code):
        r = Client().get(page)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], page


def test_the_survey_page_links_to_the_sheets(world: World, survey: Survey) -> None:
    body = as_(world, "observer").get(f"/surveys/{survey.pk}/").content.decode()
    assert f'href="/surveys/{survey.pk}/sheets/"' in body


def school_url(survey: Survey, group: str, school: School) -> str:
    return links.public_url(RequestFactory().get("/"), survey, group, school)  # the test client's host: testserver


def test_school_sheet_carries_the_school_link_of_each_school_group(world: World, survey: Survey) -> None:
    r = as_(world, "city_inspector").get(f"/surveys/{survey.pk}/sheets/{world.junior.code}/")
    body = r.content.decode()
    assert r.status_code == 200 and survey.title in body and "示范县第一中学" in body
    found = CODE.findall(body)
    assert [g for g, _svg, _url in found] == ["parent", "student", "teacher", "principal"]
    for group, svg, url in found:
        expected = school_url(survey, group, world.junior)
        assert url == expected and url.endswith(f"?school={world.junior.code}")
        assert svg == links.qr_svg(expected, sheets.SHEET_SCALE)
    for label in ("家长问卷", "学生问卷", "教师问卷", "校长问卷", "扫码，匿名填写，约需3分钟"):
        assert label in body
    assert "人大代表" not in body  # not a school-based group


def test_unknown_school_or_another_countys_school_is_404(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    for code in ("0000000000", world.neighbour_school.code, world.other_school.code, world.primary.code + "0"):
        assert client.get(f"/surveys/{survey.pk}/sheets/{code}/").status_code == 404, code
        assert client.get(f"/surveys/{survey.pk}/sheets/{code}/classes/").status_code == 404, code


def slips(body: str) -> list[str]:
    return re.findall(r'<p class="class-label"><strong>([^<]*)</strong>', body)


def test_class_slips_one_per_label_with_the_school_link(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    page = f"/surveys/{survey.pk}/sheets/{world.primary.code}/classes/"
    empty = client.get(page).content.decode()
    assert slips(empty) == [] and "<textarea" in empty
    r = client.get(page, {"group": "student", "labels": "一年级1班\n\n 一年级2班 \n二年级1班\n"})
    body = r.content.decode()
    assert r.status_code == 200 and slips(body) == ["一年级1班", "一年级2班", "二年级1班"]
    url = school_url(survey, "student", world.primary)
    assert body.count(links.qr_svg(url)) == 3  # the school's link: the class is printed, not in the link
    assert "班" not in url and "示范县第一小学" in body and survey.title in body
    assert "学生" in re.search(r'<p class="class-label">.*?</p>', body).group(0)  # type: ignore[union-attr]
    other = client.get(page, {"group": "nobody", "labels": "一年级1班"}).content.decode()
    assert other.count(links.qr_svg(school_url(survey, "parent", world.primary))) == 1  # unknown group: parents


def test_generator_gives_grades_times_classes(world: World, survey: Survey) -> None:
    client = as_(world, "observer")
    page = f"/surveys/{survey.pk}/sheets/{world.primary.code}/classes/"
    body = client.get(page, {"generate": "1", "first": "1", "last": "6", "per_grade": "3", "labels": "x"}).content
    got = slips(body.decode())
    assert len(got) == 18 and got[:4] == ["一年级1班", "一年级2班", "一年级3班", "二年级1班"] and got[-1] == "六年级3班"
    assert "一年级1班\n一年级2班" in body.decode()  # the textarea holds the generated labels, to edit
    senior = slips(client.get(page, {"generate": "1", "first": "10", "last": "12", "per_grade": "1"}).content.decode())
    assert senior == ["高一1班", "高二1班", "高三1班"]
    junior = sheets.class_labels(7, 9, 2)
    assert len(junior) == 6 and junior[::2] == ["七年级1班", "八年级1班", "九年级1班"] and junior[-1] == "九年级2班"
    bad_ranges = [("3", "1", "2"), ("1", "13", "2"), ("1", "2", "0"), ("a", "2", "2")]
    for bad in ({"first": first, "last": last, "per_grade": per} for first, last, per in bad_ranges):
        r = client.get(page, {"generate": "1", **bad})
        assert r.status_code == 400 and slips(r.content.decode()) == [] and "年级范围" in r.content.decode(), bad


def test_over_the_limit_is_refused_with_a_message(world: World, survey: Survey) -> None:
    client = as_(world, "county_supervisor")
    page = f"/surveys/{survey.pk}/sheets/{world.primary.code}/classes/"
    limit = sheets.MAX_CLASSES
    ok = client.get(page, {"labels": "\n".join(f"班{n}" for n in range(limit))})
    assert ok.status_code == 200 and len(slips(ok.content.decode())) == limit
    r = client.get(page, {"labels": "\n".join(f"班{n}" for n in range(limit + 1))})
    body = r.content.decode()
    assert r.status_code == 400 and slips(body) == [] and "<svg" not in body
    assert f"一次最多打印{limit}个班级（现有{limit + 1}个），请分批打印。" in body
    many = client.get(page, {"generate": "1", "first": "1", "last": "12", "per_grade": "20"})  # 240 classes
    assert many.status_code == 400 and slips(many.content.decode()) == []
    long = client.get(page, {"labels": "班" * (sheets.MAX_LABEL + 1)})
    assert long.status_code == 400 and slips(long.content.decode()) == []


def _school(county: Region, code: str, rows: list[tuple[int, str, Region | None]], name: str) -> School:
    school = School.objects.create(code=code, county=county)
    for year, status, town in rows:
        SchoolYear.objects.create(school=school, year=year, name=name, school_type="primary", status=status, town=town)
    return school


def test_list_groups_open_schools_by_town(world: World, survey: Survey) -> None:
    hedong = Region.objects.create(code="139901200", name="河东乡", level="town", parent=world.county)
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    SchoolYear.objects.filter(school=world.junior, year=2025).update(town=hedong)
    SchoolYear.objects.filter(school=world.junior, year=2024).update(town=world.town)  # moved: 2025's town counts
    _school(world.county, "1399010021", [(2022, "open", hedong)], "河东老校")  # no 2025 row: its 2022 row
    _school(world.county, "1399010022", [(2024, "open", hedong), (2025, "closed", hedong)], "河东撤并校")
    _school(world.county, "1399010023", [(2022, "open", hedong), (2024, "merged", hedong)], "河东合并校")
    _school(world.county, "1399010024", [(2026, "open", hedong)], "河东新校")  # opens after the survey's year
    r = as_(world, "province_inspector").get(f"/surveys/{survey.pk}/sheets/")
    body = r.content.decode()
    listed = re.findall(r'<th scope="row">([^<]*?) <span', body)
    assert listed == ["示范县第一小学", "示范县第一中学", "河东老校", "示范县城关九年一贯制学校"]
    headings = re.findall(r"<h2>([^<]*)</h2>", body)
    assert headings == ["城关镇", "河东乡", "未填乡镇"]
    assert [sy.school.code for sy in sheets.open_schools(world.county, 2025)] == [
        world.primary.code, world.junior.code, "1399010021", world.nine_year.code,
    ]  # fmt: skip
    assert "小学" in body and "九年一贯制学校" in body  # the school type
    code = world.junior.code
    assert f"/surveys/{survey.pk}/sheets/{code}/" in body and f"/surveys/{survey.pk}/sheets/{code}/classes/" in body
    assert f"/surveys/{survey.pk}/parent/qr.png?school={code}" in body
    assert f"/surveys/{survey.pk}/principal/qr.svg?school={code}" in body
    png = as_(world, "province_inspector").get(f"/surveys/{survey.pk}/parent/qr.png?school={code}")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def test_print_all_has_one_sheet_per_open_school(world: World, survey: Survey) -> None:
    SchoolYear.objects.filter(school=world.nine_year, year=2025).update(status="closed")
    body = as_(world, "observer").get(f"/surveys/{survey.pk}/sheets/all/").content.decode()
    assert body.count('<section class="qr-sheet">') == 2
    assert "示范县第一小学" in body and "示范县第一中学" in body and "九年一贯制" not in body
    assert "surveys/sheets.css" in body and "no-print" in body  # the print rules: a stylesheet (CSP: no inline style)
    css = (Path(__file__).resolve().parents[2] / "dudao" / "surveys" / "static" / "surveys" / "sheets.css").read_text()
    assert "break-after: page" in css and "@page { size: A4" in css
    urls = [url for _g, _svg, url in CODE.findall(body)]
    assert len(urls) == 8 and sum(u.endswith(f"?school={world.primary.code}") for u in urls) == 4


def test_a_school_named_in_another_year_keeps_its_name_of_the_survey_year(world: World, survey: Survey) -> None:
    SchoolYear.objects.filter(school=world.primary, year=2024).update(name="示范县城关小学")
    SchoolYear.objects.filter(school=world.primary, year=2025).delete()
    SchoolYear.objects.create(school=world.primary, year=2026, name="示范县实验小学", school_type="primary")
    body = as_(world, "county_supervisor").get(f"/surveys/{survey.pk}/sheets/{world.primary.code}/").content.decode()
    assert "示范县城关小学" in body and "示范县实验小学" not in body
