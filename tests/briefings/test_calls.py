"""A city calls for its counties' briefings, a county answers, the city reads them: through the pages, as
the personas of tests/personas.py (示范市's inspector; 示范县's and 邻县's supervision offices)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from django.urls import reverse
from django.utils import timezone
from docx import Document

from dudao.audit.models import AuditEvent
from dudao.briefings.models import Briefing, BriefingCall
from dudao.notifications.models import Notification
from tests.personas import World, client_for

PERIOD = timezone.localdate().strftime("%Y-%m")


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_a_city_calls_a_county_submits_and_the_city_reads_it(world: World) -> None:
    city = client_for(world.city_inspector)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    made = city.post(reverse("briefings:make_call", args=[world.city.code]),
                     {"period": PERIOD, "deadline": deadline.isoformat(), "note": "请如实报送"})  # fmt: skip
    call = BriefingCall.objects.get(city=world.city, period=PERIOD)
    assert made.status_code == 302 and made["Location"] == reverse("briefings:call", args=[call.pk])
    # every county's supervision office is told, with a link to its briefing of the month
    told = Notification.objects.get(user=world.county_supervisor, kind="briefing_call")
    assert told.url == reverse("briefings:county", args=[world.county.code, PERIOD]) and PERIOD in told.message_zh
    assert Notification.objects.filter(user=world.neighbour_supervisor, kind="briefing_call").exists()
    page = city.get(reverse("briefings:call", args=[call.pk])).content.decode()
    assert "已报送 0 / 2，逾期未报 0" in page and "待报送" in page

    county = client_for(world.county_supervisor)
    url = reverse("briefings:county", args=[world.county.code, PERIOD])
    shown = county.get(url).content.decode()
    assert "市级报送通知" in shown and "报送本期简报" in shown
    county.post(reverse("briefings:save", args=[world.county.code, PERIOD]), {
        "number": "3", "issuer": "示范县人民政府教育督导室", "send_to": "示范市人民政府教育督导室",
        "copy_to": "县政府办", "highlights": "县政府召开专题会议，研究学校扩容。\n\n城关二小新建教学楼封顶。",
    })  # fmt: skip
    submitted = county.post(reverse("briefings:submit", args=[world.county.code, PERIOD]))
    assert submitted.status_code == 302
    briefing = Briefing.objects.get(county=world.county, period=PERIOD)
    assert briefing.call == call and briefing.submitted_by == world.county_supervisor and briefing.number == 3
    assert AuditEvent.objects.filter(verb="briefing.submitted", target_id=str(briefing.pk)).exists()
    assert "已于" in county.get(url).content.decode()

    page = city.get(reverse("briefings:call", args=[call.pk])).content.decode()
    assert "已报送 1 / 2，逾期未报 0" in page
    assert re.search(r"示范县</td><td class=\"ok\">已报送", page) and "邻县" in page
    document = body(city.get(reverse("briefings:call_document", args=[call.pk, world.county.code])))
    words = text_of(document)
    assert "示范县教育督导工作简报" in words and "第3期" in words and "城关二小新建教学楼封顶。" in words
    assert "报送：示范市人民政府教育督导室" in words and "抄送：县政府办" in words
    archive = zipfile.ZipFile(io.BytesIO(body(city.get(reverse("briefings:call_zip", args=[call.pk])))))
    assert archive.namelist() == [f"示范县教育督导工作简报-{PERIOD}-第3期.docx"]
    assert archive.read(archive.namelist()[0]) == document
    # the other county's office does not see the city's calls, nor 示范县's briefing
    neighbour = client_for(world.neighbour_supervisor)
    assert neighbour.get(reverse("briefings:call", args=[call.pk])).status_code == 404
    assert neighbour.get(url).status_code == 404


def test_a_county_that_has_not_answered_by_the_deadline_is_late(world: World) -> None:
    city = client_for(world.city_inspector)
    city.post(reverse("briefings:make_call", args=[world.city.code]),
              {"period": PERIOD, "deadline": timezone.localdate().isoformat()})  # fmt: skip
    call = BriefingCall.objects.get()
    BriefingCall.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    page = city.get(reverse("briefings:call", args=[call.pk])).content.decode()
    assert "逾期未报 2" in page and page.count("逾期未报</td>") == 2
    listing = city.get(reverse("briefings:city", args=[world.city.code])).content.decode()
    assert PERIOD in listing


def test_calls_are_refused_twice_for_a_month_in_the_past_and_from_a_county(world: World) -> None:
    city = client_for(world.city_inspector)
    make = reverse("briefings:make_call", args=[world.city.code])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    refused = city.post(make, {"period": PERIOD, "deadline": yesterday}, follow=True)
    assert "报送截止日期不能早于今天" in refused.content.decode() and not BriefingCall.objects.exists()
    city.post(make, {"period": PERIOD, "deadline": timezone.localdate().isoformat()})
    again = city.post(make, {"period": PERIOD, "deadline": timezone.localdate().isoformat()}, follow=True)
    assert "无需重复通知" in again.content.decode() and BriefingCall.objects.count() == 1
    assert client_for(world.county_supervisor).post(make, {"period": PERIOD}).status_code == 404
    # a county submits only in answer to a call
    other = "2001-01"
    county = client_for(world.county_supervisor)
    answer = county.post(reverse("briefings:submit", args=[world.county.code, other]), follow=True)
    assert "市级尚未通知报送" in answer.content.decode() and not Briefing.objects.filter(period=other).exists()
