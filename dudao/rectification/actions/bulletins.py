"""The supervision bulletin (督导通报) of a period, as .docx."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.orgs.models import Region
from dudao.rectification.actions.common import (
    RectificationError,
    _require,
    check_county,
    today,
)
from dudao.rectification.models import (
    Bulletin,
)


def issue_bulletin(actor: Actor, county: Region, start: dt.date | None, end: dt.date | None) -> Bulletin:
    """Generate the bulletin (督导通报) of the period as .docx and keep it with the next number of
    the year; it names the units with overdue tasks on the period's last day."""
    from django.core.files.base import ContentFile

    from dudao.rectification.bulletin import bulletin_docx, bulletin_report

    _require(actor, county, "review")
    check_county(county)
    if start is None or end is None:
        raise RectificationError("required", gettext_lazy("请填写通报的起止日期"))
    if start > end:
        raise RectificationError("bad_period", gettext_lazy("起始日期晚于截止日期"))
    if end > today():
        raise RectificationError("bad_period", gettext_lazy("截止日期不能晚于今天"))
    with transaction.atomic():
        number = (Bulletin.objects.filter(county=county, year=end.year).aggregate(n=Max("number"))["n"] or 0) + 1
        report = bulletin_report(county, start, end, number)
        bulletin = Bulletin(
            county=county, year=end.year, number=number, title=report.title, period_start=start, period_end=end,
            overdue_units=[u.name for u in report.overdue_units], created_by=user_of(actor),
        )  # fmt: skip
        name = f"{county.code}-{end.year}-{number:02d}.docx"
        bulletin.file.save(name, ContentFile(bulletin_docx(report)), save=False)
        try:
            with transaction.atomic():
                bulletin.save()
        except BaseException:
            bulletin.file.delete(save=False)
            raise
    return bulletin
