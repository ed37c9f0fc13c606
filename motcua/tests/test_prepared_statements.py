"""PostgreSQL plans a statement a connection repeats once, not on every request (settings:
server-side binding, DB_PREPARE_THRESHOLD)."""

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_query_a_connection_has_run_five_times_is_prepared_then_reused():
    lookup = Dossier.objects.select_related("procedure", "receiving_agency", "current_step")
    for n in range(5):
        list(lookup.filter(code=f"KHONG-CO-{n}"))
    assert not [s for s in _prepared() if '"dossiers_dossier"."code" =' in s]
    list(lookup.filter(code="KHONG-CO-5"))  # the sixth time: prepared …
    [statement] = [s for s in _prepared() if '"dossiers_dossier"."code" =' in s]
    assert "$1" in statement  # … with its value as a parameter, so any code reuses the plan
    list(lookup.filter(code="KHONG-CO-6"))
    assert len([s for s in _prepared() if '"dossiers_dossier"."code" =' in s]) == 1
