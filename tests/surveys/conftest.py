from __future__ import annotations

import pytest

from dudao.surveys import actions
from dudao.surveys.models import Survey
from tests.personas import World


@pytest.fixture
def survey(world: World) -> Survey:
    world.county.resident_population = 300_000
    world.county.save()
    s = actions.create_survey(world.county_supervisor, world.county, 2025, "2025年示范县社会认可度调查")
    actions.set_status(world.county_supervisor, s, "open")
    return s
