"""Deadlines, worked by hand on the Monday–Friday week (07:00–11:30, 13:30–17:00), time frozen."""

from datetime import timedelta

import pytest
import time_machine

from motcua.audit.selectors import audit_verify_chains
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, DossierExtension
from motcua.dossiers.tests.conftest import MONDAY_8AM, advance, build_world, intake, vn
from motcua.lib.errors import Conflict, InvalidInput
from motcua.notifications.models import OutboxMessage
from motcua.org.models import Agency
from motcua.workcalendar.models import WorkSchedule

pytestmark = pytest.mark.django_db
S = services.State
ITEMS = [services.SupplementItem("Tờ khai", "Thiếu chữ ký của người yêu cầu")]


def test_a_dossier_received_after_15_00_on_friday_is_transferred_on_monday_and_due_the_next_friday(world):
    with time_machine.travel(vn(2026, 3, 6, 15, 30), tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.code.endswith("-260306-0001")
    assert d.transfer_at == vn(2026, 3, 9, 7, 0)
    # 40 working hours from Friday 15:30 = the next Friday 15:30 (the appointment counts from reception).
    assert d.due_at == vn(2026, 3, 13, 15, 30)


def test_a_saturday_reception_at_a_unit_open_on_saturdays_starts_its_clock_on_monday(world):
    # Bộ phận Một cửa xã An Bình opens on Saturday mornings (schedule "co-thu-bay", seeded), and
    # so does its commune, which handles the dossier. Received at 09:00 on Saturday 7/3/2026: the
    # legal clock starts at Monday 9/3 07:00, so 5 working days end at the close of Friday 13/3,
    # exactly as at a unit closed on Saturdays; the step budgets do not count the Saturday either.
    saturday = WorkSchedule.objects.get(code="co-thu-bay")
    Agency.objects.filter(pk__in=[world.tree.one_stop_a.pk, world.tree.commune_a.pk]).update(
        schedule=saturday
    )
    with time_machine.travel(vn(2026, 3, 7, 9, 0), tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.received_at == vn(2026, 3, 7, 9, 0)
    assert d.due_at == vn(2026, 3, 13, 17, 0)
    assert d.transfer_at == vn(2026, 3, 9, 7, 0)
    with time_machine.travel(vn(2026, 3, 8, 10, 0), tick=False):  # the same dossier, received on Sunday
        sunday = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert sunday.due_at == d.due_at
    # The first step (reception, 4 working hours in this process) is due Monday 11:00, not Saturday 11:30.
    assert d.current_step.due_at == sunday.current_step.due_at


def test_a_dossier_received_before_the_cut_off_is_transferred_at_once(world):
    with time_machine.travel(vn(2026, 3, 6, 14, 0), tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.transfer_at == vn(2026, 3, 6, 14, 0)


def test_a_dossier_received_on_sunday_counts_from_monday_opening(world):
    with time_machine.travel(vn(2026, 3, 8, 10, 0), tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.due_at == vn(2026, 3, 13, 17, 0)  # 5 working days from Monday 07:00 = Friday 17:00 close


def test_the_offering_local_time_shortens_the_appointment_and_is_kept_in_the_snapshot(db):
    world = build_world(local_time=3)
    with time_machine.travel(MONDAY_8AM, tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.due_at == vn(2026, 3, 5, 8, 0)
    assert (d.procedure_snapshot["time"], d.procedure_snapshot["local_time"]) == (3, 3)
    assert d.procedure_snapshot["procedure_time"] == 5
    # The agency's own template (8 working hours of appraisal) is the one copied.
    assert [s["budget_hours"] for s in d.procedure_snapshot["steps"]] == ["4.00", "8.00", "8.00", "4.00"]
    # A later change of the catalogue does not touch the dossier.
    world.procedure.processing_time = 10
    world.procedure.save()
    d.refresh_from_db()
    assert d.procedure_snapshot["time"] == 3


def test_a_supplement_during_processing_restarts_the_clock_from_the_day_it_is_received(world, frozen):
    d = advance(world, S.PROCESSING)  # received and forwarded Monday 2 March 08:00, due Monday 9 March 08:00
    assert d.due_at == vn(2026, 3, 9, 8, 0)
    frozen.move_to(vn(2026, 3, 3, 10, 0))
    d = services.dossier_request_supplement(
        actor=world.specialist, dossier=d, expected_version=d.version, items=ITEMS
    )
    assert (d.state, d.status_code, d.supplement_count, d.supplement_flagged) == (S.SUPPLEMENT, 5, 1, False)
    frozen.move_to(vn(2026, 3, 5, 10, 0))
    d = services.dossier_receive_supplement(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.state == S.PROCESSING
    # Restart: 40 working hours from Thursday 10:00 = Thursday 12 March 10:00.
    assert d.due_at == vn(2026, 3, 12, 10, 0)
    assert d.clock_started_at == vn(2026, 3, 5, 10, 0)
    assert d.original_due_at == vn(2026, 3, 9, 8, 0)
    # The appraisal step (24 h) restarts too: Tuesday 10 March 10:00.
    assert d.current_step.due_at == vn(2026, 3, 10, 10, 0)
    pause = d.pauses.get()
    assert (pause.policy, pause.started_at, pause.ended_at) == (
        "restart",
        vn(2026, 3, 3, 10),
        vn(2026, 3, 5, 10),
    )


def test_a_supplement_under_the_pause_policy_moves_the_appointment_by_the_working_time_paused(db):
    world = build_world(policy="pause")
    with time_machine.travel(MONDAY_8AM, tick=False) as frozen:
        d = advance(world, S.PROCESSING)
        assert d.current_step.due_at == vn(2026, 3, 5, 8, 0)
        frozen.move_to(vn(2026, 3, 3, 10, 0))
        d = services.dossier_request_supplement(
            actor=world.specialist, dossier=d, expected_version=d.version, items=ITEMS
        )
        frozen.move_to(vn(2026, 3, 5, 10, 0))  # 16 working hours later
        d = services.dossier_receive_supplement(actor=world.specialist, dossier=d, expected_version=d.version)
    assert d.due_at == vn(2026, 3, 11, 8, 0)
    assert d.current_step.due_at == vn(2026, 3, 9, 8, 0)
    assert d.clock_started_at == MONDAY_8AM


def test_the_second_supplement_request_is_flagged(world, frozen):
    d = advance(world, S.PROCESSING)
    for _ in range(2):
        d = services.dossier_request_supplement(
            actor=world.specialist, dossier=d, expected_version=d.version, items=ITEMS
        )
        assert d.status_code == 5
        if d.supplement_count == 1:
            assert not d.supplement_flagged
        d = services.dossier_receive_supplement(
            actor=world.receptionist, dossier=d, expected_version=d.version
        )
    assert (d.supplement_count, d.supplement_flagged) == (2, True)


def test_a_supplement_asked_after_three_working_days_is_allowed_but_flagged_in_the_history(world, frozen):
    d = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 5, 8, 30))  # 24½ working hours after reception
    d = services.dossier_request_supplement(
        actor=world.specialist, dossier=d, expected_version=d.version, items=ITEMS
    )
    event = DossierEvent.objects.filter(dossier=d, action="request-supplement").get()
    assert event.data["late_request"] is True
    d2 = advance(world, S.PROCESSING)
    d2 = services.dossier_request_supplement(
        actor=world.specialist, dossier=d2, expected_version=d2.version, items=ITEMS
    )
    assert (
        DossierEvent.objects.filter(dossier=d2, action="request-supplement").get().data["late_request"]
        is False
    )


def test_a_supplement_request_must_say_what_is_missing_and_why(world, frozen):
    d = advance(world, S.PROCESSING)
    with pytest.raises(InvalidInput):
        services.dossier_request_supplement(
            actor=world.specialist, dossier=d, expected_version=d.version, items=[]
        )
    with pytest.raises(InvalidInput):
        services.dossier_request_supplement(
            actor=world.specialist,
            dossier=d,
            expected_version=d.version,
            items=[services.SupplementItem("Tờ khai", " ")],
        )


def test_one_extension_with_an_apology_at_least_one_working_day_before_the_appointment(world, frozen):
    d = advance(world, S.PROCESSING)  # due Monday 9 March 08:00
    frozen.move_to(vn(2026, 3, 5, 8, 0))  # 16 working hours before
    with pytest.raises(InvalidInput):
        services.dossier_extend(
            actor=world.leader, dossier=d, expected_version=d.version, reason="Xác minh", new_due_at=d.due_at
        )
    d = services.dossier_extend(
        actor=world.leader,
        dossier=d,
        expected_version=d.version,
        reason="Cần xác minh tại cơ quan khác",
        new_due_at=vn(2026, 3, 12, 17, 0),
    )
    assert d.due_at == vn(2026, 3, 12, 17, 0) and d.original_due_at == vn(2026, 3, 9, 8, 0)
    assert d.extension_count == 1
    ext = DossierExtension.objects.get(dossier=d)
    assert (ext.previous_due_at, ext.new_due_at, ext.created_by) == (
        vn(2026, 3, 9, 8, 0),
        vn(2026, 3, 12, 17, 0),
        world.leader,
    )
    apology = OutboxMessage.objects.filter(dossier=d, event="dossier.extend", channel="email").get()
    assert "Xin lỗi" in apology.body and "17:00 ngày 12/03/2026" in apology.body
    with pytest.raises(Conflict) as caught:
        services.dossier_extend(
            actor=world.leader,
            dossier=d,
            expected_version=d.version,
            reason="Lần nữa",
            new_due_at=vn(2026, 3, 20, 17, 0),
        )
    assert caught.value.code == "already_extended"


def _extend(world, d, new_due_at):
    return services.dossier_extend(
        actor=world.leader,
        dossier=d,
        expected_version=d.version,
        reason="Cần xác minh tại cơ quan khác",
        new_due_at=new_due_at,
    )


def test_an_extension_goes_at_most_one_more_processing_time_past_the_appointment(world, frozen):
    d = advance(world, S.PROCESSING)  # received Monday 2 March 08:00, due Monday 9 March 08:00
    frozen.move_to(vn(2026, 3, 5, 8, 0))
    version = d.version
    # 5 more working days from Monday 9 March 08:00 end on Monday 16 March: its close, 17:00.
    for too_late in (vn(2026, 3, 16, 17, 1), vn(9999, 12, 31, 23, 59)):
        with pytest.raises(InvalidInput) as caught:
            _extend(world, d, too_late)
        assert caught.value.code == "extension_too_long"
        assert caught.value.message == (
            "Ngày hẹn trả mới muộn nhất là 17:00 16/03/2026: chỉ được gia hạn thêm tối đa "
            "5 ngày làm việc, bằng thời hạn giải quyết của thủ tục, tính từ ngày hẹn trả hiện tại "
            "(08:00 09/03/2026)."
        )
        assert caught.value.details == {"field": "new_due_at", "latest": "2026-03-16T17:00:00+07:00"}
    d.refresh_from_db()
    assert (d.due_at, d.extension_count, d.version) == (vn(2026, 3, 9, 8, 0), 0, version)
    assert not DossierExtension.objects.exists()
    assert not OutboxMessage.objects.filter(event="dossier.extend").exists()

    d = _extend(world, d, vn(2026, 3, 16, 17, 0))  # the latest allowed
    assert (d.due_at, d.extension_count) == (vn(2026, 3, 16, 17, 0), 1)


def test_the_extension_limit_counts_on_the_working_calendar_across_holidays(world):
    # Received Monday 20 April 2026 08:00: Monday 27/4 is the day off for Giỗ Tổ (26/4 a Sunday),
    # so 5 working days end Tuesday 28 April 08:00. From there: Wednesday 29/4 is day 1, then
    # 30/4 and 1/5 (holidays) and the weekend are skipped: day 5 is Thursday 7 May.
    with time_machine.travel(vn(2026, 4, 20, 8, 0), tick=False):
        d = advance(world, S.PROCESSING)
        assert d.due_at == vn(2026, 4, 28, 8, 0)
        with pytest.raises(InvalidInput) as caught:
            _extend(world, d, vn(2026, 5, 8, 8, 0))
        assert "muộn nhất là 17:00 07/05/2026" in caught.value.message
        d = _extend(world, d, vn(2026, 5, 7, 17, 0))
    assert d.due_at == vn(2026, 5, 7, 17, 0)


def test_the_extension_limit_is_a_setting(world, frozen, settings):
    settings.MOTCUA_EXTENSION_MAX_PERIODS = 2
    d = advance(world, S.PROCESSING)  # due Monday 9 March 08:00
    with pytest.raises(InvalidInput) as caught:
        _extend(world, d, vn(2026, 3, 24, 7, 0))
    assert caught.value.message.startswith(
        "Ngày hẹn trả mới muộn nhất là 17:00 23/03/2026: chỉ được gia hạn thêm tối đa "
        "10 ngày làm việc, bằng 2 lần thời hạn giải quyết của thủ tục,"
    )
    assert _extend(world, d, vn(2026, 3, 23, 17, 0)).due_at == vn(2026, 3, 23, 17, 0)


def test_an_extension_less_than_one_working_day_before_the_appointment_is_refused(world, frozen):
    d = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 6, 9, 0))  # 7 working hours before Monday 08:00
    with pytest.raises(Conflict) as caught:
        services.dossier_extend(
            actor=world.leader,
            dossier=d,
            expected_version=d.version,
            reason="Xác minh",
            new_due_at=vn(2026, 3, 12, 17, 0),
        )
    assert caught.value.code == "extension_too_late"
    assert not DossierExtension.objects.exists()


def test_a_dossier_finished_after_its_appointment_is_late_and_stays_late(world, frozen):
    d = advance(world, S.APPROVED)
    frozen.move_to(vn(2026, 3, 9, 9, 0))  # one hour after the appointment
    d = services.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.timeliness == "late"
    frozen.move_to(vn(2026, 3, 2, 9, 0))  # even if the clock is wound back, nothing is recomputed
    d = services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Hoa"
    )
    assert d.timeliness == "late"


def test_finishing_on_the_appointment_day_is_on_time(world, frozen):
    d = advance(world, S.APPROVED)
    frozen.move_to(vn(2026, 3, 9, 7, 30))
    d = services.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.timeliness == "on_time"


def test_a_step_held_past_its_budget_is_late(world, frozen):
    d = advance(world, S.PROCESSING)  # appraisal due Thursday 08:00
    frozen.move_to(vn(2026, 3, 5, 9, 0))
    d = services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    assert d.steps.get(seq=2).timeliness == "late"
    assert d.steps.get(seq=1).timeliness == "on_time"


def test_a_payment_request_pauses_the_clock(world, frozen):
    d = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 3, 10, 0))
    d = services.dossier_request_payment(
        actor=world.specialist, dossier=d, expected_version=d.version, amount_vnd=1_250_000
    )
    assert (d.status_code, d.fee_due_vnd) == (6, 1_250_000)
    assert "1.250.000 đ" in OutboxMessage.objects.filter(dossier=d, channel="email").last().body
    frozen.move_to(vn(2026, 3, 4, 10, 0))  # 8 working hours
    d = services.dossier_record_payment(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.state == S.PROCESSING
    assert d.due_at == vn(2026, 3, 10, 8, 0)


def test_a_payment_request_beyond_the_ceiling_is_refused_and_nothing_is_saved(world, frozen):
    d = advance(world, S.PROCESSING)
    for amount in (10**15 + 1, 10**20):  # 10**20 is beyond the column: a database error before
        with pytest.raises(InvalidInput) as caught:
            services.dossier_request_payment(
                actor=world.specialist, dossier=d, expected_version=d.version, amount_vnd=amount
            )
        assert caught.value.code == "amount_too_large"
        assert caught.value.message == (
            "Số tiền phải nộp quá lớn: tối đa 1.000.000.000.000.000 đ. Hãy kiểm tra lại số tiền."
        )
    d.refresh_from_db()
    assert (d.state, d.fee_due_vnd) == (S.PROCESSING, None)
    assert not d.pauses.exists()
    d = services.dossier_request_payment(
        actor=world.specialist, dossier=d, expected_version=d.version, amount_vnd=10**15
    )
    assert Dossier.objects.get(pk=d.pk).fee_due_vnd == 10**15


def test_codes_count_per_receiving_agency_per_day(world, frozen):
    from motcua.catalog import services as catalog_services

    catalog_services.offering_create(agency=world.tree.commune_b, procedure=world.procedure, actor=None)
    a1 = advance(world, S.RECEIVED)
    b1 = services.dossier_receive(actor=world.outsider, data=intake(world, receiving_agency="000.01.32.H99"))
    a2 = advance(world, S.RECEIVED)
    frozen.move_to(vn(2026, 3, 3, 7, 5))
    a3 = advance(world, S.RECEIVED)
    assert [a1.code, b1.code, a2.code, a3.code] == [
        "000.01.31.H99-260302-0001",
        "000.01.32.H99-260302-0001",
        "000.01.31.H99-260302-0002",
        "000.01.31.H99-260303-0001",
    ]
    assert b1.handling_agency == world.tree.commune_b


def test_the_local_day_makes_the_code_not_the_utc_day(world):
    # 06:30 in Hà Nội on 3 March is 23:30 UTC on 2 March.
    with time_machine.travel(vn(2026, 3, 3, 6, 30), tick=False):
        d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.code == "000.01.31.H99-260303-0001"


def test_every_transition_leaves_a_verifiable_audit_chain_per_agency(world, frozen):
    d = advance(world, S.RETURNED)
    from motcua.audit.models import AuditEvent

    chains = set(
        AuditEvent.objects.filter(object_id=str(d.pk), action__startswith="dossier.").values_list(
            "chain", flat=True
        )
    )
    assert chains == {"000.01.31.H99", "000.00.31.H99"}
    receive = AuditEvent.objects.get(object_id=str(d.pk), action="dossier.receive")
    assert receive.actor == world.receptionist and receive.after["state"] == "received"
    approve = AuditEvent.objects.get(object_id=str(d.pk), action="dossier.approve")
    assert approve.before["state"] == "processing" and approve.after["state"] == "approved"
    assert audit_verify_chains() == []
    AuditEvent.objects.filter(pk=approve.pk).update(after={"state": "returned"})
    assert audit_verify_chains() != []


def test_appointment_message_names_the_code_and_due_time(world, frozen):
    d = advance(world, S.RECEIVED)
    sms = OutboxMessage.objects.get(dossier=d, channel="sms")
    assert sms.recipient == "0912345678"
    assert d.code in sms.body and "Hen tra: 09/03/2026 08:00" in sms.body and d.pin in sms.body
    email = OutboxMessage.objects.get(dossier=d, channel="email")
    assert email.recipient == "hoa@example.vn" and "đã được tiếp nhận" in email.subject
    assert "Hẹn trả kết quả: 09/03/2026 08:00." in email.body and "Trạng thái: Được tiếp nhận." in email.body
    assert d.due_at - d.received_at == timedelta(days=7)
