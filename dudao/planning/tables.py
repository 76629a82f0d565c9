"""The tables of the births page (``dudao.tables.Table``: shown and downloadable alike) and the templates to
fill in for the births and grade history imports."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from dudao.orgs.models import Region
from dudao.planning.importing import BIRTHS_COLUMNS, COUNTY_WIDE, HISTORY_COLUMNS, FilePlan, school_names
from dudao.planning.inputs import open_schools
from dudao.planning.models import Births, GradeHistory, KnownChange
from dudao.sheets.writer import workbook_bytes
from dudao.tables import Column, Table, columns

__all__ = ["births_table", "changes_table", "history_table", "plan_table", "school_choices", "template_bytes"]


def school_choices(county: Region, year: int) -> list[tuple[str, str]]:
    """(code, name) of the county's ordinary schools open in ``year``, by name."""
    return sorted(((sy.school.code, sy.name) for sy in open_schools(county, year).values()), key=lambda c: c[1])


def births_table(county: Region) -> Table:
    """Births per town (rows) and calendar year (columns), with the county's total."""
    figures: dict[str, dict[int, int]] = defaultdict(dict)
    order: dict[str, str] = {}
    for town, code, year, births in Births.objects.filter(county=county).values_list(
        "town__name", "town__code", "year", "births"
    ):
        name = town or COUNTY_WIDE
        figures[name][year] = births
        order[name] = code or ""
    years = sorted({y for by_year in figures.values() for y in by_year})
    rows: list[dict[str, object]] = [
        {"town": name, **{f"y{y}": figures[name].get(y) for y in years}}
        for name in sorted(figures, key=lambda n: order[n])
    ]
    if len(rows) > 1 and COUNTY_WIDE not in figures:
        rows.append({"town": _("合计"), **{f"y{y}": sum(f.get(y, 0) for f in figures.values()) for y in years},
                     "_row_class": "total"})  # fmt: skip
    cols = [Column("town", _("乡镇（街道）")), *(Column(f"y{y}", str(y), "int") for y in years)]
    return Table("births", _("各乡镇（街道）出生人口（人）"), cols, rows, key="town")


def changes_table(county: Region, editable: bool) -> Table:
    """The county's known changes, each linked to its form for whoever may change them."""
    rows = []
    names = school_names(county)
    for change in (
        KnownChange.objects.filter(county=county).select_related("town", "school").order_by("from_year", "pk")
    ):
        school = change.school.code if change.school else ""
        row: dict[str, object] = {
            "name": change.name, "town": change.town.name if change.town else "",
            "school": names.get(school, school), "level": change.get_level_display(),
            "from_year": change.from_year, "pupils": change.pupils, "note": change.note,
        }  # fmt: skip
        if editable:
            row["_href"] = {"name": reverse("planning:change_edit", args=[county.code, change.pk])}
        rows.append(row)
    cols = columns(
        ("name", _("名称")), ("town", _("乡镇（街道）")), ("school", _("学校")), ("level", _("学段")),
        ("from_year", _("起始学年"), "int"), ("pupils", _("每年新增入学人数"), "int"), ("note", _("说明")),
    )  # fmt: skip
    return Table("changes", _("已知变化（新建住宅小区等）"), cols, rows, key="name")


def history_table(county: Region) -> Table:
    """The grade history held: per school year, schools and pupils of each grade."""
    by_year: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    schools: dict[int, set[int]] = defaultdict(set)
    for school_id, year, grade, students in GradeHistory.objects.filter(county=county).values_list(
        "school_id", "year", "grade", "students"
    ):
        by_year[year][grade] += students
        schools[year].add(school_id)
    rows = [
        {"year": year, "schools": len(schools[year]), **{f"g{g}": by_year[year].get(g) for g in range(1, 10)}}
        for year in sorted(by_year)
    ]
    grade_names = [_("一年级"), _("二年级"), _("三年级"), _("四年级"), _("五年级"), _("六年级"), _("七年级"),
                   _("八年级"), _("九年级")]  # fmt: skip
    cols = [
        Column("year", _("学年"), "int"),
        Column("schools", _("学校数"), "int"),
        *(Column(f"g{g}", name, "int") for g, name in enumerate(grade_names, start=1)),
    ]
    return Table("grade-history", _("分年级在校生历史数据（全县合计，人）"), cols, rows, key="year")


def plan_table(plan: FilePlan) -> Table:
    """What an import would change (created and updated figures)."""
    actions = {"create": _("新增"), "update": _("修改")}
    history = plan.kind == "history"
    rows = [
        {"unit": r.label, "year": r.year, "grade": r.grade if history else None, "old": r.old, "new": r.value,
         "action": actions[r.action]}
        for r in plan.changes()
    ]  # fmt: skip
    cols = [
        Column("unit", _("学校") if history else _("乡镇（街道）")),
        Column("year", _("学年") if history else _("出生年份"), "int"),
        *([Column("grade", _("年级"), "int")] if history else []),
        Column("old", _("原数值"), "int"),
        Column("new", _("新数值"), "int"),
        Column("action", _("操作")),
    ]
    return Table("import-plan", _("将要写入的数据"), cols, rows, key="unit")


def template_bytes(county: Region, kind: str, year: int) -> bytes:
    """The file to fill in: the headers the import reads, with the county's stored figures (births: every
    town, its stored years; history: every ordinary school open in ``year`` and its stored years)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    specs = BIRTHS_COLUMNS if kind == "births" else HISTORY_COLUMNS
    sheet.title = _("出生人口") if kind == "births" else _("分年级在校生")
    sheet.append([s.zh for s in specs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F6")
    for row in _template_rows(county, kind, year):
        sheet.append(row)
    for i, spec in enumerate(specs):
        sheet.column_dimensions[chr(ord("A") + i)].width = max(10, len(spec.zh) * 2 + 2)
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


def _template_rows(county: Region, kind: str, year: int) -> list[list[object]]:
    if kind == "births":
        stored = Births.objects.filter(county=county).select_related("town").order_by("town__code", "year")
        rows: list[list[object]] = [
            [b.town.name if b.town else COUNTY_WIDE, b.year, b.births, b.source] for b in stored
        ]
        if not rows:  # the towns to fill in, the year before
            towns = Region.objects.filter(parent=county, level=Region.Level.TOWN).order_by("code")
            rows = [[t.name, year - 1, None, ""] for t in towns]
        return rows
    grades: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    sources: dict[tuple[str, int], str] = {}
    query = GradeHistory.objects.filter(county=county).values_list(
        "school__code", "year", "grade", "students", "source"
    )
    for code, y, grade, students, source in query:
        grades[(code, y)][grade] = students
        sources[(code, y)] = source
    names = dict(school_choices(county, year))
    keys = sorted(grades) or [(code, year - 1) for code in names]
    return [
        [
            code,
            names.get(code, ""),
            y,
            *(grades.get((code, y), {}).get(g) for g in range(1, 10)),
            sources.get((code, y), ""),
        ]
        for code, y in keys
    ]
