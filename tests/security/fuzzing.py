"""What the fuzz tests share: requests through the real WSGI handler inside a test's transaction."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction


@contextmanager
def in_process_requests() -> Iterator[None]:
    """Let requests sent through ``WSGIHandler`` run inside the test's transaction.

    A real server closes the database connection around each request; inside a test that would end the
    test's transaction. Django's test client turns the same two signal handlers off while it sends a
    request; schemathesis sends through the plain handler, so they are off for the whole fuzz.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def describe(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """``Kind: message at dudao/file.py:line`` (the innermost frame in the project)."""
    kind, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    where = next((f for f in reversed(frames) if "/dudao/" in f.filename), frames[-1] if frames else None)
    place = f" at {where.filename.split('/dudao/')[-1]}:{where.lineno}" if where else ""
    return f"{kind.__name__}: {str(exc)[:160]}{place}"


@contextmanager
def one_request() -> Iterator[list[str]]:
    """Run one request in a savepoint; yields the list the request's exceptions are described into.

    A request that fails in the database is rolled back alone, so it does not break the test's
    transaction for the requests after it (each is judged on its own)."""
    caught: list[str] = []

    def on_exception(sender: object, request: object = None, **kwargs: object) -> None:
        info = sys.exc_info()
        if info[0] is not None:
            caught.append(describe(info))  # type: ignore[arg-type]

    got_request_exception.connect(on_exception)
    try:
        with transaction.atomic():
            yield caught
            if caught:
                transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(on_exception)
