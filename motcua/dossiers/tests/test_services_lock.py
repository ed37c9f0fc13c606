"""The lock of a transition (``services.frame.lock``) reads, in one plain SQL statement, what the
ORM's select_related query reads: the same dossier, field by field, with the same related rows."""

import pytest
from django.db import transaction

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.frame import lock
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.lib.errors import NotFound
from motcua.org.models import Agency
from motcua.workcalendar.models import WorkSchedule

pytestmark = pytest.mark.django_db
S = services.State
RELATED = ("procedure", "receiving_agency", "handling_agency", "holder_agency", "current_step")


def _values(obj):
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _assert_same(found: Dossier, expected: Dossier) -> None:
    assert type(found) is Dossier and not found._state.adding and found._state.db == expected._state.db
    assert _values(found) == _values(expected)
    for name in RELATED:
        assert getattr(Dossier, name).field.is_cached(found), name  # no query when it is named
        assert _values(getattr(found, name)) == _values(getattr(expected, name)), name
    handling = found.handling_agency
    assert Dossier.handling_agency.field.is_cached(found)
    if handling is not None:
        assert Agency.schedule.field.is_cached(handling)
        assert _values(handling.schedule) == _values(expected.handling_agency.schedule)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.INTAKE_SUPPLEMENT, S.RECEIVED, S.PROCESSING, AT_APPROVAL])
def test_the_lock_reads_what_the_orm_reads(world, frozen, state, django_assert_num_queries):
    d = advance(world, state)
    if state == S.PROCESSING:  # a working schedule on the handling agency
        schedule = WorkSchedule.objects.create(code="lich-rieng", name="Lịch riêng")
        d.handling_agency.schedule = schedule
        d.handling_agency.save(update_fields=["schedule"])
    expected = Dossier.objects.select_related(*RELATED, "handling_agency__schedule").get(pk=d.pk)
    with transaction.atomic():
        with django_assert_num_queries(2):  # one each, nothing read later
            by_code = lock(d.code)
            by_itself = lock(Dossier(pk=d.pk))
            _assert_same(by_code, expected)
            _assert_same(by_itself, expected)


def test_locking_an_unknown_dossier_is_not_found(world):
    with transaction.atomic(), pytest.raises(NotFound) as unknown:
        lock("000.01.31.H99-260302-9999")
    assert unknown.value.code == "dossier_not_found"
