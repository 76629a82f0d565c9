"""The county's own report template: uploaded by its supervision office, checked, kept (the latest is
used for the report; earlier ones stay as uploaded)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files import File

from dudao.evidence import UploadRefused, check_upload, save_with_file
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.reports.document import TemplateRefused, check_template
from dudao.reports.models import ReportTemplate


def county_template(county: Region) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(county=county).order_by("-uploaded_at", "-pk").first()


def upload_template(user: User | AnonymousUser | None, county: Region, uploaded_file: File) -> ReportTemplate:
    """Store the county's template; refused (``TemplateRefused``) unless a .docx with the report's styles."""
    if user is not None and "review" not in region_permissions(user, county):
        raise PermissionDenied
    try:
        checked = check_upload(uploaded_file)
    except UploadRefused as refused:
        raise TemplateRefused(refused.code, refused.message_zh, refused.message_en) from None
    if checked.ext != "docx":
        raise TemplateRefused("not_docx", "模板应为Word文档（.docx）", "the template must be a .docx file")
    uploaded_file.seek(0)
    check_template(uploaded_file.read())
    uploaded_file.seek(0)
    template = ReportTemplate(county=county)
    template.describe(checked, user)
    save_with_file(template, uploaded_file, checked)
    return template
