"""Helpers for the sheet reader tests: small files written to tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dudao.engine.problems import InputError, Problem
from dudao.sheets import read_school_table

HEAD = ["学校标识码", "学校名称", "学校类型", "在校生数", "专任教师数"]


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(path: Path, rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def problems_of(path: Path, sheet: str | None = None) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_school_table(path, sheet)
    problems = info.value.problems
    for p in problems:
        assert p.rule and p.message_zh and p.message_en, p
        assert p.message_zh != p.message_en
    return problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.text("en") for p in problems]
    return problems[0]
