"""The actor convention and the audit trail (docs/adr/0008, 0009)."""

from __future__ import annotations

import pytest
from django.db import transaction

from dudao.actors import actor_label, is_system, system, user_of
from dudao.audit.models import AuditEvent
from dudao.audit.record import record_event
from tests.personas import World


def test_none_is_not_an_actor() -> None:
    with pytest.raises(TypeError):
        is_system(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        system("")


def test_a_person_and_the_system_are_named(world: World) -> None:
    person = world.county_supervisor
    assert (user_of(person), actor_label(person)) == (person, "县督导")
    job = system("command import_census")
    assert (user_of(job), actor_label(job)) == (None, "system (command import_census)")


def test_an_event_names_who_what_where_and_why(world: World) -> None:
    event = record_event(
        world.county_supervisor, "orgs.region.rename", target=world.town, region=world.county,
        why="乡镇更名", data={"name": ["城关镇", "城关街道"]},
    )  # fmt: skip
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_label, stored.verb) == (world.county_supervisor, "县督导", "orgs.region.rename")
    assert (stored.target_type, stored.target_id, stored.target_label) == (
        "orgs.region",
        str(world.town.pk),
        str(world.town),
    )
    assert (stored.region, stored.why, stored.data) == (world.county, "乡镇更名", {"name": ["城关镇", "城关街道"]})


def test_an_event_rolls_back_with_its_change(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(system("test"), "orgs.region.close", target=world.town, region=world.county)
        raise RuntimeError
    assert not AuditEvent.objects.exists()
