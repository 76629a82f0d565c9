"""``dudao evaluate FILE``: evaluate a county's school table against a standard, print or write the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.census.plausibility import table_findings
from dudao.engine import InputError, county_result, evaluate_table, parse_item_values
from dudao.evaluation.render import to_text, write_xlsx
from dudao.sheets.checks import read_and_check
from dudao.standards import StandardError, available_provinces, load

SCHOOL_TABLE_STANDARDS = ("national-2017", "basic-2012")


class Command(BaseCommand):
    help = "评估一个县的学校数据表（.xlsx/.csv）/ Evaluate a county's school table against a standard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="学校数据表 .xlsx 或 .csv（见 dudao template）")
        parser.add_argument("--standard", default="national-2017", choices=SCHOOL_TABLE_STANDARDS)
        parser.add_argument("--province", choices=available_provinces(), help="省级配置，如 hebei")
        parser.add_argument("--override", type=Path, help="覆盖未核实默认值的 YAML 文件")
        parser.add_argument("--county", help="文件含多个县时，选择其中一个县的代码")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个可识别的工作表）")
        parser.add_argument(
            "--items", type=Path, help="县级指标取值（政府保障、教育质量、社会认可度、一票否决）的 YAML/JSON 文件"
        )
        parser.add_argument(
            "--groups",
            type=Path,
            help="乡镇分组 YAML（组名: [乡镇名称或代码, ...]，如 南部、北部），用于分析差异来自组间还是组内",
        )
        parser.add_argument("--format", default="text", choices=["text", "json", "xlsx"])
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])
        parser.add_argument("--out", type=Path, help="输出文件（xlsx 必填；text/json 默认输出到终端）")

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        if opts["format"] == "xlsx" and not opts["out"]:
            raise CommandError("--format xlsx 需要 --out 文件 / --format xlsx needs --out FILE")
        try:
            standard = load(opts["standard"], province=opts["province"], override=opts["override"])
            # the rules of every reading of a county's file (the import's), in its words, and the census rule
            # table (impossible figures refuse the file; unusual ones join the warnings)
            table, check = read_and_check(opts["file"], opts["sheet"])
            refused, unusual = table_findings(table)
            check.problems += refused
            check.raise_problems()
            evaluation = evaluate_table(table.frame, standard, table.present)
            items = parse_item_values(standard, _read_items(opts["items"])) if opts["items"] else None
            town_groups = _read_groups(opts["groups"]) if opts["groups"] else None
        except StandardError as exc:
            raise CommandError(str(exc)) from exc
        except InputError as exc:
            self._report_problems(exc, lang)
            raise CommandError(
                f"{len(exc.problems)} 处错误，未输出结果"
                if lang == "zh"
                else f"{len(exc.problems)} problem(s); nothing written"
            ) from exc
        evaluation.warnings[:0] = [*table.warnings, *unusual]
        county = self._pick_county(evaluation.counties(), opts["county"], lang)
        try:
            result = county_result(evaluation, county, items, town_groups)
        except ValueError as exc:  # a town in two groups
            raise CommandError(f"{opts['groups']}: {exc}") from exc

        if opts["format"] == "xlsx":
            write_xlsx(result, opts["out"], lang)
            self.stdout.write(str(opts["out"]))
            return
        text = result.to_json() if opts["format"] == "json" else to_text(result, lang)
        if opts["out"]:
            _write_atomic(opts["out"], text)
            self.stdout.write(str(opts["out"]))
        else:
            self.stdout.write(text, ending="")

    def _report_problems(self, exc: InputError, lang: str) -> None:
        for problem in exc.problems:
            self.stderr.write(problem.text(lang))

    @staticmethod
    def _pick_county(counties: list[str], wanted: str | None, lang: str) -> str:
        if wanted is not None:
            if wanted not in counties:
                raise CommandError(
                    f"文件中没有县代码 {wanted}；有：{', '.join(counties)}"
                    if lang == "zh"
                    else f"no county {wanted} in the file; it has: {', '.join(counties)}"
                )
            return wanted
        if len(counties) > 1:
            raise CommandError(
                f"文件含 {len(counties)} 个县（{', '.join(counties[:10])}），请用 --county 指定"
                if lang == "zh"
                else f"the file holds {len(counties)} counties ({', '.join(counties[:10])}); choose one with --county"
            )
        return counties[0] if counties else ""


def _read_items(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CommandError(f"{path}: 无法读取县级指标文件 / cannot read the items file: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"{path}: 应为“指标代码: 取值”的映射 / expected a mapping of item code to value")
    return {str(k): v for k, v in data.items()}


def _read_groups(path: Path) -> dict[str, list[str]]:
    """The user's groups of towns: group name → list of towns (names or codes, as the file's 乡镇 column)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CommandError(f"{path}: 无法读取乡镇分组文件 / cannot read the groups file: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise CommandError(
            f"{path}: 应为“组名: [乡镇, ...]”的映射 / expected a mapping of group name to a list of towns"
        )
    return {str(k): [str(t) for t in v] for k, v in data.items()}


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CommandError(f"{path}: {exc}") from exc
