"""The county's own report template: uploaded by its supervision office, checked and made safe, kept
(the latest is used for the report; earlier ones are kept too)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile

from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.reports.document import TemplateRefused, check_template, safe_template
from dudao.reports.models import ReportTemplate


def county_template(county: Region) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(county=county).order_by("-uploaded_at", "-pk").first()


def upload_template(user: User | AnonymousUser | None, county: Region, uploaded_file: File) -> ReportTemplate:
    """Store the county's template; refused (``TemplateRefused``) unless a .docx within the upload bounds,
    without macros or fetching fields, with the report's styles. What is stored holds no external
    relationship nor attached template (removed if the upload had any)."""
    if user is not None and "review" not in region_permissions(user, county):
        raise PermissionDenied
    try:
        checked = check_upload(uploaded_file)
    except UploadRefused as refused:
        raise TemplateRefused(refused.code, refused.message_zh, refused.message_en) from None
    if checked.ext != "docx":
        raise TemplateRefused("not_docx", "模板应为Word文档（.docx）", "the template must be a .docx file")
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
    template.describe(checked, user)
    save_with_file(template, stored, checked)
    return template
