"""``dudao planning_files --county CODE --year YEAR --out DIR``: a county's stored planning inputs as the
files ``dudao forecast``, ``dudao seats`` and ``dudao plan`` read — its enrolment history by school, year,
level and grade (the census and the grade history), its births per town, its known changes, and the
documented default unit costs (all unconfirmed) — so a planner can work on them offline or in a script
(``make demo`` does it for 示范县). Reading needs nothing but the database; nothing is written to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from openpyxl import Workbook

from dudao.engine.fields import FIELD_BY_KEY, GRADE_FIELDS
from dudao.orgs.models import Region
from dudao.planning.importing import COUNTY_WIDE
from dudao.planning.inputs import forecast_inputs
from dudao.planning.plan_files import default_costs
from dudao.sheets.writer import save_workbook

LEVEL_ZH = {"primary": "小学", "junior": "初中"}


def _write(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    save_workbook(wb, path)  # inert: a cell that looks like a formula stays text


def enrolment_rows(enrolment: pd.DataFrame) -> list[list[Any]]:
    """One row per school, year and level: its grades (empty where not given) and its total."""
    rows: dict[tuple[str, int, str], dict[str, Any]] = {}
    for r in enrolment.to_dict("records"):
        key = (str(r["school_code"]), int(r["year"]), str(r["level"]))
        row = rows.setdefault(key, {"name": r["school_name"], "town": r["town"], "grades": {}, "total": 0})
        if int(r["grade"]):
            row["grades"][int(r["grade"])] = int(r["students"])
        row["total"] += int(r["students"])
    return [
        [code, row["name"], row["town"], year, LEVEL_ZH[level],
         *[row["grades"].get(g) for g in range(1, 10)], row["total"]]
        for (code, year, level), row in sorted(rows.items())
    ]  # fmt: skip


class Command(BaseCommand):
    help = "导出县的规划测算数据（在校生历史、出生人口、已知变化、默认单价）/ a county's planning inputs as files"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="县级行政区划代码")
        parser.add_argument("--year", type=int, required=True, help="基准学年：此前（含）的在校生数据")
        parser.add_argument("--out", type=Path, required=True, help="输出目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        county = Region.objects.filter(code=opts["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise CommandError(f"没有县级行政区划代码为 {opts['county']} 的县 / no county {opts['county']}")
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        inputs = forecast_inputs(county, opts["year"])
        grades = [FIELD_BY_KEY[key].zh for key in GRADE_FIELDS]
        paths = {kind: out / f"{county.code}-{kind}.xlsx" for kind in ("enrolment", "births", "changes")}
        _write(paths["enrolment"], ["学校标识码", "学校名称", "乡镇（街道）", "学年", "学段", *grades, "在校生数"],
               enrolment_rows(inputs.enrolment))  # fmt: skip
        births = [
            [r["town"] or COUNTY_WIDE, int(r["year"]), int(r["births"])] for r in inputs.births.to_dict("records")
        ]
        _write(paths["births"], ["乡镇（街道）", "出生年份", "出生人口数"], births)
        _write(paths["changes"], ["名称", "乡镇（街道）", "学校标识码", "学段", "起始年份", "每年新增入学人数"],
               [[r["name"], r["town"], r["school_code"], LEVEL_ZH[str(r["level"])], int(r["from_year"]),
                 int(r["pupils"])] for r in inputs.changes.to_dict("records")])  # fmt: skip
        costs, _move = default_costs()
        costs_path = out / f"{county.code}-costs.yaml"
        costs_path.write_text(
            "# 单价（元/单位）：默认值均未经核实（[M]），请按本县实际修改（dudao plan --costs）\n"
            + yaml.safe_dump({key: c.value for key, c in costs.items()}, allow_unicode=True),
            encoding="utf-8",
        )
        self.stdout.write("\n".join(str(p) for p in [*paths.values(), costs_path]))
