"""A refused action reads in both languages from one gettext message (docs/adr/0026)."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from dudao.census.actions import CensusError
from dudao.errors import ActionError
from dudao.evaluation.actions import EvaluationError
from dudao.evidence import UploadRefused
from dudao.notifications.actions import NotificationError
from dudao.orgs.actions import create_region
from dudao.orgs.actions.common import OrgsError
from dudao.overview.whatif import WhatIfError
from dudao.rectification.actions.common import RectificationError
from dudao.reports.document import TemplateRefused
from dudao.reports.sampling import SamplingError
from dudao.security.actions import UnlockError
from tests.personas import SYSTEM, World


def test_every_app_refuses_with_the_one_error_type() -> None:
    for error in (CensusError, EvaluationError, UploadRefused, NotificationError, OrgsError, WhatIfError,
                  RectificationError, TemplateRefused, SamplingError, UnlockError):  # fmt: skip
        assert issubclass(error, ActionError), error


def test_a_refusal_names_its_values_in_chinese_and_in_english(world: World) -> None:
    with pytest.raises(OrgsError) as caught:
        create_region(SYSTEM, world.county, "12", "新镇", why="test")
    error = caught.value
    assert error.code == "bad_code"
    assert "行政区划代码" in error.message_zh and "“12”" in error.message_zh
    assert "digits" in error.message_en and "'12'" in error.message_en
    with override("en"):
        assert error.text() == error.message_en
    with override("zh-hans"):
        assert error.text() == error.message_zh


def test_a_message_of_the_pure_core_is_passed_on_in_both_languages() -> None:
    error = CensusError.bilingual("no_rows", "没有数据行", "no data rows")
    assert (error.message_zh, error.message_en, str(error)) == ("没有数据行", "no data rows", "no_rows: no data rows")
