"""The reports' world: 示范县 with the rectification fixtures' census (示范县第一小学 short of PE/art
teachers and teaching space), its items generated from the run, and a recognition rate entered."""

from __future__ import annotations

import pytest

from dudao.evaluation.actions import set_county_item
from dudao.rectification import actions
from tests.personas import SYSTEM, YEAR
from tests.rectification.conftest import STANDARD, Rect, census, rect, shared_census, shared_rect  # noqa: F401


@pytest.fixture
def stored(rect: Rect, census: None) -> Rect:  # noqa: F811
    set_county_item(
        SYSTEM, rect.world.county, YEAR, STANDARD, "SR-01", "0.912", note="来自社会认可度调查：120份有效回答"
    )
    actions.generate_items(SYSTEM, rect.world.county, YEAR, STANDARD)
    return rect
