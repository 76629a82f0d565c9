"""Printable QR sheets of the survey's school links: an A4 sheet per school (one QR code per
school-based group), all schools at once (one per page), and class slips (the school link's QR code
with a class label printed beside it).

The class label is printed only; it is not in the link. An answer brought by a slip is counted for
the school (``?school=CODE``) like any other answer through that school's link, and stays anonymous."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.models import Region, School, SchoolYear
from dudao.surveys import links
from dudao.surveys.models import Survey
from dudao.surveys.questionnaire import GROUPS
from dudao.surveys.views import _survey

SCHOOL_GROUPS = ("parent", "student", "teacher", "principal")  # the groups reached through a school
CLASS_GROUPS = ("parent", "student")  # the groups reached through a class
SHEET_SCALE = 6  # QR module size on an A4 sheet: a 37-module code (plus border) is about 70 mm wide
MAX_CLASSES = 200
MAX_LABEL = 30  # characters of one class label
GRADES = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "高一", "高二", "高三")
MAX_PER_GRADE = 30


def grade_name(grade: int) -> str:
    """一年级 … 九年级, then 高一, 高二, 高三 (grades 10–12)."""
    name = GRADES[grade - 1]
    return name if grade > 9 else f"{name}年级"


def class_labels(first: int, last: int, per_grade: int) -> list[str]:
    """``一年级1班, 一年级2班, …`` for grades ``first``–``last``, ``per_grade`` classes each."""
    return [f"{grade_name(g)}{n}班" for g in range(first, last + 1) for n in range(1, per_grade + 1)]


def open_schools(county: Region, year: int) -> list[SchoolYear]:
    """The county's schools open in ``year``: each school's row for that year or, when it has none,
    its latest row before; ordered by town (schools without a town last), then code."""
    latest: dict[int, SchoolYear] = {}
    rows = SchoolYear.objects.filter(school__county=county, year__lte=year).select_related("school", "town")
    for sy in rows.order_by("year"):
        latest[sy.school_id] = sy
    opened = [sy for sy in latest.values() if sy.status == SchoolYear.Status.OPEN]
    return sorted(opened, key=lambda sy: (sy.town is None, sy.town.code if sy.town else "", sy.school.code))


def _school(survey: Survey, code: str) -> tuple[School, str]:
    """The school of the survey's county with this code (404 otherwise) and its name in the survey's
    year (its latest row up to the year, else its first row; the code when it has none)."""
    school = links.survey_school(survey, code)
    if school is None or school.code != code:
        raise Http404
    return school, links.school_name(survey, school)


@dataclass
class Sheet:
    school: School
    name: str
    codes: list[tuple[str, str, str, str]]  # (group, label, url, inline svg)


def _sheet(request: HttpRequest, survey: Survey, school: School, name: str) -> Sheet:
    codes = []
    for g in SCHOOL_GROUPS:
        url = links.public_url(request, survey, g, school)
        codes.append((g, GROUPS[g], url, links.qr_svg(url, SHEET_SCALE)))
    return Sheet(school, name, codes)


@login_required
def index(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The county's open schools by town, with their sheets, class slips and QR downloads."""
    s = _survey(request, pk)
    towns = [(town, list(rows)) for town, rows in groupby(open_schools(s.county, s.year), key=lambda sy: sy.town)]
    groups = [(g, GROUPS[g]) for g in SCHOOL_GROUPS]
    return render(request, "surveys/sheets.html", {"survey": s, "towns": towns, "groups": groups})


@login_required
def print_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every open school's sheet, one A4 page each."""
    s = _survey(request, pk)
    sheets = [_sheet(request, s, sy.school, sy.name) for sy in open_schools(s.county, s.year)]
    return render(request, "surveys/sheets_all.html", {"survey": s, "sheets": sheets})


@login_required
def school(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """One school's A4 sheet: a large QR code per school-based group."""
    s = _survey(request, pk)
    found, name = _school(s, code)
    return render(request, "surveys/sheets_school.html", {"survey": s, "sheet": _sheet(request, s, found, name)})


def _number(value: str | None, low: int, high: int) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if low <= n <= high else None


def _requested_labels(query: dict[str, str]) -> tuple[list[str], str]:
    """(class labels, error) from the form: the generator's when it was pressed, else the textarea's lines."""
    if "generate" in query:
        first, last = _number(query.get("first"), 1, len(GRADES)), _number(query.get("last"), 1, len(GRADES))
        per = _number(query.get("per_grade"), 1, MAX_PER_GRADE)
        if first is None or last is None or per is None or first > last:
            return [], _("请填写有效的年级范围（1–%(g)s）和每年级班数（1–%(n)s）") % {
                "g": len(GRADES), "n": MAX_PER_GRADE,
            }  # fmt: skip
        labels = class_labels(first, last, per)
    else:
        labels = [line.strip() for line in query.get("labels", "").splitlines() if line.strip()]
    if len(labels) > MAX_CLASSES:
        return labels, _("一次最多打印%(max)s个班级（现有%(n)s个），请分批打印。") % {
            "max": MAX_CLASSES,
            "n": len(labels),
        }
    if any(len(label) > MAX_LABEL for label in labels):
        return labels, _("班级名称不能超过%(n)s个字") % {"n": MAX_LABEL}
    return labels, ""


@login_required
def classes(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """A form (group, class labels or a grade × class generator) and one slip per class."""
    s = _survey(request, pk)
    found, name = _school(s, code)
    query = request.GET.dict()
    group = query.get("group", "")
    if group not in CLASS_GROUPS:
        group = CLASS_GROUPS[0]
    labels, error = _requested_labels(query)
    url = links.public_url(request, s, group, found)
    return render(request, "surveys/sheets_classes.html", {
        "survey": s, "school": found, "name": name, "group": group, "label": GROUPS[group],
        "groups": [(g, GROUPS[g]) for g in CLASS_GROUPS], "text": "\n".join(labels),
        "error": error, "slips": [] if error else labels, "url": url, "svg": links.qr_svg(url),
        "max_classes": MAX_CLASSES, "max_per_grade": MAX_PER_GRADE,
        "grade_choices": [(str(n), grade_name(n)) for n in range(1, len(GRADES) + 1)],
        "form": {"first": query.get("first", "1"), "last": query.get("last", "6"),
                 "per_grade": query.get("per_grade", "4")},
    }, status=400 if error else 200)  # fmt: skip
