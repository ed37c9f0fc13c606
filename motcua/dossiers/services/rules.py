"""Who may do what to a dossier, in which state: one table (``RULES``) that the transitions
check (``check_action``) and the pages read to offer only the actions allowed
(``action_permitted``)."""

from __future__ import annotations

from typing import Any

from motcua.dossiers.models import Dossier
from motcua.lib.errors import Conflict, Forbidden
from motcua.org.models import Agency, Membership
from motcua.org.selectors import user_roles_at

Role = Membership.Role
State = Dossier.State

COUNTER = frozenset({Role.RECEPTIONIST})
PROCESS = frozenset({Role.SPECIALIST, Role.LEADER, Role.DIRECTOR})
LEAD = frozenset({Role.LEADER, Role.DIRECTOR})
ANY_ACTING = frozenset(r for r in Role.values if r != Role.SUPERVISOR)
STEP_ROLE = "step"  # marker: the role named on the current step may also do it


# action -> (states, [(agency attribute, roles)]); "receiving", "holder", "handling".
RULES: dict[str, tuple[frozenset[str], list[tuple[str, frozenset[str]]]]] = {
    "receive": (frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), [("receiving", COUNTER)]),
    "refuse": (frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), [("receiving", COUNTER)]),
    # From INTAKE_SUPPLEMENT: a second guidance, allowed but flagged (transitions_intake).
    "request-supplement-intake": (
        frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}),
        [("receiving", COUNTER)],
    ),
    "request-supplement": (
        frozenset({State.RECEIVED, State.PROCESSING}),
        [("holder", PROCESS | {STEP_ROLE})],
    ),
    "receive-supplement": (
        frozenset({State.SUPPLEMENT}),
        [("receiving", COUNTER), ("holder", PROCESS)],
    ),
    "assign": (
        frozenset({State.RECEIVED, State.PROCESSING, State.APPROVED}),
        [("holder", LEAD)],
    ),
    "forward": (frozenset({State.RECEIVED, State.PROCESSING}), [("holder", PROCESS | {STEP_ROLE})]),
    "send-back": (frozenset({State.PROCESSING}), [("holder", PROCESS | {STEP_ROLE})]),
    "approve": (frozenset({State.RECEIVED, State.PROCESSING}), [("holder", LEAD)]),
    "reject": (frozenset({State.RECEIVED, State.PROCESSING}), [("holder", LEAD)]),
    "request-payment": (frozenset({State.PROCESSING, State.APPROVED}), [("holder", PROCESS)]),
    "record-payment": (frozenset({State.PAYMENT}), [("receiving", COUNTER), ("holder", PROCESS)]),
    "stop": (
        frozenset(Dossier.OPEN_STATES),
        [("holder", LEAD), ("handling", LEAD)],
    ),
    "withdraw": (
        frozenset({*Dossier.OPEN_STATES, State.SUBMITTED, State.INTAKE_SUPPLEMENT}),
        [("receiving", COUNTER), ("holder", LEAD)],
    ),
    "extend": (
        frozenset(Dossier.OPEN_STATES),
        [("holder", LEAD), ("handling", LEAD)],
    ),
    "finish": (
        frozenset({State.APPROVED}),
        [("holder", PROCESS | {STEP_ROLE}), ("receiving", COUNTER)],
    ),
    "return-result": (frozenset({State.FINISHED}), [("receiving", COUNTER)]),
}
ACTION_LABELS = {
    "receive": "tiếp nhận",
    "refuse": "từ chối tiếp nhận",
    "request-supplement-intake": "hướng dẫn bổ sung",
    "request-supplement": "yêu cầu bổ sung",
    "receive-supplement": "nhận hồ sơ bổ sung",
    "assign": "phân công",
    "forward": "chuyển xử lý",
    "send-back": "trả lại bước trước",
    "approve": "phê duyệt",
    "reject": "không giải quyết",
    "request-payment": "yêu cầu thực hiện nghĩa vụ tài chính",
    "record-payment": "ghi nhận đã nộp",
    "stop": "dừng xử lý",
    "withdraw": "rút hồ sơ",
    "extend": "gia hạn",
    "finish": "hoàn thành kết quả",
    "return-result": "trả kết quả",
}


class Roles:
    """The actor's roles on the agencies of one dossier, looked up once each."""

    def __init__(self, actor: Any, dossier: Dossier):
        self.actor = actor
        self.dossier = dossier
        self._cache: dict[int, set[str]] = {}
        self.supervises = False

    def at(self, agency_id: int | None) -> set[str]:
        if agency_id is None:
            return set()
        if agency_id not in self._cache:
            agency = Agency(pk=agency_id, path=_agency_path(self.dossier, agency_id))
            found = user_roles_at(self.actor, agency)
            if Role.SUPERVISOR in found:
                self.supervises = True
            self._cache[agency_id] = found & ANY_ACTING
        return self._cache[agency_id]

    def agency_id(self, where: str) -> int | None:
        d = self.dossier
        return {
            "receiving": d.receiving_agency_id,
            "holder": d.holder_agency_id,
            "handling": d.handling_agency_id,
        }[where]

    def any(self) -> bool:
        d = self.dossier
        return any(self.at(a) for a in {d.receiving_agency_id, d.holder_agency_id, d.handling_agency_id})


def _agency_path(dossier: Dossier, agency_id: int) -> str:
    for attr in ("receiving_agency", "holder_agency", "handling_agency"):
        if getattr(dossier, f"{attr}_id") == agency_id:
            return getattr(dossier, attr).path
    return Agency.objects.values_list("path", flat=True).get(pk=agency_id)


def _step_role(dossier: Dossier) -> str:
    step = dossier.current_step
    return step.role if step is not None and step.finished_at is None else ""


def action_allowed_roles(roles: Roles, action: str) -> bool:
    """Whether the actor holds a role the action needs (state not checked)."""
    _, needs = RULES[action]
    step_role = _step_role(roles.dossier)
    for where, named in needs:
        wanted = set(named)
        if STEP_ROLE in wanted:
            wanted.discard(STEP_ROLE)
            if step_role:
                wanted.add(step_role)
        wanted &= ANY_ACTING
        if roles.at(roles.agency_id(where)) & wanted:
            return True
    return False


def action_permitted(actor: Any, dossier: Dossier, action: str, roles: Roles | None = None) -> bool:
    states, _ = RULES[action]
    if dossier.state not in states:
        return False
    return action_allowed_roles(roles or Roles(actor, dossier), action)


def state_conflict(dossier: Dossier, action: str) -> Conflict:
    return Conflict(
        f"Không thể {ACTION_LABELS[action]} hồ sơ {dossier.code}: hồ sơ đang ở trạng thái "
        f"“{dossier.get_state_display()}”.",
        code="wrong_state",
        details={"state": dossier.state, "status_code": dossier.status_code, "action": action},
    )


def check_action(actor: Any, dossier: Dossier, action: str) -> Roles:
    """State then role checks of ``action`` on the locked ``dossier`` (Conflict / Forbidden)."""
    roles = Roles(actor, dossier)
    if not roles.any():
        if roles.supervises:
            raise Forbidden(
                f"Bạn chỉ có quyền theo dõi, không được xử lý hồ sơ {dossier.code}.", code="read_only"
            )
        raise Forbidden(
            f"Bạn không có quyền xử lý hồ sơ {dossier.code}: hồ sơ không thuộc cơ quan bạn công tác.",
            code="outside_jurisdiction",
        )
    states, _ = RULES[action]
    if dossier.state not in states:
        raise state_conflict(dossier, action)
    if not action_allowed_roles(roles, action):
        raise Forbidden(
            f"Bạn không có vai trò được phép {ACTION_LABELS[action]} hồ sơ {dossier.code}.",
            code="role_not_allowed",
            details={"action": action},
        )
    return roles


def acting_agency(roles: Roles, action: str) -> int | None:
    """The agency on whose behalf the actor acts (the first rule the actor satisfies)."""
    _, needs = RULES[action]
    step_role = _step_role(roles.dossier)
    for where, named in needs:
        wanted = set(named) - {STEP_ROLE} | ({step_role} if STEP_ROLE in named and step_role else set())
        agency_id = roles.agency_id(where)
        if roles.at(agency_id) & wanted:
            return agency_id
    return roles.dossier.holder_agency_id
