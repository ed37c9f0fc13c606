"""Only the holder of a step acts on it (issue 9, item 3).

The table below is written by hand, row by row, from the rule as the issue states it — not
generated from ``services.RULES``: the holder of a step is the officer it is assigned to or,
while unassigned, anyone with the role the process names for it at that agency; a leader or
director reassigns; an approval step is performed only by a leader or director of the handling
agency, and nobody forwards past it.

The process of the test procedure (conftest): 1 "Tiếp nhận hồ sơ" (receptionist, one-stop unit
A), 2 "Thẩm định hồ sơ" (specialist, commune A), 3 "Phê duyệt" (leader, commune A), 4 "Trả kết
quả" (receptionist, one-stop unit A). Each row names the step the dossier is at and whether the
actor holds it:

- ``reception``: step 1, assigned to the receptionist who received it;
- ``appraisal``: step 2, assigned to the actor (holds) or to another specialist (does not);
- ``approval``: step 3, assigned to the actor (holds: leaders and directors only) or to the
  other of leader / director (does not), or left unassigned for a non-leader (does not);
- ``return``: step 4 after approval (state approved), unassigned (the receptionists hold it)
  or assigned by the leader to the actor;
- ``supplement`` / ``payment``: waiting for the applicant, the appraisal step held by the
  actor or by another specialist;
- ``intake``: submitted online, no step yet; ``finished``: the result waits at the counter.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import advance
from motcua.lib.errors import DomainError
from motcua.org.models import Membership
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db
S = services.State
OK = None

# (action, role, the step the dossier is at, the actor holds it, allowed (OK) or the error code)
TABLE = [
    # Forward: the holder only; never past the approval step.
    ("forward", "receptionist", "reception", True, OK),
    ("forward", "specialist", "reception", False, "not_step_holder"),  # still held by the counter
    ("forward", "leader", "reception", False, "not_step_holder"),
    ("forward", "director", "reception", False, "not_step_holder"),
    ("forward", "supervisor", "reception", False, "read_only"),
    ("forward", "specialist", "appraisal", True, OK),
    ("forward", "specialist", "appraisal", False, "not_step_holder"),
    ("forward", "receptionist", "appraisal", False, "not_step_holder"),
    ("forward", "leader", "appraisal", False, "not_step_holder"),
    ("forward", "leader", "appraisal", True, OK),
    ("forward", "director", "appraisal", False, "not_step_holder"),
    ("forward", "specialist", "approval", False, "not_step_holder"),  # past the leader: refused
    ("forward", "leader", "approval", True, "approval_step"),
    ("forward", "director", "approval", True, "approval_step"),
    ("forward", "supervisor", "approval", False, "read_only"),
    # Supplement requested during processing: the holder only.
    ("request-supplement", "specialist", "appraisal", True, OK),
    ("request-supplement", "specialist", "appraisal", False, "not_step_holder"),
    ("request-supplement", "receptionist", "appraisal", False, "not_step_holder"),
    ("request-supplement", "leader", "appraisal", False, "not_step_holder"),
    ("request-supplement", "director", "appraisal", False, "not_step_holder"),
    ("request-supplement", "supervisor", "appraisal", False, "read_only"),
    # Sent back to an earlier step: the holder only (a leader from his approval step).
    ("send-back", "specialist", "appraisal", True, OK),
    ("send-back", "specialist", "appraisal", False, "not_step_holder"),
    ("send-back", "receptionist", "appraisal", False, "not_step_holder"),
    ("send-back", "leader", "appraisal", False, "not_step_holder"),
    ("send-back", "leader", "approval", True, OK),
    ("send-back", "director", "approval", False, "not_step_holder"),
    ("send-back", "specialist", "approval", False, "not_step_holder"),
    ("send-back", "supervisor", "approval", False, "read_only"),
    # Approval: a leader or director of the handling agency holding the approval step.
    ("approve", "leader", "approval", True, OK),
    ("approve", "director", "approval", True, OK),
    ("approve", "leader", "approval", False, "not_step_holder"),
    ("approve", "director", "approval", False, "not_step_holder"),
    ("approve", "specialist", "approval", False, "approval_requires_leader"),
    ("approve", "specialist", "appraisal", True, "approval_requires_leader"),
    ("approve", "receptionist", "reception", True, "approval_requires_leader"),
    ("approve", "leader", "appraisal", True, "not_at_approval_step"),
    ("approve", "supervisor", "approval", False, "read_only"),
    ("reject", "leader", "approval", True, OK),
    ("reject", "director", "approval", True, OK),
    ("reject", "leader", "approval", False, "not_step_holder"),
    ("reject", "director", "approval", False, "not_step_holder"),
    ("reject", "specialist", "appraisal", True, "approval_requires_leader"),
    ("reject", "receptionist", "reception", True, "approval_requires_leader"),
    ("reject", "supervisor", "approval", False, "read_only"),
    # Payment requested: the holder (at the return step, the counter that holds it).
    ("request-payment", "specialist", "appraisal", True, OK),
    ("request-payment", "specialist", "appraisal", False, "not_step_holder"),
    ("request-payment", "leader", "appraisal", False, "not_step_holder"),
    ("request-payment", "receptionist", "appraisal", False, "not_step_holder"),
    ("request-payment", "receptionist", "return", True, OK),
    ("request-payment", "supervisor", "appraisal", False, "read_only"),
    # What the applicant brings or pays: the counter of the receiving agency, or the holder.
    ("receive-supplement", "receptionist", "supplement", False, OK),
    ("receive-supplement", "specialist", "supplement", True, OK),
    ("receive-supplement", "specialist", "supplement", False, "not_step_holder"),
    ("receive-supplement", "leader", "supplement", False, "not_step_holder"),
    ("receive-supplement", "director", "supplement", False, "not_step_holder"),
    ("receive-supplement", "supervisor", "supplement", False, "read_only"),
    ("record-payment", "receptionist", "payment", False, OK),
    ("record-payment", "specialist", "payment", True, OK),
    ("record-payment", "specialist", "payment", False, "not_step_holder"),
    ("record-payment", "leader", "payment", False, "not_step_holder"),
    ("record-payment", "supervisor", "payment", False, "read_only"),
    # Assignment: a leader or director, whoever holds the step.
    ("assign", "leader", "appraisal", False, OK),
    ("assign", "director", "appraisal", False, OK),
    ("assign", "leader", "approval", False, OK),
    ("assign", "specialist", "appraisal", True, "role_not_allowed"),
    ("assign", "receptionist", "reception", True, "role_not_allowed"),
    ("assign", "supervisor", "appraisal", False, "read_only"),
    # "Hoàn thành kết quả": the holder of the step after approval.
    ("finish", "receptionist", "return", True, OK),
    ("finish", "receptionist", "return", False, "not_step_holder"),
    ("finish", "leader", "return", True, OK),
    ("finish", "leader", "return", False, "not_step_holder"),
    ("finish", "specialist", "return", False, "not_step_holder"),
    ("finish", "director", "return", False, "not_step_holder"),
    ("finish", "supervisor", "return", False, "read_only"),
    # Decisions of a leader, whoever holds the step.
    ("stop", "leader", "appraisal", False, OK),
    ("stop", "director", "appraisal", False, OK),
    ("stop", "specialist", "appraisal", True, "role_not_allowed"),
    ("stop", "receptionist", "reception", True, "role_not_allowed"),
    ("stop", "supervisor", "appraisal", False, "read_only"),
    ("extend", "leader", "appraisal", False, OK),
    ("extend", "director", "appraisal", False, OK),
    ("extend", "specialist", "appraisal", True, "role_not_allowed"),
    ("extend", "receptionist", "reception", True, "role_not_allowed"),
    ("extend", "supervisor", "appraisal", False, "read_only"),
    ("withdraw", "receptionist", "appraisal", False, OK),
    ("withdraw", "leader", "appraisal", False, OK),
    ("withdraw", "specialist", "appraisal", True, "role_not_allowed"),
    ("withdraw", "supervisor", "appraisal", False, "read_only"),
    # The counter's own: reception and the return of the result.
    ("receive", "receptionist", "intake", False, OK),
    ("receive", "specialist", "intake", False, "role_not_allowed"),
    ("receive", "leader", "intake", False, "role_not_allowed"),
    ("receive", "director", "intake", False, "role_not_allowed"),
    ("receive", "supervisor", "intake", False, "read_only"),
    ("refuse", "receptionist", "intake", False, OK),
    ("refuse", "specialist", "intake", False, "role_not_allowed"),
    ("refuse", "leader", "intake", False, "role_not_allowed"),
    ("refuse", "supervisor", "intake", False, "read_only"),
    ("return-result", "receptionist", "finished", False, OK),
    ("return-result", "specialist", "finished", False, "role_not_allowed"),
    ("return-result", "leader", "finished", False, "role_not_allowed"),
    ("return-result", "director", "finished", False, "role_not_allowed"),
    ("return-result", "supervisor", "finished", False, "read_only"),
]


@pytest.fixture
def people(world):
    director = make_staff("gd_xa_a", world.tree.commune_a, Membership.Role.DIRECTOR, full_name="Lò Văn Đốc")
    return {
        "receptionist": world.receptionist,
        "specialist": world.specialist,
        "leader": world.leader,
        "director": director,
        "supervisor": world.supervisor,
    }


def _assign(world, d: Dossier, officer) -> Dossier:
    return services.dossier_assign(actor=world.leader, dossier=d, expected_version=d.version, officer=officer)


def _at_approval(world) -> Dossier:
    d = advance(world, S.PROCESSING)
    return services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)


def build(world, people: dict, step: str, role: str, holds: bool) -> Dossier:
    """The dossier at ``step``, its step held by the actor of ``role`` or not (module docstring)."""
    actor = people[role]
    if step == "intake":
        return advance(world, S.SUBMITTED)
    if step == "finished":
        return advance(world, S.FINISHED)
    if step == "reception":
        return advance(world, S.RECEIVED)  # held by the receptionist who received it
    if step == "approval":
        d = _at_approval(world)
        if role in ("leader", "director"):
            other = people["director" if role == "leader" else "leader"]
            d = _assign(world, d, actor if holds else other)
        return d
    if step == "return":
        d = advance(world, S.APPROVED)  # step 4 unassigned: the receptionists hold it
        if role == "receptionist" and not holds:
            d = _assign(world, d, world.leader)
        elif role != "receptionist" and holds:
            d = _assign(world, d, actor)
        return d
    d = advance(world, S.PROCESSING)  # the appraisal step, assigned to the specialist
    holder = actor if holds else world.specialist2
    if holder != world.specialist:
        d = _assign(world, d, holder)
    if step == "supplement":
        return services.dossier_request_supplement(
            actor=holder,
            dossier=d,
            expected_version=d.version,
            items=[services.SupplementItem("Tờ khai", "Thiếu chữ ký")],
        )
    if step == "payment":
        return services.dossier_request_payment(
            actor=holder, dossier=d, expected_version=d.version, amount_vnd=50_000
        )
    return d


def inputs(action: str, d: Dossier, world) -> dict[str, Any]:
    current = d.current_step.seq if d.current_step else 1
    # An approval step is given to a leader or director only (the leader takes it himself).
    at_approval = d.current_step is not None and d.current_step.role == "leader"
    by_action: dict[str, dict[str, Any]] = {
        "refuse": {"reason": "Sai thẩm quyền"},
        "request-supplement": {"items": [services.SupplementItem("Tờ khai", "Thiếu chữ ký")]},
        "assign": {"officer": world.leader if at_approval else world.specialist2},
        "send-back": {"to_seq": current - 1, "note": "Xem lại"},
        "reject": {"reason": "Không đủ điều kiện"},
        "request-payment": {"amount_vnd": 100_000},
        "stop": {"reason": "Theo yêu cầu của cơ quan có thẩm quyền"},
        "withdraw": {"reason": "Công dân xin rút"},
        "extend": {
            "reason": "Cần xác minh thêm",
            "new_due_at": (d.due_at or d.created_at) + timedelta(days=3),
        },
        "return-result": {"collected_by": "Nguyễn Thị Hoa"},
    }
    return by_action.get(action, {})


def footprint(d: Dossier) -> tuple:
    return (
        Dossier.objects.get(pk=d.pk).version,
        DossierEvent.objects.filter(dossier=d).count(),
        AuditEvent.objects.filter(action__startswith="dossier.").count(),
    )


@pytest.mark.parametrize(
    ("action", "role", "step", "holds", "expected"),
    TABLE,
    ids=[f"{a}-{r}-{s}-{'holds' if h else 'not'}" for a, r, s, h, _ in TABLE],
)
def test_only_the_holder_of_a_step_acts_on_it(world, frozen, people, action, role, step, holds, expected):
    d = build(world, people, step, role, holds)
    service = services.__dict__[f"dossier_{action.replace('-', '_')}"]
    before = footprint(d)
    try:
        service(actor=people[role], dossier=d, expected_version=d.version, **inputs(action, d, world))
    except DomainError as exc:
        assert exc.code == expected, exc.message
        assert footprint(d) == before
        return
    assert expected is OK, f"allowed, expected {expected}"
    assert footprint(d)[0] == before[0] + 1


def test_the_table_covers_every_action_and_role():
    assert {row[0] for row in TABLE} == set(services.RULES) - {"request-supplement-intake"}
    for action in {row[0] for row in TABLE}:
        roles = {row[1] for row in TABLE if row[0] == action}
        assert {"receptionist", "specialist", "leader", "supervisor"} <= roles, action


@pytest.mark.parametrize(
    ("action", "role", "step", "holds", "expected"),
    TABLE,
    ids=[f"{a}-{r}-{s}-{'holds' if h else 'not'}" for a, r, s, h, _ in TABLE],
)
def test_the_dossier_page_offers_exactly_what_the_table_allows(
    world, frozen, people, action, role, step, holds, expected
):
    from motcua.dossiers.selectors import dossier_available_actions

    d = build(world, people, step, role, holds)
    d = Dossier.objects.select_related(
        "current_step", "receiving_agency", "holder_agency", "handling_agency"
    ).get(pk=d.pk)
    offered = {a.rule_for(d) for a in dossier_available_actions(people[role], d)}
    if action in PAYMENT_ACTIONS:  # offered on the payments page (/thu-phi/), by the same table
        assert action not in offered
        offered = {action} if services.action_permitted(people[role], d, action) else set()
    assert (action in offered) == (expected is OK)


# Asked for and recorded through the payments app, not the generic actions (motcua/dossiers/actions.py).
PAYMENT_ACTIONS = {"request-payment", "record-payment"}


def _first_refusal_per_action() -> list[tuple]:
    seen: dict[str, tuple] = {}
    for row in TABLE:
        if row[0] in PAYMENT_ACTIONS:
            continue
        if row[0] not in seen and row[4] not in (OK, "read_only", "not_at_approval_step"):
            seen[row[0]] = row
    return list(seen.values())


def _api_body(action: str, d: Dossier, world) -> dict[str, Any]:
    body: dict[str, Any] = {"version": d.version}
    for key, value in inputs(action, d, world).items():
        if key == "items":
            value = [{"name": i.name, "reason": i.reason} for i in value]
        elif key == "officer":
            value = value.username
        elif key == "new_due_at":
            value = value.isoformat()
        body[key] = value
    return body


REFUSALS = _first_refusal_per_action()


@pytest.mark.parametrize(
    ("action", "role", "step", "holds", "expected"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_the_api_and_the_page_refuse_with_the_same_code_and_change_nothing(
    world, frozen, people, action, role, step, holds, expected
):
    d = build(world, people, step, role, holds)
    before = footprint(d)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=people[role], name='thử')}")
    response = client.post(
        f"/api/v1/dossiers/{d.code}/actions/{action}",
        _api_body(action, d, world),
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == expected and body["details"]["action"] == action
    assert footprint(d) == before
    page = Client()
    page.force_login(people[role])
    answer = page.post(f"/xu-ly/ho-so/{d.code}/thao-tac/{action}/", {"version": d.version})
    assert answer.status_code == 403
    assert body["message"] in answer.content.decode().replace("&quot;", '"')
    assert footprint(d) == before


def test_a_payment_is_asked_through_the_payments_app_which_refuses_with_the_same_code(world, frozen, people):
    from motcua.payments.tests.conftest import priced

    action, role, step, holds, expected = next(r for r in TABLE if r[0] == "request-payment" and r[4] != OK)
    priced(world)  # a fee to ask for: what is refused is who asks
    d = build(world, people, step, role, holds)
    before = footprint(d)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=people[role], name='thử')}")
    generic = client.post(
        f"/api/v1/dossiers/{d.code}/actions/{action}", {"version": d.version}, content_type="application/json"
    )
    assert generic.status_code in (400, 404) and set(generic.json()) == {"code", "message", "details"}
    response = client.post(
        f"/api/v1/dossiers/{d.code}/payment/request", {"version": d.version}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (403, expected), response.json()
    page = Client()
    page.force_login(people[role])
    assert page.post(f"/xu-ly/ho-so/{d.code}/thao-tac/{action}/", {"version": d.version}).status_code == 404
    assert footprint(d) == before


def test_the_refusal_names_the_step_and_who_holds_it(world, frozen, people):
    d = advance(world, S.RECEIVED)
    with pytest.raises(DomainError) as caught:
        services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    assert caught.value.message == (
        f"Bạn không giữ bước hiện tại của hồ sơ {d.code} (bước “Tiếp nhận hồ sơ” do Lê Thị Tân đang "
        "giữ): chỉ người giữ bước mới được chuyển xử lý."
    )
    d = _at_approval(world)
    with pytest.raises(DomainError) as caught:
        services.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version)
    assert caught.value.message == (
        f"Bạn không giữ bước hiện tại của hồ sơ {d.code} (bước “Phê duyệt” dành cho lãnh đạo của Ủy "
        "ban nhân dân xã An Bình): chỉ người giữ bước mới được chuyển xử lý."
    )
    with pytest.raises(DomainError) as caught:
        services.dossier_assign(
            actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
        )
    assert caught.value.code == "officer_not_leader"
    # Forwarded to the approval step: only to a leader or director.
    d = advance(world, S.PROCESSING)
    before = footprint(d)
    with pytest.raises(DomainError) as caught:
        services.dossier_forward(
            actor=world.specialist, dossier=d, expected_version=d.version, officer=world.specialist2
        )
    assert caught.value.code == "officer_not_leader"
    assert footprint(d) == before
