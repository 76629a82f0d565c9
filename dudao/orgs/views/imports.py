"""Bulk set-up pages: the school register and accounts from Excel (template download, dry run, every
problem listed and nothing written, or what was done). The temporary passwords of new accounts are
shown once, on the page answering the import, with a one-time .xlsx of them built into that page."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dudao.engine.problems import InputError
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region
from dudao.orgs.actions import OrgsError
from dudao.orgs.importing import (
    accounts_template as accounts_template_bytes,
)
from dudao.orgs.importing import (
    import_accounts,
    import_register,
)
from dudao.orgs.importing import (
    register_template as register_template_bytes,
)
from dudao.orgs.views.common import nav, parse_year, refused, register_year
from dudao.orgs.views.register import county_for
from dudao.sheets.limits import current_limits
from dudao.tables import XLSX_TYPE, Table, columns


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def register_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county_for(request, code)
    return _xlsx(register_template_bytes(), "school-register-template.xlsx")


@login_required
def accounts_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    access_region(request.user, code, "accounts")
    return _xlsx(accounts_template_bytes(), "accounts-template.xlsx")


@contextmanager
def _uploaded(request: HttpRequest) -> Iterator[Path | None]:
    """The uploaded file on disk under its own name, or None (with a message) when there is none or it
    is too large."""
    file: UploadedFile | None = request.FILES.get("file")
    if file is None:
        messages.error(request, _("请选择要导入的文件"))
        yield None
        return
    limit = current_limits().file_bytes
    if file.size is not None and file.size > limit:
        messages.error(request, _("文件超过 %(mb)s MB，请拆分后分别导入") % {"mb": f"{limit / 1024 / 1024:g}"})
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(file.name or "").name or "upload")
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        yield path


@login_required
def register_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = county_for(request, code, "org")
    year = parse_year(request.POST.get("year") or request.GET.get("year"), register_year(county))
    context: dict[str, object] = {**nav(request, county, "schools"), "year": year}
    if request.method == "POST":
        with _uploaded(request) as path:
            if path is not None:
                context["filename"] = path.name
                try:
                    context["result"] = import_register(
                        path, county, actor=request.user, year=year, dry_run=bool(request.POST.get("dry_run"))
                    )
                except InputError as error:
                    context["problems"] = error.problems
                except OrgsError as error:
                    refused(request, error)
    return render(request, "orgs/register_import.html", context)


def passwords_table(passwords: dict[str, str]) -> Table:
    rows = [{"username": u, "password": p} for u, p in passwords.items()]
    return Table(
        "passwords", _("新账号的临时密码"), columns(("username", _("用户名")), ("password", _("临时密码"))), rows
    )


@login_required
def accounts_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = access_region(request.user, code, "accounts")
    context: dict[str, object] = {**nav(request, region, "accounts")}
    if request.method == "POST":
        with _uploaded(request) as path:
            if path is not None:
                context["filename"] = path.name
                try:
                    result = import_accounts(
                        path, actor=request.user, dry_run=bool(request.POST.get("dry_run")), region=region
                    )
                except InputError as error:
                    context["problems"] = error.problems
                except OrgsError as error:
                    refused(request, error)
                else:
                    context["result"] = result
                    if result.passwords:
                        table = passwords_table(result.passwords)
                        context["passwords"] = table
                        context["passwords_xlsx"] = base64.b64encode(table.to_xlsx()).decode("ascii")
    response = render(request, "orgs/accounts_import.html", context)
    response["Cache-Control"] = "no-store"
    return response
