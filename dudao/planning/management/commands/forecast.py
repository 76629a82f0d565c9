"""``dudao forecast ENROLMENT.xlsx``: forecast a county's enrolment from files, print or write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from openpyxl import Workbook

from dudao.engine.forecast import SCENARIOS, ForecastSettings, forecast
from dudao.engine.problems import InputError
from dudao.evaluation.management.commands.evaluate import _write_atomic
from dudao.planning import forecast_tables as ft
from dudao.planning.forecast_files import read_inputs
from dudao.sheets.writer import save_workbook


class Command(BaseCommand):
    help = "入学预测：由在校生历史（及出生人口、已知变化）预测各校在校生 / Forecast enrolment from files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="在校生历史 .xlsx 或 .csv（见 docs/forecast-json.md）")
        parser.add_argument("--births", type=Path, help="出生人口 .xlsx/.csv：乡镇（街道）、出生年份、出生人口数")
        parser.add_argument("--changes", type=Path, help="已知变化 .xlsx/.csv（如新建小区）")
        parser.add_argument("--year", type=int, required=True, help="基准学年：用此前（含）的数据预测其后各年")
        parser.add_argument("--horizon", type=int, default=6, help="预测年数（默认 6）")
        parser.add_argument("--scenario", default="medium", choices=SCENARIOS, help="表格和 projected 用的方案")
        parser.add_argument(
            "--method-settings", dest="method_settings", type=Path, help="方法参数 YAML（默认随附的 forecast.yaml）"
        )
        parser.add_argument("--format", default="json", choices=["json", "xlsx"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])
        parser.add_argument("--out", type=Path, help="输出文件（xlsx 必填；json 默认输出到终端）")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override("en" if opts["lang"] == "en" else "zh-hans"):
            self._handle(opts)

    def _handle(self, opts: dict[str, Any]) -> None:
        lang = opts["lang"]
        if opts["format"] == "xlsx" and not opts["out"]:
            raise CommandError("--format xlsx 需要 --out 文件 / --format xlsx needs --out FILE")
        try:
            settings = ForecastSettings.load(opts["method_settings"])
            inputs = read_inputs(opts["file"], opts["births"], opts["changes"])
            result = forecast(inputs, opts["year"], opts["horizon"], opts["scenario"], settings)
        except (OSError, ValueError) as exc:
            if not isinstance(exc, InputError):
                raise CommandError(str(exc)) from exc
            for problem in exc.problems:
                self.stderr.write(problem.text(lang))
            n = len(exc.problems)
            raise CommandError(
                f"{n} 处错误，未输出结果" if lang == "zh" else f"{n} problem(s); nothing written"
            ) from exc
        if opts["format"] == "xlsx":
            workbook = Workbook()
            tables = [
                ft.areas_table(result, opts["scenario"]),
                ft.schools_table(result, opts["scenario"], lang),
                ft.methods_table(result, lang),
            ]
            for i, table in enumerate(tables):
                sheet = workbook.active if i == 0 else workbook.create_sheet()
                assert sheet is not None  # a new workbook has one sheet
                table.write_sheet(sheet)
            save_workbook(workbook, opts["out"])
            self.stdout.write(str(opts["out"]))
            return
        text = result.to_json()
        if opts["out"]:
            _write_atomic(opts["out"], text)
            self.stdout.write(str(opts["out"]))
        else:
            self.stdout.write(text, ending="")
