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
