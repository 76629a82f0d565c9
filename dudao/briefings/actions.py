"""Every change to briefings (ADR 0008): a county saves its briefing's masthead and highlights, a city
calls for its counties' briefings of a month by a deadline, a county submits its briefing in answer.
Each takes the actor first, checks permission, writes in a transaction with an audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system, user_of
from dudao.audit.record import record_event
from dudao.briefings.content import BriefingError, briefing_data, issuer_of, next_number, parse_period
from dudao.briefings.document import briefing_docx
from dudao.briefings.models import Briefing, BriefingCall
from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import supervisors
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region

__all__ = ["BriefingError", "Masthead", "call_briefings", "save_briefing", "submit_briefing"]


def _require(actor: Actor, region: Region, perm: str) -> None:
    if not is_system(actor) and perm not in region_permissions(actor, region):
        raise PermissionDenied


@dataclass(frozen=True)
class Masthead:
    """What the county writes in its briefing: 期号, 编印单位, highlights, 报送 and 抄送 lines."""

    number: int
    issuer: str
    highlights: str = ""
    send_to: str = ""
    copy_to: str = ""


def save_briefing(actor: Actor, county: Region, period: str, masthead: Masthead) -> Briefing:
    """Save (create or change) the county's briefing of ``period``; a submitted one can be changed and
    submitted again (the city keeps reading the last submitted document until then)."""
    _require(actor, county, "review")
    parse_period(period)
    if masthead.number < 1 or masthead.number > 9999:
        raise BriefingError("bad_number", gettext_lazy("期号应为 1 到 9999 的整数"))
    if not masthead.issuer.strip():
        raise BriefingError("no_issuer", gettext_lazy("请填写编印单位"))
    with transaction.atomic():
        briefing, created = Briefing.objects.select_for_update().get_or_create(
            county=county, period=period, defaults={"number": masthead.number, "issuer": masthead.issuer}
        )
        briefing.number, briefing.issuer = masthead.number, masthead.issuer.strip()
        briefing.highlights = masthead.highlights.strip()
        briefing.send_to, briefing.copy_to = masthead.send_to.strip(), masthead.copy_to.strip()
        briefing.updated_by = user_of(actor)
        briefing.save()
        record_event(
            actor, "briefing.created" if created else "briefing.saved", target=briefing, region=county,
            data={"period": period, "number": briefing.number},
        )  # fmt: skip
    return briefing


def call_briefings(actor: Actor, city: Region, period: str, deadline: dt.date, note: str = "") -> BriefingCall:
    """A city calls for its counties' briefings of ``period`` by ``deadline``; each county's supervision
    office is notified. One call per city and month."""
    if city.level != Region.Level.CITY:
        raise BriefingError("not_a_city", gettext_lazy("只有市级可以通知各县报送简报"))
    _require(actor, city, "inspect")
    parse_period(period)
    if deadline < timezone.localdate():
        raise BriefingError("deadline_passed", gettext_lazy("报送截止日期不能早于今天"))
    with transaction.atomic():
        if BriefingCall.objects.filter(city=city, period=period).exists():
            raise BriefingError(
                "already_called", gettext_lazy("%(period)s 的简报已经通知报送，无需重复通知"), period=period
            )
        call = BriefingCall.objects.create(
            city=city, period=period, deadline=deadline, note=note.strip(), created_by=user_of(actor)
        )
        counties = list(Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code"))
        record_event(
            actor, "briefing.called", target=call, region=city,
            data={"period": period, "deadline": deadline.isoformat(), "counties": len(counties)},
        )  # fmt: skip
        day = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        for county in counties:
            url = reverse("briefings:county", args=[county.code, period])
            zh = f"{city.name}通知报送 {period} 工作简报，请于 {day} 前报送。"
            en = f"{city.name} calls for the {period} briefing, due by {deadline.isoformat()}."
            notify(supervisors(county), Kind.BRIEFING_CALL, f"briefing-call:{call.pk}", zh, en, url)
    return call


def submit_briefing(actor: Actor, county: Region, period: str) -> Briefing:
    """Submit the county's briefing of ``period`` to its city's call: the .docx is written from the data as it
    is now and kept as submitted. Refused when the city has not called for that month's briefings."""
    _require(actor, county, "review")
    parse_period(period)
    call = BriefingCall.objects.filter(city_id=county.parent_id, period=period).first()
    if call is None:
        raise BriefingError("no_call", gettext_lazy("市级尚未通知报送 %(period)s 的简报，无需报送"), period=period)
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().filter(county=county, period=period).first()
        if briefing is None:
            briefing = Briefing(
                county=county, period=period, number=next_number(county, period), issuer=issuer_of(county)
            )
            data = briefing_data(county, period)
            briefing.send_to, briefing.copy_to = data.send_to, data.copy_to
            briefing.save()
        now = timezone.now()
        briefing.document = briefing_docx(briefing_data(county, period))
        briefing.call, briefing.submitted_at, briefing.submitted_by = call, now, user_of(actor)
        briefing.save()
        late = timezone.localtime(now).date() > call.deadline
        record_event(
            actor, "briefing.submitted", target=briefing, region=county,
            data={"period": period, "call": call.pk, "late": late},
        )  # fmt: skip
    return briefing
