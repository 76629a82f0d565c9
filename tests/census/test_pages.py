"""The census pages through HTTP: a clerk enters and submits, the county reviews, others cannot reach it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.census import actions
from dudao.census.models import CensusRecord
from tests.census.web import confirm, upload
from tests.personas import YEAR, World, client_for


def school_url(world: World) -> str:
    return reverse("census:school", args=[world.primary.code, YEAR])


def test_a_clerk_enters_submits_and_the_county_approves(world: World) -> None:
    clerk = client_for(world.school_clerk)
    assert f'href="{school_url(world)}"' in clerk.get("/").text  # the work home leads to the form
    page = clerk.get(school_url(world))
    assert page.status_code == 200 and "示范县第一小学" in page.text and "尚未填报" in page.text
    save_url = reverse("census:save", args=[world.primary.code, YEAR, "primary"])
    form = {"primary-version": "0", "primary-students": "500", "primary-teachers": "30", "primary-pe_art_teachers": "5"}
    response = clerk.post(save_url, form, follow=True)
    assert "已保存，3 项数值有变化。" in response.text
    record = CensusRecord.objects.get()
    assert (record.students, record.version, record.updated_by) == (500, 1, world.school_clerk)
    clerk.post(reverse("census:transition", args=[record.pk, "submit"]))
    assert CensusRecord.objects.get().status == "submitted"

    county = client_for(world.county_supervisor)
    completeness = county.get(reverse("census:completeness", args=[world.county.code, YEAR]))
    assert completeness.status_code == 200 and "已提交待审" in completeness.text
    county.post(reverse("census:transition", args=[record.pk, "approve"]))
    assert CensusRecord.objects.get().status == "approved"
    history = county.get(school_url(world)).text
    assert "审核通过" in history and "500" in history


def test_a_stale_form_is_refused_and_says_so(world: World) -> None:
    actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 500})
    actions.save_record(world.county_supervisor, world.primary, YEAR, "primary", {"students": 510}, expected_version=1)
    clerk = client_for(world.school_clerk)
    save_url = reverse("census:save", args=[world.primary.code, YEAR, "primary"])
    response = clerk.post(save_url, {"primary-version": "1", "primary-students": "530"}, follow=True)
    assert "已被他人修改" in response.text
    assert CensusRecord.objects.get().students == 510


def test_a_return_needs_a_reason_and_shows_it_to_the_school(world: World) -> None:
    record = actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 500}).record
    actions.submit(world.school_clerk, record)
    county = client_for(world.county_supervisor)
    county.post(reverse("census:transition", args=[record.pk, "return"]), {"reason": "请核实体育场馆面积"})
    assert CensusRecord.objects.get().status == "returned"
    assert "请核实体育场馆面积" in client_for(world.school_clerk).get(school_url(world)).text


@pytest.mark.parametrize("person", ["neighbour_clerk", "neighbour_supervisor", "department_clerk"])
def test_other_units_cannot_reach_the_school(world: World, person: str) -> None:
    client = client_for(getattr(world, person))
    assert client.get(school_url(world)).status_code == 404
    save_url = reverse("census:save", args=[world.primary.code, YEAR, "primary"])
    assert client.post(save_url, {"primary-students": "1"}).status_code == 404
    assert client.get(reverse("census:completeness", args=[world.county.code, YEAR])).status_code == 404
    assert CensusRecord.objects.count() == 0


def test_observers_read_but_cannot_write_or_review(world: World) -> None:
    record = actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 500}).record
    actions.submit(world.school_clerk, record)
    observer = client_for(world.observer)
    assert observer.get(school_url(world)).status_code == 200
    save_url = reverse("census:save", args=[world.primary.code, YEAR, "primary"])
    assert observer.post(save_url, {"primary-students": "1", "primary-version": "1"}).status_code == 403
    assert observer.post(reverse("census:transition", args=[record.pk, "approve"])).status_code == 403
    assert observer.post(reverse("census:lock", args=[world.county.code, YEAR])).status_code == 403
    assert CensusRecord.objects.get().status == "submitted"


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: World) -> None:
    response = client.get(school_url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_completeness_lists_missing_schools_and_is_one_screen_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {"students": 500})
    county = client_for(world.county_supervisor)
    url = reverse("census:completeness", args=[world.county.code, YEAR])
    with django_assert_max_num_queries(12):
        page = county.get(url)
    assert page.text.count("未报送") >= 2  # 第一中学 and the nine-year school have nothing yet
    assert "草稿未提交" in page.text


def test_the_county_locks_and_unlocks_with_a_reason(world: World) -> None:
    county = client_for(world.county_supervisor)
    county.post(reverse("census:lock", args=[world.county.code, YEAR]), {"unapproved": "0"})  # confirmed: none
    page = county.get(reverse("census:completeness", args=[world.county.code, YEAR])).text
    assert "本学年数据已锁定" in page
    response = county.post(reverse("census:unlock", args=[world.county.code, YEAR]), {"reason": ""}, follow=True)
    assert "解锁须说明原因" in response.text
    county.post(reverse("census:unlock", args=[world.county.code, YEAR]), {"reason": "更正体育场馆面积"})
    assert "未锁定" in county.get(reverse("census:completeness", args=[world.county.code, YEAR])).text


def test_english_pages(world: World) -> None:
    clerk = client_for(world.school_clerk)
    clerk.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = clerk.get(school_url(world)).text
    assert "Save" in page and "尚未填报" not in page


def test_past_the_deadline_missing_schools_are_overdue(world: World) -> None:
    county = client_for(world.county_supervisor)
    url = reverse("census:completeness", args=[world.county.code, YEAR])
    county.post(reverse("census:deadline", args=[world.county.code, YEAR]), {"deadline": "2020-01-31"})
    page = county.get(url).text
    assert "2020-01-31" in page and page.count("（已逾期）") == 3
    county.post(reverse("census:deadline", args=[world.county.code, YEAR]), {"deadline": "2099-12-31"})
    assert "（已逾期）" not in county.get(url).text
    assert (
        client_for(world.school_clerk)
        .post(reverse("census:deadline", args=[world.county.code, YEAR]), {"deadline": "2099-01-01"})
        .status_code
        == 404
    )


def _file(rows: list[dict], tmp_path) -> bytes:
    from dudao.sheets.template import write_rows

    path = tmp_path / "schools.xlsx"
    write_rows(path, rows)
    return path.read_bytes()


def _row(code: str, name: str, **figures: object) -> dict:
    return {"school_code": code, "school_name": name, "school_type": "primary", "level": "primary",
            "location": "urban", "ownership": "public", "students": 500, "teachers": 30, **figures}  # fmt: skip


def test_the_county_uploads_its_file_in_the_browser(world: World, tmp_path) -> None:
    county = client_for(world.county_supervisor)
    assert county.get(reverse("census:upload", args=[world.county.code, YEAR])).status_code == 200
    content = _file([_row(world.primary.code, "示范县第一小学")], tmp_path)
    preview = upload(county, world.county.code, YEAR, content)
    assert "检查通过，尚未写入" in preview.text and CensusRecord.objects.count() == 0
    assert "示范县第一中学" in preview.text  # listed as not submitted
    done = confirm(county, preview)
    assert "已导入 示范县2025.xlsx：新建 1 条，更新 0 条（0 项数值），未变 0 条。" in done.text
    assert CensusRecord.objects.get().students == 500


def test_a_bad_file_lists_every_problem_and_writes_nothing(world: World, tmp_path) -> None:
    county = client_for(world.county_supervisor)
    rows = [_row(world.primary.code, "示范县第一小学", students=-5), _row(world.junior.code, "一中", teachers=-1)]
    page = upload(county, world.county.code, YEAR, _file(rows, tmp_path))
    assert "发现 2 处错误，未导入任何数据" in page.text and page.text.count("negative") == 2
    assert "confirm-import" not in page.text
    assert CensusRecord.objects.count() == 0


def test_only_the_county_and_its_clerks_may_upload(world: World, tmp_path) -> None:
    for person, status in (("observer", 403), ("neighbour_supervisor", 404), ("department_clerk", 404)):
        client = client_for(getattr(world, person))
        response = upload(client, world.county.code, YEAR, _file([_row(world.primary.code, "x")], tmp_path))
        assert response.status_code == status
    assert CensusRecord.objects.count() == 0


def test_a_school_clerk_uploads_their_own_school_and_submits_it(world: World, tmp_path) -> None:
    clerk = client_for(world.school_clerk)
    other = upload(clerk, world.county.code, YEAR, _file([_row(world.junior.code, "示范县第一中学")], tmp_path))
    assert "发现 1 处错误，未导入任何数据" in other.text and "不是您负责的学校" in other.text
    assert "示范县第一中学（" not in other.text  # nothing said of the school beyond the code the file gave
    page = clerk.get(reverse("census:upload", args=[world.county.code, YEAR]))
    assert "您只能导入本人负责学校的数据" in page.text and "返回工作台" in page.text
    preview = upload(clerk, world.county.code, YEAR, _file([_row(world.primary.code, "示范县第一小学")], tmp_path))
    assert "检查通过，尚未写入" in preview.text and "示范县第一中学" not in preview.text  # not "not submitted"
    done = confirm(clerk, preview)
    assert "已导入 示范县2025.xlsx：新建 1 条" in done.text and "我负责的学校" in done.text  # back to the work home
    assert CensusRecord.objects.get().status == "submitted"
