"""Problems found in input: each names where (sheet, row, column), the value, the rule broken,
and says so in Chinese and English. Shared by the file readers and the engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    rule: str  # stable code, e.g. "not_a_number", "negative", "duplicate_school"
    message_zh: str
    message_en: str
    sheet: str | None = None
    row: int | None = None  # 1-based row number as the user sees it in the spreadsheet
    column: str | None = None  # the header as written in the file (or the English key)
    value: str | None = None

    def where_zh(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{self.column}”")
        return "，".join(parts)

    def where_en(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def text(self, lang: str = "zh") -> str:
        """One line: where, the value, and what is wrong."""
        if lang.startswith("en"):
            where, msg, val = self.where_en(), self.message_en, f" (value {self.value!r})" if self.value else ""
            return f"{where}: {msg}{val} [{self.rule}]" if where else f"{msg}{val} [{self.rule}]"
        where, msg = self.where_zh(), self.message_zh
        val = f"（值：{self.value}）" if self.value else ""
        return f"{where}：{msg}{val} [{self.rule}]" if where else f"{msg}{val} [{self.rule}]"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class InputError(ValueError):
    """Raised with *every* problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.text("en") for p in problems[:20]))
