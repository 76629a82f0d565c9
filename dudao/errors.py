"""One error type for a refused action outside the pure core (docs/adr/0026-one-action-error.md).

An action raises ``ActionError`` (or its app's subclass, so that callers may catch one app's refusals)
with a stable ``code``, a message marked for translation with ``gettext_lazy`` (Chinese source, English
in the catalogue like every other string of the site) and its named values (a value that is itself written
in both languages is passed as ``Both(zh, en)``)::

    raise CensusError("locked", gettext_lazy("%(year)s 学年已锁定"), year=year)

Pages show ``text()`` in the request's language; the API's error body and the CLI read ``message_zh`` and
``message_en``, each rendered in its own language. Messages that arrive in both languages from the pure
core (``dudao.engine``, ``dudao.standards``, ``dudao.sheets``: ADR 0004) are passed on with
:meth:`ActionError.bilingual`.
"""

from __future__ import annotations

from typing import Any, Self

from django.utils.functional import Promise
from django.utils.translation import get_language, override


class Both:
    """A value written in both languages (a label that comes as a pair, a list joined the Chinese and the
    English way): a message's parameter shown in the language the message is rendered in."""

    def __init__(self, zh: object, en: object) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return str(self.en if (get_language() or "zh").startswith("en") else self.zh)

    def __repr__(self) -> str:
        return f"Both({self.zh!r}, {self.en!r})"


def _render(message: str | Promise, params: dict[str, Any], language: str) -> str:
    with override(language):
        values = {key: str(value) if isinstance(value, Promise | Both) else value for key, value in params.items()}
        text = str(message)
        return text % values if values else text


class ActionError(Exception):
    """A refused action: ``code``, a translatable ``message`` with its ``params``, and ``details``."""

    def __init__(
        self, code: str, message: str | Promise, details: list[dict[str, Any]] | None = None, **params: Any
    ) -> None:
        self.code, self.message, self.params = code, message, params
        self.details: list[dict[str, Any]] = details or []
        self._pair: tuple[str, str] | None = None
        super().__init__(code)

    @classmethod
    def bilingual(
        cls, code: str, message_zh: str, message_en: str, details: list[dict[str, Any]] | None = None
    ) -> Self:
        """A refusal whose message the pure core already wrote in both languages (ADR 0004)."""
        error = cls(code, message_zh, details)
        error._pair = (message_zh, message_en)
        return error

    @property
    def message_zh(self) -> str:
        return self._pair[0] if self._pair else _render(self.message, self.params, "zh-hans")

    @property
    def message_en(self) -> str:
        return self._pair[1] if self._pair else _render(self.message, self.params, "en")

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` ("zh…" or "en…"), by default the active language."""
        return self.message_en if (lang or get_language() or "zh").startswith("en") else self.message_zh

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"
