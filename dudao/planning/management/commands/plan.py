"""``dudao plan FILE --costs COSTS.yaml``: the cheapest additions that make a county pass on resources.

Reads the county's school table as ``dudao evaluate`` does (the same bounded reading and checks), the
unit costs (YAML: column key -> 元 per unit) and optional per-school caps (.xlsx/.csv), and writes
the plan as JSON (docs/plan-json.md) or a workbook. Exit status: 0 with a plan, 1 on an input problem
(every problem listed, nothing written), 2 when no plan fits the caps or the budget (the plan, with
``feasible: false`` and the binding constraint, is still written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.census.plausibility import table_findings
from dudao.engine import InputError
from dudao.engine.optimise import greedy_plan, optimise
from dudao.engine.projected import projected_frame
from dudao.evaluation.management.commands.evaluate import SCHOOL_TABLE_STANDARDS, _write_atomic
from dudao.planning.plan_files import plan_workbook, read_caps, read_costs, read_projected
from dudao.sheets.checks import read_and_check
from dudao.sheets.writer import save_workbook
from dudao.standards import StandardError, available_provinces, load


class Command(BaseCommand):
    help = "测算县域资源配置达标的最低成本方案 / The cheapest plan for a county to pass on resources."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="学校数据表 .xlsx 或 .csv（见 dudao template）")
        parser.add_argument("--costs", type=Path, required=True, help="单价 YAML：列名（英文键）: 每单位元数")
        parser.add_argument("--caps", type=Path, help="各校增配上限表 .xlsx/.csv（学校标识码 + 资源列）")
        parser.add_argument("--standard", default="national-2017", choices=SCHOOL_TABLE_STANDARDS)
        parser.add_argument("--province", choices=available_provinces(), help="省级配置，如 hebei")
        parser.add_argument("--override", type=Path, help="覆盖未核实默认值的 YAML 文件")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个可识别的工作表）")
        parser.add_argument("--budget", type=float, help="预算上限（元）")
        parser.add_argument("--target-year", type=int, help="目标年份：按预测在校生数测算（须给出 --projected）")
        parser.add_argument(
            "--projected",
            type=Path,
            help="入学预测 JSON：{学校标识码: {年份: {学段: 人数}}}（与 --target-year 一起用）",
        )
        parser.add_argument("--move-cost", type=float, help="允许教师交流轮岗，每人次费用（元）")
        parser.add_argument("--time-limit", type=float, default=60.0, help="求解时限（秒，默认 60）")
        parser.add_argument("--method", default="optimum", choices=["optimum", "greedy"])
        parser.add_argument("--format", default="json", choices=["json", "xlsx"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])
        parser.add_argument("--out", type=Path, help="输出文件（xlsx 必填；json 默认输出到终端）")

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        if opts["format"] == "xlsx" and not opts["out"]:
            raise CommandError("--format xlsx 需要 --out 文件 / --format xlsx needs --out FILE")
        if (opts["target_year"] is None) != (opts["projected"] is None):
            raise CommandError("--target-year 与 --projected 须一起使用 / use --target-year with --projected")
        for key in ("budget", "move_cost", "time_limit"):
            if opts[key] is not None and not opts[key] >= 0:
                raise CommandError(f"--{key.replace('_', '-')} 应为不小于 0 的数 / must be a number ≥ 0")
        try:
            standard = load(opts["standard"], province=opts["province"], override=opts["override"])
            table, check = read_and_check(opts["file"], opts["sheet"])
            refused, _ = table_findings(table)
            check.problems += refused
            check.raise_problems()
            costs = read_costs(opts["costs"])
            caps = read_caps(opts["caps"]) if opts["caps"] else None
            frame = table.frame
            if opts["projected"]:
                frame, _missing = projected_frame(
                    frame, read_projected(opts["projected"], opts["target_year"]), opts["target_year"]
                )
            if opts["method"] == "greedy":
                plan = greedy_plan(frame, standard, costs, caps, opts["budget"], table.present)
            else:
                plan = optimise(
                    frame, standard, costs, caps, opts["budget"], opts["move_cost"], table.present,
                    time_limit=opts["time_limit"],
                )  # fmt: skip
        except StandardError as exc:
            raise CommandError(str(exc)) from exc
        except InputError as exc:
            for problem in exc.problems:
                self.stderr.write(problem.text(lang))
            raise CommandError(
                f"{len(exc.problems)} 处错误，未输出方案"
                if lang == "zh"
                else f"{len(exc.problems)} problem(s); nothing written"
            ) from exc
        if opts["format"] == "xlsx":
            meta: dict[str, object] = {"标准" if lang == "zh" else "Standard": standard.id}
            if opts["target_year"]:
                meta["目标年份" if lang == "zh" else "Target year"] = opts["target_year"]
            save_workbook(plan_workbook(plan, lang, meta), opts["out"])
            self.stdout.write(str(opts["out"]))
        elif opts["out"]:
            _write_atomic(opts["out"], plan.to_json())
            self.stdout.write(str(opts["out"]))
        else:
            self.stdout.write(plan.to_json(), ending="")
        self._summary(plan, lang)
        if not plan.feasible:
            raise CommandError("没有满足上限或预算的方案 / no plan fits the caps or the budget", returncode=2)

    def _summary(self, plan: Any, lang: str) -> None:
        gap = "—" if plan.optimality_gap is None else f"{plan.optimality_gap:.4%}"
        if lang == "zh":
            self.stderr.write(
                f"状态：{plan.status}；总费用：{plan.total_cost}；最优性差距：{gap}；用时 {plan.seconds:.1f} 秒"
            )
        else:
            self.stderr.write(f"status: {plan.status}; total cost: {plan.total_cost}; gap: {gap}; {plan.seconds:.1f} s")
        for b in plan.binding:
            self.stderr.write(b.message_zh if lang == "zh" else b.message_en)
