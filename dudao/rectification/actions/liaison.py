"""Leaders' liaison schools (领导包联), their visits and the practical matters done for schools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.audit.record import record_event
from dudao.evidence import save_with_file
from dudao.orgs.models import Region, School
from dudao.rectification.actions.common import (
    RectificationError,
    _require,
    check_county,
    check_files,
    check_text,
    today,
)
from dudao.rectification.models import (
    Leader,
    LiaisonEvidence,
    LiaisonSchool,
    PracticalMatter,
    Visit,
)


def add_leader(actor: Actor, county: Region, name: str, post: str) -> Leader:
    _require(actor, county, "review")
    check_county(county)
    name, post = check_text(name, "姓名", "the name", 32), check_text(post, "职务", "the post", 64)
    try:
        with transaction.atomic():
            return Leader.objects.create(county=county, name=name, post=post)
    except IntegrityError:
        raise RectificationError("duplicate", gettext_lazy("已有县领导“%(name)s”"), name=name) from None


def _leader_school(county: Region, school: School | str) -> School:
    unit = school if isinstance(school, School) else School.objects.filter(code=str(school).strip()).first()
    if unit is None or unit.county_id != county.pk:
        raise RectificationError(
            "unknown_school",
            gettext_lazy("%(county_name)s没有学校“%(school)s”"),
            county_name=county.name,
            school=school,
        )
    return unit


def link_school(actor: Actor, leader: Leader, school: School | str, since: dt.date | None = None) -> LiaisonSchool:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _leader_school(county, school)
    link, _ = LiaisonSchool.objects.get_or_create(leader=leader, school=unit, defaults={"since": since or today()})
    return link


def _linked(leader: Leader, school: School | str) -> School:
    county = Region.objects.get(pk=leader.county_id)
    unit = _leader_school(county, school)
    if not LiaisonSchool.objects.filter(leader=leader, school=unit).exists():
        raise RectificationError(
            "not_linked", gettext_lazy("%(leader_name)s未挂钩联系该学校，请先建立挂钩关系"), leader_name=leader.name
        )
    return unit


def record_visit(actor: Actor, leader: Leader, school: School | str, on: dt.date | None, note: str) -> Visit:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _linked(leader, school)
    if on is None or on > today():
        raise RectificationError("bad_date", gettext_lazy("走访日期须为今天或以前的日期"))
    note = check_text(note, "走访情况", "what the visit found", 2000)
    return Visit.objects.create(leader=leader, school=unit, on=on, note=note, created_by=user_of(actor))


def add_matter(actor: Actor, leader: Leader, school: School | str, year: int, title: str) -> PracticalMatter:
    county = Region.objects.get(pk=leader.county_id)
    _require(actor, county, "review")
    unit = _linked(leader, school)
    title = check_text(title, "实事内容", "the matter", 200)
    return PracticalMatter.objects.create(leader=leader, school=unit, year=year, title=title, created_by=user_of(actor))


def complete_matter(actor: Actor, matter: PracticalMatter, done_on: dt.date | None = None) -> PracticalMatter:
    county = Region.objects.get(pk=matter.leader.county_id)
    _require(actor, county, "review")
    done_on = done_on or today()
    if done_on > today():
        raise RectificationError("bad_date", gettext_lazy("办结日期不能晚于今天"))
    matter.status, matter.done_on = PracticalMatter.Status.DONE, done_on
    matter.save(update_fields=["status", "done_on"])
    return matter


def attach_liaison_files(actor: Actor, owner: Visit | PracticalMatter, files: Sequence[File]) -> list[LiaisonEvidence]:
    """Store evidence files (photos, minutes, acceptance papers) on a leader's visit or a practical
    matter, for the county's supervision office. Every file passes the evidence checks
    (``dudao.evidence.files``) before anything is stored: one bad file refuses them all."""
    county = Region.objects.get(pk=owner.leader.county_id)
    _require(actor, county, "review")
    if not files:
        raise RectificationError("no_files", gettext_lazy("请选择要上传的文件"))
    checked = check_files(files)
    field = "visit" if isinstance(owner, Visit) else "matter"
    stored = []
    with transaction.atomic():
        for f, c in checked:
            doc = LiaisonEvidence(**{field: owner})
            doc.describe(c, user_of(actor))
            save_with_file(doc, f, c)
            stored.append(doc)
        record_event(
            actor, f"liaison.{field}_evidence", target=owner, region=county,
            data={"school": owner.school_id, "files": [c.name for _, c in checked]},
        )  # fmt: skip
    return stored
