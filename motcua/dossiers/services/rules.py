"""Who may do what to a dossier, in which state: one table (``RULES``) that the transitions
check (``check_action``) and the pages read to offer only the actions allowed
(``action_permitted``).

Only the holder of a step acts on it (issue 9). The holder of the current step is the officer
it is assigned to (``DossierStep.receiver``) or, while it is unassigned, anyone with the role the
process template names for it at the step's agency (``step_holder_roles``: a step named for a
leader is held by the leaders and directors; a step naming no role, by anyone who processes).
A leader or director reassigns within the subtree (``assign``); an approval step (a step the
template names for a leader or director) ends only by ``approve`` or ``reject``, performed by a
leader or director of the handling agency who holds it: nobody forwards past it. Where the
process names no approval step (the default single step of a procedure without a template), the
leaders and directors of the handling agency approve or reject at any step.

A withdrawal is recorded by the counter or a leader (the applicant asks in person); when the
applicant asked online (``Dossier.withdrawal_requested_at``), the holder of the step confirms it too.

Who acts next, for the pages (``next_actor_roles``): an unassigned step of a specialist, or of
no role, waits for a leader to assign it; any other step waits for its holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from motcua.dossiers.models import Dossier, DossierStep
from motcua.lib.errors import Conflict, Forbidden
from motcua.org.models import Membership
from motcua.org.selectors import user_roles_by_agency

Role = Membership.Role
State = Dossier.State

COUNTER = frozenset({Role.RECEPTIONIST})
PROCESS = frozenset({Role.SPECIALIST, Role.LEADER, Role.DIRECTOR})
LEAD = frozenset({Role.LEADER, Role.DIRECTOR})
ANY_ACTING = frozenset(r for r in Role.values if r != Role.SUPERVISOR)
# The roles of a step a leader distributes (the unassigned step waits in "Chờ phân công").
ASSIGNED_BY_LEADER = frozenset({"", Role.SPECIALIST})


@dataclass(frozen=True)
class Rule:
    """``states``: where the action applies; ``roles``: (agency of the dossier, roles) that may
    take it whoever holds the step; ``holder``: the holder of the current step may take it;
    ``leader``: only a leader or director of the handling agency (approval), holding the step."""

    states: frozenset[str]
    roles: tuple[tuple[str, frozenset[str]], ...] = ()
    holder: bool = False
    leader: bool = False


_PROCESSING = frozenset({State.RECEIVED, State.PROCESSING})
RULES: dict[str, Rule] = {
    "receive": Rule(frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), (("receiving", COUNTER),)),
    "refuse": Rule(frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), (("receiving", COUNTER),)),
    # From INTAKE_SUPPLEMENT: a second guidance, allowed but flagged (transitions_intake).
    "request-supplement-intake": Rule(
        frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), (("receiving", COUNTER),)
    ),
    "request-supplement": Rule(_PROCESSING, holder=True),
    # The applicant brings the supplement or pays at the counter, or to the officer holding the step.
    "receive-supplement": Rule(frozenset({State.SUPPLEMENT}), (("receiving", COUNTER),), holder=True),
    "assign": Rule(frozenset({State.RECEIVED, State.PROCESSING, State.APPROVED}), (("holder", LEAD),)),
    "forward": Rule(_PROCESSING, holder=True),
    "send-back": Rule(frozenset({State.PROCESSING}), holder=True),
    "approve": Rule(_PROCESSING, holder=True, leader=True),
    "reject": Rule(_PROCESSING, holder=True, leader=True),
    "request-payment": Rule(frozenset({State.PROCESSING, State.APPROVED}), holder=True),
    "record-payment": Rule(frozenset({State.PAYMENT}), (("receiving", COUNTER),), holder=True),
    "stop": Rule(frozenset(Dossier.OPEN_STATES), (("holder", LEAD), ("handling", LEAD))),
    "withdraw": Rule(
        frozenset({*Dossier.OPEN_STATES, State.SUBMITTED, State.INTAKE_SUPPLEMENT}),
        (("receiving", COUNTER), ("holder", LEAD)),
    ),
    "extend": Rule(frozenset(Dossier.OPEN_STATES), (("holder", LEAD), ("handling", LEAD))),
    "finish": Rule(frozenset({State.APPROVED}), holder=True),
    "return-result": Rule(frozenset({State.FINISHED}), (("receiving", COUNTER),)),
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


def step_holder_roles(role: str) -> frozenset[str]:
    """The roles that hold an unassigned step naming ``role`` at its agency."""
    if role in LEAD:
        return LEAD
    if not role:
        return PROCESS
    return frozenset({role}) & ANY_ACTING


def next_actor_roles(role: str) -> frozenset[str]:
    """Whose page lists an unassigned step naming ``role``: the leaders and directors of the
    agency for a step they distribute (a specialist's, or one naming no role), else its holders."""
    return LEAD if role in ASSIGNED_BY_LEADER else step_holder_roles(role)


def is_approval_step(step: DossierStep | dict | None) -> bool:
    """A step the process names for a leader or director: it ends by approval or rejection."""
    if step is None:
        return False
    role = step["role"] if isinstance(step, dict) else step.role
    return role in LEAD


def open_step(dossier: Dossier) -> DossierStep | None:
    step = dossier.current_step
    return step if step is not None and step.finished_at is None else None


class Roles:
    """The actor's roles on the agencies of one dossier: those of its receiving, holding and
    handling agencies and of its open step read together in one query at the first question,
    any other agency's when asked."""

    def __init__(self, actor: Any, dossier: Dossier):
        self.actor = actor
        self.dossier = dossier
        self._found: dict[int, set[str]] | None = None
        self._cache: dict[int, set[str]] = {}
        self.supervises = False

    def at(self, agency_id: int | None) -> set[str]:
        if agency_id is None:
            return set()
        if agency_id not in self._cache:
            if self._found is None:
                d, step = self.dossier, open_step(self.dossier)
                at_step = step.agency_id if step is not None else None
                self._found = user_roles_by_agency(
                    self.actor, [d.receiving_agency_id, d.holder_agency_id, d.handling_agency_id, at_step]
                )
            found = self._found.get(agency_id)
            if found is None:
                found = user_roles_by_agency(self.actor, [agency_id])[agency_id]
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

    def holds_step(self) -> bool:
        """Whether the actor holds the dossier's current step (module docstring). A dossier with
        no open step (its process ended at the approval) is held by its holder, else by those
        who process at the holding agency."""
        step = open_step(self.dossier)
        if step is None:
            if self.dossier.holder_id is not None:
                return self.dossier.holder_id == getattr(self.actor, "pk", None)
            return bool(self.at(self.dossier.holder_agency_id) & PROCESS)
        if step.receiver_id is not None:
            return step.receiver_id == getattr(self.actor, "pk", None)
        return bool(self.at(step.agency_id) & step_holder_roles(step.role))


def _by_role(roles: Roles, rule: Rule) -> int | None:
    """The agency whose role lets the actor take the action whatever the step (None: none)."""
    for where, named in rule.roles:
        agency_id = roles.agency_id(where)
        if roles.at(agency_id) & named:
            return agency_id
    return None


def refusal_code(roles: Roles, action: str) -> str | None:
    """Why the actor may not take ``action`` on the dossier (None: he may), read from the table
    and the current step without a query of its own. The state is checked by the caller."""
    rule = RULES[action]
    dossier = roles.dossier
    step = open_step(dossier)
    if rule.leader:
        if not roles.at(dossier.handling_agency_id) & LEAD:
            return "approval_requires_leader"
        if not _has_approval_step(dossier):
            return None  # a process naming no approval step: its leaders decide at any step
        if not is_approval_step(step):
            return "not_at_approval_step"
    if _by_role(roles, rule) is not None:
        return None
    if action == "withdraw" and dossier.withdrawal_requested_at is not None and roles.holds_step():
        return None  # the applicant asked online (services.online): the holder of the step confirms
    if not rule.holder:
        return "role_not_allowed"
    if not roles.holds_step():
        return "not_step_holder"
    if action == "forward" and is_approval_step(step):
        return "approval_step"
    return None


def _has_approval_step(dossier: Dossier) -> bool:
    return any(is_approval_step(s) for s in dossier.procedure_snapshot.get("steps", []))


def refusal_error(roles: Roles, action: str, code: str) -> Forbidden | Conflict:
    """The error, with its Vietnamese message, for a ``refusal_code``."""
    dossier = roles.dossier
    step = open_step(dossier)
    label = ACTION_LABELS[action]
    details: dict[str, Any] = {"action": action, "step": step.seq if step else None}
    if code == "approval_requires_leader":
        return Forbidden(
            f"Chỉ lãnh đạo hoặc giám đốc của {dossier.handling_agency.name} mới được {label} "
            f"hồ sơ {dossier.code}.",
            code=code,
            details=details,
        )
    if code == "not_step_holder":
        return Forbidden(
            f"Bạn không giữ bước hiện tại của hồ sơ {dossier.code} ({_held_by(step)}): chỉ người "
            f"giữ bước mới được {label}.",
            code=code,
            details=details,
        )
    if code == "approval_step":
        assert step is not None
        return Forbidden(
            f"Hồ sơ {dossier.code} đang ở bước “{step.name}”: bước này chỉ kết thúc khi lãnh đạo "
            "phê duyệt hoặc không giải quyết, không được chuyển tiếp qua.",
            code=code,
            details=details,
        )
    if code == "not_at_approval_step":
        where = f" (đang ở bước “{step.name}”)" if step is not None else ""
        return Conflict(
            f"Hồ sơ {dossier.code} chưa đến bước phê duyệt{where}: hãy chuyển hồ sơ đến bước phê "
            f"duyệt trước khi {label}.",
            code=code,
            details=details,
        )
    return Forbidden(
        f"Bạn không có vai trò được phép {label} hồ sơ {dossier.code}.", code=code, details=details
    )


def _held_by(step: DossierStep | None) -> str:
    if step is None:
        return "hồ sơ do cán bộ khác đang giữ"
    if step.receiver is not None:
        name = step.receiver.get_full_name() or step.receiver.get_username()
        return f"bước “{step.name}” do {name} đang giữ"
    role = Role(step.role).label.lower() if step.role in Role.values else "cán bộ xử lý"
    return f"bước “{step.name}” dành cho {role} của {step.agency.name}"


def action_permitted(actor: Any, dossier: Dossier, action: str, roles: Roles | None = None) -> bool:
    if dossier.state not in RULES[action].states:
        return False
    return refusal_code(roles or Roles(actor, dossier), action) is None


def state_conflict(dossier: Dossier, action: str) -> Conflict:
    return Conflict(
        f"Không thể {ACTION_LABELS[action]} hồ sơ {dossier.code}: hồ sơ đang ở trạng thái "
        f"“{dossier.get_state_display()}”.",
        code="wrong_state",
        details={"state": dossier.state, "status_code": dossier.status_code, "action": action},
    )


def check_action(actor: Any, dossier: Dossier, action: str) -> Roles:
    """Jurisdiction, state, then the table (``refusal_code``) for ``action`` on the locked ``dossier``
    (Conflict / Forbidden)."""
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
    if dossier.state not in RULES[action].states:
        raise state_conflict(dossier, action)
    code = refusal_code(roles, action)
    if code is not None:
        raise refusal_error(roles, action, code)
    return roles


def acting_agency(roles: Roles, action: str) -> int | None:
    """The agency on whose behalf the actor acts: the one whose role allows it, else the
    agency of the step he holds."""
    by_role = _by_role(roles, RULES[action])
    if by_role is not None:
        return by_role
    step = open_step(roles.dossier)
    return step.agency_id if step is not None else roles.dossier.holder_agency_id
