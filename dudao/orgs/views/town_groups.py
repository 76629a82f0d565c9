"""乡镇分组: a county's own groups of towns (南部, 北部 …), one grouping of the balance page's analysis of
where inequality comes from (issue #14 §5). Everyone who may view the county sees the groups; the
county supervision office (``review``) changes them through ``set_town_groups``. A GET never writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import region_permissions
from dudao.orgs.actions import OrgsError
from dudao.orgs.actions.town_groups import NAME_MAX, county_towns, group_names, set_town_groups
from dudao.orgs.views.common import nav, refused
from dudao.orgs.views.register import county_for


@login_required
def town_groups(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    county = county_for(request, code)
    if request.method == "POST":
        county = county_for(request, code, "review")
        wanted = {key.removeprefix("group-"): value for key, value in request.POST.items() if key.startswith("group-")}
        try:
            set_town_groups(request.user, county, wanted, why=request.POST.get("why", ""))
        except OrgsError as error:
            refused(request, error)
        else:
            messages.success(request, _("乡镇分组已保存。"))
        return redirect("orgs:town_groups", code=county.code)
    names = group_names(county)
    towns = [(t, names.get(t.code, "")) for t in county_towns(county)]
    context = {
        **nav(request, county, "region"),
        "towns": towns,
        "groups": sorted(set(names.values())),
        "can_edit": "review" in region_permissions(request.user, county),
        "name_max": NAME_MAX,
    }
    return render(request, "orgs/town_groups.html", context)
