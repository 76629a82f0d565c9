"""``dudao seats FILE.xlsx --enrolment ENROLMENT.xlsx --year Y``: seats, class sizes, teachers and projected
compliance of a county from files — its school table (as ``dudao evaluate`` reads it, with ``classrooms`` or
``classes``) and its enrolment history (as ``dudao forecast`` reads it, with births and known changes) —
printed or written as JSON, or as an .xlsx of the 学位预警 and 达标预测 pages' tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from openpyxl import Workbook

from dudao.engine.forecast import SCENARIOS, forecast
from dudao.engine.problems import InputError
from dudao.engine.projected import ProjectedCompliance, projected_compliance
from dudao.engine.seats import Seats, seats
from dudao.evaluation.management.commands.evaluate import SCHOOL_TABLE_STANDARDS, _write_atomic
from dudao.planning.forecast_files import read_inputs
from dudao.planning.seats import as_json, projected_page, seats_page
from dudao.sheets.checks import read_and_check
from dudao.sheets.writer import save_workbook
from dudao.standards import StandardError, available_provinces, load
from dudao.standards.planning import PlanningStandard, load_planning


class Command(BaseCommand):
    help = (
        "学位预警与达标预测：由学校数据表和在校生历史测算学位、班额、教师和逐年达标 / Seats and projected compliance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="学校数据表 .xlsx 或 .csv（见 dudao template；含普通教室数或班级数）"
        )
        parser.add_argument("--enrolment", type=Path, required=True, help="在校生历史 .xlsx/.csv（同 dudao forecast）")
        parser.add_argument("--births", type=Path, help="出生人口 .xlsx/.csv")
        parser.add_argument("--changes", type=Path, help="已知变化 .xlsx/.csv（如新建小区）")
        parser.add_argument("--year", type=int, required=True, help="基准学年（学校数据表的学年）")
        parser.add_argument("--horizon", type=int, default=6, help="预测年数（默认 6）")
        parser.add_argument("--scenario", default="medium", choices=SCENARIOS)
        parser.add_argument("--years", type=int, help="学位预警年限（默认取规划测算标准）")
        parser.add_argument("--standard", default="national-2017", choices=SCHOOL_TABLE_STANDARDS)
        parser.add_argument("--province", choices=available_provinces(), help="省级配置，如 hebei")
        parser.add_argument("--planning", type=Path, help="覆盖规划测算标准（班额、师生比）的 YAML 文件")
        parser.add_argument("--format", default="json", choices=["json", "xlsx"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])
        parser.add_argument("--out", type=Path, help="输出文件（xlsx 必填；json 默认输出到终端）")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override("en" if opts["lang"] == "en" else "zh-hans"):
            self._handle(opts)

    def _handle(self, opts: dict[str, Any]) -> None:
        if opts["format"] == "xlsx" and not opts["out"]:
            raise CommandError("--format xlsx 需要 --out 文件 / --format xlsx needs --out FILE")
        try:
            planning, result, projected = self._compute(opts)
        except (OSError, ValueError) as exc:
            if not isinstance(exc, InputError):
                raise CommandError(str(exc)) from exc
            for problem in exc.problems:
                self.stderr.write(problem.text(opts["lang"]))
            n = len(exc.problems)
            raise CommandError(
                f"{n} 处错误，未输出结果" if opts["lang"] == "zh" else f"{n} problem(s); nothing written"
            ) from exc
        if opts["format"] == "xlsx":
            tables = [*seats_page(result, planning, "first_year").tables, *projected_page(projected).tables]
            workbook = Workbook()
            for i, table in enumerate(tables):
                sheet = workbook.active if i == 0 else workbook.create_sheet()
                assert sheet is not None  # a new workbook has one sheet
                table.write_sheet(sheet)
            save_workbook(workbook, opts["out"])
            self.stdout.write(str(opts["out"]))
            return
        text = json.dumps(as_json(result, projected, planning, opts["scenario"]), ensure_ascii=False, indent=2)
        if opts["out"]:
            _write_atomic(opts["out"], text)
            self.stdout.write(str(opts["out"]))
        else:
            self.stdout.write(text)

    def _compute(self, opts: dict[str, Any]) -> tuple[PlanningStandard, Seats, ProjectedCompliance]:
        try:
            standard = load(opts["standard"], province=opts["province"])
            planning = load_planning(opts["province"], opts["planning"])
        except StandardError as exc:
            raise CommandError(str(exc)) from exc
        table, check = read_and_check(opts["file"])
        check.raise_problems()
        inputs = read_inputs(opts["enrolment"], opts["births"], opts["changes"])
        fc = forecast(inputs, opts["year"], opts["horizon"], opts["scenario"])
        projected = fc.projected_students()
        towns = {u.school_code: u.town for u in fc.schools}
        result = seats(
            table.frame, standard, planning, projected, opts["year"], towns=towns, warning_years=opts["years"]
        )
        compliance = projected_compliance(table.frame, standard, projected, opts["year"], present=table.present)
        return planning, result, compliance
