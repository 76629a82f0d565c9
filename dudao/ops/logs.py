"""Request ids and the log's format.

:class:`RequestIdMiddleware` gives every request an id: the ``X-Request-ID`` nginx sends (its
``$request_id``; a value of up to 128 letters, digits, ``.``, ``_`` or ``-``) or a new one. The id is sent
back in the ``X-Request-ID`` response header, written on every log line made while the request runs
(:class:`RequestIdFilter`), and one line per request says its method, path (never the query: survey
links carry tokens), status and duration on the logger ``dudao.request``.

``DUDAO_LOG_FORMAT=json`` writes each log line as one JSON object (python-json-logger) — time, level,
logger, message, request_id and the line's extra fields — for journald, Loki or ELK; ``text`` (the
default) writes them for people. :func:`logging_config` builds Django's ``LOGGING`` setting from both.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the settings import this module: it imports nothing of Django at run time
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,128}")
_request_id: ContextVar[str] = ContextVar("dudao_request_id", default="-")
log = logging.getLogger("dudao.request")


def current_request_id() -> str:
    """The id of the request being served in this thread or task ("-" outside a request)."""
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``%(request_id)s``, the JSON field ``request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Django's ``LOGGING``: every line to standard error (journald under systemd) in ``log_format``; dudao's
    own loggers from ``level`` up, every other library's from WARNING up."""
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",  # local time with its offset: no guessing the zone
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "dudao.ops.logs.RequestIdFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        # others' INFO (Celery's line per task, run in-process by every command) stays out; their warnings show
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "dudao": {"level": level},
            # the request lines are ours (with the id); Django's own line per 4xx/5xx would repeat them
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
        },
    }
