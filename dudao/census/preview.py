"""An import's preview as tables (``dudao.tables``: shown on the page, downloadable as .xlsx/.csv) and as
text (``dudao import_census --dry-run``): per record what it does, per figure the stored and the new value,
the warnings, the approved records that go back to review, and the schools missing from the file."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from dudao.census.fields import CENSUS_FIELD_BY_KEY
from dudao.census.importing import ImportResult, RecordPlan
from dudao.census.models import CensusRecord
from dudao.census.review import figure
from dudao.engine.fields import LEVEL_ZH
from dudao.engine.problems import Problem
from dudao.tables import Table, columns

SUBMITTED = CensusRecord.Status.SUBMITTED


def status_change(plan: RecordPlan, english: bool = False) -> str:
    """ "已审核 → 已提交（须重新审核）", "新建 → 已提交", ..."""
    Status = CensusRecord.Status
    if english:
        before = plan.status or "new"
        return f"{before} → {SUBMITTED}" + (" (needs approval again)" if plan.back_to_review else "")
    before = str(Status(plan.status).label if plan.status else _("新建"))
    after = Status(SUBMITTED).label
    return f"{before} → {after}" + (_("（须重新审核）") if plan.back_to_review else "")


def level_label(level: str) -> str:
    return str(CensusRecord.Level(level).label)


def records_table(result: ImportResult) -> Table:
    warned: dict[int, int] = {}
    for w in result.warnings:
        if w.row is not None:
            warned[w.row] = warned.get(w.row, 0) + 1
    rows = [
        {"school": c.school_name, "code": c.school_code, "level": level_label(c.level), "row": c.source_row,
         "action": _("新建") if c.action == "create" else _("更新"), "status": status_change(c),
         "fields": len(c.fields), "warnings": warned.get(c.source_row, 0),
         "_row_class": "back-to-review" if c.back_to_review else ""}
        for c in result.changes
    ]  # fmt: skip
    return Table(
        "import-records",
        _("将新建或更新的记录"),
        columns(
            ("school", _("学校")),
            ("code", _("学校标识码")),
            ("level", _("学段")),
            ("row", _("行"), "int"),
            ("action", _("操作")),
            ("status", _("审核状态")),
            ("fields", _("数值项数"), "int"),
            ("warnings", _("提示"), "int"),
        ),
        rows,
        note=_("导入的记录一律成为“已提交”；已审核的记录被修改后须重新审核。"),
    )


def values_table(result: ImportResult) -> Table:
    """Every figure an update changes, stored → new (a created record's figures are the file's)."""
    rows = [
        {"school": c.school_name, "code": c.school_code, "level": level_label(c.level), "row": c.source_row,
         "field": CENSUS_FIELD_BY_KEY[key].label, "old": figure(old), "new": figure(new)}
        for c in result.changes if c.action == "update"
        for key, old, new in c.values()
    ]  # fmt: skip
    return Table(
        "import-values",
        _("将修改的数值（原值 → 新值）"),
        columns(
            ("school", _("学校")),
            ("code", _("学校标识码")),
            ("level", _("学段")),
            ("row", _("行"), "int"),
            ("field", _("项目")),
            ("old", _("原值")),
            ("new", _("新值")),
        ),
        rows,
    )


def problems_table(name: str, title: str, problems: Sequence[Problem], english: bool) -> Table:
    rows = [
        {"sheet": p.sheet or "", "row": p.row, "column": p.column or "", "value": p.value or "",
         "message": p.message_en if english else p.message_zh, "rule": p.rule}
        for p in problems
    ]  # fmt: skip
    return Table(
        name,
        title,
        columns(
            ("sheet", _("工作表")),
            ("row", _("行"), "int"),
            ("column", _("列")),
            ("value", _("值")),
            ("message", _("问题")),
            ("rule", _("规则")),
        ),
        rows,
    )


def absent_table(result: ImportResult) -> Table:
    return Table(
        "import-absent",
        _("文件中缺少以下学校（未报送）"),
        columns(("school", _("学校")), ("code", _("学校标识码")), ("county", _("县代码"))),
        [{"school": a.name, "code": a.code, "county": a.county_code} for a in result.not_submitted],
    )


def preview_tables(result: ImportResult, english: bool) -> list[Table]:
    return [
        records_table(result),
        values_table(result),
        problems_table("import-warnings", _("提示"), result.warnings, english),
        absent_table(result),
    ]


def preview_text(result: ImportResult, lang: str = "zh") -> list[str]:
    """The preview's lines for the terminal: each record, each changed figure (old → new), and the approved
    records that go back to review."""
    zh = lang == "zh"
    lines: list[str] = []
    if result.changes:
        lines.append("将发生的变化：" if zh else "Changes:")
    for c in result.changes:
        level = LEVEL_ZH.get(c.level, c.level) if zh else c.level
        if zh:
            what = "新建" if c.action == "create" else "更新"
            status = ("，已审核 → 已提交（须重新审核）" if c.back_to_review
                      else f"，{CensusRecord.Status(c.status).label} → 已提交" if c.status else "")  # fmt: skip
            lines.append(
                f"  第{c.source_row}行 {c.school_name}（{c.school_code}，{level}）：{what}，{len(c.fields)} 项{status}"
            )
        else:
            status = f", {status_change(c, english=True)}" if c.status else ""
            lines.append(
                f"  row {c.source_row} {c.school_name} ({c.school_code}, {level}): {c.action}, {len(c.fields)} "
                f"value(s){status}"
            )
        if c.action == "update":
            for key, old, new in c.values():
                label = CENSUS_FIELD_BY_KEY[key].label if zh else key
                lines.append(f"    {label}: {figure(old)} → {figure(new)}")
    back = result.back_to_review
    if back:
        lines.append(
            f"已审核的记录将退回重新审核（{len(back)} 条）："
            if zh
            else f"Approved records that go back to review ({len(back)}):"
        )
        lines += [f"  {c.school_name}（{c.school_code}，{LEVEL_ZH.get(c.level, c.level)}）" if zh
                  else f"  {c.school_name} ({c.school_code}, {c.level})" for c in back]  # fmt: skip
    return lines
