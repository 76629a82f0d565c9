"""On-site sampling (实地核验): draw schools at random, stratified by level and by urban/town/rural,
optionally weighted to the schools failing the per-school rule, with a recorded seed.

The draw is a pure function of the run's schools, the seed and the parameters: each stratum gets its
own generator seeded with ``"{seed}:{level}:{location}"`` and the schools in code order, and a
weighted draw without replacement takes the ``per_stratum`` largest keys ``u ** (1 / w)``
(Efraimidis–Spirakis; ``w`` is ``failing_weight`` for a failing school, 1 otherwise). So the same
run and seed always give the same schools, which :func:`reproduce` checks for an audit.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy

from dudao.engine.result import School
from dudao.errors import ActionError
from dudao.orgs.access import region_permissions
from dudao.orgs.models import Region
from dudao.reports.access import READ
from dudao.reports.content import LEVELS, LOCATIONS
from dudao.reports.models import SampledSchool, SamplingDraw

MAX_PER_STRATUM = 50
MAX_WEIGHT = 10.0


class SamplingError(ActionError, ValueError):
    """A refused sampling draw (docs/adr/0026)."""


def draw_schools(
    schools: Sequence[School], per_stratum: int, seed: int, failing_weight: float = 1.0
) -> tuple[list[School], list[dict[str, Any]]]:
    """(drawn schools in stratum order, strata with population and drawn counts)."""
    drawn: list[School] = []
    strata = []
    levels = sorted({s.level for s in schools}, key=lambda lv: (LEVELS.index(lv) if lv in LEVELS else 9, lv))
    for level in levels:
        for location in LOCATIONS:
            members = sorted(
                (s for s in schools if s.level == level and s.location == location),
                key=lambda s: s.school_code,
            )
            if not members:
                continue
            rng = random.Random(f"{seed}:{level}:{location}")
            keyed = []
            for s in members:
                weight = failing_weight if s.passed is False else 1.0
                keyed.append((rng.random() ** (1.0 / weight), s))
            chosen = [s for _, s in sorted(keyed, key=lambda pair: pair[0], reverse=True)[:per_stratum]]
            chosen.sort(key=lambda s: s.school_code)
            drawn.extend(chosen)
            strata.append({"level": level, "location": location, "population": len(members), "drawn": len(chosen)})
    return drawn, strata


def check_parameters(per_stratum: Any, seed: Any, failing_weight: Any) -> tuple[int, int, float]:
    try:
        n = int(per_stratum)
        w = float(failing_weight if failing_weight not in (None, "") else 1.0)
        s = int(seed) if seed not in (None, "") else secrets.randbelow(10**9)
    except (TypeError, ValueError):
        raise SamplingError("bad_number", gettext_lazy("请填写整数的抽取校数和随机种子、数字的权重")) from None
    if not 1 <= n <= MAX_PER_STRATUM:
        raise SamplingError(
            "per_stratum", gettext_lazy("每层抽取校数应在1至%(max_per_stratum)s之间"), max_per_stratum=MAX_PER_STRATUM
        )
    if not 1.0 <= w <= MAX_WEIGHT:
        raise SamplingError(
            "weight", gettext_lazy("未达标学校权重应在1至%(f_max_weight_g)s之间"), f_max_weight_g=f"{MAX_WEIGHT:g}"
        )
    if not 0 <= s < 2**62:
        raise SamplingError("seed", gettext_lazy("随机种子应为非负整数"))
    return n, s, w


def may_draw(user: User | AnonymousUser, county: Region) -> bool:
    """Inspectors above the county draw (the county's own supervisor does not draw its own sample)."""
    perms = region_permissions(user, county)
    return READ in perms and "review" not in perms


def reproduce(draw: SamplingDraw) -> bool:
    """Draw again from the draw's own run with its seed: True when the same schools come out."""
    drawn, _ = draw_schools(draw.run.result_obj.schools, draw.per_stratum, draw.seed, draw.failing_weight)
    again = [(x.school_code, x.level) for x in drawn]
    return again == [(s.school_code, s.level) for s in draw.schools.all()]


def school_result(sampled: SampledSchool) -> School | None:
    """The school's reported values in the draw's run (what the checklist asks to verify)."""
    for s in sampled.draw.run.result_obj.schools:
        if s.school_code == sampled.school_code and s.level == sampled.level:
            return s
    return None
