"""Every change in reports: the county's own report template (uploaded by its supervision office,
checked and made safe, kept; the latest is used for the report), the report's 文号 and 落款 and its
主要做法与成效 texts (each change an audit event), and on-site sampling (an inspector's draw of schools, a
finding at a sampled school made a rectification item)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.errors import ActionError
from dudao.evaluation.actions import current_run
from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.parsing import read_int
from dudao.rectification import actions as rectification
from dudao.rectification.models import RectificationItem
from dudao.reports import sampling
from dudao.reports.document import TemplateRefused, check_template, safe_template
from dudao.reports.models import (
    Finding,
    PracticeText,
    ReportHeading,
    ReportTemplate,
    SampledSchool,
    SamplingDraw,
)


def county_template(county: Region) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(county=county).order_by("-uploaded_at", "-pk").first()


def upload_template(actor: Actor, county: Region, uploaded_file: File) -> ReportTemplate:
    """Store the county's template; refused (``TemplateRefused``) unless a .docx within the upload bounds,
    without macros or fetching fields, with the report's styles. What is stored holds no external
    relationship nor attached template (removed if the upload had any)."""
    if not is_system(actor) and "review" not in region_permissions(actor, county):
        raise PermissionDenied
    try:
        checked = check_upload(uploaded_file)
    except UploadRefused as refused:
        raise TemplateRefused(refused.code, refused.message, **refused.params) from None
    if checked.ext != "docx":
        raise TemplateRefused("not_docx", gettext_lazy("模板应为Word文档（.docx）"))
    uploaded_file.seek(0)
    content = uploaded_file.read()
    cleaned = safe_template(content, checked.name)  # no external relationship or attached template is kept
    check_template(cleaned)
    stored: File = uploaded_file
    if cleaned != content:
        stored = ContentFile(cleaned, name=checked.name)
        checked = replace(checked, size=len(cleaned), sha256=hashlib.sha256(cleaned).hexdigest())
    else:
        uploaded_file.seek(0)
    template = ReportTemplate(county=county)
    template.describe(checked, user_of(actor))
    save_with_file(template, stored, checked)
    return template


def create_draw(
    actor: Actor,
    county: Region,
    year: int,
    standard_id: str,
    per_stratum: Any,
    seed: Any = None,
    failing_weight: Any = 1,
) -> SamplingDraw:
    if not is_system(actor) and not sampling.may_draw(actor, county):
        raise PermissionDenied
    n, s, w = sampling.check_parameters(per_stratum, seed, failing_weight)
    run = current_run(county, year, standard_id)  # EvaluationError when there is nothing to draw from
    drawn, strata = sampling.draw_schools(run.result_obj.schools, n, s, w)
    with transaction.atomic():
        draw = SamplingDraw.objects.create(
            county=county, year=year, standard_id=standard_id, run=run, seed=s, per_stratum=n, failing_weight=w,
            strata=strata, created_by=user_of(actor),
        )  # fmt: skip
        SampledSchool.objects.bulk_create(
            SampledSchool(draw=draw, order=i, school_code=x.school_code, school_name=x.school_name,
                          level=x.level, location=x.location or "", passed=x.passed)
            for i, x in enumerate(drawn, start=1)
        )  # fmt: skip
    return draw


def record_finding(
    actor: Actor,
    sampled: SampledSchool,
    text: str,
    target: str,
    department: Any,
    deadline: dt.date | None,
    indicator: str = "",
    observed: Any = None,
) -> Finding:
    """An inspector's finding at a sampled school, made a rectification item (督导检查发现) through
    the rectification app's own action (its checks and permissions: ``inspect``)."""
    draw = sampled.draw
    try:
        value = float(observed) if observed not in (None, "") else None
    except (TypeError, ValueError):
        raise sampling.SamplingError("bad_number", gettext_lazy("核实值应为数字")) from None
    with transaction.atomic():
        item = rectification.add_item(
            actor, draw.county, RectificationItem.Source.INSPECTION, target, department, deadline,
            finding=text, year=draw.year, school=sampled.school_code, indicators=[indicator] if indicator else [],
        )  # fmt: skip
        if draw.standard_id and not item.standard_id:
            RectificationItem.objects.filter(pk=item.pk).update(standard_id=draw.standard_id)
        return Finding.objects.create(
            sampled=sampled, indicator=indicator, text=item.finding, observed=value, item=item,
            created_by=user_of(actor),
        )  # fmt: skip


class ReportError(ActionError, ValueError):
    """A refused change to a report's 文号, 落款 or 主要做法与成效 texts (docs/adr/0026)."""


def _may_write(actor: Actor, county: Region) -> None:
    """The county's supervision office writes its report (as it uploads the template)."""
    if not is_system(actor) and "review" not in region_permissions(actor, county):
        raise PermissionDenied


def _text(raw: object, limit: int, label: Promise, required: bool = False) -> str:
    text = str(raw or "").strip()
    if required and not text:
        raise ReportError("required", gettext_lazy("请填写%(label)s"), label=label)
    if len(text) > limit:
        raise ReportError("too_long", gettext_lazy("%(label)s最多%(limit)s字"), label=label, limit=limit)
    return text


def _date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.date) or raw is None:
        return raw
    text = str(raw).strip()
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise ReportError("bad_date", gettext_lazy("成文日期“%(text)s”的格式应为 YYYY-MM-DD"), text=text[:20]) from None


def save_heading(
    actor: Actor, county: Region, year: int, standard_id: str, doc_no: object, issuer: object, issued_on: object
) -> ReportHeading:
    """The report's 文号 and 落款 (unit, date) for ``year`` and ``standard_id``; empty fields take the
    defaults (no 文号 line; 「县名」人民政府; the day the report is generated)."""
    _may_write(actor, county)
    values = {
        "doc_no": _text(doc_no, 64, gettext_lazy("文号")),
        "issuer": _text(issuer, 100, gettext_lazy("落款单位")),
        "issued_on": _date(issued_on),
    }
    with transaction.atomic():
        heading, _created = ReportHeading.objects.select_for_update().get_or_create(
            county=county, year=year, standard_id=standard_id
        )
        old = {"doc_no": heading.doc_no, "issuer": heading.issuer, "issued_on": heading.issued_on}
        changed = {k: [str(old[k] or ""), str(v or "")] for k, v in values.items() if old[k] != v}
        for key, value in values.items():
            setattr(heading, key, value)
        heading.updated_by = user_of(actor)
        heading.save()
        if changed:
            record_event(actor, "reports.heading.save", target=heading, region=county,
                         data={"year": year, "standard": standard_id, "changed": changed})  # fmt: skip
    return heading


def save_practice(
    actor: Actor, county: Region, year: int, title: object, body: object, order: object = None,
    text: PracticeText | None = None,
) -> PracticeText:  # fmt: skip
    """Add a part of 主要做法与成效 for ``year`` (``text`` None) or change one; ``order`` places it."""
    _may_write(actor, county)
    if text is not None and (text.county_id != county.pk or text.year != year):
        raise PermissionDenied
    clean_title = _text(title, 100, gettext_lazy("小标题"), required=True)
    clean_body = _text(body, 5000, gettext_lazy("正文"), required=True)
    with transaction.atomic():
        place = read_int(order, 1, 99)
        if place is None:
            if text is not None:
                place = text.order
            else:
                last = PracticeText.objects.filter(county=county, year=year).aggregate(last=Max("order"))["last"]
                place = min((last or 0) + 1, 99)
        verb = "reports.practice.add" if text is None else "reports.practice.change"
        text = text or PracticeText(county=county, year=year)
        old = {"title": text.title, "order": text.order} if text.pk else {}
        text.title, text.body, text.order, text.updated_by = clean_title, clean_body, place, user_of(actor)
        text.save()
        record_event(actor, verb, target=text, region=county,
                     data={"year": year, "old": old, "title": clean_title, "order": place,
                           "characters": len(clean_body)})  # fmt: skip
    return text


def delete_practice(actor: Actor, text: PracticeText) -> None:
    """Remove a part of 主要做法与成效; the audit trail keeps its title and length."""
    _may_write(actor, text.county)
    with transaction.atomic():
        record_event(actor, "reports.practice.delete", target=text, region=text.county,
                     data={"year": text.year, "title": text.title, "characters": len(text.body)})  # fmt: skip
        text.delete()
