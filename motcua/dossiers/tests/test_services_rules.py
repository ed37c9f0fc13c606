"""Each transition checks the state (409 naming it) and the actor's role and jurisdiction (403),
and writes nothing when it refuses."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance, intake, vn
from motcua.lib.errors import Conflict, Forbidden
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
S = services.State


def _call(action: str, actor, d, world):
    kw = {"actor": actor, "dossier": d, "expected_version": d.version}
    extras: dict[str, dict[str, Any]] = {
        "receive": {},
        "refuse": {"reason": "Sai thẩm quyền"},
        "request-supplement": {"items": [services.SupplementItem("Tờ khai", "Thiếu chữ ký")]},
        "receive-supplement": {},
        "assign": {"officer": world.specialist2},
        "forward": {},
        "send-back": {"to_seq": 1, "note": "Xem lại"},
        "approve": {},
        "reject": {"reason": "Không đủ điều kiện"},
        "request-payment": {"amount_vnd": 100_000},
        "record-payment": {},
        "stop": {"reason": "Theo yêu cầu của cơ quan có thẩm quyền"},
        "withdraw": {"reason": "Công dân xin rút"},
        "extend": {
            "reason": "Cần xác minh thêm",
            "new_due_at": d.due_at + timedelta(days=7) if d.due_at else None,
        },
        "finish": {},
        "return-result": {"collected_by": "Nguyễn Thị Hoa"},
    }
    verbs: dict[str, Callable[..., Dossier]] = {
        "receive": services.dossier_receive,
        "refuse": services.dossier_refuse,
        "request-supplement": services.dossier_request_supplement,
        "receive-supplement": services.dossier_receive_supplement,
        "assign": services.dossier_assign,
        "forward": services.dossier_forward,
        "send-back": services.dossier_send_back,
        "approve": services.dossier_approve,
        "reject": services.dossier_reject,
        "request-payment": services.dossier_request_payment,
        "record-payment": services.dossier_record_payment,
        "stop": services.dossier_stop,
        "withdraw": services.dossier_withdraw,
        "extend": services.dossier_extend,
        "finish": services.dossier_finish,
        "return-result": services.dossier_return_result,
    }
    return verbs[action](**kw, **extras[action])


def _footprint(d):
    return (
        Dossier.objects.get(pk=d.pk).version,
        DossierEvent.objects.filter(dossier=d).count(),
        AuditEvent.objects.filter(action__startswith="dossier.").count(),
        OutboxMessage.objects.filter(dossier=d).count(),
    )


# (action, state it starts from, who may, who may not)
CASES = [
    (
        "receive",
        S.SUBMITTED,
        "receptionist",
        ["specialist", "leader", "supervisor", "outsider", "dept_specialist"],
    ),
    ("refuse", S.INTAKE_SUPPLEMENT, "receptionist", ["specialist", "supervisor", "outsider"]),
    (
        "request-supplement",
        S.PROCESSING,
        "specialist",
        ["receptionist", "supervisor", "outsider", "dept_specialist"],
    ),
    ("receive-supplement", S.SUPPLEMENT, "receptionist", ["supervisor", "outsider", "dept_specialist"]),
    ("assign", S.PROCESSING, "leader", ["specialist", "receptionist", "supervisor", "outsider"]),
    ("forward", S.RECEIVED, "receptionist", ["supervisor", "outsider", "dept_specialist"]),
    ("send-back", S.PROCESSING, "specialist", ["receptionist", "supervisor", "outsider"]),
    (
        "approve",
        AT_APPROVAL,
        "leader",
        ["specialist", "receptionist", "supervisor", "outsider", "dept_specialist"],
    ),
    ("reject", AT_APPROVAL, "leader", ["specialist", "supervisor", "outsider"]),
    ("request-payment", S.PROCESSING, "specialist", ["receptionist", "supervisor", "outsider"]),
    ("record-payment", S.PAYMENT, "receptionist", ["supervisor", "outsider"]),
    ("stop", S.PROCESSING, "leader", ["specialist", "receptionist", "supervisor", "outsider"]),
    ("withdraw", S.PROCESSING, "leader", ["specialist", "supervisor", "outsider"]),
    ("extend", S.PROCESSING, "leader", ["specialist", "receptionist", "supervisor", "outsider"]),
    ("finish", S.APPROVED, "receptionist", ["supervisor", "outsider", "dept_specialist"]),
    ("return-result", S.FINISHED, "receptionist", ["specialist", "leader", "supervisor", "outsider"]),
]


@pytest.mark.parametrize(("action", "state", "allowed", "denied"), CASES, ids=[c[0] for c in CASES])
def test_only_the_right_role_of_the_right_agency_may_take_each_action(
    world, frozen, action, state, allowed, denied
):
    d = advance(world, state)
    before = _footprint(d)
    for name in denied:
        with pytest.raises(Forbidden):
            _call(action, getattr(world, name), d, world)
        assert _footprint(d) == before, f"{name} changed something"
    done = _call(action, getattr(world, allowed), d, world)
    if action == "assign":
        assert done.holder == world.specialist2
    assert _footprint(d)[0] == before[0] + 1


# (action, a state where it is not allowed)
WRONG = [
    ("receive", S.RECEIVED),
    ("refuse", S.PROCESSING),
    ("receive-supplement", S.PROCESSING),
    ("forward", S.APPROVED),
    ("send-back", S.RECEIVED),
    ("approve", S.FINISHED),
    ("reject", S.APPROVED),
    ("record-payment", S.PROCESSING),
    ("stop", S.FINISHED),
    ("withdraw", S.RETURNED),
    ("extend", S.FINISHED),
    ("finish", S.PROCESSING),
    ("return-result", S.PROCESSING),
    ("assign", S.FINISHED),
]


@pytest.mark.parametrize(("action", "state"), WRONG, ids=[f"{a}-in-{s}" for a, s in WRONG])
def test_an_action_in_the_wrong_state_is_a_conflict_naming_the_state(world, frozen, action, state):
    d = advance(world, state)
    before = _footprint(d)
    actor = {
        "receive": world.receptionist,
        "refuse": world.receptionist,
        "return-result": world.receptionist,
        "record-payment": world.receptionist,
        "forward": world.specialist,
        "send-back": world.specialist,
        "finish": world.receptionist,
        "receive-supplement": world.receptionist,
        "withdraw": world.receptionist,
    }.get(action, world.leader)
    with pytest.raises(Conflict) as caught:
        _call(action, actor, d, world)
    assert caught.value.code == "wrong_state"
    assert f"“{Dossier.State(state).label}”" in caught.value.message
    assert _footprint(d) == before


def test_a_stale_version_is_refused_and_nothing_is_written(world, frozen):
    d = advance(world, S.PROCESSING)
    services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist2
    )
    before = _footprint(d)
    with pytest.raises(Conflict) as caught:
        services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)  # the old version
    assert caught.value.code == "stale"
    assert caught.value.message == "Hồ sơ đã thay đổi do người khác vừa xử lý. Vui lòng tải lại trang."
    assert _footprint(d) == before
    assert Dossier.objects.get(pk=d.pk).state == S.PROCESSING


def test_a_supervisor_is_told_they_may_only_watch(world, frozen):
    d = advance(world, S.PROCESSING)
    with pytest.raises(Forbidden) as caught:
        services.dossier_approve(actor=world.supervisor, dossier=d, expected_version=d.version)
    assert caught.value.code == "read_only"
    assert "chỉ có quyền theo dõi" in caught.value.message


def test_an_officer_from_another_commune_is_forbidden(world, frozen):
    d = advance(world, S.RECEIVED)
    with pytest.raises(Forbidden) as caught:
        services.dossier_forward(actor=world.outsider, dossier=d, expected_version=d.version)
    assert caught.value.code == "outside_jurisdiction"


def test_assigning_to_an_officer_of_another_agency_is_refused(world, frozen):
    d = advance(world, S.PROCESSING)
    from motcua.lib.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        services.dossier_assign(
            actor=world.leader, dossier=d, expected_version=d.version, officer=world.outsider
        )
    assert caught.value.code == "officer_not_in_agency"


def test_forwarding_past_the_last_step_is_refused_and_sending_back_repeats_an_earlier_step(world, frozen):
    d = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 2, 10, 0))
    d = services.dossier_send_back(
        actor=world.specialist, dossier=d, expected_version=d.version, to_seq=1, note="Thiếu bản sao"
    )
    assert d.current_step.seq == 3 and d.current_step.name == "Tiếp nhận hồ sơ"
    assert d.holder_agency == world.tree.one_stop_a and d.holder == world.receptionist
    assert d.steps.get(seq=2).ended_by == "send_back"
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    assert d.current_step.name == "Phê duyệt" and d.holder is None
    # Nobody forwards past the approval step, not even the leader who holds it: he decides.
    before = _footprint(d)
    with pytest.raises(Forbidden) as caught:
        services.dossier_forward(actor=world.leader, dossier=d, expected_version=d.version)
    assert caught.value.code == "approval_step"
    assert _footprint(d) == before
    d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    assert (d.state, d.current_step.name) == (S.APPROVED, "Trả kết quả")
    assert d.steps.get(name="Phê duyệt").ended_by == "approve"


def test_forwarding_past_the_last_step_of_a_process_without_approval_is_refused(world, frozen):
    from motcua.catalog import services as catalog_services

    catalog_services.process_template_save(
        procedure=world.procedure,
        actor=None,
        steps=[
            {
                "name": "Tiếp nhận hồ sơ",
                "performer": "receiving_role",
                "role": "receptionist",
                "budget_hours": 4,
            },
            {"name": "Giải quyết", "performer": "handling_role", "role": "specialist", "budget_hours": 36},
        ],
    )
    d = advance(world, S.PROCESSING)
    assert d.current_step.name == "Giải quyết"
    with pytest.raises(Conflict) as caught:
        services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    assert caught.value.code == "last_step"
    # No approval step named: the commune's leader decides, the specialist may not.
    with pytest.raises(Forbidden) as refused:
        services.dossier_approve(actor=world.specialist, dossier=d, expected_version=d.version)
    assert refused.value.code == "approval_requires_leader"
    d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    assert d.state == S.APPROVED and d.holder == world.leader  # he finishes the result
    d = services.dossier_finish(actor=world.leader, dossier=d, expected_version=d.version)
    assert d.state == S.FINISHED


def test_forwarding_to_another_agency_makes_an_inter_agency_step(world, frozen):
    d = advance(world, S.PROCESSING)
    d = services.dossier_forward(
        actor=world.specialist,
        dossier=d,
        expected_version=d.version,
        to_agency="000.00.11.H99",
        note="Xin ý kiến",
    )
    assert d.holder_agency == world.tree.department
    assert d.current_step.agency == world.tree.department
    assert d.current_step.template_order is None and d.current_step.due_at is None
    # The department's specialist acts on it now (liên thông), the commune's may not.
    with pytest.raises(Forbidden):
        services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    d = services.dossier_forward(actor=world.dept_specialist, dossier=d, expected_version=d.version)
    # Back to the step that asked, with the officer who held it.
    assert (d.current_step.seq, d.current_step.name) == (4, "Thẩm định hồ sơ")
    assert d.holder_agency == world.tree.commune_a and d.holder == world.specialist


def test_refusal_and_intake_supplement_give_the_dossier_its_code(world, frozen):
    refused = advance(world, S.REFUSED)
    asked = advance(world, S.INTAKE_SUPPLEMENT)
    received = advance(world, S.RECEIVED)
    assert [refused.code, asked.code, received.code] == [
        "000.01.31.H99-260302-0001",
        "000.01.31.H99-260302-0002",
        "000.01.31.H99-260302-0003",
    ]
    assert refused.status_code == 3 and refused.closed_at is not None
    assert asked.status_code == 5 and asked.pauses.get().items == [
        {"name": "Giấy xác nhận tình trạng hôn nhân", "reason": "Chưa nộp"}
    ]
    # The applicant comes back with everything: received under the same code.
    d = services.dossier_receive(
        actor=world.receptionist, dossier=asked, expected_version=asked.version, data=intake(world)
    )
    assert d.code == "000.01.31.H99-260302-0002" and d.state == S.RECEIVED
    assert d.pauses.get().ended_at is not None


def test_an_online_submission_is_received_at_the_counter(world, frozen):
    d = advance(world, S.SUBMITTED)
    assert d.status_code == 1 and d.owner == world.citizen and d.channel == 2 and d.received_at is None
    d = services.dossier_receive(actor=world.receptionist, dossier=d.code, expected_version=d.version)
    assert d.state == S.RECEIVED and d.received_at is not None
    with pytest.raises(Forbidden):
        services.dossier_submit_online(citizen=world.receptionist, data=intake(world, channel=2))


def test_withdraw_and_stop_close_the_dossier(world, frozen):
    w = advance(world, S.WITHDRAWN)
    s = advance(world, S.STOPPED)
    assert (w.status_code, s.status_code) == (7, 8)
    assert w.closed_at is not None and s.closed_at is not None
    assert w.current_step.finished_at is not None


def test_reject_finishes_with_a_written_answer_and_freezes_timeliness(world, frozen):
    d = advance(world, AT_APPROVAL)
    d = services.dossier_reject(
        actor=world.leader, dossier=d, expected_version=d.version, reason="Không đủ tuổi"
    )
    assert (d.state, d.outcome, d.timeliness) == (S.FINISHED, "rejected", "early")
    assert d.holder_agency == world.tree.one_stop_a
    d = services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Hoa"
    )
    assert d.status_code == 10


def test_a_result_by_post_needs_its_tracking_number(world, frozen):
    d = advance(world, S.FINISHED, data=intake(world, result_delivery="post"))
    from motcua.lib.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.dossier_return_result(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, postal_tracking="EB123456789VN"
    )
    assert d.postal_tracking == "EB123456789VN"


def test_comments_go_on_the_timeline_and_outsiders_may_not_comment(world, frozen):
    d = advance(world, S.PROCESSING)
    same = services.dossier_add_comment(actor=world.specialist, dossier=d, body="Đã gọi điện cho công dân")
    assert same.pk == d.pk and same.version == d.version  # a comment never makes an action stale
    event = DossierEvent.objects.get(dossier=d, kind="comment")
    assert (event.note, event.agency, event.actor) == (
        "Đã gọi điện cho công dân",
        world.tree.commune_a,
        world.specialist,
    )
    with pytest.raises(Forbidden):
        services.dossier_add_comment(actor=world.outsider, dossier=d, body="x")
    with pytest.raises(Forbidden):
        services.dossier_add_comment(actor=world.supervisor, dossier=d, body="x")
