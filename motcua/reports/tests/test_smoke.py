from datetime import date

import pytest

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance
from motcua.reports import engine, selectors

pytestmark = pytest.mark.django_db
S = services.State


def test_smoke(world, frozen):
    advance(world, S.RETURNED)
    advance(world, S.REFUSED)
    assert engine.apply_events() > 0
    t = selectors.totals(agencies=[world.tree.commune_a], start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert t["received"] == 1 and t["finished"] == 1 and t["returned"] == 1, t
    d = selectors.dashboard_data(
        agencies=[world.tree.commune_a], start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert d["months"][0]["received"] == 1
    assert (
        selectors.dossiers_behind(
            "received", agencies=[world.tree.commune_a], start=date(2026, 3, 1), end=date(2026, 3, 31)
        ).count()
        == 1
    )
