"""`dudao evaluate --format json` with a 乡镇 column and `--groups GROUPS.yaml` (issue #14 §5): the JSON
carries ``levels.<level>.indicators.<L1..L7>.decomposition.<grouping>.{theil, cv2}.{total, between, within}``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.evaluation.test_evaluate_command import KEYS, ROWS, write_csv

TOWNS = ["城关镇", "河西乡", "东关镇", "城关镇", "河西乡"]


def run(*args: str) -> dict:
    out = StringIO()
    call_command("evaluate", *args, "--format", "json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def with_towns(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "c.csv", [[*r, t] for r, t in zip(ROWS, TOWNS, strict=True)], [*KEYS, "乡镇"])


def test_json_shape_and_hand_computed_groups(tmp_path: Path) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_text("北部: [城关镇, 东关镇]\n南部: [河西乡]\n", encoding="utf-8")
    result = run(str(with_towns(tmp_path)), "--groups", str(groups))
    for level in ("primary", "junior"):
        indicators = result["levels"][level]["indicators"]
        assert sorted(indicators) == [f"L{i}" for i in range(1, 8)]
        for entry in indicators.values():
            assert list(entry["decomposition"]) == ["location", "ownership", "town", "town_groups"]
            for split in entry["decomposition"].values():
                assert list(split) == ["theil", "cv2"]
                for measure in split.values():
                    assert list(measure) == ["total", "between", "within"]
                    assert measure["between"] + measure["within"] == pytest.approx(measure["total"], abs=1e-12)
    # Primary L4 (m² per pupil): 城关一小 5.0 (1000 pupils, 北部), 河西小学 5.0 (200, 南部), 东关小学 4.8 (500, 北部).
    # x̄ = 8400/1700; 北部: W = 15/17, mean 7400/1500; 南部: W = 2/17, mean 5.
    # between = [15/17·(74/15 − 84/17)² + 2/17·(5 − 84/17)²] / (84/17)²
    # within = 15/17·[⅔(5 − 74/15)² + ⅓(4.8 − 74/15)²] / (84/17)²
    mean, north = 84 / 17, 74 / 15
    between = (15 / 17 * (north - mean) ** 2 + 2 / 17 * (5 - mean) ** 2) / mean**2
    within = 15 / 17 * (2 / 3 * (5 - north) ** 2 + 1 / 3 * (4.8 - north) ** 2) / mean**2
    l4 = result["levels"]["primary"]["indicators"]["L4"]
    cv2 = l4["decomposition"]["town_groups"]["cv2"]
    assert cv2["between"] == pytest.approx(between, rel=1e-9)
    assert cv2["within"] == pytest.approx(within, rel=1e-9)
    assert cv2["total"] == pytest.approx(l4["cv"] ** 2, rel=1e-12)
    # every primary school is in a location of its own: nothing within
    assert l4["decomposition"]["location"]["cv2"]["within"] == pytest.approx(0.0, abs=1e-15)


def test_location_always_and_no_towns_without_the_column(tmp_path: Path) -> None:
    result = run(str(write_csv(tmp_path / "c.csv", ROWS)))
    entry = result["levels"]["junior"]["indicators"]["L1"]
    assert list(entry["decomposition"]) == ["location", "ownership"]


def test_a_town_in_two_groups_is_refused(tmp_path: Path) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_text("北部: [城关镇]\n南部: [城关镇]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="两组"):
        run(str(with_towns(tmp_path)), "--groups", str(groups))
    groups.write_text("- 城关镇\n", encoding="utf-8")
    with pytest.raises(CommandError, match="组名"):
        run(str(with_towns(tmp_path)), "--groups", str(groups))
