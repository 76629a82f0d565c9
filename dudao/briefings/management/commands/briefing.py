"""``dudao briefing --county CODE --period YYYY-MM --out DIR``: write the county's briefing of the month as
.docx into DIR, with the same figures as the web page (``briefings.content.briefing_data``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.briefings.content import BriefingError, briefing_data, parse_period
from dudao.briefings.document import briefing_docx, file_name
from dudao.orgs.models import Region


class Command(BaseCommand):
    help = "生成县级教育督导工作简报（.docx）/ Write a county's monthly supervision briefing (.docx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="县级行政区划代码，如 130135")
        parser.add_argument("--period", required=True, help="期间（年-月），如 2026-12")
        parser.add_argument("--out", required=True, type=Path, help="输出目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        county = Region.objects.select_related("parent").filter(code=opts["county"], level="county").first()
        if county is None:
            raise CommandError(f"没有行政区划代码为 {opts['county']} 的县 / no county with code {opts['county']}")
        try:
            parse_period(opts["period"])
        except BriefingError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from exc
        data = briefing_data(county, opts["period"])
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        path = out / file_name(data)
        path.write_bytes(briefing_docx(data))
        self.stdout.write(str(path))
