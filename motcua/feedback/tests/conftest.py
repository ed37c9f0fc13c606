"""Fixtures of the feedback tests: the dossier tests' province (commune A's one-stop unit receives,
commune A handles; its leader is the head of unit) and dossiers brought through the real services."""

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_8AM, World, advance, build_world
from motcua.org import services as org_services
from motcua.org.models import Membership
from motcua.org.testing import make_staff

State = Dossier.State
SATISFIED = {"contacts": "none", "agencies": "one_stop", "misconduct": "no", "satisfied": "yes"}
UNSATISFIED = {"contacts": "more", "agencies": "more", "misconduct": "yes", "satisfied": "no"}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def returned(world, frozen) -> Dossier:
    """A dossier received, processed and returned by commune A's receptionist (Monday 2/3/2026)."""
    return advance(world, State.RETURNED)


@pytest.fixture
def counter(world):
    point = org_services.service_point_create(agency=world.tree.one_stop_a, name="Bộ phận Một cửa xã An Bình")
    return org_services.counter_create(service_point=point, number=2)


@pytest.fixture
def director(world):
    return make_staff("gd_xa_a", world.tree.commune_a, Membership.Role.DIRECTOR, full_name="Đỗ Văn Đốc")
