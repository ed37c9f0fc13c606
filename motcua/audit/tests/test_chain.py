import pytest
from django.core.management import CommandError, call_command

from motcua.audit.models import AuditEvent
from motcua.audit.selectors import audit_verify_chains
from motcua.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _three_events(chain="000.00.12.H99"):
    for n in range(3):
        audit_record(action="test.event", object_type="demo", object_id=str(n), after={"n": n}, chain=chain)


def test_a_fresh_chain_verifies():
    _three_events()
    audit_record(action="test.event", chain="other")
    assert audit_verify_chains() == []
    call_command("audit_verify")


def test_events_are_numbered_and_linked_per_chain():
    _three_events("a")
    _three_events("b")
    a = list(AuditEvent.objects.filter(chain="a").order_by("seq"))
    assert [e.seq for e in a] == [1, 2, 3]
    assert a[0].prev_hash == ""
    assert a[1].prev_hash == a[0].hash
    assert AuditEvent.objects.filter(chain="b").count() == 3


def test_an_event_edited_behind_the_applications_back_is_detected():
    _three_events()
    # A direct UPDATE, as someone with database access would do it.
    AuditEvent.objects.filter(seq=2).update(after={"n": 99})
    problems = audit_verify_chains()
    assert [(p.seq, p.problem) for p in problems] == [(2, "nội dung đã bị sửa")]
    with pytest.raises(CommandError, match="KHÔNG toàn vẹn"):
        call_command("audit_verify")


def test_a_deleted_event_is_detected():
    _three_events()
    AuditEvent.objects.filter(seq=2).delete()
    assert any("thiếu sự kiện" in p.problem for p in audit_verify_chains())


def test_a_deleted_last_event_is_detected():
    _three_events()
    AuditEvent.objects.filter(seq=3).delete()
    assert any("cuối chuỗi" in p.problem for p in audit_verify_chains())
