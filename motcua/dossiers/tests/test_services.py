"""Dossier transitions: the happy path, worked examples of deadlines, side effects."""

import pytest

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.tests.conftest import intake, vn
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_dossier_goes_from_the_counter_through_every_step_to_the_citizen(world, frozen):
    d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.code == "000.01.31.H99-260302-0001"
    assert len(d.pin) == 6
    assert d.state == "received" and d.status_code == 2
    # 5 working days from Monday 08:00 = next Monday 08:00.
    assert d.due_at == vn(2026, 3, 9, 8, 0)
    assert d.original_due_at == d.due_at
    assert d.handling_agency == world.tree.commune_a
    assert d.holder_agency == world.tree.one_stop_a
    assert d.holder == world.receptionist
    assert d.rules_version == "nd118-2025"
    assert d.procedure_snapshot["time"] == 5 and d.procedure_snapshot["unit"] == "working_days"
    assert [s["name"] for s in d.procedure_snapshot["steps"]][0] == "Tiếp nhận hồ sơ"
    step = d.current_step
    # 4 working hours from 08:00: 3½ h until 11:30, the last ½ h from 13:30.
    assert (step.seq, step.name, step.due_at) == (1, "Tiếp nhận hồ sơ", vn(2026, 3, 2, 14, 0))
    assert list(d.documents.values_list("requirement_code", flat=True)) == ["TP01", "TP02"]

    frozen.move_to(vn(2026, 3, 2, 9, 0))
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.state == "processing" and d.status_code == 4
    assert d.holder_agency == world.tree.commune_a and d.holder is None
    assert d.current_step.name == "Thẩm định hồ sơ"
    # 24 working hours from Monday 09:00 = Thursday 09:00.
    assert d.current_step.due_at == vn(2026, 3, 5, 9, 0)

    d = services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
    )
    assert d.holder == world.specialist

    frozen.move_to(vn(2026, 3, 4, 10, 0))
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, expected_version=d.version, officer=world.leader
    )
    assert d.current_step.name == "Phê duyệt" and d.holder == world.leader

    frozen.move_to(vn(2026, 3, 5, 8, 0))
    d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    assert d.state == "approved" and d.outcome == "approved"
    assert d.current_step.name == "Trả kết quả" and d.holder_agency == world.tree.one_stop_a

    d = services.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.state == "finished" and d.status_code == 9
    assert d.finished_at == vn(2026, 3, 5, 8, 0)
    assert d.timeliness == "early"

    frozen.move_to(vn(2026, 3, 6, 14, 0))
    d = services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Nguyễn Thị Hoa"
    )
    assert d.state == "returned" and d.status_code == 10
    assert d.collected_by == "Nguyễn Thị Hoa"
    assert d.timeliness == "early"  # frozen at finish

    steps = list(DossierStep.objects.filter(dossier=d).order_by("seq"))
    assert [(s.name, s.timeliness) for s in steps] == [
        ("Tiếp nhận hồ sơ", "on_time"),
        ("Thẩm định hồ sơ", "early"),
        ("Phê duyệt", "on_time"),
        ("Trả kết quả", "on_time"),
    ]
    assert list(DossierEvent.objects.filter(dossier=d).values_list("status_code", flat=True)) == [
        2,
        4,
        4,
        4,
        4,
        9,
        10,
    ]
    assert AuditEvent.objects.filter(object_id=str(d.pk), action__startswith="dossier.").count() == 7
    # Status changes only: received, processing, approved (stays 4: no message), finished, returned;
    # SMS and e-mail each.
    assert OutboxMessage.objects.filter(dossier=d, channel="sms").count() == 4
    assert OutboxMessage.objects.filter(dossier=d, channel="email").count() == 4
    assert Dossier.objects.get(pk=d.pk).version == 7  # 1 at reception, +1 per transition
