"""``dudao report --county CODE --year Y --standard S --out DIR``: write the self-evaluation report
(.docx) and its annex tables (.xlsx) from the county's current evaluation run, and, when inputs are
missing, the note (…说明.docx) listing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.evaluation.actions import EvaluationError, current_run
from dudao.orgs.models import Region
from dudao.reports.actions import county_template
from dudao.reports.annex import annex_xlsx
from dudao.reports.content import file_names, note_name, report_data
from dudao.reports.document import TemplateRefused, build_template, note_docx, report_docx
from dudao.reports.findings import gaps
from dudao.standards import StandardError, load


class Command(BaseCommand):
    help = "生成自查自评报告（.docx）及附表（.xlsx） / Write the self-evaluation report and its annex tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", help="县级行政区划代码，如 130135")
        parser.add_argument("--year", type=int, help="学年，如 2025")
        parser.add_argument("--standard", default="national-2017", help="评估标准，如 national-2017")
        parser.add_argument("--out", type=Path, default=Path("."), help="输出目录")
        parser.add_argument("--template", type=Path, help="报告模板 .docx（默认：本县上传的模板，否则默认模板）")
        parser.add_argument("--write-template", type=Path, help="写出默认模板供修改，然后退出")

    def handle(self, *args: object, **options: Any) -> None:
        if options["write_template"]:
            Path(options["write_template"]).write_bytes(build_template())
            self.stdout.write(str(options["write_template"]))
            return
        if not options["county"] or not options["year"]:
            raise CommandError("需要 --county 和 --year / --county and --year are required")
        county = Region.objects.filter(code=options["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise CommandError(f"没有县级单位 {options['county']} / no county {options['county']}")
        try:
            load(str(options["standard"]))
            run = current_run(county, int(options["year"]), str(options["standard"]))
        except StandardError as exc:
            raise CommandError(str(exc)) from None
        except EvaluationError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from None
        template = options["template"]
        if template is not None and not Path(template).is_file():
            raise CommandError(f"找不到模板 {template} / no template {template}")
        data = report_data(run)
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        docx_name, xlsx_name = file_names(data)
        own = county_template(county) if template is None else None
        try:
            if own is not None:  # the county's own template, uploaded on its reports page
                with own.file.open("rb") as f:
                    (out / docx_name).write_bytes(report_docx(data, f))
            else:
                (out / docx_name).write_bytes(report_docx(data, template))
        except TemplateRefused as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from None
        (out / xlsx_name).write_bytes(annex_xlsx(data))
        self.stdout.write(str(out / docx_name))
        self.stdout.write(str(out / xlsx_name))
        missing = gaps(data)
        if missing:  # what was missing goes in a note beside the report, never in it
            note = out / note_name(data)
            note.write_bytes(note_docx(data, missing))
            self.stdout.write(str(note))
            for gap in missing:
                self.stderr.write(f"未齐备 / missing: {gap.text_zh()}")
