"""Helpers the rectification pages share: reading form values, showing refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy

from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.errors import Both
from dudao.evaluation.actions import EvaluationError
from dudao.orgs.access import access_county
from dudao.orgs.models import Department, Region, SchoolYear
from dudao.parsing import read_int
from dudao.rectification.actions import RectificationError
from dudao.standards import available_standards, load


def lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def refuse(request: HttpRequest, error: RectificationError | EvaluationError) -> None:
    messages.error(request, error.message_en if lang() == "en" else error.message_zh)


def parse_date(raw: str | None, label_zh: str = "日期", label_en: str = "date") -> dt.date | None:
    """``YYYY-MM-DD`` or empty (None); anything else is refused with a clear message."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RectificationError(
            "bad_date",
            gettext_lazy("%(label_zh)s“%(text)s”的格式应为 YYYY-MM-DD"),
            label_zh=Both(label_zh, label_en),
            text=text,
        ) from None


def parse_int(raw: str | None, label_zh: str, label_en: str, low: int = MIN_YEAR, high: int = MAX_YEAR) -> int:
    """A whole number from a form (``dudao.parsing``), refused as the page's own error (shown, 400)."""
    text = (raw or "").strip()[:40]
    value = read_int(raw)
    if value is None:
        raise RectificationError(
            "bad_number", gettext_lazy("%(label_zh)s“%(text)s”不是整数"), label_zh=Both(label_zh, label_en), text=text
        )
    if not low <= value <= high:
        raise RectificationError(
            "bad_number",
            gettext_lazy("%(label_zh)s %(value)s 超出范围（%(low)s–%(high)s）"),
            label_zh=Both(label_zh, label_en),
            value=value,
            low=low,
            high=high,
        )
    return value


def departments(county: Region) -> list[Department]:
    return list(Department.objects.filter(county=county).order_by("kind", "name"))


def schools(county: Region, year: int) -> list[tuple[str, str]]:
    """(code, name) of the county's open schools in ``year``."""
    rows = SchoolYear.objects.filter(school__county=county, year=year, status=SchoolYear.Status.OPEN)
    return sorted((sy.school.code, sy.name) for sy in rows.select_related("school"))


def indicators() -> list[tuple[str, str]]:
    standard = load(str(settings.DUDAO_DEFAULT_STANDARD))
    return [(i.code, i.name_en if lang() == "en" else i.name_zh) for i in standard.indicators]


Page = Callable[..., HttpResponse]  # page(request, county, status=200)


def page_or_create(
    request: HttpRequest, code: str, page: Page, create: Callable[[Region], tuple[str, HttpResponse]]
) -> HttpResponse:
    """A county list page that also takes its "new" form: GET shows the page (``view``); POST
    (``review``) calls ``create(county)`` → (message, where to go); a refusal shows the page again
    with the message (400), keeping what was typed."""
    county = access_county(request.user, code)
    if request.method != "POST":
        return page(request, county)
    access_county(request.user, code, "review")
    try:
        done, response = create(county)
    except RectificationError as error:
        refuse(request, error)
        return page(request, county, 400)
    messages.success(request, done)
    return response


def standards() -> list[tuple[str, str]]:
    """(id, title) of the standards evaluated from the schools' figures (those with shortfalls)."""
    out = []
    for standard_id in available_standards():
        standard = load(standard_id)
        if any(area.basis == "school_table" for area in standard.areas):
            out.append(
                (standard_id, f"{standard.title_en if lang() == 'en' else standard.title_zh}（{standard.doc_no}）")
            )
    return out
