"""Two submissions of one draft at the same moment (the button pressed twice, two tabs) on
PostgreSQL: one dossier. (SQLite serialises every writer, so this proves nothing there.)"""

import threading

import pytest
import time_machine
from django.db import connection, connections

from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.conftest import MONDAY_8AM
from motcua.portal import services
from motcua.portal.models import Draft
from motcua.portal.tests.conftest import pdf

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections (CI runs the suite on PostgreSQL)",
    ),
]


def test_a_draft_submitted_twice_at_once_gives_one_dossier(world):
    with time_machine.travel(MONDAY_8AM, tick=False):
        draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
        services.draft_update(draft=draft, changes={"result_delivery": "online"})
        for code in ("TP01", "TP02"):
            services.draft_add_file(draft=draft, requirement_code=code, uploaded=pdf(f"{code}.pdf"))
        barrier = threading.Barrier(2)
        results: list = [None, None]
        errors: list = [None, None]

        def run(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                results[i] = services.draft_submit(draft=Draft.objects.get(pk=draft.pk))
            except Exception as exc:  # noqa: BLE001 — reported to the test
                errors[i] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert errors == [None, None]
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert sorted((d.pk, first) for d, first in results) == [(dossier.pk, False), (dossier.pk, True)]
    assert DossierFile.objects.filter(document__dossier=dossier).count() == 2
