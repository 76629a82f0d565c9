"""Every change in reports: the county's own report template (uploaded by its supervision office,
checked and made safe, kept; the latest is used for the report), and on-site sampling (an inspector's
draw of schools, a finding at a sampled school made a rectification item)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.evaluation.actions import current_run
from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.rectification import actions as rectification
from dudao.rectification.models import RectificationItem
from dudao.reports import sampling
from dudao.reports.document import TemplateRefused, check_template, safe_template
from dudao.reports.models import Finding, ReportTemplate, SampledSchool, SamplingDraw


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
