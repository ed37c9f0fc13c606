"""motcua/lib/planning.py: the catalogue's search is planned by PostgreSQL for its values."""

import pytest
from django.db import connection

from motcua.catalog.models import Procedure
from motcua.lib.planning import planned_for_their_values

pytestmark = pytest.mark.django_db


def _prepared() -> tuple[int, int]:
    """The statements this connection prepared, and how many times their plans were used."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
        )
        count, used = cursor.fetchone()
        return count, used


def _look_up_eight_times() -> None:
    for code in range(8):
        Procedure.objects.filter(code=f"9.{code:06d}").exists()


def test_inside_nothing_is_prepared_and_afterwards_the_connection_prepares_again():
    if connection.vendor != "postgresql":
        with planned_for_their_values():  # nothing to change elsewhere
            _look_up_eight_times()
        pytest.skip("only PostgreSQL prepares statements")
    count, _ = _prepared()
    with planned_for_their_values():
        _look_up_eight_times()
    assert _prepared()[0] == count
    _look_up_eight_times()  # the same statement, now prepared after five runs
    count, used = _prepared()
    assert count > 0
    with planned_for_their_values():
        _look_up_eight_times()  # prepared, and not used inside: planned for its values
    assert _prepared() == (count, used)
    assert connection.connection.prepare_threshold == 5
