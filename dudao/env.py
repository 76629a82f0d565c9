"""Strict parsers for settings read from the environment.

Each reader accepts ``NAME`` or ``NAME_FILE`` (a path whose content is the value, for secrets),
and fails loudly on a malformed value instead of silently falling back.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number; ``20971520`` or with a unit, ``20MB``/``20MiB``, ``512KB`` (binary units)."""
    value = _raw(name)
    if value is None or not value.strip():
        return default
    text = value.strip().upper().replace("_", "")
    factor = 1
    for unit, size in (("MIB", 2**20), ("KIB", 2**10), ("MB", 2**20), ("KB", 2**10), ("M", 2**20), ("K", 2**10)):
        if text.endswith(unit):
            text, factor = text[: -len(unit)].strip(), size
            break
    try:
        number = int(text) * factor
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number (such as 20971520 or 20MB)") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}")
    return number
