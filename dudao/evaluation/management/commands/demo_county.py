"""``dudao demo_county FILE``: write the demo county's school table (and its county items beside it).

The table is 示范县's 2025 census as ``dudao seed_demo`` stores it: the figures of ``demo_county()``
and the county-item figures (classes, largest class, music and art rooms, certified and rotated
teachers) the demo derives from them, which the evaluation of the table does not read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandParser

from dudao.demo.synthetic import demo_county
from dudao.engine.fields import ITEM_FIELDS
from dudao.evaluation.demo import DEMO_ITEMS, school_sizes, stored_items
from dudao.orgs.demo import CURRENT_YEAR, DEMO_SEED, demo_plans
from dudao.sheets.template import write_rows


class Command(BaseCommand):
    help = "生成示范县学校数据表及县级指标文件 / Write the demo county's school table and county items."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="输出 .xlsx，如 var/demo/demo-county.xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        schools = demo_county(DEMO_SEED)
        stored = {plan.code: plan.values[CURRENT_YEAR] for plan in demo_plans() if CURRENT_YEAR in plan.values}
        for f in ITEM_FIELDS:  # None (an empty cell): a room's area where there is no such room
            schools[f.key] = [stored[code].get(f.key) for code in schools["school_code"]]
        write_rows(path, schools)
        # The county items as the database holds them (seed_evaluation_demo, and SR-01 from the demo's
        # survey), so the terminal's report and the website judge the same figures; without a database
        # seeded, the demo's own figures with the school sizes of the table.
        values = stored_items() or {**DEMO_ITEMS, **school_sizes(schools)}
        items = path.with_name(path.stem + "-items.yaml")
        items.write_text(
            "# 示范县县级指标取值（dudao evaluate --items）\n" + yaml.safe_dump(values, allow_unicode=True),
            encoding="utf-8",
        )
        self.stdout.write(f"{path}\n{items}")
