"""Rectification items: from the evaluation's shortfalls (one click and one command), closed by a
later run that shows the target met (with the data that changed), never duplicated; by hand and
from inspectors' findings."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dudao.census.actions import save_record
from dudao.rectification import actions
from dudao.rectification import rules as rectification_rules
from dudao.rectification.models import RectificationItem, Task, TaskEvent, WorkPlan
from dudao.rectification.rules import rules_for
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import STANDARD, Rect, figures

Item = RectificationItem


def generate(rect: Rect) -> object:
    return client_for(rect.world.county_supervisor).post(
        reverse("rectification:generate", args=[rect.world.county.code]), {"year": YEAR, "standard": STANDARD}
    )


def test_one_click_turns_shortfalls_into_items_with_measurable_targets(rect: Rect, census: None) -> None:
    response = generate(rect)
    assert response.status_code == 302
    items = {i.indicator: i for i in Item.objects.select_related("task__department")}
    assert set(items) == {"L3", "L4"}  # the failing primary school's two unmet indicators
    pe = items["L3"]
    assert pe.target == "为示范县第一小学补充3名体育艺术专任教师"
    assert pe.target_en == "Add 3 full-time PE and art teachers at 示范县第一小学"
    assert (pe.gap, pe.gap_unit, pe.value, pe.threshold) == (3, "person", 0.4, 0.9)
    assert items["L4"].target == "示范县第一小学新增教学及辅助用房 250 m²"
    # teachers → 人社局 leads, 编办 and 教育局人事科 cooperate; buildings → 发改局, with 财政局 and 住建局
    assert pe.task.department == rect.hr
    assert {d.name for d in pe.task.cooperating.all()} == {"示范县编办", "示范县教育局人事科"}
    assert items["L4"].task.department == rect.development
    rules = rules_for(rect.world.county.code)
    assert pe.task.deadline == actions.today() + dt.timedelta(days=rules.indicator("L3").deadline_days)
    assert pe.status == "open" and pe.task.status == "assigned" and pe.task.town == rect.world.town
    assert pe.task.plan.kind == WorkPlan.Kind.RECTIFICATION and pe.task.indicators == ["L3"]
    page = client_for(rect.world.county_supervisor).get(reverse("rectification:items", args=[rect.world.county.code]))
    assert "为示范县第一小学补充3名体育艺术专任教师" in page.text and "示范县人力资源和社会保障局" in page.text


def test_running_again_never_duplicates_and_a_met_target_closes_with_the_data_that_changed(
    rect: Rect, census: None
) -> None:
    generate(rect)
    generate(rect)
    assert Item.objects.count() == 2 and Task.objects.count() == 2
    record = rect.world.primary.census_records.get()
    save_record(SYSTEM, rect.world.primary, YEAR, "primary", {"pe_art_teachers": 5}, expected_version=record.version)
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:generate", args=[rect.world.county.code]), {"year": YEAR, "standard": STANDARD},
        follow=True,
    )  # fmt: skip
    assert "已达标销号 1 项" in response.text
    pe = Item.objects.get(indicator="L3")
    assert pe.status == "met" and pe.closed_at is not None
    assert pe.close_data["old"]["value"] == 0.4 and pe.close_data["new"]["value"] == 1.0
    assert pe.close_data["old"]["gap"] == 3 and pe.close_data["new"]["gap"] == 0
    assert pe.close_data["old"]["run"] != pe.close_data["new"]["run"]
    event = TaskEvent.objects.get(task=pe.task, action="item_met")
    assert event.data["old"]["value"] == 0.4 and event.data["new"]["value"] == 1.0
    # L4 is still short (the school now passes the per-school rule, but the target is the indicator's)
    assert Item.objects.get(indicator="L4").status == "open"
    task_page = client_for(rect.world.county_supervisor).get(reverse("rectification:task", args=[pe.task_id]))
    assert "现值 0.4 → 1.0" in task_page.text and "已达标" in task_page.text


def test_a_gap_that_changes_is_updated_on_the_open_item(rect: Rect, census: None) -> None:
    generate(rect)
    record = rect.world.primary.census_records.get()
    save_record(SYSTEM, rect.world.primary, YEAR, "primary", {"pe_art_teachers": 3}, expected_version=record.version)
    result = actions.generate_items(SYSTEM, rect.world.county, YEAR, STANDARD)
    assert [i.indicator for i in result.updated] == ["L3"] and not result.created
    item = Item.objects.get(indicator="L3")
    assert item.gap == 2 and item.target == "为示范县第一小学补充2名体育艺术专任教师"
    event = TaskEvent.objects.get(task=item.task, action="item_updated")
    assert (event.data["old"]["gap"], event.data["new"]["gap"]) == (3, 2)


def test_a_school_no_longer_evaluated_withdraws_its_items_and_older_runs_touch_nothing(
    rect: Rect, census: None
) -> None:
    generate(rect)
    # the next school year: the primary school is gone (merged), the junior school reports
    save_record(SYSTEM, rect.world.junior, YEAR + 1, "junior", figures(JUNIOR))
    result = actions.generate_items(SYSTEM, rect.world.county, YEAR + 1, STANDARD)
    assert {i.indicator for i in result.void} == {"L3", "L4"} and not result.created
    assert set(Item.objects.values_list("status", flat=True)) == {"void"}
    assert "学校未参加2026学年评估" in Item.objects.first().close_reason


def test_a_run_of_an_earlier_year_leaves_newer_items_alone(rect: Rect, census: None) -> None:
    save_record(SYSTEM, rect.world.junior, YEAR + 1, "junior", figures(JUNIOR))
    save_record(SYSTEM, rect.world.primary, YEAR + 1, "primary", figures(PRIMARY, pe_art_teachers=2))
    actions.generate_items(SYSTEM, rect.world.county, YEAR + 1, STANDARD)
    assert list(Item.objects.values_list("indicator", "year")) == [("L3", YEAR + 1)]
    result = actions.generate_items(SYSTEM, rect.world.county, YEAR, STANDARD)  # the older year: L3 and L4 short
    assert result.unchanged == 1 and [i.indicator for i in result.created] == ["L4"]
    assert Item.objects.get(indicator="L3").status == "open"


def test_the_command_does_the_same_and_says_what_it_did(rect: Rect, census: None) -> None:
    out = StringIO()
    call_command("rectify", "--county", rect.world.county.code, "--year", str(YEAR), stdout=out)
    assert "为示范县第一小学补充3名体育艺术专任教师" in out.getvalue() and "新增 2" in out.getvalue()
    out = StringIO()
    call_command("rectify", "--county", rect.world.county.code, "--year", str(YEAR), stdout=out)
    assert "新增 0" in out.getvalue() and Item.objects.count() == 2
    with pytest.raises(CommandError, match="没有代码为 1399 的县级区域"):
        call_command("rectify", "--county", rect.world.city.code, "--year", str(YEAR))
    with pytest.raises(CommandError, match="没有学校统计数据"):
        call_command("rectify", "--county", rect.world.county.code, "--year", "2001")


def test_nothing_to_evaluate_is_a_clear_400_and_writes_nothing(rect: Rect) -> None:
    response = generate(rect)
    assert response.status_code == 400 and "没有学校统计数据" in response.text
    assert not Item.objects.exists() and not Task.objects.exists()
    bad = client_for(rect.world.county_supervisor).post(
        reverse("rectification:generate", args=[rect.world.county.code]), {"year": "abc"}
    )
    assert bad.status_code == 400 and "不是整数" in bad.text


def test_the_department_mapping_is_data_overridable_per_county(rect: Rect, census: None, settings, tmp_path) -> None:
    rules = tmp_path / "rules.yaml"
    base = Path(rectification_rules.__file__).with_name("rules.yaml")
    text = (
        open(base, encoding="utf-8")
        .read()
        .replace(
            "counties: {}",
            f'counties:\n  "{rect.world.county.code}":\n    indicators:\n      L3: {{departments: [finance]}}\n',
        )
    )
    rules.write_text(text, encoding="utf-8")
    settings.DUDAO_RECTIFICATION_RULES = str(rules)
    actions.generate_items(SYSTEM, rect.world.county, YEAR, STANDARD)
    assert Item.objects.get(indicator="L3").task.department == rect.finance
    assert Item.objects.get(indicator="L4").task.department == rect.development  # the default still holds


def test_the_county_enters_an_item_by_hand(rect: Rect) -> None:
    county = client_for(rect.world.county_supervisor)
    deadline = (actions.today() + dt.timedelta(days=60)).isoformat()
    response = county.post(reverse("rectification:add_item", args=[rect.world.county.code]), {
        "source": "manual", "target": "示范县第一中学完成校园安全监控全覆盖", "department": rect.bureau.pk,
        "deadline": deadline, "school": rect.world.junior.code, "year": YEAR,
    })  # fmt: skip
    item = Item.objects.get()
    assert response.status_code == 302 and response.url == reverse("rectification:task", args=[item.task_id])
    assert item.source == "manual" and item.school_name == "示范县第一中学" and item.task.department == rect.bureau


def test_an_inspector_records_a_finding_and_the_county_closes_it_after_the_recheck(rect: Rect) -> None:
    inspector = client_for(rect.world.city_inspector)
    deadline = (actions.today() + dt.timedelta(days=90)).isoformat()
    form = {"source": "inspection", "finding": "示范县第一小学功能室被挪作教室使用", "target": "恢复音乐、美术专用教室",
            "department": rect.bureau.pk, "deadline": deadline, "school": rect.world.primary.code}  # fmt: skip
    assert inspector.post(reverse("rectification:add_item", args=[rect.world.county.code]), form).status_code == 302
    item = Item.objects.get()
    assert item.source == "inspection" and item.created_by == rect.world.city_inspector
    # an inspector may record findings but not enter the county's own items, nor close them
    manual = inspector.post(
        reverse("rectification:add_item", args=[rect.world.county.code]), {**form, "source": "manual"}
    )
    assert manual.status_code == 403
    assert inspector.post(reverse("rectification:close_item", args=[item.task_id]), {"reason": "x"}).status_code == 403
    county = client_for(rect.world.county_supervisor)
    empty = county.post(reverse("rectification:close_item", args=[item.task_id]), {"reason": ""})
    assert empty.status_code == 400 and "请填写销号理由" in empty.text
    county.post(reverse("rectification:close_item", args=[item.task_id]), {"reason": "市督学复查：已恢复功能室"})
    item.refresh_from_db()
    assert item.status == "closed" and item.close_reason == "市督学复查：已恢复功能室"
    assert TaskEvent.objects.filter(task=item.task, action="item_closed").exists()


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        ({"department": "999999"}, "unknown_department", "没有“999999”这个部门"),
        ({"deadline": "2000-01-01"}, "deadline_past", "已经过去"),
        ({"deadline": "31/12/2030"}, "bad_date", "格式应为 YYYY-MM-DD"),
        ({"target": "  "}, "required", "请填写任务内容"),
        ({"school": "9999999999"}, "unknown_school", "没有学校"),
    ],
)
def test_bad_input_is_refused_clearly_and_writes_nothing(rect: Rect, change: dict, code: str, text: str) -> None:
    deadline = (actions.today() + dt.timedelta(days=60)).isoformat()
    form = {"source": "manual", "target": "整改", "department": rect.bureau.pk, "deadline": deadline, **change}
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:add_item", args=[rect.world.county.code]), form
    )
    assert response.status_code == 400 and text in response.text
    assert not Item.objects.exists() and not Task.objects.exists() and not WorkPlan.objects.exists()


def test_another_countys_department_is_unknown_here(rect: Rect) -> None:
    deadline = (actions.today() + dt.timedelta(days=60)).isoformat()
    form = {"source": "manual", "target": "整改", "department": rect.neighbour_finance.pk, "deadline": deadline}
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:add_item", args=[rect.world.county.code]), form
    )
    assert response.status_code == 400 and "请从本县部门中选择" in response.text and not Task.objects.exists()
