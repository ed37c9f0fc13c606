"""The head of unit's panel on the inbox reads its rows in plain SQL (``unsatisfied_panel_rows``):
the same rows, in the same order, as the ORM's ``unsatisfied_for`` for every kind of officer."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model

from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.feedback.selectors import unsatisfied_for, unsatisfied_panel_rows
from motcua.org.models import Membership
from motcua.org.testing import make_staff


def _orm(user, limit):
    return [(r.dossier.code, r.procedure.name, r.created_at) for r in unsatisfied_for(user)[:limit]]


def _sql(user, limit):
    return [(r.code, r.procedure_name, r.created_at) for r in unsatisfied_panel_rows(user, limit=limit)]


def test_the_panel_reads_the_rows_of_unsatisfied_for_in_plain_sql(world, returned, director):
    tree = world.tree
    start = returned.returned_at
    agencies = [tree.commune_a, tree.one_stop_a, tree.commune_b, tree.department, tree.province]
    n = 0
    for agency in agencies:
        for satisfied in (False, True):
            for handled in (False, True):
                n += 1
                dossier = Dossier.objects.get(pk=returned.pk)  # a copy of it under a code of its own
                dossier.pk, dossier.uid, dossier.code = None, uuid.uuid4(), f"{returned.code}-{n}"
                dossier.save(force_insert=True)
                Rating.objects.create(
                    dossier=dossier,
                    channel="online",
                    source="tracking",
                    agency=agency,
                    procedure=returned.procedure,
                    satisfied=satisfied,
                    questionnaire_version="test",
                    # two at the same moment: the id breaks the tie, newest first
                    created_at=start + timedelta(minutes=n // 8),
                    handled_at=start + timedelta(days=1) if handled else None,
                )
    dept_leader = make_staff("ld_so", tree.department, Membership.Role.LEADER)
    root = get_user_model().objects.create_superuser("goc", password="mat-khau-dai-0123")
    officers = [world.leader, director, dept_leader, world.receptionist, world.supervisor, root, None]
    seen = set()
    for user in officers:
        for limit in (1, 3, 50):
            assert _sql(user, limit) == _orm(user, limit), (user, limit)
        seen.add(len(_orm(user, 50)))
    assert {0, 1} < seen  # someone sees nothing, someone one row, someone several
