"""`dudao plan` as a county office uses it: the school table and unit costs in, the plan out; the plan
added to the file's columns makes `dudao evaluate` pass on resources."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.evaluation.test_evaluate_command import KEYS, ROWS, write_csv

COSTS = "backbone_teachers: 150000\nsports_area_m2: 800\nmultimedia_classrooms: 60000\n"


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def files(tmp_path: Path, costs: str = COSTS) -> tuple[Path, Path]:
    (tmp_path / "costs.yaml").write_text(costs, encoding="utf-8")
    return write_csv(tmp_path / "county.csv", ROWS), tmp_path / "costs.yaml"


def apply_to_csv(path: Path, plan: dict, out: Path) -> Path:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {r["school_code"]: r for r in rows}
    for school in plan["schools"]:
        for key, amount in school["add"].items():
            row = by_code[school["school_code"]]
            row[key] = str(float(row[key]) + amount)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=KEYS)
        writer.writeheader()
        writer.writerows(rows)
    return out


def resources_pass(result: dict) -> bool:
    return result["areas"]["RA"]["passed"] is True


def test_json_plan_makes_evaluate_pass(tmp_path: Path) -> None:
    county, costs = files(tmp_path)
    before = json.loads(run("evaluate", str(county), "--format", "json")[0])
    assert not resources_pass(before)
    out, err = run("plan", str(county), "--costs", str(costs))
    plan = json.loads(out)
    assert list(plan) == ["feasible", "total_cost", "optimality_gap", "binding", "schools"]
    assert plan["feasible"] is True and plan["optimality_gap"] == 0.0
    # 河西小学 (200 pupils) has 1200 m² of sports ground: 6.0 m² against 7.5, below 85 % (6.375 m²,
    # i.e. 1275 m²); it meets the six others, so 75 m² more (800 元 each) = 60 000 元 is enough.
    assert plan["schools"] == [{"school_code": "1002", "add": {"sports_area_m2": 75}, "cost": 60000.0}]
    assert plan["total_cost"] == sum(s["cost"] for s in plan["schools"])
    assert "optimal" in err
    after = json.loads(run("evaluate", str(apply_to_csv(county, plan, tmp_path / "after.csv")), "--format", "json")[0])
    assert resources_pass(after)


def test_budget_too_small_exits_2_naming_the_budget(tmp_path: Path) -> None:
    county, costs = files(tmp_path)
    with pytest.raises(CommandError) as info:
        run(
            "plan",
            str(county),
            "--costs",
            str(costs),
            "--budget",
            "1000",
            "--out",
            str(tmp_path / "p.json"),
            "--lang",
            "en",
        )
    assert info.value.returncode == 2
    plan = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert plan["feasible"] is False and plan["total_cost"] is None
    assert [b["kind"] for b in plan["binding"]] == ["budget"]


def test_caps_sheet_binds(tmp_path: Path) -> None:
    county, costs = files(tmp_path)
    caps = tmp_path / "caps.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学校标识码", "体育运动场馆面积(平方米)"])
    ws.append(["1002", 50])  # 75 m² are needed
    wb.save(caps)
    with pytest.raises(CommandError):
        run("plan", str(county), "--costs", str(costs), "--caps", str(caps), "--out", str(tmp_path / "p.json"))
    plan = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert plan["feasible"] is False
    assert [(b["kind"], b["column"]) for b in plan["binding"]] == [("caps", "sports_area_m2")]


def test_bad_costs_are_listed_in_both_languages(tmp_path: Path) -> None:
    county, costs = files(tmp_path, "students: 5\nsports_area_m2: -1\n")
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("plan", str(county), "--costs", str(costs), stdout=StringIO(), stderr=err)
    assert info.value.returncode == 1
    assert "[bad_cost]" in err.getvalue()
    costs.write_text("students: 5\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("plan", str(county), "--costs", str(costs), "--lang", "en", stdout=StringIO(), stderr=err)
    assert "students" in err.getvalue() and "[unknown_cost_column]" in err.getvalue()
    costs.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("plan", str(county), "--costs", str(costs), stdout=StringIO(), stderr=StringIO())
    costs.write_bytes(b"a: 1\n" * 20_000)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("plan", str(county), "--costs", str(costs), stdout=StringIO(), stderr=err)
    assert "[costs_too_large]" in err.getvalue()


def test_xlsx_plan_has_summary_and_schools(tmp_path: Path) -> None:
    county, costs = files(tmp_path)
    out = tmp_path / "plan.xlsx"
    run("plan", str(county), "--costs", str(costs), "--format", "xlsx", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["方案汇总", "各校增配"]
    summary = {r[0]: r[1] for r in wb["方案汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["是否可行"] == "是" and summary["总费用（元）"] == 60000.0
    rows = list(wb["各校增配"].iter_rows(values_only=True))
    assert rows[0] == ("学校标识码", "学校名称", "体育运动场馆面积(平方米)", "费用（元）")
    assert rows[1][0] == "1002" and rows[1][2] == 75
    assert rows[-1][0] == "合计"


@pytest.mark.libreoffice
def test_xlsx_plan_opens_in_libreoffice(tmp_path: Path) -> None:
    from tests.office import pdf_pages_and_text

    county, costs = files(tmp_path)
    out = tmp_path / "plan.xlsx"
    run("plan", str(county), "--costs", str(costs), "--format", "xlsx", "--out", str(out))
    pages, text = pdf_pages_and_text(tmp_path, "plan.xlsx", out.read_bytes())
    assert pages >= 1 and "60000" in text and "1002" in text


def test_target_year_plans_for_the_projection(tmp_path: Path) -> None:
    # 河西小学 grows from 200 to 210 pupils by 2030 with today's resources: 2 backbone teachers give
    # 0.952 per 100 (< 1, ≥ 85 %) and 1200 m² of sports ground 5.71 m² (< 85 % of 7.5 = 6.375 m²).
    county, costs = files(tmp_path)
    projected = tmp_path / "projected.json"
    projected.write_text(json.dumps({"1002": {"2030": {"primary": 210}}, "1001": {"2029": {"primary": 1}}}))
    out, _ = run("plan", str(county), "--costs", str(costs), "--target-year", "2030", "--projected", str(projected))
    plan = json.loads(out)
    # Sports must reach 6.375 · 210 = 1338.75 m² (138.75 m² × 800 = 111 000 元) and one of the two be
    # met: a backbone teacher (150 000) or sports to 7.5 · 210 = 1575 m² (236.25 m² more, 189 000): the teacher.
    assert plan["schools"] == [
        {"school_code": "1002", "add": {"backbone_teachers": 1, "sports_area_m2": 138.75}, "cost": 261000.0}
    ]
    assert '"backbone_teachers": 1,' in out
    with pytest.raises(CommandError):
        run("plan", str(county), "--costs", str(costs), "--target-year", "2030")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("plan", str(county), "--costs", str(costs), "--target-year", "2031", "--projected",
                     str(projected), stdout=StringIO(), stderr=err)  # fmt: skip
    assert "[no_projection_for_year]" in err.getvalue()


def test_default_costs_are_documented_data(tmp_path: Path) -> None:
    from dudao.engine.fields import FIELD_BY_KEY
    from dudao.planning.plan_files import default_costs, parse_costs

    costs, move = default_costs()
    assert set(costs) == {
        "teachers_above_qualification", "backbone_teachers", "pe_art_teachers", "teaching_aux_area_m2",
        "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms",
    }  # fmt: skip
    assert all(c.key in FIELD_BY_KEY and c.value > 0 and c.confirmation == "memory" for c in costs.values())
    assert {c.owner for c in costs.values()} == {"finance", "staffing", "education"} and move.value > 0
    # they make a costs file the command reads
    text = "\n".join(f"{k}: {c.value:g}" for k, c in costs.items())
    assert parse_costs(text) == {k: c.value for k, c in costs.items()}
