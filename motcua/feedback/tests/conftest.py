"""Fixtures of the feedback tests: the dossier tests' province (commune A's one-stop unit receives,
commune A handles; its leader is the head of unit) and dossiers brought through the real services."""

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_8AM, World, advance, build_world

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
