"""The census template prefilled for a unit: its schools (a county: all its open schools; a clerk: theirs),
one row per record, with this year's figures where entered and last year's otherwise
(``dudao.sheets.template.write_prefilled`` writes the workbook). The web page and ``dudao template
--prefill`` both come here, and the file imports back to the figures it was written from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from dudao.census.fields import CENSUS_FIELDS
from dudao.census.models import CensusRecord
from dudao.orgs.models import SchoolYear
from dudao.sheets.template import write_prefilled

__all__ = ["TemplateRows", "template_rows", "write_census_template"]


class TemplateRows(list[dict[str, Any]]):
    """The rows, and how many schools took this year's figures, last year's, or none (a row to fill in)."""

    this_year: int = 0
    last_year: int = 0
    empty: int = 0


def template_rows(school_years: Iterable[SchoolYear], year: int) -> TemplateRows:
    """One row per census record of each school (its figures of ``year``, else of ``year - 1``), with the
    school's identity as of its ``school_years`` entry; a school with neither gets one row to fill in."""
    school_years = list(school_years)
    records: dict[int, dict[int, list[CensusRecord]]] = {}
    query = CensusRecord.objects.filter(school_id__in=[sy.school_id for sy in school_years], year__in=(year - 1, year))
    for r in query.order_by("level"):
        records.setdefault(r.school_id, {}).setdefault(r.year, []).append(r)
    keys = [f.key for f in CENSUS_FIELDS]
    rows = TemplateRows()
    for sy in school_years:
        identity = {
            "county_code": sy.school.county.code, "county_name": sy.school.county.name,
            "school_code": sy.school.code, "school_name": sy.name, "school_type": sy.school_type,
            "location": sy.location or None, "ownership": sy.ownership, "town": sy.town.name if sy.town else None,
        }  # fmt: skip
        by_year = records.get(sy.school_id, {})
        own = by_year.get(year) or by_year.get(year - 1)
        if not own:
            rows.empty += 1
            rows.append(identity)
            continue
        if own[0].year == year:
            rows.this_year += 1
        else:
            rows.last_year += 1
        rows += [{**identity, "level": r.level, **{k: getattr(r, k) for k in keys}} for r in own]
    return rows


def write_census_template(target: Path | str | IO[bytes], school_years: list[SchoolYear], year: int) -> TemplateRows:
    """Write the prefilled template of ``school_years`` for school year ``year`` to ``target``."""
    rows = template_rows(school_years, year)
    note = (
        f"学年：{year}（{year}–{year + 1}学年）。本学年已填报 {rows.this_year} 所，预填上学年数据 {rows.last_year} 所，"
        f"无数据（待填写）{rows.empty} 所。",
        f"School year {year}–{year + 1}. {rows.this_year} school(s) with this year's figures, {rows.last_year} "
        f"with last year's, {rows.empty} without figures (to fill in).",
    )
    write_prefilled(target, rows, [note])
    return rows
