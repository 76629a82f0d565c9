"""Where inequality comes from on the balance page (issue #14 §5): the decomposition of each indicator by
location, ownership, town and the county's own groups of towns (乡镇分组), as the stored run carries it,
as tables with downloads and as a chart; the groups set by the county supervision office with an audit
event; the other personas see them or get the doors' answers."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.engine.decomposition import decompose
from dudao.evaluation.actions import current_run
from dudao.orgs.actions.town_groups import set_town_groups, town_groups
from dudao.orgs.models import Region, SchoolYear, TownGroup
from tests.evaluation.test_stored_evaluation import store_county
from tests.personas import SYSTEM, YEAR, World, client_for, evaluate

STANDARD = "national-2017"


def balance_url(world: World) -> str:
    return reverse("overview:balance", args=[world.county.code, YEAR, STANDARD])


def groups_url(world: World) -> str:
    return reverse("orgs:town_groups", args=[world.county.code])


@pytest.fixture
def towns(world: World) -> Region:
    """城关镇 (north: 第一小学, 第一中学, the nine-year school) and 河西乡 (south: 河西小学, 河西中学, 东关小学)."""
    hexi = Region.objects.create(code="139901200", name="河西乡", level="town", parent=world.county)
    store_county(world)
    south = {"1399010011", "1399010012", "1399010013"}
    for sy in SchoolYear.objects.filter(school__county=world.county, year=YEAR):
        sy.town = hexi if sy.school.code in south else world.town
        sy.save(update_fields=["town"])
    set_town_groups(SYSTEM, world.county, {world.town.code: "北部", hexi.code: "南部"})
    evaluate(world.county)
    return hexi


def test_the_stored_run_carries_towns_and_the_countys_groups(world: World, towns: Region) -> None:
    run = current_run(world.county, YEAR, STANDARD)
    result = run.result_obj
    assert run.inputs["town_groups"] == {"北部": ["城关镇", "139901100"], "南部": ["河西乡", "139901200"]}
    for level in ("primary", "junior"):
        parts = result.school_parts(level)
        assert {s.town for s in parts} == {"城关镇", "河西乡"}
        for code, entry in result.levels[level].indicators.items():
            assert entry.decomposition is not None
            assert list(entry.decomposition) == ["location", "ownership", "town", "town_groups"]
            # towns and groups of towns coincide here (one town per group)
            assert entry.decomposition["town"] == entry.decomposition["town_groups"]
            expected = decompose(
                [s.indicators[code].value for s in parts], [s.students for s in parts], [s.town for s in parts]
            )
            got = entry.decomposition["town"]
            assert got.cv2.total == pytest.approx(expected.cv2.total) and got.theil.between == pytest.approx(
                expected.theil.between
            )
            assert got.cv2.total == pytest.approx(entry.cv**2, rel=1e-12)
            for split in (got.theil, got.cv2):
                assert split.between + split.within == pytest.approx(split.total, abs=1e-12)
    assert run.reproduce() == result  # the stored inputs give the same result, groups included


def test_balance_page_shows_the_decomposition_table_chart_and_download(world: World, towns: Region) -> None:
    client = client_for(world.county_supervisor)
    response = client.get(balance_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "“组间”是各组（如城区、镇区、乡村）平均水平之间的差距" in html
    assert (
        'id="table-decomposition-primary-L5"' in html and reverse("orgs:town_groups", args=[world.county.code]) in html
    )
    data = json.loads(re.search(r'<script id="balance-data" type="application/json">(.*?)</script>', html, re.S)[1])
    chart = next(g for g in data["groups"] if g["id"] == "chart-decomposition")
    assert [s["label"] for s in chart["series"]] == [
        "城乡（城区/镇区/乡村）", "办学性质（公办/民办）", "乡镇", "乡镇分组（自定义）",
    ]  # fmt: skip
    download = client.get(balance_url(world), {"download": "decomposition-primary-L5", "format": "csv"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "分组方式", "泰尔指数", "泰尔指数·组间", "泰尔指数·组内", "泰尔指数·组间占比",
        "差异系数平方", "差异系数平方·组间", "差异系数平方·组内", "差异系数平方·组间占比",
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]] == ["城乡（城区/镇区/乡村）", "办学性质（公办/民办）", "乡镇", "乡镇分组（自定义）"]
    entry = current_run(world.county, YEAR, STANDARD).result_obj.indicator("primary", "L5")
    town = entry.decomposition["town"].cv2
    assert rows[3][5:8] == [f"{town.total:.4f}", f"{town.between:.4f}", f"{town.within:.4f}"]
    # the observer sees it too, without the link to change the groups
    observer = client_for(world.observer).get(balance_url(world)).content.decode()
    assert 'id="table-decomposition-primary-L5"' in observer and 'id="town-groups-link"' not in observer


def test_groups_changed_by_the_supervision_office_with_an_audit_event(world: World, towns: Region) -> None:
    client = client_for(world.county_supervisor)
    page = client.get(groups_url(world))
    assert page.status_code == 200 and 'name="group-139901200"' in page.content.decode()
    response = client.post(groups_url(world), {"group-139901100": "北片", "group-139901200": "", "why": "重新划片"})
    assert response.status_code == 302
    assert town_groups(world.county) == {"北片": ["城关镇", "139901100"]}
    event = AuditEvent.objects.get(verb="orgs.town_groups.set", why="重新划片")
    assert event.data == {"changed": {"139901100": ["北部", "北片"], "139901200": ["南部", None]}}
    assert event.region == world.county
    # the balance page follows at once: the county's groups now put 河西乡 in no group
    csv_text = client.get(balance_url(world), {"download": "decomposition-primary-L5", "format": "csv"})
    assert "乡镇分组（自定义）" in csv_text.content.decode("utf-8-sig")
    # nothing changed: nothing written
    client.post(groups_url(world), {"group-139901100": "北片"})
    assert AuditEvent.objects.filter(verb="orgs.town_groups.set").count() == 2  # the set-up's and the change


def test_who_may_see_and_change_the_groups(world: World, towns: Region) -> None:
    observer = client_for(world.observer)
    page = observer.get(groups_url(world)).content.decode()
    assert "北部" in page and "<form" not in page.split('id="town-groups-title"')[1]
    assert observer.post(groups_url(world), {"group-139901100": "X"}).status_code == 403
    assert client_for(world.neighbour_supervisor).get(groups_url(world)).status_code == 404
    assert client_for(world.school_clerk).post(groups_url(world), {"group-139901100": "X"}).status_code == 404
    assert TownGroup.objects.get(town=world.town).name == "北部"
    # a town of another county is ignored; a name too long is refused
    client = client_for(world.county_supervisor)
    client.post(groups_url(world), {"group-139902100": "X", "group-139901100": "长" * 40})
    assert TownGroup.objects.get(town=world.town).name == "北部"


def test_a_schools_town_is_part_of_the_data_version(world: World, towns: Region) -> None:
    run = current_run(world.county, YEAR, STANDARD)
    assert not run.is_stale()
    SchoolYear.objects.filter(school=world.primary, year=YEAR).update(town=towns)  # 第一小学 moves to 河西乡
    assert run.is_stale()


def test_changing_the_groups_re_evaluates_the_stored_run(
    world: World, towns: Region, django_capture_on_commit_callbacks
) -> None:
    run = current_run(world.county, YEAR, STANDARD)
    assert run.inputs["town_groups"] == {"北部": ["城关镇", "139901100"], "南部": ["河西乡", "139901200"]}
    with django_capture_on_commit_callbacks(execute=True):
        set_town_groups(world.county_supervisor, world.county, {"139901200": "北部"})
    assert run.is_stale()  # the groups are part of the data version
    fresh = current_run(world.county, YEAR, STANDARD)
    assert fresh.pk != run.pk and not fresh.is_stale()
    assert fresh.inputs["town_groups"] == {"北部": ["城关镇", "139901100", "河西乡", "139901200"]}
