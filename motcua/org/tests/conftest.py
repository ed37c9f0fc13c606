"""Personas for the organisation tests (built through the real services, see org/testing.py)."""

import pytest

from motcua.org.testing import build_org_tree, build_personas


@pytest.fixture
def org_tree(db):
    return build_org_tree()


@pytest.fixture
def personas(org_tree):
    return build_personas(org_tree)


@pytest.fixture
def receptionist(personas):
    return personas.receptionist


@pytest.fixture
def specialist(personas):
    return personas.specialist


@pytest.fixture
def leader(personas):
    return personas.leader


@pytest.fixture
def director(personas):
    return personas.director


@pytest.fixture
def supervisor(personas):
    return personas.supervisor


@pytest.fixture
def administrator(personas):
    return personas.administrator


@pytest.fixture
def outsider(personas):
    return personas.outsider
