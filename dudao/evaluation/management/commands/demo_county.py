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
from dudao.orgs.demo import CURRENT_YEAR, DEMO_SEED, demo_plans
from dudao.sheets.template import write_rows

# The demo county's own figures for the county-level items (政府保障、教育质量、社会认可度、一票否决):
# most are met, a few are not, as in a county preparing for its inspection.
DEMO_ITEMS: dict[str, Any] = {
    "GG-01": True, "GG-02": True, "GG-03a": True, "GG-03b": 98, "GG-03c": 92, "GG-05a": 48, "GG-05b": 50, "GG-06": True,
    "GG-07": 6500, "GG-08a": 1.02, "GG-08b": True, "GG-09": 0.97,
    "GG-10": True, "GG-11a": 0.123, "GG-11b": 0.21, "GG-12": 1.0, "GG-13a": 1.0, "GG-13b": 0.962, "GG-14": 0.55,
    "GG-15a": True, "GG-15b": 0.91,
    "EQ-01": 0.973, "EQ-02": 0.961, "EQ-03": True, "EQ-04": 0.052, "EQ-05": True, "EQ-06": True, "EQ-07": True,
    "EQ-08": True, "EQ-09a": "Ⅲ", "EQ-09b": 0.128,
    "SR-01": 0.893,
    "VETO-01": False, "VETO-02": False, "VETO-03": False, "VETO-04": False, "VETO-06": False, "VETO-07": False,
    "VETO-08": False,
}  # fmt: skip


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
        # School sizes come from the table itself, so the county items agree with it.
        single = schools[schools["school_type"].isin(["primary", "junior"])]
        whole = schools[schools["school_type"].isin(["nine_year", "twelve_year"])]
        sizes = {"GG-04a": int(single["students"].max())}
        if len(whole):
            sizes["GG-04b"] = int((whole["students_primary"] + whole["students_junior"]).max())
        items = path.with_name(path.stem + "-items.yaml")
        items.write_text(
            "# 示范县县级指标取值（dudao evaluate --items）\n"
            + yaml.safe_dump({**DEMO_ITEMS, **sizes}, allow_unicode=True),
            encoding="utf-8",
        )
        self.stdout.write(f"{path}\n{items}")
