"""Reading numbers and ids from what a request carries (path, query string, form): one piece of code.

A request parameter is text anyone can write. ``int()`` alone is not the check: it refuses ``abc`` with
an exception the view forgets to catch, accepts ``１２`` and ``1_000``, and lets ``2**64`` through to the
database, which cannot hold it. Here a number is ASCII digits (an optional minus), within bounds; anything
else is ``None`` (:func:`read_int`, :func:`read_id`; the page then takes its default or refuses with its
own message, 400, in Chinese and English) or not found (:func:`id_or_404`: an id that cannot exist names
nothing, 404 as for any object one may not see). ADR 0021.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# The largest id a database holds (a signed 64-bit integer, PostgreSQL's bigint and SQLite's INTEGER).
MAX_ID = 2**63 - 1
# Years, counts and such fit a 32-bit integer column.
MAX_INT = 2**31 - 1
_NUMBER = re.compile(r"-?[0-9]{1,19}")


def read_int(raw: object, low: int = -MAX_INT, high: int = MAX_INT) -> int | None:
    """``raw`` as an int when it is one (ASCII digits, surrounding blanks allowed) within ``low``–``high``."""
    text = str(raw).strip() if raw is not None else ""
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def read_id(raw: object) -> int | None:
    """``raw`` as an object id (1 … ``MAX_ID``), or None."""
    return read_int(raw, 1, MAX_ID)


def id_or_404(raw: object) -> int:
    """``raw`` as an object id; anything that cannot be one is not found (404)."""
    value = read_id(raw)
    if value is None:
        raise Http404
    return value


def local_path(request: HttpRequest, raw: object) -> str:
    """``raw`` when it is a path on this site (``/…``, not ``//host``), to redirect to; else ``""``.

    ``redirect("abc")`` would look ``abc`` up as a view name (a 500), and ``//host`` leaves the site."""
    text = str(raw or "")
    if text.startswith("/") and url_has_allowed_host_and_scheme(text, {request.get_host()}, request.is_secure()):
        return text
    return ""
