"""Channels behind one interface: e-mail, an SMS gateway, 企业微信 and 钉钉 group robots configured from
the environment, delivered to a fake receiver on 127.0.0.1 (a real HTTP server); every attempt logged;
failures retried with doubling waits by ``dudao deliver_notifications`` until sent or given up; the
webhook addresses, tokens and secrets never in the log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import socket
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dudao.env import env_url
from dudao.notifications import Kind, notify
from dudao.notifications.actions import deliver, deliver_due, set_preferences
from dudao.notifications.apps import check_default_channels
from dudao.notifications.models import Attempt, Delivery
from tests.notifications.receiver import Receiver
from tests.personas import World

WECOM_KEY = "wecom-key-0f3b9a7c-secret"
DINGTALK_TOKEN = "dingtalk-token-77a1c2e9d4"
DINGTALK_SECRET = "SECdingtalk-signing-secret-5b8e"
SMS_TOKEN = "sms-bearer-token-a9c31d"
SECRETS = (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMS_TOKEN)
ALL = ("email", "sms", "wecom", "dingtalk")


@pytest.fixture
def channels(settings, receiver: Receiver) -> Receiver:
    settings.DUDAO_SMS_WEBHOOK_URL = f"{receiver.url}/sms/send"
    settings.DUDAO_SMS_WEBHOOK_TOKEN = SMS_TOKEN
    settings.DUDAO_WECOM_WEBHOOK_URL = f"{receiver.url}/cgi-bin/webhook/send?key={WECOM_KEY}"
    settings.DUDAO_DINGTALK_WEBHOOK_URL = f"{receiver.url}/robot/send?access_token={DINGTALK_TOKEN}"
    settings.DUDAO_DINGTALK_SECRET = DINGTALK_SECRET
    settings.DUDAO_NOTIFY_RETRY_SECONDS = 60
    settings.DUDAO_NOTIFY_MAX_ATTEMPTS = 4
    return receiver


def clerk_on(world: World, *on: str, mobile: str = "13800138000"):
    clerk = world.school_clerk
    clerk.email = "yixiao@example.cn"
    clerk.save()
    set_preferences(clerk, mobile, [(Kind.CENSUS_RETURNED, c) for c in on])
    return clerk


def returned(world: World, capture, key: str = "census_returned:1") -> None:
    with capture(execute=True):  # deliveries leave when the action's transaction commits
        notify([world.school_clerk], Kind.CENSUS_RETURNED, key, "示范县第一小学数据被退回：请核实在校生数",
               "The figures were returned", reverse("census:school", args=[world.primary.code, 2025]))  # fmt: skip


def test_every_channel_delivers_to_its_receiver(
    world: World, channels: Receiver, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    clerk_on(world, *ALL)
    returned(world, django_capture_on_commit_callbacks)
    assert {d.channel: d.status for d in Delivery.objects.all()} == dict.fromkeys(ALL, "sent")
    assert Attempt.objects.filter(ok=True).count() == 4 and not Attempt.objects.filter(ok=False).exists()
    assert mailoutbox[0].to == ["yixiao@example.cn"] and "/census/school/1399010001/2025/" in mailoutbox[0].body
    got = {r.path.split("?")[0]: r for r in channels.received}
    sms = got["/sms/send"]
    assert sms.headers["Authorization"] == f"Bearer {SMS_TOKEN}" and sms.body["mobile"] == "13800138000"
    assert sms.body["text"].startswith("【督导】示范县第一小学数据被退回：请核实在校生数\nhttp://")
    wecom = got["/cgi-bin/webhook/send"]
    assert parse_qs(urlsplit(wecom.path).query)["key"] == [WECOM_KEY]
    assert wecom.body["msgtype"] == "text" and wecom.body["text"]["mentioned_mobile_list"] == ["13800138000"]
    ding = got["/robot/send"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(ding.path).query).items()}
    assert query["access_token"] == DINGTALK_TOKEN
    expected = hmac.new(DINGTALK_SECRET.encode(), f"{query['timestamp']}\n{DINGTALK_SECRET}".encode(), hashlib.sha256)
    assert query["sign"] == base64.b64encode(expected.digest()).decode()  # DingTalk's 加签
    assert ding.body["at"]["atMobiles"] == ["13800138000"] and "@13800138000" in ding.body["text"]["content"]


def test_a_failing_receiver_is_retried_with_doubling_waits_and_no_secret_is_logged(
    world: World, channels: Receiver, django_capture_on_commit_callbacks, caplog
) -> None:
    channels.answers = [(500, b'{"error": "busy at {path}"}'), (200, b'{"errcode": 93000, "errmsg": "{path}"}'),
                        (200, b'{"errcode": 0}')]  # fmt: skip
    clerk_on(world, "wecom")
    start = timezone.now()
    with caplog.at_level(logging.WARNING):
        returned(world, django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("retry", 1)
        assert delivery.last_error.startswith("HTTP 500") and "/cgi-bin/webhook/send?***" in delivery.last_error
        wait = delivery.next_attempt_at - start
        assert dt.timedelta(seconds=59) < wait < dt.timedelta(seconds=75)
        assert deliver_due(start + dt.timedelta(seconds=30)) == {}  # not due yet
        later = delivery.next_attempt_at + dt.timedelta(seconds=1)
        assert deliver_due(later) == {"retry": 1}  # the robot answers 200 but with an error code
        delivery.refresh_from_db()
        assert delivery.last_error.startswith("errcode 93000")
        assert delivery.next_attempt_at - later == dt.timedelta(seconds=120)  # twice the wait
        out = StringIO()
        call_command("deliver_notifications", stdout=out)  # now: not due yet
        assert "已发送 0 条，待重试 0 条，发送失败 0 条" in out.getvalue()
        assert deliver_due(delivery.next_attempt_at) == {"sent": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert [a.ok for a in delivery.log.all()] == [False, False, True] and len(channels.received) == 3
    assert deliver(delivery.pk, delivery.next_attempt_at or timezone.now() + dt.timedelta(days=1)) is None  # done
    logged = caplog.text + "".join(a.error for a in Attempt.objects.all())
    assert "failed (attempt 1, now retry)" in caplog.text
    for secret in SECRETS:
        assert secret not in logged


def test_a_delivery_is_given_up_after_the_last_attempt(
    world: World, channels: Receiver, settings, django_capture_on_commit_callbacks
) -> None:
    settings.DUDAO_NOTIFY_MAX_ATTEMPTS = 2
    channels.answers = [(503, b"unavailable")]
    clerk_on(world, "sms")
    returned(world, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert deliver_due(delivery.next_attempt_at) == {"failed": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert deliver_due(timezone.now() + dt.timedelta(days=30)) == {}  # nothing left to try


def test_a_receiver_that_does_not_answer(world: World, settings, django_capture_on_commit_callbacks) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.DUDAO_DINGTALK_WEBHOOK_URL = f"http://127.0.0.1:{port}/robot/send?access_token={DINGTALK_TOKEN}"
    settings.DUDAO_DINGTALK_SECRET = DINGTALK_SECRET
    clerk_on(world, "dingtalk", mobile="")
    returned(world, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "retry" and "Connection refused" in delivery.last_error
    assert DINGTALK_TOKEN not in delivery.last_error and DINGTALK_SECRET not in delivery.last_error


def test_each_person_chooses_per_kind_and_only_offered_channels_show(
    world: World, channels: Receiver, settings, django_capture_on_commit_callbacks, client
) -> None:
    settings.DUDAO_WECOM_WEBHOOK_URL = ""  # not offered
    clerk = clerk_on(world)  # nothing chosen yet: the default, e-mail only
    client.force_login(clerk)
    page = client.get(reverse("notifications:preferences"))
    assert ">企业微信</th>" not in page.text and ">钉钉</th>" in page.text and ">短信</th>" in page.text
    assert 'value="census_returned:email" id="on-census_returned-email" checked' not in page.text  # chose none
    form = {"mobile": "138 0013 8000", "on": ["census_returned:sms", "task_assigned:email", "finding:dingtalk"]}
    assert client.post(reverse("notifications:preferences"), form).status_code == 302
    page = client.get(reverse("notifications:preferences"))
    assert 'value="13800138000"' in page.text
    assert 'value="census_returned:sms" id="on-census_returned-sms" checked' in page.text
    returned(world, django_capture_on_commit_callbacks)
    assert [d.channel for d in Delivery.objects.all()] == ["sms"]
    assert "已发送" in client.get(reverse("notifications:preferences")).text  # the delivery log
    bad = client.post(reverse("notifications:preferences"), {"mobile": "12345", "on": ["census_returned:sms"]})
    assert bad.status_code == 400 and "手机号码“12345”应为 11 位数字" in bad.text
    assert client.post(reverse("notifications:preferences"), {"on": ["census_returned:wecom"]}).status_code == 400


def test_without_choices_e_mail_goes_to_those_with_an_address(
    world: World, channels: Receiver, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    world.county_supervisor.email = "county@example.cn"
    world.county_supervisor.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.county_supervisor, world.school_clerk], Kind.FINDING, "finding:1", "发现问题", "A finding")
    assert [(d.notification.user, d.channel) for d in Delivery.objects.all()] == [(world.county_supervisor, "email")]
    assert [m.to for m in mailoutbox] == [["county@example.cn"]] and channels.received == []


def test_webhook_settings_are_parsed_strictly(monkeypatch, settings) -> None:
    monkeypatch.setenv("DUDAO_WECOM_WEBHOOK_URL", f"qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}")
    with pytest.raises(ImproperlyConfigured, match="not an http") as refused:
        env_url("DUDAO_WECOM_WEBHOOK_URL")
    assert WECOM_KEY not in str(refused.value)  # the key is not echoed
    monkeypatch.setenv("DUDAO_WECOM_WEBHOOK_URL", " ")
    assert env_url("DUDAO_WECOM_WEBHOOK_URL") == ""
    settings.DUDAO_NOTIFY_DEFAULT_CHANNELS = ["email", "wechat"]
    assert [e.id for e in check_default_channels()] == ["dudao.E101"]
