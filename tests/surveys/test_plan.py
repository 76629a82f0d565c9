"""The sample plan as a county uses it: the tier table instead of the 1.5 ‰ rule, quotas divided by
town (resident population) and by school stage, school links counted in the school's town, the
full-cell boundary, and reviewers' exclusions giving a place back."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dudao.orgs.models import Region, SchoolYear
from dudao.surveys import actions
from dudao.surveys.models import QuotaCount, Response, Survey
from tests.personas import World, client_for
from tests.surveys.helpers import answers, post, url

OLD = time.time() - 300  # a form opened five minutes ago: not "too fast"


@pytest.fixture
def towns(world: World) -> tuple[Region, Region]:
    """Two towns: 城关镇 with 300 000 residents, 河口乡 with 100 000; the first primary school in 城关镇."""
    world.town.resident_population = 300_000
    world.town.save()
    second = Region.objects.create(code="139901200", name="河口乡", level="town", parent=world.county,
                                   resident_population=100_000)  # fmt: skip
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    SchoolYear.objects.filter(school=world.junior).update(town=second)
    return world.town, second


def configure(world: World, survey: Survey, **values: object) -> Survey:
    return actions.update_config(world.county_supervisor, survey, values, None)


def cell_quotas(survey: Survey) -> dict[tuple[str, str, str], int]:
    return {(g, t, st): n for g, t, st, n in actions.plan_of(survey)["cells"]}


def test_default_rule_comes_from_the_standard(survey: Survey) -> None:
    # 300 000 residents × 1.5 ‰ = 450 < 600: 600, parents 300, the other six groups 50 each.
    assert actions.quotas(survey) == {"parent": 300, "student": 50, "teacher": 50, "principal": 50,
                                      "deputy": 50, "member": 50, "public": 50}  # fmt: skip
    assert survey.setting("per_mille") == 1.5 and survey.setting("minimum") == 600


def test_tier_table_gives_its_row_and_refuses_groups_outside_it(world: World, survey: Survey) -> None:
    configure(world, survey, sample_rule="tiers")
    # 300 000 residents: the 200 000–400 000 row: 15 NPC/CPPCC (8 + 7), 15 heads, 60 teachers, 210 parents.
    assert actions.quotas(survey) == {"parent": 210, "student": 0, "teacher": 60, "principal": 15,
                                      "deputy": 8, "member": 7, "public": 0}  # fmt: skip
    refused = post(Client(), survey, answers(survey, "student", started=OLD), "student")
    assert refused.status_code == 409 and "不含这一类" in refused.content.decode()
    assert post(Client(), survey, answers(survey, "teacher", started=OLD), "teacher").status_code == 200
    assert Response.objects.count() == 1


def test_tier_boundaries(world: World, survey: Survey) -> None:
    configure(world, survey, sample_rule="tiers")
    for population, parents in [(199_999, 140), (200_000, 210), (999_999, 630), (1_000_000, 700), (9_000_000, 700)]:
        actions.update_config(world.county_supervisor, survey, {}, population)
        assert actions.quotas(survey)["parent"] == parents, population


def test_quotas_divided_by_town_population(world: World, survey: Survey, towns: tuple[Region, Region]) -> None:
    big, small = towns
    configure(world, survey, split_by=["town"])
    cells = cell_quotas(survey)
    # Parents 300 over 3 : 1 → 225 + 75; students 50 → 37.5 / 12.5 → 38 (the earlier town on a tie) + 12.
    assert cells[("parent", big.code, "")] == 225 and cells[("parent", small.code, "")] == 75
    assert cells[("student", big.code, "")] == 38 and cells[("student", small.code, "")] == 12
    assert cells[("deputy", "", "")] == 50  # NPC deputies are county-wide: not divided
    assert sum(cells.values()) == 600


def test_open_link_asks_for_the_town_and_counts_there(world: World, survey: Survey, towns: tuple[Region, Region]
                                                      ) -> None:  # fmt: skip
    _big, small = towns
    configure(world, survey, split_by=["town"])
    page = Client().get(url(survey)).content.decode()
    assert 'name="town"' in page and "河口乡" in page
    missing = post(Client(), survey, answers(survey, started=OLD))
    assert missing.status_code == 400 and 'id="f-town" aria-invalid="true"' in missing.content.decode()
    forged = post(Client(), survey, answers(survey, started=OLD, town="999999999"))
    assert forged.status_code == 400
    assert post(Client(), survey, answers(survey, started=OLD, town=small.code)).status_code == 200
    stored = Response.objects.get()
    assert (stored.town, stored.school) == (small.code, None)
    assert QuotaCount.objects.get(survey=survey, group="parent", town=small.code).count == 1
    # NPC deputies are not asked for a town.
    assert 'name="town"' not in Client().get(url(survey, "deputy")).content.decode()


def test_school_link_counts_in_the_school_town(world: World, survey: Survey, towns: tuple[Region, Region]) -> None:
    big, _small = towns
    configure(world, survey, split_by=["town"])
    page = Client().get(url(survey) + f"?school={world.primary.code}").content.decode()
    assert "示范县第一小学" in page and 'name="town"' not in page
    assert f'name="school" value="{world.primary.code}"' in page
    assert post(Client(), survey, answers(survey, started=OLD, school=world.primary.code)).status_code == 200
    stored = Response.objects.get()
    assert (stored.school, stored.town) == (world.primary, big.code)
    # A school of another county is no school of this survey: refused, nothing written.
    assert Client().get(url(survey) + f"?school={world.other_school.code}").status_code == 404
    assert post(Client(), survey, answers(survey, started=OLD, school=world.other_school.code)).status_code == 400
    assert Response.objects.count() == 1


def test_full_cell_refuses_at_its_quota_while_other_cells_accept(world: World, survey: Survey,
                                                                 towns: tuple[Region, Region]) -> None:  # fmt: skip
    big, small = towns
    configure(world, survey, split_by=["town", "stage"], minimum=14, per_mille=0.01)
    cells = cell_quotas(survey)
    # 14: 7 parents → 城关镇 5 (小学 3, 初中 2), 河口乡 2 (小学 1, 初中 1).
    assert cells[("parent", small.code, "小学")] == 1 and cells[("parent", big.code, "小学")] == 3
    assert post(Client(), survey, answers(survey, started=OLD, town=small.code, stage="小学")).status_code == 200
    full = post(Client(), survey, answers(survey, started=OLD, town=small.code, stage="小学"))
    assert full.status_code == 409 and "已满" in full.content.decode()
    assert post(Client(), survey, answers(survey, started=OLD, town=small.code, stage="初中")).status_code == 200
    assert post(Client(), survey, answers(survey, started=OLD, town=big.code, stage="小学")).status_code == 200
    assert Response.objects.count() == 3
    # The progress page shows the cells.
    client = client_for(world.county_supervisor)
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "分乡镇、学段样本进度" in page and "河口乡" in page


def test_exclusion_gives_the_place_back(world: World, survey: Survey) -> None:
    configure(world, survey, minimum=14, per_mille=0.01)  # one teacher
    assert post(Client(), survey, answers(survey, "teacher", started=OLD), "teacher").status_code == 200
    assert post(Client(), survey, answers(survey, "teacher", started=OLD), "teacher").status_code == 409
    actions.review(world.county_supervisor, Response.objects.get(), Response.Review.EXCLUDED, "重复作答")
    assert not QuotaCount.objects.filter(survey=survey, group="teacher", count__gt=0).exists()
    assert post(Client(), survey, answers(survey, "teacher", started=OLD), "teacher").status_code == 200
    assert Response.objects.count() == 2


def test_stage_division_needs_the_stage_item(world: World, survey: Survey) -> None:
    configure(world, survey, split_by=["stage"])
    items = [i for i in actions.current_questionnaire(survey, "parent").items if i["code"] != "stage"]
    with pytest.raises(actions.SurveyError) as refused:
        actions.edit_questionnaire(world.county_supervisor, survey, "parent", items, "")
    assert refused.value.status == 400 and "stage" in refused.value.message
    # Without the division the same edit is fine.
    configure(world, survey, split_by=[])
    actions.edit_questionnaire(world.county_supervisor, survey, "parent", items, "")


def test_settings_page_saves_rule_and_divisions(world: World, survey: Survey, towns: tuple[Region, Region]) -> None:
    client = client_for(world.county_supervisor)
    form = {"sample_rule": "tiers", "split_by": ["town"], "full_policy": "stop", "recognition_answers": ["满意"],
            "recognition_items": "overall", "why": "按学前教育分档表抽样"}  # fmt: skip
    assert client.post(f"/surveys/{survey.pk}/settings/", form).status_code == 302
    survey.refresh_from_db()
    assert survey.setting("sample_rule") == "tiers" and survey.setting("split_by") == ["town"]
    assert ("parent", towns[0].code, "") in cell_quotas(survey)
    bad = client.post(f"/surveys/{survey.pk}/settings/", {**form, "split_by": ["school"]}, follow=True)
    assert "样本分配方式无效" in bad.content.decode()
    survey.refresh_from_db()
    assert survey.setting("split_by") == ["town"]


def test_a_survey_saved_before_plans_gets_its_plan_on_first_use(world: World, survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(plan={}, population=1_000_000)  # as migration 0002 left it
    assert post(Client(), survey, answers(survey, started=OLD)).status_code == 200
    survey.refresh_from_db()
    assert survey.plan["groups"]["parent"] == 750  # 1 500 from the stored population, not the minimum
    assert QuotaCount.objects.get(survey=survey, group="parent").count == 1
