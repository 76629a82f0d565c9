"""City view (市级) and province view: every county side by side, sortable, ranked, with drill-down;
and the endpoint that evaluates one county (a form post, or JSON). "Evaluate all" queues one background
job (``dudao.jobs``), whose progress the page shows.

The page reads each county's latest stored run (``summary`` only) and never evaluates on GET.
Rows, ranking and tables come from :mod:`dudao.overview.regions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.actors import person
from dudao.evaluation import actions
from dudao.evaluation.actions import EvaluationError
from dudao.evaluation.render import level_label
from dudao.jobs.actions import updating
from dudao.orgs.access import access_nation, access_region, region_permissions
from dudao.orgs.models import Region
from dudao.overview import regions
from dudao.overview.cockpit import evaluable_standard, evaluable_standards
from dudao.overview.regions import CountyRow, Links
from dudao.overview.views.county import valid_year
from dudao.parsing import local_path
from dudao.standards import Standard
from dudao.tables import Table, download

# A province with more counties than this shows its two county tables one city at a time (a phone
# cannot use 200 rows × 40 columns); the city table, the ranking and the downloads keep every county.
REGION_ROWS = 40

# The tables' element ids (stable: the browser tests and the JSON endpoint use them).
IDS = {
    "counties": "county-table", "cvs": "cv-table", "ranking": "ranking-table", "cities": "city-table",
    "provinces": "province-table",
}  # fmt: skip


@dataclass
class Header:
    label: str
    css: str
    key: str
    aria_sort: str  # "ascending" | "descending" | ""
    href: str  # the page sorted by this column (the other direction when already sorted by it)


@dataclass
class ShownCell:
    text: str
    css: str
    href: str
    sort: str
    flag: str
    row_header: bool


@dataclass
class ShownRow:
    county: str
    css: str
    cells: list[ShownCell]


@dataclass
class Shown:
    """A :class:`dudao.tables.Table` as the page draws it: sort links in the headers, a sort value
    per cell for sort.js, a row header per row."""

    table: Table
    html_id: str
    headers: list[Header]
    rows: list[ShownRow]
    sortable: bool

    @property
    def rows_html(self) -> SafeString:
        return rows_html(self.rows)


def rows_html(rows: list[ShownRow]) -> SafeString:
    """The table's body rows, escaped as the template engine would (``overview/region_rows.html``).
    Built here and not by template tags: a province of 200 counties has three such tables, about
    15,000 cells, and drawing them node by node was most of the province view's time
    (docs/benchmarks.md, "Scale")."""
    out = []
    for row in rows:
        parts = [f'<tr data-county="{escape(row.county)}"', f' class="{escape(row.css)}"' if row.css else "", ">"]
        for cell in row.cells:
            parts.append('<th scope="row"' if cell.row_header else "<td")
            if cell.css:
                parts.append(f' class="{escape(cell.css)}"')
            parts.append(f' data-sort="{escape(cell.sort)}">')
            parts.append(f'<a href="{escape(cell.href)}">{escape(cell.text)}</a>' if cell.href else escape(cell.text))
            if cell.flag:
                parts.append(f' <span class="flag">{escape(cell.flag)}</span>')
            parts.append("</th>" if cell.row_header else "</td>")
        parts.append("</tr>\n")
        out.append("".join(parts))
    return mark_safe("".join(out))  # every value above is escaped


def _sort_value(value: Any) -> str:
    return "" if value is None else str(value)


def shown(
    table: Table, html_id: str, request: HttpRequest | None = None, sort: tuple[str, bool] | None = None
) -> Shown:
    """``request`` given: the headers are sort links keeping the other query parameters."""
    headers = []
    for col, css in table.header_css():
        aria, href = "", ""
        if request is not None:
            query = request.GET.copy()
            for name in ("download", "format"):
                query.pop(name, None)
            descending = False
            if sort is not None and sort[0] == col.key:
                aria = "descending" if sort[1] else "ascending"
                descending = not sort[1]
            query["sort"] = f"-{col.key}" if descending else col.key
            href = f"?{query.urlencode()}"
        headers.append(Header(str(col.label), css, col.key, aria, href))
    row_header = next((c.key for c in table.columns if c.key in ("county", "city", "province")), None)
    rows = []
    for (css, cells), raw in zip(table.body(), table.rows, strict=True):
        sorts, flags = raw.get("_sort", {}), raw.get("_flag", {})
        rows.append(
            ShownRow(
                county=raw.get("_id", ""),
                css=css,
                cells=[
                    ShownCell(cell.text, cell.css, cell.href, _sort_value(sorts.get(col.key)), flags.get(col.key, ""),
                              col.key == row_header)
                    for cell, col in zip(cells, table.columns, strict=True)
                ],
            )
        )  # fmt: skip
    return Shown(table, html_id, headers, rows, request is not None)


def _links(year: int, standard_id: str) -> Links:
    def county(region: Region) -> str:
        try:
            return reverse("overview:county", args=[region.code, year, standard_id])
        except NoReverseMatch:  # the cockpit is not registered
            return ""

    def city(region: Region) -> str:
        return reverse("overview:region", args=[region.code, year, standard_id])

    return Links(county, city)


def _address(request: HttpRequest, code: str, year: int, standard_id: str) -> tuple[Region, Standard]:
    place = access_region(request.user, code)
    standard = evaluable_standard(standard_id)
    if not valid_year(year) or standard is None:
        raise Http404
    return place, standard


def _names(place: Region, year: int) -> dict[str, str]:
    stem = f"{place.code}-{year}"
    return {key: f"{key}-{stem}" for key in IDS}


def _chosen(request: HttpRequest, options: list[regions.Criterion]) -> list[regions.Criterion]:
    by_key = {c.key: c for c in options}
    keys = request.GET.getlist("rank")
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise ValueError(unknown[0])
    return [by_key[k] for k in dict.fromkeys(keys)] or [c for c in options if c.default]


@login_required
def region(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    place, standard = _address(request, code, year, standard_id)
    if place.level == Region.Level.COUNTY:
        try:
            return redirect("overview:county", code=code, year=year, standard_id=standard_id)
        except NoReverseMatch:
            raise Http404 from None
    if place.level not in (Region.Level.CITY, Region.Level.PROVINCE):
        raise Http404
    province = place.level == Region.Level.PROVINCE
    rows = regions.county_rows(regions.counties_of(place), year, standard_id)
    links, names = _links(year, standard_id), _names(place, year)
    try:  # a download holds every county
        by_city, listed = _by_city(request, rows) if province and "download" not in request.GET else ([], rows)
    except ValueError as exc:
        return HttpResponseBadRequest(_("无法识别的参数：%(value)s") % {"value": exc.args[0]})
    counties = regions.county_table(listed, standard, links, names["counties"], province)
    cvs = regions.cv_table(listed, standard, links, names["cvs"], province)
    options = regions.criteria(standard)
    try:
        sort = regions.parse_sort(request.GET.get("sort", ""), [counties, cvs])
        chosen = _chosen(request, options)
    except ValueError as exc:
        return HttpResponseBadRequest(_("无法识别的参数：%(value)s") % {"value": exc.args[0]})
    if sort is not None:
        first, second = (counties, cvs) if any(c.key == sort[0] for c in counties.columns) else (cvs, counties)
        first.rows = regions.sort_rows(first.rows, *sort)
        regions.reorder(second, [r["_id"] for r in first.rows])
    rule = regions.tier_rule()
    ranked = regions.rank_counties(rows, chosen, rule)
    ranking = regions.ranking_table(ranked, chosen, links, names["ranking"], province)
    cities = regions.city_table(regions.city_totals(rows), links, names["cities"]) if province else None
    if (response := download(request, [counties, cvs, ranking, cities])) is not None:
        return response
    try:
        ranking_pages = _paged(request, ranking)
    except ValueError as exc:
        return HttpResponseBadRequest(_("无法识别的参数：%(value)s") % {"value": exc.args[0]})
    offer = _offer(request, rows, [counties, cvs], year, standard_id)
    return render(request, "overview/region.html", {
        "place": place, "year": year, "standard": standard, "standard_id": standard_id, "province": province,
        "counts": regions.summary_counts(rows),
        "county_table": shown(counties, IDS["counties"], request, sort),
        "cv_table": shown(cvs, IDS["cvs"], request, sort),
        "ranking_table": shown(ranking, IDS["ranking"]),
        "city_table": shown(cities, IDS["cities"]) if cities else None, "by_city": by_city,
        "ranking_pages": ranking_pages,
        "option_groups": _option_groups(options, chosen), "sort": request.GET.get("sort", ""),
        "tier": rule.describe(sum(1 for e in ranked if e.rank is not None)),
        **offer,
        "may_report": "inspect" in region_permissions(request.user, place),
        "standards": evaluable_standards(), "years": regions.years_of(place, year),
        **_trail(request, place, year, standard_id),
    })  # fmt: skip


@login_required
def nation(request: HttpRequest, year: int, standard_id: str) -> HttpResponse:
    """The national view: one row per province the user may see (``access_nation``), added up in the
    database from the stored per-county rows (runs with their out-of-date flag, census readiness);
    a few queries whatever the number of counties, nothing evaluated or counted per school."""
    provinces = access_nation(request.user)
    standard = evaluable_standard(standard_id)
    if not valid_year(year) or standard is None:
        raise Http404
    totals = regions.province_totals(provinces, year, standard_id)
    every = _links(year, standard_id)
    viewable = {p.pk for p in provinces if "view" in region_permissions(request.user, p)}
    links = Links(every.county, lambda p: every.city(p) if p.pk in viewable else "")
    table = regions.nation_table(totals, links, f"provinces-{year}")
    if (response := download(request, [table])) is not None:
        return response
    counts = {
        "provinces": len(totals), "counties": sum(t.counties for t in totals),
        "evaluated": sum(t.evaluated for t in totals), "passed": sum(t.passed for t in totals),
        "stale": sum(t.outdated for t in totals), "not_evaluated": sum(t.not_evaluated for t in totals),
    }  # fmt: skip
    return render(request, "overview/nation.html", {
        "year": year, "standard": standard, "standard_id": standard_id, "counts": counts,
        "table": shown(table, IDS["provinces"]), "standards": evaluable_standards(),
        "years": regions.years_of(None, year),
    })  # fmt: skip


@dataclass
class CityChoice:
    city: Region
    counties: int
    href: str
    current: bool


def _by_city(request: HttpRequest, rows: list[CountyRow]) -> tuple[list[CityChoice], list[CountyRow]]:
    """More than ``REGION_ROWS`` counties: the choice of cities and the rows of one city (``?city=<code>``,
    the first city by default) for the two county tables; ([], rows) when every county is shown."""
    if len(rows) <= REGION_ROWS:
        return [], rows
    cities: dict[str, tuple[Region, list[CountyRow]]] = {}
    for row in rows:
        city = row.county.parent
        if city is not None:
            cities.setdefault(city.code, (city, []))[1].append(row)
    code = request.GET.get("city") or next(iter(cities), "")
    if code not in cities:
        raise ValueError(code)
    choices = []
    for city_code, (city, members) in cities.items():
        query = request.GET.copy()
        query["city"] = city_code
        choices.append(CityChoice(city, len(members), f"?{query.urlencode()}#counties", city_code == code))
    return choices, cities[code][1]


def _paged(request: HttpRequest, table: Table) -> list[tuple[str, str, bool]]:
    """More than ``REGION_ROWS`` rows: keep one page of them in ``table`` (``?ranking_page=<n>``, the
    first by default) and return the pages as (label, href, current); [] when every row is shown."""
    if len(table.rows) <= REGION_ROWS:
        return []
    count = math.ceil(len(table.rows) / REGION_ROWS)
    text = request.GET.get("ranking_page") or "1"
    if not text.isdigit() or not 1 <= int(text) <= count:
        raise ValueError(text)
    page = int(text)
    pages = []
    for n in range(1, count + 1):
        query = request.GET.copy()
        query["ranking_page"] = str(n)
        first, last = (n - 1) * REGION_ROWS + 1, min(n * REGION_ROWS, len(table.rows))
        pages.append((f"{first}–{last}", f"?{query.urlencode()}#ranking", n == page))
    table.rows = table.rows[(page - 1) * REGION_ROWS : page * REGION_ROWS]
    return pages


def _option_groups(
    options: list[regions.Criterion], chosen: list[regions.Criterion]
) -> list[tuple[str, list[tuple[regions.Criterion, bool]]]]:
    groups: dict[str, list[tuple[regions.Criterion, bool]]] = {}
    for c in options:
        group = level_label(c.level) if c.level else _("学校")
        groups.setdefault(group, []).append((c, c in chosen))
    return list(groups.items())


def _offer(
    request: HttpRequest, rows: list[CountyRow], tables: list[Table], year: int, standard_id: str
) -> dict[str, Any]:
    """Results follow the data by themselves (ADR 0020); a county's supervision office may evaluate its own
    counties from here too (one background job for all of them), inspectors see how many are waiting.
    Counties a job is updating keep their stored result, marked 更新中, and are not offered again."""
    busy = updating([r.county.pk for r in rows], year, standard_id)
    for table in tables:
        _mark_updating(table, {r.county.code for r in rows if r.county.pk in busy})
    waiting = [r for r in rows if r.needs_evaluation()]
    to_evaluate = [
        (r, regions.status_text(r.status))
        for r in waiting
        if r.county.pk not in busy and "review" in region_permissions(request.user, r.county)
    ]
    jobs = list({job.pk: job for job in busy.values()}.values())
    return {"to_evaluate": to_evaluate, "waiting": len(waiting), "jobs": jobs, "updating": len(busy)}


def _mark_updating(table: Table, codes: set[str]) -> None:
    """The stored result stays on the page; its status says a job is updating it (更新中)."""
    for row in table.rows:
        if row.get("_id") in codes:
            row["status"] = _("%(status)s · 更新中") % {"status": row["status"]}
            row["_class"]["status"] = "warn"


def _trail(request: HttpRequest, place: Region, year: int, standard_id: str) -> dict[str, Any]:
    """The place's ancestors (``parents``) and, from a province the user may view or below it, the
    national view (``nation_url``), which holds every province the user may view."""
    parents = _parents(request, place, year, standard_id)
    viewed_province = place.level == Region.Level.PROVINCE or bool(parents and parents[0][1])
    nation_url = reverse("overview:nation", args=[year, standard_id]) if viewed_province else ""
    return {"parents": parents, "nation_url": nation_url}


def _parents(request: HttpRequest, place: Region, year: int, standard_id: str) -> list[tuple[Region, str]]:
    """The place's ancestors, top first, linked when the user may view them (``access_region`` has
    loaded the parent; a province has none)."""
    out: list[tuple[Region, str]] = []
    node = place.parent
    while node is not None:
        url = ""
        if "view" in region_permissions(request.user, node):
            url = reverse("overview:region", args=[node.code, year, standard_id])
        out.insert(0, (node, url))
        node = node.parent if node.parent_id else None
    return out


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, county: Region, year: int, standard_id: str) -> HttpResponse:
    target = local_path(request, request.POST.get("next"))
    if target:
        return redirect(target)
    if county.parent is not None:
        return redirect("overview:region", code=county.parent.code, year=year, standard_id=standard_id)
    return redirect("home")  # pragma: no cover - a county always has a city


def _row_html(request: HttpRequest, row: CountyRow, standard: Standard, year: int, with_city: bool) -> dict[str, str]:
    """The county's rows of the page's two county tables, drawn as on the page."""
    links, names = _links(year, standard.id), _names(row.county, year)
    tables = {
        IDS["counties"]: regions.county_table([row], standard, links, names["counties"], with_city),
        IDS["cvs"]: regions.cv_table([row], standard, links, names["cvs"], with_city),
    }
    return {
        html_id: render_to_string("overview/region_rows.html", {"t": shown(table, html_id)}, request).strip()
        for html_id, table in tables.items()
    }


@login_required
@require_POST
def evaluate(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """Evaluate one county's data as it is now, as the user (its supervision office: ``review``; an
    inspector or observer may not). JSON when asked for (the new summary and the county's table rows,
    or the error in both languages); a redirect back with a message for a plain form post."""
    county = access_region(request.user, code, "review")
    standard = evaluable_standard(standard_id)
    if county.level != Region.Level.COUNTY or not valid_year(year) or standard is None:
        raise Http404
    previous = actions.latest_run(county, year, standard_id)
    try:
        run = actions.evaluate_county(
            person(request.user), county, year, standard_id, province=previous.province if previous else None
        )
    except EvaluationError as error:
        english = (get_language() or "").startswith("en")
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "county": county.code, "name": county.name, "code": error.code,
                 "error": error.text("en" if english else "zh"), "message_zh": error.message_zh,
                 "message_en": error.message_en},
                status=400,
            )  # fmt: skip
        messages.error(request, f"{county.name}：{error.text('en' if english else 'zh')}")
        return _back(request, county, year, standard_id)
    if _wants_json(request):
        (row,) = regions.county_rows([county], year, standard_id)
        with_city = request.POST.get("layout") == "province"
        return JsonResponse({
            "ok": True, "county": county.code, "name": county.name, "run": run.pk, "passed": run.passed,
            "status": row.status, "summary": run.summary,
            "rows": _row_html(request, row, standard, year, with_city),
        })  # fmt: skip
    messages.success(request, _("%(county)s 已重新评估") % {"county": county.name})
    return _back(request, county, year, standard_id)
