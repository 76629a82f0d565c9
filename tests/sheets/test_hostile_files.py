"""Hostile files are refused quickly, in little memory, with a clear message: the bounds of
dudao.sheets.limits hold while a workbook or a Word document is read (the zip's directory before
anything is decompressed, every part as it is, every XML node as it is parsed).

The corpus (tests/sheets/_hostile.py) is built once per session; the time and memory of each refusal
are measured in a child process (its peak resident set reset before each file), bound: 2 s, 200 MB."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from dudao.engine.problems import InputError, Problem
from dudao.sheets.limits import Limits
from dudao.sheets.ooxml import clean_docx
from dudao.sheets.reader import read_school_table
from dudao.sheets.table import ColumnSpec, read_table

from ._hostile import CORPUS

ROOT = Path(__file__).resolve().parents[2]
SECONDS, MEGABYTES = 2.0, 200


@pytest.fixture
def corpus(hostile_files: dict[str, Path]) -> dict[str, Path]:
    return hostile_files


def refusal(path: Path, limits: Limits | None = None) -> Problem:
    with pytest.raises(InputError) as info:
        if path.suffix == ".docx":
            clean_docx(path.read_bytes(), path.name, limits)
        else:
            read_school_table(path, limits=limits)
    (problem,) = info.value.problems
    assert problem.message_zh and problem.message_en and problem.message_zh != problem.message_en
    return problem


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_hostile_file_is_refused_with_its_rule(corpus: dict[str, Path], name: str) -> None:
    problem = refusal(corpus[name])
    assert problem.rule == CORPUS[name][2], problem.text("en")
    if problem.rule in ("compression_ratio", "part_too_large", "too_many_parts", "xml_forbidden", "xml_too_deep"):
        assert problem.value == corpus[name].name  # the message names the file, nothing of the server
        assert "上限" in problem.message_zh or "DTD" in problem.message_zh or "层" in problem.message_zh


def test_the_generic_reader_refuses_them_alike(corpus: dict[str, Path]) -> None:
    columns = [ColumnSpec("code", "学校标识码", required=True)]
    for name in ("billion_laughs", "zeros_1gib", "far_cell", "csv_newlines"):
        with pytest.raises(InputError) as info:
            read_table(corpus[name], columns)
        assert [p.rule for p in info.value.problems] == [CORPUS[name][2]]


# Each XML bound on its own: the other bounds made lenient, so that the file reaches the parser.
LENIENT = replace(Limits(), ratio=10**9, part_bytes=2**40, uncompressed_bytes=2**40)


@pytest.mark.parametrize(
    ("name", "rule"),
    [("huge_comment", "xml_node_too_large"), ("huge_attribute", "xml_node_too_large"),
     ("huge_shared_string", "cell_too_long")],
)  # fmt: skip
def test_the_xml_bounds_hold_on_their_own(corpus: dict[str, Path], name: str, rule: str) -> None:
    assert refusal(corpus[name], LENIENT).rule == rule


def test_each_part_and_all_of_them_are_bounded(corpus: dict[str, Path]) -> None:
    zeros = corpus["zeros_1gib"]
    assert refusal(zeros, replace(LENIENT, part_bytes=64 * 2**20)).rule == "part_too_large"
    assert refusal(zeros, replace(LENIENT, uncompressed_bytes=64 * 2**20)).rule == "uncompressed_too_large"


MEASURE = textwrap.dedent(
    """
    import json, re, sys, time
    from pathlib import Path
    from dudao.engine.problems import InputError
    from dudao.sheets.ooxml import clean_docx
    from dudao.sheets.reader import read_school_table

    def status(field):
        return int(re.search(field + r":\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))

    out = {}
    for arg in sys.argv[1:]:
        path = Path(arg)
        try:
            Path("/proc/self/clear_refs").write_text("5")  # the peak resident set starts again from here
            resettable = True
        except OSError:
            resettable = False
        before = status("VmRSS")
        start = time.perf_counter()
        try:
            clean_docx(path.read_bytes(), path.name) if path.suffix == ".docx" else read_school_table(path)
            rules = []
        except InputError as error:
            rules = [p.rule for p in error.problems]
        seconds = time.perf_counter() - start
        peak = status("VmHWM")  # without the reset, an upper bound
        out[path.stem] = {"rules": rules, "seconds": seconds, "megabytes": (peak - before) / 1024}
    print(json.dumps(out))
    """
)


def test_each_is_refused_within_two_seconds_and_200_mb(corpus: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, corpus.values())],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=True,
    )  # fmt: skip
    measured = json.loads(done.stdout)
    report = "\n".join(f"{n}: {m['rules']} {m['seconds']:.3f} s {m['megabytes']:.1f} MB" for n, m in measured.items())
    print(report)
    for name, m in measured.items():
        assert m["rules"] == [CORPUS[name][2]], name
        assert m["seconds"] < SECONDS, report
        assert m["megabytes"] < MEGABYTES, report
