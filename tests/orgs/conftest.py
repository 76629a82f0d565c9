"""Administration fixtures: administrators of a region (the ``region_admin`` role) on top of the world."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dudao.audit.models import AuditEvent
from dudao.orgs.models import Membership, Role
from tests.personas import PASSWORD, World


def admin_of(region: object, username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, role=Role.REGION_ADMIN, region=region)
    return user


@pytest.fixture
def province_admin(world: World) -> User:
    """省管理员: administrator of 河北省."""
    return admin_of(world.province, "省管理员")


@pytest.fixture
def city_admin(world: World) -> User:
    """市管理员: administrator of 示范市."""
    return admin_of(world.city, "市管理员")


def events(verb: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.order_by("pk")
    return list(found.filter(verb=verb) if verb else found)


def table_counts() -> dict[str, int]:
    """Rows of every table an administration import or action may write."""
    from dudao.api.models import ApiToken
    from dudao.census.models import CensusChange
    from dudao.orgs.models import Account, Department, Membership, Region, School, SchoolYear

    models = (Region, Department, School, SchoolYear, User, Account, Membership, CensusChange, AuditEvent, ApiToken)
    return {m.__name__: m.objects.count() for m in models}


def sheet(path: object, headers: list[str], rows: list[list[object]], title: str = "Sheet1") -> object:
    """A workbook at ``path`` with ``headers`` in row 1 and ``rows`` below."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
