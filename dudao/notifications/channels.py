"""The channels a notification goes out on, behind one interface: ``deliver(notification) -> Result``.

- ``app``: the site itself (the header's list and the centre) — always, nothing to send.
- ``email``: Django's e-mail framework (``EMAIL_BACKEND``), to the account's address.
- ``sms``: the organisation's SMS gateway, a JSON POST to ``DUDAO_SMS_WEBHOOK_URL`` with
  ``{"mobile", "text"}`` and, when ``DUDAO_SMS_WEBHOOK_TOKEN`` is set, ``Authorization: Bearer …``.
- ``wecom``: an enterprise-WeChat (企业微信) group robot at ``DUDAO_WECOM_WEBHOOK_URL``; the person is
  @-mentioned by their mobile number.
- ``dingtalk``: a DingTalk (钉钉) group robot at ``DUDAO_DINGTALK_WEBHOOK_URL``, signed with
  ``DUDAO_DINGTALK_SECRET`` when set (加签); @-mentions by mobile number.

A channel is offered only when configured (its address set). Webhook addresses, tokens and signing
secrets are secrets: an error kept in the delivery log or written to the log has every one of them
replaced by ``***`` (:func:`redact`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, quote_plus, urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.urls import reverse

from dudao.notifications.models import Channel as Name
from dudao.notifications.models import Contact, Notification

MAX_ERROR = 500


@dataclass(frozen=True)
class Result:
    """``ok``; otherwise ``error`` (secrets removed) and whether trying again could help."""

    ok: bool
    error: str = ""
    retry: bool = True


SENT = Result(True)


class Channel(Protocol):
    name: ClassVar[str]

    def configured(self) -> bool:
        """Whether this deployment offers the channel."""

    def reachable(self, user: User, mobile: str) -> bool:
        """Whether the person has what this channel needs (an address, a mobile number)."""

    def deliver(self, notification: Notification) -> Result:
        """Send it once; never raises for a failure of the other side."""


def link(notification: Notification) -> str:
    """The notification's address for a message read off the site."""
    site = str(settings.DUDAO_SITE_URL).rstrip("/")
    return f"{site}{notification.url or reverse('notifications:centre')}"


def mobile_of(notification: Notification) -> str:
    contact = Contact.objects.filter(user_id=notification.user_id).first()
    return contact.mobile if contact else ""


class App:
    name: ClassVar[str] = Name.APP

    def configured(self) -> bool:
        return True

    def reachable(self, user: User, mobile: str) -> bool:
        return True

    def deliver(self, notification: Notification) -> Result:
        return SENT  # the row is the delivery


class Email:
    name: ClassVar[str] = Name.EMAIL

    def configured(self) -> bool:
        return bool(settings.EMAIL_BACKEND)

    def reachable(self, user: User, mobile: str) -> bool:
        return bool(user.email)

    def deliver(self, notification: Notification) -> Result:
        if not notification.user.email:
            return Result(False, "没有电子邮箱地址 / no e-mail address", retry=False)
        n = notification
        body = f"{n.message_zh}\n\n{n.message_en}\n\n{link(n)}\n"
        try:
            send_mail(f"【督导】{n.message_zh[:60]}", body, None, [n.user.email])
        except OSError as exc:  # smtplib's errors are OSErrors
            return Result(False, redact(f"{type(exc).__name__}: {exc}", self.secrets()))
        return SENT

    def secrets(self) -> list[str]:
        return [str(getattr(settings, "EMAIL_HOST_PASSWORD", ""))]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect has failed (its body would be lost on the way)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (and every query value of a secret address) replaced by ``***``."""
    words = set()
    for secret in secrets:
        if not secret:
            continue
        words.add(secret)
        parts = urlsplit(secret)
        if parts.query:
            words.add(parts.query)
            words.update(value for _, value in parse_qsl(parts.query) if len(value) >= 4)
        words.update(segment for segment in parts.path.split("/") if len(segment) >= 16)  # a key in the path
    for word in sorted(words, key=len, reverse=True):
        if len(word) >= 4:
            text = text.replace(word, "***").replace(quote_plus(word), "***")
    return text[:MAX_ERROR]


class Webhook:
    """A JSON POST; 2xx (and, for the robots, ``errcode`` 0) is success."""

    name: ClassVar[str]
    needs_mobile: ClassVar[bool] = True

    def url(self) -> str:
        raise NotImplementedError

    def secrets(self) -> list[str]:
        return [self.url()]

    def payload(self, notification: Notification, mobile: str) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}

    def address(self) -> str:
        return self.url()

    def configured(self) -> bool:
        return bool(self.url())

    def reachable(self, user: User, mobile: str) -> bool:
        return not self.needs_mobile or bool(mobile)

    def text(self, notification: Notification) -> str:
        return f"【督导】{notification.message_zh}\n{link(notification)}"

    def deliver(self, notification: Notification) -> Result:
        if not self.configured():
            return Result(False, "渠道未配置 / the channel is not configured", retry=False)
        mobile = mobile_of(notification)
        if self.needs_mobile and not mobile:
            return Result(False, "没有手机号码 / no mobile number", retry=False)
        body = json.dumps(self.payload(notification, mobile), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.address(), data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", **self.headers()},
        )  # fmt: skip
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=settings.DUDAO_NOTIFY_TIMEOUT) as response:
                status, answer = response.status, response.read(4096)
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, exc.read(4096) if exc.fp else b""
        except (OSError, ValueError) as exc:  # refused, timed out, no route, bad address
            return Result(False, redact(f"{type(exc).__name__}: {exc}", self.secrets()))
        return self.judge(status, answer)

    def judge(self, status: int, answer: bytes) -> Result:
        if 200 <= status < 300:
            return SENT
        return Result(False, redact(f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}", self.secrets()))


class Sms(Webhook):
    name: ClassVar[str] = Name.SMS

    def url(self) -> str:
        return str(settings.DUDAO_SMS_WEBHOOK_URL)

    def secrets(self) -> list[str]:
        return [self.url(), str(settings.DUDAO_SMS_WEBHOOK_TOKEN)]

    def headers(self) -> dict[str, str]:
        token = str(settings.DUDAO_SMS_WEBHOOK_TOKEN)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def payload(self, notification: Notification, mobile: str) -> dict[str, Any]:
        return {"mobile": mobile, "text": self.text(notification)}


class Robot(Webhook):
    """A group robot: success is HTTP 200 with ``{"errcode": 0}``."""

    needs_mobile = False  # without a number the message still reaches the group, mentioning no one

    def judge(self, status: int, answer: bytes) -> Result:
        first = super().judge(status, answer)
        if not first.ok:
            return first
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = "?"
        if code == 0:
            return SENT
        return Result(False, redact(f"errcode {code}: {answer[:200].decode('utf-8', 'replace')}", self.secrets()))


class WeCom(Robot):
    name: ClassVar[str] = Name.WECOM

    def url(self) -> str:
        return str(settings.DUDAO_WECOM_WEBHOOK_URL)

    def payload(self, notification: Notification, mobile: str) -> dict[str, Any]:
        text: dict[str, Any] = {"content": self.text(notification)}
        if mobile:
            text["mentioned_mobile_list"] = [mobile]
        return {"msgtype": "text", "text": text}


class DingTalk(Robot):
    name: ClassVar[str] = Name.DINGTALK

    def url(self) -> str:
        return str(settings.DUDAO_DINGTALK_WEBHOOK_URL)

    def secrets(self) -> list[str]:
        return [self.url(), str(settings.DUDAO_DINGTALK_SECRET)]

    def address(self) -> str:
        """The robot's address, signed when a secret is set (DingTalk's 加签: HMAC-SHA256 of
        "timestamp\\nsecret", base64, in the query with the timestamp in milliseconds)."""
        secret = str(settings.DUDAO_DINGTALK_SECRET)
        if not secret:
            return self.url()
        stamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = quote_plus(base64.b64encode(digest).decode())
        return f"{self.url()}{'&' if '?' in self.url() else '?'}timestamp={stamp}&sign={sign}"

    def payload(self, notification: Notification, mobile: str) -> dict[str, Any]:
        text = self.text(notification) + (f" @{mobile}" if mobile else "")
        return {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": [mobile] if mobile else []}}


CHANNELS: dict[str, Channel] = {c.name: c for c in (App(), Email(), Sms(), WeCom(), DingTalk())}
SENT_CHANNELS = [name for name in CHANNELS if name != Name.APP]  # those with a delivery to make


def offered() -> list[str]:
    """The channels this deployment offers, in order (the site first)."""
    return [name for name, channel in CHANNELS.items() if channel.configured()]
