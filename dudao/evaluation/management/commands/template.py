"""``dudao template FILE``: write the school-table input template (.xlsx).

``dudao template FILE --county CODE --year Y --prefill`` writes it prefilled with the county's open schools
and their figures (this year's where entered, else last year's), key columns protected; ``--school CODE``
(repeatable) limits it to those schools of the county."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.census.reports import expected_schools
from dudao.census.template import write_census_template
from dudao.orgs.models import Region, School
from dudao.sheets.template import write_template


class Command(BaseCommand):
    help = "生成学校数据填报模板 / Write the school-table input template (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="模板文件路径，如 schools.xlsx")
        parser.add_argument("--prefill", action="store_true", help="按县预填学校和数据（须给出 --county、--year）")
        parser.add_argument("--county", help="县级行政区划代码（--prefill）")
        parser.add_argument("--year", type=int, help="学年，如 2025（--prefill）")
        parser.add_argument("--school", action="append", default=[], help="只含这些学校（学校标识码，可重复）")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if path.suffix.lower() != ".xlsx":
            raise CommandError("模板须为 .xlsx 文件 / the template must be an .xlsx file")
        if not opts["prefill"]:
            if opts["county"] or opts["year"] or opts["school"]:
                raise CommandError("--county、--year、--school 须与 --prefill 一起使用 / use them with --prefill")
            self._write(path, write_template)
            self.stdout.write(str(path))
            return
        if not opts["county"] or not opts["year"]:
            raise CommandError("--prefill 须给出 --county 和 --year / --prefill needs --county and --year")
        county = Region.objects.filter(code=opts["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise CommandError(f"没有县级行政区划代码 {opts['county']} / no county with code {opts['county']}")
        year: int = opts["year"]
        school_years = expected_schools(county, year)
        if opts["school"]:
            unknown = set(opts["school"]) - set(School.objects.filter(county=county).values_list("code", flat=True))
            if unknown:
                codes = ", ".join(sorted(unknown))
                raise CommandError(f"{county.name}没有这些学校：{codes} / not schools of {county.code}: {codes}")
            school_years = [sy for sy in school_years if sy.school.code in opts["school"]]
        rows = self._write(path, lambda target: write_census_template(target, school_years, year))
        self.stdout.write(
            f"{path}\n{county.name} {year}：{len(school_years)} 所学校，{len(rows)} 行"
            f"（本学年数据 {rows.this_year} 所，上学年数据 {rows.last_year} 所，待填写 {rows.empty} 所）\n"
            f"{county.code} {year}: {len(school_years)} schools, {len(rows)} rows ({rows.this_year} with this year's "
            f"figures, {rows.last_year} with last year's, {rows.empty} to fill in)"
        )

    @staticmethod
    def _write(path: Path, write: Any) -> Any:
        try:
            return write(path)
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
