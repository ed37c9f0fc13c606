"""Dossier transitions: the only write path for dossiers (pages, API, admin and commands call these).

Every transition is one function named for its verb. It runs in one transaction that:

1. locks the dossier row (``select_for_update``) and compares its ``version`` with the
   ``expected_version`` the actor saw: a mismatch is ``Conflict(code="stale")`` and nothing is
   written; the final UPDATE is also conditional on the version (``WHERE version = …``), so
   two writers can never both succeed, even on SQLite where row locks do not exist;
2. checks the state (``Conflict`` naming the current state) and the actor's role on the agency
   concerned (``Forbidden``; a supervisor never acts);
3. writes the dossier, the control-slip step (``DossierStep``), a dated ``DossierEvent``, an
   audit event on the acting agency's chain and, for a status change, an ``OutboxMessage`` for
   the applicant.

Deadlines (domain.md):
- the appointment counts ``amount`` ``unit`` (the offering's local time where set; the online
  time for channel 2 where set) from reception on the handling agency's working calendar,
  with the procedure's counting rule; everything needed is copied into ``procedure_snapshot``
  at reception so later catalogue edits do not change the dossier's rules;
- each step is due ``budget_hours`` working hours after it starts (handling agency's calendar);
- a supplement requested during processing restarts the clock from the moment the supplement
  is received (policy ``restart``, the default) or shifts the appointment by the working time
  paused (policy ``pause``); the second request sets ``supplement_flagged``. A request made
  more than 3 working days after reception is *allowed but flagged* in the event and audit
  data (``late_request``): refusing it would leave the officer without a lawful way to ask
  for what is missing; the report can count such requests;
- a payment request pauses the clock (financial obligations are not processing time);
- one extension at most, decided at least 1 working day before the appointment, with the
  apology recorded (``DossierExtension``, form 04);
- early / on time / late is frozen on each step when it ends and on the dossier when it
  finishes (``timeliness``), never recomputed.

A reception reads the procedure from the catalogue's intake reference, kept per process and
dropped on any catalogue, agency or schedule change (``catalog.selectors.intake_reference``);
only the access check is read live. On PostgreSQL it then writes in two statements
(``_receive_new_postgresql``); elsewhere through the ORM, with the same rows.

Dossier codes ``{receiving agency code}-{YYMMDD}-{NNNN}``: the number comes from one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on ``DailySequence`` inside the transaction that
creates the dossier: the row stays locked until commit (PostgreSQL), so numbers are unique
and gapless per agency per day, and a rolled-back reception gives its number back.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.services import audit_record, client_ip, event_hash, jsonable
from motcua.catalog.models import Offering, Procedure, ProcessStep, RequiredDocument
from motcua.catalog.selectors import intake_reference
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierExtension,
    DossierFile,
    DossierPause,
    DossierStep,
    NationalStatus,
)
from motcua.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.notifications.services import outbox_enqueue, outbox_messages
from motcua.org.models import Agency, Membership
from motcua.org.selectors import (
    ACTING_ROLES,
    _check_roles,
    _is_staff_user,
    agencies_actable_by,
    user_roles_at,
)
from motcua.workcalendar.calendar import (
    VN_TZ,
    WorkCalendar,
    add_working_hours,
    add_working_time,
    classify,
    shift_working_time,
    transfer_moment,
    working_time_between,
)
from motcua.workcalendar.models import WorkSchedule
from motcua.workcalendar.selectors import calendar_for_schedule

RULES_VERSION = "nd118-2025"
PIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
PIN_LENGTH = 6
SUPPLEMENT_WINDOW_DAYS = 3
STALE_MESSAGE = "Hồ sơ đã thay đổi do người khác vừa xử lý. Vui lòng tải lại trang."

Role = Membership.Role
State = Dossier.State

COUNTER = frozenset({Role.RECEPTIONIST})
PROCESS = frozenset({Role.SPECIALIST, Role.LEADER, Role.DIRECTOR})
LEAD = frozenset({Role.LEADER, Role.DIRECTOR})
ANY_ACTING = frozenset(r for r in Role.values if r != Role.SUPERVISOR)
STEP_ROLE = "step"  # marker: the role named on the current step may also do it

# Valid province codes of the citizen identity number (first three digits).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
# The fourth digit: gender and century of birth.
CENTURY_OF_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


# ---------------------------------------------------------------------------------------------
# Data carriers


@dataclass
class ApplicantData:
    kind: str = "person"
    name: str = ""
    citizen_id: str = ""
    date_of_birth: date | None = None
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class DocumentInput:
    requirement: str
    copy_kind: str = "original"
    count: int = 1


@dataclass
class IntakeData:
    procedure: str
    receiving_agency: str
    channel: int
    result_delivery: str
    applicant: ApplicantData
    documents: list[DocumentInput] = field(default_factory=list)
    handling_agency: str | None = None


@dataclass
class SupplementItem:
    name: str
    reason: str


# ---------------------------------------------------------------------------------------------
# Who may do what, in which state (shared with selectors.dossier_available_actions)

# action -> (states, [(agency attribute, roles)]); "receiving", "holder", "handling".
RULES: dict[str, tuple[frozenset[str], list[tuple[str, frozenset[str]]]]] = {
    "receive": (frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), [("receiving", COUNTER)]),
    "refuse": (frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT}), [("receiving", COUNTER)]),
    "request-supplement-intake": (frozenset({State.SUBMITTED}), [("receiving", COUNTER)]),
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


class _Roles:
    """The actor's roles on the agencies of one dossier, looked up once each."""

    def __init__(self, actor, dossier: Dossier):
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


def action_allowed_roles(roles: _Roles, action: str) -> bool:
    """Whether the actor holds a role the action needs (state not checked)."""
    _, needs = RULES[action]
    step_role = _step_role(roles.dossier)
    for where, wanted in needs:
        wanted = set(wanted)
        if STEP_ROLE in wanted:
            wanted.discard(STEP_ROLE)
            if step_role:
                wanted.add(step_role)
        wanted &= ANY_ACTING
        if roles.at(roles.agency_id(where)) & wanted:
            return True
    return False


def action_permitted(actor, dossier: Dossier, action: str, roles: _Roles | None = None) -> bool:
    states, _ = RULES[action]
    if dossier.state not in states:
        return False
    return action_allowed_roles(roles or _Roles(actor, dossier), action)


def _state_conflict(dossier: Dossier, action: str) -> Conflict:
    return Conflict(
        f"Không thể {ACTION_LABELS[action]} hồ sơ {dossier.code}: hồ sơ đang ở trạng thái "
        f"“{dossier.get_state_display()}”.",
        code="wrong_state",
        details={"state": dossier.state, "status_code": dossier.status_code, "action": action},
    )


def _check(actor, dossier: Dossier, action: str) -> _Roles:
    """State then role checks of ``action`` on the locked ``dossier`` (Conflict / Forbidden)."""
    roles = _Roles(actor, dossier)
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
        raise _state_conflict(dossier, action)
    if not action_allowed_roles(roles, action):
        raise Forbidden(
            f"Bạn không có vai trò được phép {ACTION_LABELS[action]} hồ sơ {dossier.code}.",
            code="role_not_allowed",
            details={"action": action},
        )
    return roles


# ---------------------------------------------------------------------------------------------
# Small helpers


def _calendar(agency: Agency) -> WorkCalendar:
    return calendar_for_schedule(agency.schedule if agency.schedule_id else None)


def _new_pin() -> str:
    return "".join(secrets.choice(PIN_ALPHABET) for _ in range(PIN_LENGTH))


def _local_day(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def _next_number_sql() -> str:
    """The day's next dossier number of an agency (parameters: agency id, day), ``RETURNING
    last_number``: an upsert whose row stays locked until commit, so numbers are gapless."""
    # The table name comes from the model, never from input; values are parameters.
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    return (
        f"INSERT INTO {table} (agency_id, day, last_number) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
        "RETURNING last_number"
    )


def _next_number(agency_id: int, day: date) -> int:
    """The next dossier number of ``agency`` on ``day`` (one statement; row locked until commit)."""
    with connection.cursor() as cursor:
        cursor.execute(_next_number_sql(), [agency_id, day])
        return cursor.fetchone()[0]


def _dossier_code(agency: Agency, moment: datetime) -> str:
    day = _local_day(moment)
    number = _next_number(agency.pk, day)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _audit(
    *, action: str, actor, dossier: Dossier, chain: str, before=None, after=None, extra=None, request=None
):
    """One audit event on ``chain`` inside the caller's transaction, without a savepoint.

    Same event and hash as ``audit_record`` (its ``event_hash``); the chain head row is locked
    so writers on one agency's chain take turns, other agencies do not wait.
    """
    head = AuditChain.objects.select_for_update().filter(key=chain).first()
    if head is None:
        audit_record(
            action=action,
            actor=actor,
            obj=dossier,
            before=before,
            after=after,
            extra=extra,
            chain=chain,
            request=request,
        )
        return
    event = _audit_event(
        action=action,
        actor=actor,
        dossier=dossier,
        chain=chain,
        seq=head.last_seq + 1,
        prev_hash=head.last_hash,
        before=before,
        after=after,
        extra=extra,
        request=request,
    )
    event.save(force_insert=True)
    AuditChain.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)


def _audit_event(
    *, action, actor, dossier, chain, seq, prev_hash, before=None, after=None, extra=None, request=None
) -> AuditEvent:
    """The audit event (hash computed by ``audit.services.event_hash``), not saved."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        chain=chain,
        seq=seq,
        prev_hash=prev_hash,
        occurred_at=timezone.now(),
        actor=actor,
        actor_name=(actor.get_full_name() if actor else "")[:200],
        action=action,
        object_type=Dossier._meta.label_lower,
        object_id=str(dossier.pk),
        object_repr=str(dossier)[:300],
        ip_address=client_ip(request),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        extra=jsonable(extra or {}),
    )
    event.hash = event_hash(event)
    return event


STATUS_MESSAGES = {
    State.SUBMITTED: "đã được đăng ký trực tuyến, chờ tiếp nhận",
    State.INTAKE_SUPPLEMENT: "cần bổ sung giấy tờ trước khi tiếp nhận",
    State.REFUSED: "không được tiếp nhận",
    State.RECEIVED: "đã được tiếp nhận",
    State.PROCESSING: "đang được xử lý",
    State.SUPPLEMENT: "cần bổ sung, hoàn thiện",
    State.PAYMENT: "cần thực hiện nghĩa vụ tài chính",
    State.APPROVED: "đã được phê duyệt",
    State.WITHDRAWN: "đã được rút theo yêu cầu",
    State.STOPPED: "đã bị dừng xử lý",
    State.FINISHED: "đã có kết quả, mời ông/bà đến nhận",
    State.RETURNED: "đã trả kết quả",
}


def _notify(dossier: Dossier, action: str, extra_text: str = "", *, save: bool = True) -> list:
    text = f"Hồ sơ {dossier.code} {STATUS_MESSAGES[dossier.state]}"
    if dossier.state == State.RECEIVED and dossier.due_at:
        text += f"; hẹn trả kết quả {dossier.due_at.astimezone(VN_TZ):%H:%M ngày %d/%m/%Y}"
    text += f" (trạng thái: {NationalStatus(dossier.status_code).label})."
    if extra_text:
        text += f" {extra_text}"
    if dossier.pin and dossier.state in (State.RECEIVED, State.SUBMITTED):
        text += f" Mã tra cứu: {dossier.pin}."
    build = outbox_enqueue if save else outbox_messages
    return build(
        dossier=dossier,
        event=f"dossier.{action}",
        body=text,
        subject=f"Hồ sơ {dossier.code}: {NationalStatus(dossier.status_code).label}",
    )


def _event(
    dossier: Dossier,
    *,
    action: str,
    actor,
    agency_id: int | None,
    at: datetime,
    note: str = "",
    data=None,
    save: bool = True,
) -> DossierEvent:
    event = DossierEvent(
        dossier=dossier,
        kind=DossierEvent.Kind.STATUS,
        action=action,
        state=dossier.state,
        status_code=dossier.status_code,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency_id=agency_id,
        note=note,
        data=jsonable(data or {}),
    )
    if save:
        event.save(force_insert=True)
    return event


def _ref(value: Dossier | str) -> dict:
    if isinstance(value, Dossier):
        return {"pk": value.pk}
    if isinstance(value, str) and value.strip():
        return {"code": value.strip()}
    raise InvalidInput("Thiếu hồ sơ cần xử lý.")


def _lock(dossier: Dossier | str) -> Dossier:
    found = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure",
            "receiving_agency",
            "handling_agency__schedule",
            "holder_agency",
            "current_step",
        )
        .filter(**_ref(dossier))
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return found


def _lock_for(actor, dossier: Dossier | str, expected_version, action: str) -> tuple[Dossier, _Roles]:
    """The start of every transition on an existing dossier: lock it, then check the version the
    actor saw (a stale page is told to reload, whatever changed), then state and rights."""
    locked = _lock(dossier)
    _check_version(locked, expected_version)
    return locked, _check(actor, locked, action)


def _check_version(dossier: Dossier, expected_version) -> None:
    """Checked right after the lock, before the state: an actor whose page is out of date is
    told the dossier changed and to reload, whatever the other officer did to it."""
    if expected_version is None or isinstance(expected_version, bool):
        raise InvalidInput("Thiếu phiên bản hồ sơ (expected_version).", code="version_required")
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise InvalidInput("Phiên bản hồ sơ không hợp lệ.", code="version_invalid") from None
    if expected != dossier.version:
        raise Conflict(
            STALE_MESSAGE, code="stale", details={"expected": expected, "current": dossier.version}
        )


FIELDS_AUDITED = (
    "state",
    "status_code",
    "holder_agency",
    "holder",
    "current_step",
    "due_at",
    "finished_at",
    "returned_at",
    "closed_at",
    "timeliness",
    "outcome",
    "supplement_count",
    "supplement_flagged",
    "extension_count",
    "fee_due_vnd",
    "collected_by",
    "postal_tracking",
)


def _values(dossier: Dossier, names) -> dict:
    out = {}
    for name in names:
        f = Dossier._meta.get_field(name)
        out[name] = getattr(dossier, f.attname)
    return out


def _save(dossier: Dossier, changes: dict, expected_version: int) -> dict:
    """Apply ``changes`` with ``UPDATE … WHERE version = expected``; returns ``before``."""
    before = {}
    for name, value in changes.items():
        f = Dossier._meta.get_field(name)
        before[name] = getattr(dossier, f.attname)
        setattr(dossier, name, value)
    if "state" in changes:
        dossier.status_code = Dossier.STATUS_OF_STATE[dossier.state]
        before.setdefault("status_code", before.get("status_code"))
        changes["status_code"] = dossier.status_code
    updated = Dossier.objects.filter(pk=dossier.pk, version=expected_version).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict(STALE_MESSAGE, code="stale")
    dossier.version = expected_version + 1
    return before


def _finish(
    dossier: Dossier,
    *,
    action: str,
    actor,
    agency: Agency | int | None,
    changes: dict,
    expected_version: int,
    now: datetime,
    note: str = "",
    data: dict | None = None,
    request=None,
    notify: bool | None = None,
    notify_text: str = "",
) -> Dossier:
    """Write the dossier, its event, the audit record and (status change) the outbox row."""
    old_status = dossier.status_code
    before = _save(dossier, changes, expected_version)
    agency_obj = agency if isinstance(agency, Agency) else None
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    _event(dossier, action=action, actor=actor, agency_id=agency_id, at=now, note=note, data=data)
    after = {k: getattr(dossier, Dossier._meta.get_field(k).attname) for k in before}
    chain = agency_obj.code if agency_obj else _agency_code(agency_id, dossier)
    _audit(
        action=f"dossier.{action.replace('-', '_')}",
        actor=actor,
        dossier=dossier,
        chain=chain,
        before=before,
        after=after,
        extra={"code": dossier.code, **({"note": note} if note else {}), **(data or {})},
        request=request,
    )
    if notify or (notify is None and dossier.status_code != old_status):
        _notify(dossier, action, notify_text)
    return dossier


def _agency_code(agency_id: int | None, dossier: Dossier) -> str:
    for attr in ("holder_agency", "receiving_agency", "handling_agency"):
        if getattr(dossier, f"{attr}_id") == agency_id:
            return getattr(dossier, attr).code
    if agency_id is None:
        return dossier.receiving_agency.code
    return Agency.objects.values_list("code", flat=True).get(pk=agency_id)


def _acting_agency(roles: _Roles, action: str) -> int | None:
    """The agency on whose behalf the actor acts (the first rule the actor satisfies)."""
    _, needs = RULES[action]
    step_role = _step_role(roles.dossier)
    for where, wanted in needs:
        wanted = set(wanted) - {STEP_ROLE} | ({step_role} if STEP_ROLE in wanted and step_role else set())
        agency_id = roles.agency_id(where)
        if roles.at(agency_id) & wanted:
            return agency_id
    return roles.dossier.holder_agency_id


def _text_required(value, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Vui lòng nhập {what}.", code="required", details={"field": what})
    return text


# ---------------------------------------------------------------------------------------------
# Intake: validation


def validate_citizen_id(value: str, date_of_birth: date | None = None) -> str:
    """The 12-digit personal identification number, checked: province code, century, year."""
    digits = (value or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: phải gồm đúng 12 chữ số.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if digits[:3] not in PROVINCE_CODES:
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: mã tỉnh nơi đăng ký khai sinh “{digits[:3]}” "
            "không tồn tại.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if date_of_birth is not None:
        year = CENTURY_OF_DIGIT[int(digits[3])] + int(digits[4:6])
        if year != date_of_birth.year:
            raise InvalidInput(
                f"Số định danh cá nhân “{value}” không khớp với năm sinh {date_of_birth.year} "
                f"(mã thể hiện năm sinh {year}).",
                code="citizen_id_invalid",
                details={"field": "citizen_id"},
            )
    return digits


def _clean_applicant(a: ApplicantData) -> dict:
    if not isinstance(a, ApplicantData):
        raise InvalidInput("Thiếu thông tin người nộp hồ sơ.", code="applicant_required")
    kind = a.kind
    if kind not in Dossier.ApplicantKind.values:
        raise InvalidInput(
            f"Loại người nộp “{kind}” không hợp lệ: chọn cá nhân (person) hoặc tổ chức (organisation).",
            details={"field": "applicant.kind"},
        )
    name = (a.name or "").strip()
    if not name:
        raise InvalidInput(
            "Vui lòng nhập họ tên người nộp." if kind == "person" else "Vui lòng nhập tên tổ chức.",
            code="required",
            details={"field": "applicant.name"},
        )
    dob = a.date_of_birth
    if isinstance(dob, str) and dob:
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            raise InvalidInput(
                f"Ngày sinh “{a.date_of_birth}” không hợp lệ.", details={"field": "applicant.date_of_birth"}
            ) from None
    if isinstance(dob, datetime):
        dob = dob.date()
    if dob and dob > timezone.localdate():
        raise InvalidInput(
            "Ngày sinh không được sau ngày hôm nay.", details={"field": "applicant.date_of_birth"}
        )
    out = {
        "applicant_kind": kind,
        "applicant_name": name[:300],
        "citizen_id": "",
        "date_of_birth": dob or None,
        "tax_code": "",
        "representative": (a.representative or "").strip()[:200],
        "phone": "",
        "email": "",
        "address": (a.address or "").strip()[:500],
    }
    if kind == "person":
        out["citizen_id"] = validate_citizen_id(a.citizen_id, dob)
    else:
        tax = (a.tax_code or "").strip()
        if tax and not re.fullmatch(r"\d{10}(-\d{3})?", tax):
            raise InvalidInput(
                f"Mã số thuế “{tax}” không hợp lệ: 10 chữ số, hoặc 10 chữ số, gạch ngang và 3 chữ số.",
                code="tax_code_invalid",
                details={"field": "applicant.tax_code"},
            )
        out["tax_code"] = tax
        if a.citizen_id:
            out["citizen_id"] = validate_citizen_id(a.citizen_id)
    phone = re.sub(r"[\s.\-()]", "", a.phone or "")
    if phone:
        if phone.startswith("+84"):
            phone = "0" + phone[3:]
        if not re.fullmatch(r"0\d{9,10}", phone):
            raise InvalidInput(
                f"Số điện thoại “{a.phone}” không hợp lệ.",
                code="phone_invalid",
                details={"field": "applicant.phone"},
            )
    out["phone"] = phone
    email = (a.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"Địa chỉ thư điện tử “{email}” không hợp lệ.",
                code="email_invalid",
                details={"field": "applicant.email"},
            ) from None
    out["email"] = email
    return out


@dataclass
class _Intake:
    procedure: Procedure
    receiving: Agency
    handling: Agency
    offering: Offering
    applicant: dict
    documents: list[tuple[RequiredDocument | None, DocumentInput]]
    required: list[RequiredDocument]
    channel: int
    result_delivery: str
    # From the catalogue's shared intake reference (read-only): None to look them up.
    fees: tuple[dict, ...] | None = None
    steps_by_agency: dict[int | None, tuple[dict, ...]] | None = None


# ---------------------------------------------------------------------------------------------
# The one live read of a counter reception, in plain SQL: the receiving agency (with its
# schedule) if the actor may receive there — the rule of ``agencies_actable_by``, without
# building and compiling that queryset on every reception (it cost more than the rest of the
# reception's Python). The procedure, its offerings, documents, fees and process come from the
# catalogue's kept intake reference (``catalog.selectors.intake_reference``), not the database.


class _Cols:
    """The select list of ``model`` (alias ``alias``; all concrete fields, or those named) and
    how to turn a row slice back into an instance, with the backend's value converters (as the
    ORM's compiler applies them), per connection."""

    def __init__(self, model, alias: str, attnames: tuple[str, ...] | None = None):
        self.model = model
        self.alias = alias
        self.fields = [f for f in model._meta.concrete_fields if attnames is None or f.attname in attnames]
        self.attnames = frozenset(f.attname for f in self.fields)
        self._plans: dict[str, tuple] = {}

    def sql(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)

    def build(self, values):
        plan = self._plans.get(connection.vendor)
        if plan is None:
            plan = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.alias)
                convs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                if convs:
                    plan.append((i, col, tuple(convs)))
            plan = self._plans[connection.vendor] = tuple(plan)
        if plan:
            values = list(values)
            for i, col, convs in plan:
                value = values[i]
                for converter in convs:
                    value = converter(value, col, connection)
                values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)


_AGENCY_BRIEF = _Cols(Agency, "a", ("id", "code", "name", "path", "schedule_id"))
_SCHEDULE_OF_AGENCY = _Cols(WorkSchedule, "s")
_INTAKE_SQL: dict[str, str] = {}


def _with_schedule(agency: Agency, schedule_cols: _Cols, row) -> Agency:
    """``agency`` with its schedule cached from ``row`` (None when it has none), as select_related."""
    schedule = schedule_cols.build(row) if row[0] is not None else None
    Agency.schedule.field.set_cached_value(agency, schedule)
    return agency


def _counter_agency(actor, code: str, roles: frozenset) -> Agency | None:
    """``agencies_actable_by(actor, roles=roles).filter(code=code, active=True)
    .select_related("schedule").only("pk", "code", "name", "path", "schedule").first()``
    in plain SQL: the same rule (an active membership with one of the acting ``roles`` on the
    agency, or on an ancestor with ``include_subtree``; an inactive user acts nowhere)."""
    wanted = _check_roles(roles) & ACTING_ROLES
    if not _is_staff_user(actor) or not wanted:
        return None
    if actor.is_superuser and Role.ADMINISTRATOR in wanted:
        return None  # not a counter case: leave it to the queryset
    key = f"agency/{connection.vendor}"
    sql = _INTAKE_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        agency, membership = qn(Agency._meta.db_table), qn(Membership._meta.db_table)
        schedule = qn(WorkSchedule._meta.db_table)
        sql = _INTAKE_SQL[key] = (
            f"SELECT {_AGENCY_BRIEF.sql()}, {_SCHEDULE_OF_AGENCY.sql()} FROM {agency} a "  # noqa: S608
            f"LEFT JOIN {schedule} s ON s.id = a.schedule_id "
            "WHERE a.code = %s AND a.active AND EXISTS (SELECT 1 FROM "
            f"{membership} m JOIN {agency} ma ON ma.id = m.agency_id WHERE m.user_id = %s AND m.active "
            "AND m.role IN ({roles}) AND (m.agency_id = a.id OR (m.include_subtree AND "
            "SUBSTR(a.path, 1, LENGTH(ma.path)) = ma.path))) ORDER BY a.path LIMIT 1"
        )
    roles_sorted = sorted(wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.replace("{roles}", ", ".join(["%s"] * len(roles_sorted))), [code, actor.pk, *roles_sorted]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(_AGENCY_BRIEF.fields)
    return _with_schedule(_AGENCY_BRIEF.build(row[:n]), _SCHEDULE_OF_AGENCY, row[n:])


def _receiving_agency_for(actor, code: str, roles=COUNTER) -> Agency:
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("Vui lòng chọn cơ quan tiếp nhận.", details={"field": "receiving_agency"})
    if _is_staff_user(actor) and not actor.is_superuser:
        agency = _counter_agency(actor, code, roles)
    else:
        agency = (
            agencies_actable_by(actor, roles=set(roles))
            .filter(code=code, active=True)
            .select_related("schedule")
            .only("pk", "code", "name", "path", "schedule")
            .first()
        )
    if agency is None:
        if not Agency.objects.filter(code=code).exists():
            raise NotFound(
                f"Không tìm thấy cơ quan có mã định danh “{code}”.",
                code="agency_not_found",
                details={"field": "receiving_agency"},
            )
        raise Forbidden(f"Bạn không phải cán bộ tiếp nhận của cơ quan {code}.", code="outside_jurisdiction")
    return agency


def _clean_intake(actor, data: IntakeData, *, counter: bool = True) -> _Intake:
    if not isinstance(data, IntakeData):
        raise InvalidInput("Thiếu thông tin hồ sơ.", code="data_required")
    if data.channel not in Dossier.Channel.values or isinstance(data.channel, bool):
        raise InvalidInput(
            f"Kênh nộp “{data.channel}” không hợp lệ: 1 trực tiếp, 2 trực tuyến, 3 bưu chính.",
            details={"field": "channel"},
        )
    if data.result_delivery not in Dossier.ResultDelivery.values:
        raise InvalidInput(
            f"Hình thức nhận kết quả “{data.result_delivery}” không hợp lệ: counter, post hoặc online.",
            details={"field": "result_delivery"},
        )
    applicant = _clean_applicant(data.applicant)
    procedure_code = (data.procedure or "").strip()
    handling_code = data.handling_agency.strip().upper() if data.handling_agency else None
    if counter:
        receiving = _receiving_agency_for(actor, data.receiving_agency)
    else:
        code = (data.receiving_agency or "").strip().upper()
        receiving = Agency.objects.select_related("schedule").filter(code=code, active=True).first()
        if receiving is None:
            raise NotFound(
                f"Không tìm thấy cơ quan có mã định danh “{code}”.",
                code="agency_not_found",
                details={"field": "receiving_agency"},
            )
    if not procedure_code:
        raise InvalidInput("Vui lòng chọn thủ tục hành chính.", details={"field": "procedure"})
    reference = intake_reference(procedure_code)
    if reference is None or not reference.procedure.active:
        raise NotFound(
            f"Không tìm thấy thủ tục hành chính mã “{procedure_code}”.",
            code="procedure_not_found",
            details={"field": "procedure"},
        )
    # The handling agency: the one named, or the receiving agency, or its nearest ancestor that
    # offers the procedure (a one-stop unit receives for its committee): the deepest path.
    if handling_code is not None:
        found = [o for o in reference.offerings if o.agency.code == handling_code]
    else:
        ancestor_ids = {int(p) for p in receiving.path.strip("/").split("/") if p} or {receiving.pk}
        found = [o for o in reference.offerings if o.agency_id in ancestor_ids]
    if not found:
        where = data.handling_agency or receiving.code
        raise InvalidInput(
            f"Cơ quan {where} không giải quyết thủ tục {procedure_code} ({reference.procedure.name}).",
            code="procedure_not_offered",
            details={"field": "procedure"},
        )
    offering = max(found, key=lambda o: len(o.agency.path))
    procedure = reference.procedure
    handling = offering.agency
    if not procedure.has_time:
        raise InvalidInput(
            f"Thủ tục {procedure.code} chưa có thời hạn giải quyết, chưa thể tiếp nhận hồ sơ.",
            code="procedure_without_time",
        )
    required = list(reference.documents)
    by_code = {d.code: d for d in required}
    documents: list[tuple[RequiredDocument | None, DocumentInput]] = []
    for item in data.documents or []:
        if not isinstance(item, DocumentInput):
            raise InvalidInput("Thành phần hồ sơ không hợp lệ.", details={"field": "documents"})
        req = by_code.get((item.requirement or "").strip())
        if req is None:
            raise InvalidInput(
                f"Thủ tục {procedure.code} không có thành phần hồ sơ mã “{item.requirement}”.",
                code="document_unknown",
                details={"field": "documents", "requirement": item.requirement},
            )
        if item.copy_kind not in DossierDocument.CopyKind.values:
            raise InvalidInput(
                f"Loại bản “{item.copy_kind}” của {req.code} không hợp lệ: "
                "original, certified_copy hoặc photocopy.",
                details={"field": "documents", "requirement": item.requirement},
            )
        if not isinstance(item.count, int) or isinstance(item.count, bool) or not 1 <= item.count <= 100:
            raise InvalidInput(
                f"Số lượng bản của {req.code} phải là số nguyên từ 1 đến 100.",
                details={"field": "documents", "requirement": item.requirement},
            )
        documents.append((req, item))
    return _Intake(
        procedure=procedure,
        receiving=receiving,
        handling=handling,
        offering=offering,
        applicant=applicant,
        documents=documents,
        required=required,
        channel=int(data.channel),
        result_delivery=data.result_delivery,
        fees=reference.fees,
        steps_by_agency=reference.steps_by_agency,
    )


def _missing_mandatory(
    intake_required: list[RequiredDocument], given_codes: set[str]
) -> list[RequiredDocument]:
    return [
        d for d in intake_required if d.mandatory and not d.condition.strip() and d.code not in given_codes
    ]


def _document_rows(dossier: Dossier, documents) -> list[DossierDocument]:
    return [
        DossierDocument(
            dossier=dossier,
            requirement=req,
            requirement_code=req.code if req else item.requirement,
            name=req.name if req else item.requirement,
            copy_kind=item.copy_kind,
            count=item.count,
            order=index,
        )
        for index, (req, item) in enumerate(documents, start=1)
    ]


def _snapshot(intake: _Intake) -> dict:
    procedure = intake.procedure
    amount = procedure.processing_time
    if intake.offering.local_time:
        amount = intake.offering.local_time
    if intake.channel == Dossier.Channel.ONLINE and procedure.online_time:
        amount = min(amount, procedure.online_time)
    if intake.steps_by_agency is None or intake.fees is None:
        reference = intake_reference(procedure.code)
        intake.fees, intake.steps_by_agency = reference.fees, reference.steps_by_agency
    # The handling agency's own variant of the process, else the receiving agency's, else the default.
    # Copies: the snapshot belongs to the dossier, the reference is shared.
    by_agency = intake.steps_by_agency
    step_rows = [
        dict(step)
        for step in (
            by_agency.get(intake.handling.pk) or by_agency.get(intake.receiving.pk) or by_agency.get(None, ())
        )
    ]
    if not step_rows:
        hours = procedure.time_in_working_hours(amount)
        step_rows = [
            {
                "order": 1,
                "name": "Giải quyết hồ sơ",
                "performer": ProcessStep.Performer.HANDLING_ROLE,
                "role": Role.SPECIALIST,
                "agency": None,
                "agency_id": None,
                "budget_hours": str(hours),
            }
        ]
    return {
        "code": procedure.code,
        "name": procedure.name,
        "time": amount,
        "unit": procedure.time_unit,
        "procedure_time": procedure.processing_time,
        "rule": procedure.counting_rule,
        "policy": procedure.supplement_policy,
        "local_time": intake.offering.local_time,
        "steps": step_rows,
        "fees": [dict(fee) for fee in intake.fees],
    }


def _step_agency_id(step: dict, dossier: Dossier) -> int:
    if step["performer"] == ProcessStep.Performer.RECEIVING_ROLE:
        return dossier.receiving_agency_id
    if step["performer"] == ProcessStep.Performer.NAMED_AGENCY and step.get("agency_id"):
        return step["agency_id"]
    return dossier.handling_agency_id


def _template_step(dossier: Dossier, order: int | None) -> dict | None:
    for step in dossier.procedure_snapshot.get("steps", []):
        if step["order"] == order:
            return step
    return None


def _next_template_step(dossier: Dossier, after_order: int | None) -> dict | None:
    steps = sorted(dossier.procedure_snapshot.get("steps", []), key=lambda s: s["order"])
    for step in steps:
        if after_order is None or step["order"] > after_order:
            return step
    return None


def _origin_step(dossier: Dossier) -> DossierStep | None:
    """The latest step that follows the template (the one an inter-agency step came from)."""
    return dossier.steps.filter(template_order__isnull=False).order_by("-seq").first()


def _handling_cal(dossier: Dossier) -> WorkCalendar:
    return _calendar(dossier.handling_agency)


def _end_step(step: DossierStep | None, now: datetime, ended_by: str, note: str = "") -> None:
    if step is None or step.finished_at is not None:
        return
    step.finished_at = now
    step.timeliness = classify(now, step.due_at) if step.due_at else ""
    step.ended_by = ended_by
    fields = ["finished_at", "timeliness", "ended_by"]
    if note:
        step.note = (step.note + "\n" + note).strip()
        fields.append("note")
    step.save(update_fields=fields)


def _start_step(
    dossier: Dossier,
    *,
    template: dict | None,
    agency_id: int,
    now: datetime,
    giver,
    receiver,
    cal: WorkCalendar,
    seq: int | None = None,
    name: str = "",
    role: str = "",
    kind: str = DossierStep.Kind.PROCESS,
    note: str = "",
    save: bool = True,
) -> DossierStep:
    if seq is None:
        last = dossier.steps.order_by("-seq").values_list("seq", flat=True).first() or 0
        seq = last + 1
    budget = Decimal(template["budget_hours"]) if template else None
    step = DossierStep(
        dossier=dossier,
        seq=seq,
        kind=kind,
        template_order=template["order"] if template else None,
        name=name or (template["name"] if template else "Xử lý hồ sơ"),
        agency_id=agency_id,
        role=role or (template["role"] if template else ""),
        giver=giver if getattr(giver, "is_authenticated", False) else None,
        receiver=receiver,
        started_at=now,
        due_at=add_working_hours(cal, now, budget) if budget else None,
        note=note,
    )
    if save:
        step.save(force_insert=True)
    return step


def _check_officer(officer, agency_id: int, roles=ANY_ACTING, what: str = "Cán bộ được giao"):
    if officer is None:
        return None
    if not getattr(officer, "is_active", False) or not getattr(officer, "pk", None):
        raise InvalidInput(f"{what} không hợp lệ.", details={"field": "officer"})
    agency = Agency.objects.only("pk", "path", "code").get(pk=agency_id)
    if not (user_roles_at(officer, agency) & set(roles) & ANY_ACTING):
        raise InvalidInput(
            f"{what} ({officer.get_full_name() or officer.get_username()}) không công tác tại {agency.code}.",
            code="officer_not_in_agency",
            details={"field": "officer"},
        )
    return officer


# ---------------------------------------------------------------------------------------------
# Intake transitions


def _create_dossier(
    intake: _Intake, *, actor, state: str, now: datetime, owner=None, idempotency_key=None
) -> Dossier:
    dossier = Dossier(
        code=_dossier_code(intake.receiving, now),
        pin=_new_pin(),
        procedure=intake.procedure,
        receiving_agency=intake.receiving,
        handling_agency=intake.handling,
        holder_agency=intake.receiving,
        channel=intake.channel,
        result_delivery=intake.result_delivery,
        state=state,
        status_code=Dossier.STATUS_OF_STATE[state],
        owner=owner,
        idempotency_key=idempotency_key,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=now if intake.channel == Dossier.Channel.ONLINE else None,
        **intake.applicant,
    )
    dossier.save(force_insert=True)
    rows = _document_rows(dossier, intake.documents)
    if rows:
        DossierDocument.objects.bulk_create(rows)
    return dossier


def _apply_reception(
    dossier: Dossier, intake_snapshot: dict, *, actor, now: datetime, save_step: bool = True
) -> dict:
    """Fields of a received dossier and its first step (created unless ``save_step`` is False).
    Returns the changes."""
    cal = _handling_cal(dossier)
    receiving_cal = _calendar(dossier.receiving_agency)
    due = add_working_time(
        cal, now, intake_snapshot["time"], intake_snapshot["unit"], rule=intake_snapshot["rule"]
    ).due_at
    dossier.procedure_snapshot = intake_snapshot
    first = _next_template_step(dossier, None)
    agency_id = _step_agency_id(first, dossier)
    holder = actor if agency_id == dossier.receiving_agency_id else None
    step = _start_step(
        dossier,
        template=first,
        agency_id=agency_id,
        now=now,
        giver=None,
        receiver=holder,
        cal=cal,
        seq=1,
        kind=DossierStep.Kind.RECEPTION
        if first["performer"] == "receiving_role"
        else DossierStep.Kind.PROCESS,
        save=save_step,
    )
    return {
        "state": State.RECEIVED,
        "procedure_snapshot": intake_snapshot,
        "rules_version": RULES_VERSION,
        "received_at": now,
        "clock_started_at": now,
        "transfer_at": transfer_moment(receiving_cal, now),
        "original_due_at": due,
        "due_at": due,
        "current_step": step,
        "holder_agency_id": agency_id,
        "holder": holder,
    }


_INSERT_COLUMNS: dict[tuple, tuple[list[str], list]] = {}


def _insert_values(obj, conn=None) -> tuple[list[str], list]:
    """Columns and database values of a new model instance (as ``Model.save`` would write).

    ``conn``: the connection itself (``connections[alias]``), resolved once by the caller
    rather than through the ``connection`` proxy for every field."""
    conn = conn or connections[connection.alias]
    with_pk = obj.pk is not None
    key = (type(obj), with_pk, conn.vendor)
    plan = _INSERT_COLUMNS.get(key)
    if plan is None:
        fields = [f for f in obj._meta.concrete_fields if with_pk or not f.primary_key]
        plan = _INSERT_COLUMNS[key] = ([conn.ops.quote_name(f.column) for f in fields], fields)
    columns, fields = plan
    return columns, [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]


def _receive_new_postgresql(
    intake: _Intake, snapshot: dict, *, actor, now: datetime, idempotency_key, request
) -> Dossier:
    """A reception in two statements (PostgreSQL): the first takes the day's number (upsert,
    row locked until commit), the ids of the dossier and its first step and locks the agency's
    audit chain head; the second writes the dossier, its documents, the step, the event, the
    audit event, the outbox rows and the chain head at once (one statement with data-modifying
    CTEs; the dossier ↔ step foreign keys are deferred to commit). Same rows as the ORM path."""
    qn = connection.ops.quote_name
    chain = intake.receiving.code
    day = _local_day(now)
    # Table names come from the models' metadata, never from input; values are parameters.
    chain_sql = qn(AuditChain._meta.db_table)
    first_sql = (
        f"WITH seq AS ({_next_number_sql()}) "  # noqa: S608
        "SELECT seq.last_number, nextval(pg_get_serial_sequence(%s, 'id')), "
        "nextval(pg_get_serial_sequence(%s, 'id')), c.id, c.last_seq, c.last_hash "
        f"FROM seq LEFT JOIN LATERAL (SELECT id, last_seq, last_hash FROM {chain_sql} "
        "WHERE key = %s FOR UPDATE) c ON true"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            first_sql, [intake.receiving.pk, day, Dossier._meta.db_table, DossierStep._meta.db_table, chain]
        )
        number, dossier_id, step_id, head_id, last_seq, last_hash = cursor.fetchone()
    if head_id is None:  # the agency's first audit event ever
        head, _ = AuditChain.objects.get_or_create(key=chain)
        head = AuditChain.objects.select_for_update().get(pk=head.pk)
        head_id, last_seq, last_hash = head.pk, head.last_seq, head.last_hash
    dossier = Dossier(
        pk=dossier_id,
        code=f"{intake.receiving.code}-{day:%y%m%d}-{number:04d}",
        pin=_new_pin(),
        procedure=intake.procedure,
        receiving_agency=intake.receiving,
        handling_agency=intake.handling,
        channel=intake.channel,
        result_delivery=intake.result_delivery,
        idempotency_key=idempotency_key,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=now if intake.channel == Dossier.Channel.ONLINE else None,
        **intake.applicant,
    )
    changes = _apply_reception(dossier, snapshot, actor=actor, now=now, save_step=False)
    for name, value in changes.items():
        setattr(dossier, name, value)
    step = changes["current_step"]
    step.pk = step_id
    dossier.current_step = step
    dossier.status_code = Dossier.STATUS_OF_STATE[State.RECEIVED]
    event = _event(dossier, action="receive", actor=actor, agency_id=intake.receiving.pk, at=now, save=False)
    audit = _audit_event(
        action="dossier.receive",
        actor=actor,
        dossier=dossier,
        chain=chain,
        seq=last_seq + 1,
        prev_hash=last_hash,
        after={**_values(dossier, ("state", "status_code", "due_at", "holder_agency")), "code": dossier.code},
        extra={"procedure": intake.procedure.code, "channel": intake.channel},
        request=request,
    )
    groups = [
        [dossier],
        [step],
        _document_rows(dossier, intake.documents),
        [event],
        [audit],
        _notify(dossier, "receive", save=False),
    ]
    parts, params = [], []
    conn = connections[connection.alias]
    for objs in groups:
        if not objs:
            continue
        rows = [_insert_values(o, conn) for o in objs]
        columns = rows[0][0]
        values = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in rows)
        table = qn(objs[0]._meta.db_table)
        parts.append(f"i{len(parts)} AS (INSERT INTO {table} ({', '.join(columns)}) VALUES {values})")  # noqa: S608
        for _, row_params in rows:
            params.extend(row_params)
    head_sql = f"UPDATE {chain_sql} SET last_seq = %s, last_hash = %s WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {head_sql}", [*params, audit.seq, audit.hash, head_id])
    for obj in (dossier, step):
        obj._state.adding = False
        obj._state.db = connection.alias
    return dossier


def dossier_receive(
    *,
    actor,
    data: IntakeData | None = None,
    dossier: Dossier | str | None = None,
    expected_version=None,
    idempotency_key: str | None = None,
    request=None,
) -> Dossier:
    """Receive a complete dossier (Mẫu 01): a new one from ``data``, or one submitted online or
    sent back for an intake supplement (``dossier`` + ``expected_version``; ``data``, when
    given, replaces its documents). Code, PIN, appointment, first step, event, audit, outbox."""
    now = timezone.now()
    if dossier is None:
        if idempotency_key:
            idempotency_key = str(idempotency_key)[:100]
            existing = Dossier.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        intake = _clean_intake(actor, data)
        missing = _missing_mandatory(intake.required, {req.code for req, _ in intake.documents})
        if missing:
            raise InvalidInput(
                "Hồ sơ chưa đủ giấy tờ bắt buộc: "
                + "; ".join(f"{d.code} – {d.name[:80]}" for d in missing)
                + ". Hãy hướng dẫn bổ sung (Mẫu 02) hoặc từ chối tiếp nhận.",
                code="documents_missing",
                details={"missing": [d.code for d in missing]},
            )
        try:
            with transaction.atomic():
                snapshot = _snapshot(intake)
                if connection.vendor == "postgresql":
                    created = _receive_new_postgresql(
                        intake,
                        snapshot,
                        actor=actor,
                        now=now,
                        idempotency_key=idempotency_key,
                        request=request,
                    )
                else:
                    created = _create_dossier(
                        intake, actor=actor, state=State.RECEIVED, now=now, idempotency_key=idempotency_key
                    )
                    changes = _apply_reception(created, snapshot, actor=actor, now=now)
                    for name, value in changes.items():
                        setattr(created, name, value)
                    created.status_code = Dossier.STATUS_OF_STATE[State.RECEIVED]
                    Dossier.objects.filter(pk=created.pk).update(**changes)
                    _event(created, action="receive", actor=actor, agency_id=intake.receiving.pk, at=now)
                    _audit(
                        action="dossier.receive",
                        actor=actor,
                        dossier=created,
                        chain=intake.receiving.code,
                        before=None,
                        after={
                            **_values(created, ("state", "status_code", "due_at", "holder_agency")),
                            "code": created.code,
                        },
                        extra={"procedure": intake.procedure.code, "channel": intake.channel},
                        request=request,
                    )
                    _notify(created, "receive")
        except IntegrityError:
            if idempotency_key:
                existing = Dossier.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing
            raise
        return created

    with transaction.atomic():
        locked, _ = _lock_for(actor, dossier, expected_version, "receive")
        intake = None
        if data is not None:
            intake = _clean_intake(actor, data)
            docs = intake.documents
        else:
            docs = None
        required = list(RequiredDocument.objects.filter(procedure=locked.procedure))
        given = (
            {req.code for req, _ in docs}
            if docs is not None
            else set(locked.documents.values_list("requirement_code", flat=True))
        )
        missing = _missing_mandatory(required, given)
        if missing:
            raise InvalidInput(
                "Hồ sơ chưa đủ giấy tờ bắt buộc: "
                + "; ".join(f"{d.code} – {d.name[:80]}" for d in missing)
                + ".",
                code="documents_missing",
                details={"missing": [d.code for d in missing]},
            )
        if docs is not None:
            locked.documents.filter(files__isnull=True).delete()
            DossierDocument.objects.bulk_create(_document_rows(locked, docs))
        offering = Offering.objects.filter(
            procedure=locked.procedure, agency=locked.handling_agency
        ).first() or Offering(procedure=locked.procedure, agency=locked.handling_agency)
        fake = _Intake(
            procedure=locked.procedure,
            receiving=locked.receiving_agency,
            handling=locked.handling_agency,
            offering=offering,
            applicant={},
            documents=[],
            required=required,
            channel=locked.channel,
            result_delivery=locked.result_delivery,
        )
        snapshot = _snapshot(fake)
        DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
        changes = _apply_reception(locked, snapshot, actor=actor, now=now)
        return _finish(
            locked,
            action="receive",
            actor=actor,
            agency=locked.receiving_agency,
            changes=changes,
            expected_version=locked.version,
            now=now,
            request=request,
        )


def dossier_refuse(
    *, actor, reason, data: IntakeData | None = None, dossier=None, expected_version=None, request=None
) -> Dossier:
    """Refuse to receive (Mẫu 03): a new dossier from ``data`` gets its code, state refused."""
    reason = _text_required(reason, "lý do từ chối tiếp nhận")
    now = timezone.now()
    if dossier is None:
        intake = _clean_intake(actor, data)
        with transaction.atomic():
            created = _create_dossier(intake, actor=actor, state=State.REFUSED, now=now)
            Dossier.objects.filter(pk=created.pk).update(closed_at=now)
            created.closed_at = now
            _event(created, action="refuse", actor=actor, agency_id=intake.receiving.pk, at=now, note=reason)
            _audit(
                action="dossier.refuse",
                actor=actor,
                dossier=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"reason": reason, "procedure": intake.procedure.code},
                request=request,
            )
            _notify(created, "refuse", f"Lý do: {reason}")
        return created
    with transaction.atomic():
        locked, _ = _lock_for(actor, dossier, expected_version, "refuse")
        DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
        return _finish(
            locked,
            action="refuse",
            actor=actor,
            agency=locked.receiving_agency,
            changes={"state": State.REFUSED, "closed_at": now, "holder": None},
            expected_version=locked.version,
            now=now,
            note=reason,
            request=request,
            notify_text=f"Lý do: {reason}",
        )


def _clean_items(items) -> list[dict]:
    cleaned = []
    for index, item in enumerate(items or [], start=1):
        if isinstance(item, dict):
            item = SupplementItem(name=item.get("name", ""), reason=item.get("reason", ""))
        if not isinstance(item, SupplementItem):
            raise InvalidInput(f"Nội dung yêu cầu bổ sung thứ {index} không hợp lệ.")
        name = (item.name or "").strip()
        reason = (item.reason or "").strip()
        if not name or not reason:
            raise InvalidInput(
                f"Nội dung yêu cầu bổ sung thứ {index}: phải ghi rõ giấy tờ cần bổ sung và lý do.",
                code="supplement_item_incomplete",
            )
        cleaned.append({"name": name[:500], "reason": reason[:1000]})
    if not cleaned:
        raise InvalidInput(
            "Vui lòng ghi ít nhất một nội dung cần bổ sung, hoàn thiện (giấy tờ và lý do).",
            code="supplement_items_required",
        )
    return cleaned


def dossier_request_supplement(
    *,
    actor,
    items: list[SupplementItem],
    note="",
    data: IntakeData | None = None,
    dossier=None,
    expected_version=None,
    request=None,
) -> Dossier:
    """Ask for a supplement (Mẫu 02).

    At reception (``data`` for a new dossier, or a dossier submitted online): the dossier gets
    its code and waits in ``intake_supplement``; no clock runs. During processing (received or
    processing): the clock stops; on receipt of the supplement it restarts from zero or resumes
    according to the procedure's policy (snapshot). The second request sets ``supplement_flagged``.
    """
    cleaned = _clean_items(items)
    note = (note or "").strip()
    now = timezone.now()
    if dossier is None:
        intake = _clean_intake(actor, data)
        with transaction.atomic():
            created = _create_dossier(intake, actor=actor, state=State.INTAKE_SUPPLEMENT, now=now)
            DossierPause.objects.create(
                dossier=created,
                reason=DossierPause.Reason.SUPPLEMENT,
                items=cleaned,
                note=note,
                started_at=now,
                requested_by=actor,
                resume_state=State.RECEIVED,
            )
            _event(
                created,
                action="request_supplement",
                actor=actor,
                agency_id=intake.receiving.pk,
                at=now,
                note=note,
                data={"items": cleaned},
            )
            _audit(
                action="dossier.request_supplement",
                actor=actor,
                dossier=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"items": cleaned, "at_intake": True},
                request=request,
            )
            _notify(created, "request_supplement", _items_text(cleaned))
        return created
    with transaction.atomic():
        locked = _lock(dossier)
        if locked.state == State.SUBMITTED:
            _check_version(locked, expected_version)
            _check(actor, locked, "request-supplement-intake")
            DossierPause.objects.create(
                dossier=locked,
                reason=DossierPause.Reason.SUPPLEMENT,
                items=cleaned,
                note=note,
                started_at=now,
                requested_by=actor,
                resume_state=State.RECEIVED,
            )
            return _finish(
                locked,
                action="request-supplement",
                actor=actor,
                agency=locked.receiving_agency,
                changes={"state": State.INTAKE_SUPPLEMENT},
                expected_version=locked.version,
                now=now,
                note=note,
                data={"items": cleaned},
                request=request,
                notify_text=_items_text(cleaned),
            )
        _check_version(locked, expected_version)
        roles = _check(actor, locked, "request-supplement")
        cal = _handling_cal(locked)
        late_request = working_time_between(cal, locked.received_at, now) > timedelta(
            hours=8 * SUPPLEMENT_WINDOW_DAYS
        )
        policy = locked.procedure_snapshot.get("policy") or Procedure.SupplementPolicy.RESTART
        DossierPause.objects.create(
            dossier=locked,
            reason=DossierPause.Reason.SUPPLEMENT,
            items=cleaned,
            note=note,
            started_at=now,
            policy=policy,
            requested_by=actor,
            resume_state=locked.state,
        )
        count = locked.supplement_count + 1
        changes = {"state": State.SUPPLEMENT, "supplement_count": count}
        if count >= 2:
            changes["supplement_flagged"] = True
        return _finish(
            locked,
            action="request-supplement",
            actor=actor,
            agency=_acting_agency(roles, "request-supplement"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=note,
            data={"items": cleaned, "policy": policy, "late_request": late_request, "count": count},
            request=request,
            notify_text=_items_text(cleaned),
        )


def _items_text(items: list[dict]) -> str:
    return "Cần bổ sung: " + "; ".join(f"{i['name']} ({i['reason']})" for i in items) + "."


def dossier_submit_online(*, citizen, data: IntakeData, request=None) -> Dossier:
    """A citizen's or organisation's online submission (status 1), waiting for reception."""
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        raise Forbidden("Vui lòng đăng nhập để nộp hồ sơ trực tuyến.", code="login_required")
    User = type(citizen)
    kinds = {
        getattr(User, "Kind", None) and User.Kind.CITIZEN,
        getattr(User, "Kind", None) and User.Kind.ORGANISATION,
    }
    if getattr(citizen, "kind", None) not in kinds:
        raise Forbidden("Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ trực tuyến.", code="not_citizen")
    intake = _clean_intake(citizen, dataclasses.replace(data, channel=Dossier.Channel.ONLINE), counter=False)
    now = timezone.now()
    with transaction.atomic():
        created = _create_dossier(intake, actor=citizen, state=State.SUBMITTED, now=now, owner=citizen)
        _event(created, action="submit_online", actor=citizen, agency_id=intake.receiving.pk, at=now)
        _audit(
            action="dossier.submit_online",
            actor=citizen,
            dossier=created,
            chain=intake.receiving.code,
            after={"state": created.state, "code": created.code},
            extra={"procedure": intake.procedure.code},
            request=request,
        )
        _notify(created, "submit_online")
    return created


# ---------------------------------------------------------------------------------------------
# Processing transitions


def dossier_receive_supplement(*, actor, dossier, expected_version, note="", request=None) -> Dossier:
    """The applicant brought what was asked for: the clock restarts (policy restart: the
    appointment counts again in full from now) or resumes (policy pause: the appointment and the
    current step's due move by the working time paused)."""
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "receive-supplement")
        pause = locked.pauses.filter(reason=DossierPause.Reason.SUPPLEMENT, ended_at__isnull=True).last()
        cal = _handling_cal(locked)
        snap = locked.procedure_snapshot
        policy = (pause.policy if pause else "") or snap.get("policy") or "restart"
        changes: dict[str, Any] = {"state": (pause.resume_state if pause else "") or State.PROCESSING}
        step = locked.current_step
        if policy == Procedure.SupplementPolicy.PAUSE:
            paused = working_time_between(cal, pause.started_at, now) if pause else timedelta(0)
            changes["due_at"] = shift_working_time(cal, locked.due_at, paused)
            if step is not None and step.finished_at is None and step.due_at:
                step.due_at = shift_working_time(cal, step.due_at, paused)
                step.save(update_fields=["due_at"])
        else:
            changes["due_at"] = add_working_time(
                cal, now, snap["time"], snap["unit"], rule=snap["rule"]
            ).due_at
            changes["clock_started_at"] = now
            if step is not None and step.finished_at is None:
                template = _template_step(locked, step.template_order)
                if template:
                    step.due_at = add_working_hours(cal, now, Decimal(template["budget_hours"]))
                    step.save(update_fields=["due_at"])
        if pause is not None:
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        return _finish(
            locked,
            action="receive-supplement",
            actor=actor,
            agency=_acting_agency(roles, "receive-supplement"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            data={"policy": policy},
            request=request,
        )


def dossier_assign(*, actor, dossier, expected_version, officer, request=None) -> Dossier:
    """A leader gives the dossier (its current step) to an officer of the holding agency."""
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "assign")
        if officer is None:
            raise InvalidInput("Vui lòng chọn cán bộ được giao xử lý.", details={"field": "officer"})
        _check_officer(officer, locked.holder_agency_id)
        step = locked.current_step
        if step is not None and step.finished_at is None:
            step.receiver = officer
            step.giver = step.giver or actor
            step.save(update_fields=["receiver", "giver"])
        changes = {"holder": officer}
        if locked.state == State.RECEIVED:
            changes["state"] = State.PROCESSING
        return _finish(
            locked,
            action="assign",
            actor=actor,
            agency=_acting_agency(roles, "assign"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            data={"officer": officer.pk, "officer_name": officer.get_full_name()},
            request=request,
        )


def dossier_forward(
    *, actor, dossier, expected_version, to_agency=None, officer=None, note="", request=None
) -> Dossier:
    """End the current step and start the next step of the process (or a step at ``to_agency``:
    inter-agency forwarding)."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "forward")
        current = locked.current_step
        if isinstance(to_agency, str):
            code = to_agency.strip().upper()
            to_agency = Agency.objects.filter(code=code, active=True).first()
            if to_agency is None:
                raise NotFound(f"Không tìm thấy cơ quan có mã định danh “{code}”.", code="agency_not_found")
        if to_agency is not None:
            # Inter-agency (liên thông): an extra step outside the template, no budget of its own.
            template, agency_id = None, to_agency.pk
        elif current is not None and current.template_order is None:
            # Back from an inter-agency step to the step that sent it.
            origin = _origin_step(locked)
            template = _template_step(locked, origin.template_order) if origin else None
            if template is None:
                raise Conflict(
                    f"Không xác định được bước tiếp theo của hồ sơ {locked.code}.", code="last_step"
                )
            agency_id = origin.agency_id
            if officer is None and origin.receiver_id:
                officer = origin.receiver
        else:
            template = _next_template_step(locked, current.template_order if current else None)
            if template is None:
                raise Conflict(
                    f"Hồ sơ {locked.code} đang ở bước cuối của quy trình: "
                    "lãnh đạo phê duyệt hoặc không giải quyết.",
                    code="last_step",
                )
            agency_id = _step_agency_id(template, locked)
        _check_officer(officer, agency_id)
        cal = _handling_cal(locked)
        _end_step(current, now, "forward", note)
        step = _start_step(
            locked,
            template=template,
            agency_id=agency_id,
            now=now,
            giver=actor,
            receiver=officer,
            cal=cal,
            note=note,
            name="" if template else "Phối hợp xử lý (liên thông)",
        )
        return _finish(
            locked,
            action="forward",
            actor=actor,
            agency=_acting_agency(roles, "forward"),
            changes={
                "state": State.PROCESSING,
                "current_step": step,
                "holder_agency_id": agency_id,
                "holder": officer,
            },
            expected_version=locked.version,
            now=now,
            note=note,
            data={"step": step.seq, "step_name": step.name, "to_agency": agency_id},
            request=request,
        )


def dossier_send_back(*, actor, dossier, expected_version, to_seq, note, request=None) -> Dossier:
    """Send the dossier back to an earlier step (a new step row repeating it, same budget)."""
    note = _text_required(note, "lý do trả lại")
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "send-back")
        current = locked.current_step
        try:
            to_seq = int(to_seq)
        except (TypeError, ValueError):
            raise InvalidInput("Bước trả lại không hợp lệ.", details={"field": "to_seq"}) from None
        earlier = locked.steps.filter(seq=to_seq).first()
        if earlier is None or current is None or to_seq >= current.seq:
            raise InvalidInput(
                f"Chỉ được trả lại một bước trước bước hiện tại (bước {current.seq if current else '?'}).",
                details={"field": "to_seq"},
            )
        cal = _handling_cal(locked)
        _end_step(current, now, "send_back", note)
        step = _start_step(
            locked,
            template=_template_step(locked, earlier.template_order),
            agency_id=earlier.agency_id,
            now=now,
            giver=actor,
            receiver=earlier.receiver,
            cal=cal,
            name=earlier.name,
            role=earlier.role,
            kind=earlier.kind,
            note=note,
        )
        return _finish(
            locked,
            action="send-back",
            actor=actor,
            agency=_acting_agency(roles, "send-back"),
            changes={
                "current_step": step,
                "holder_agency_id": earlier.agency_id,
                "holder_id": earlier.receiver_id,
            },
            expected_version=locked.version,
            now=now,
            note=note,
            data={"to_seq": to_seq, "step": step.seq},
            request=request,
        )


def _freeze(dossier: Dossier, now: datetime) -> dict:
    return {"finished_at": now, "timeliness": classify(now, dossier.due_at) if dossier.due_at else ""}


def dossier_approve(*, actor, dossier, expected_version, note="", request=None) -> Dossier:
    """The leader approves: the current step ends; the next step of the process (e.g. return at
    the counter) starts; the result is then finished (``dossier_finish``)."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "approve")
        current = locked.current_step
        _end_step(current, now, "approve", note)
        changes: dict[str, Any] = {"state": State.APPROVED, "outcome": Dossier.Outcome.APPROVED}
        order = current.template_order if current else None
        if current is not None and order is None:
            origin = _origin_step(locked)
            order = origin.template_order if origin else None
        template = _next_template_step(locked, order)
        if template is not None:
            agency_id = _step_agency_id(template, locked)
            step = _start_step(
                locked,
                template=template,
                agency_id=agency_id,
                now=now,
                giver=actor,
                receiver=None,
                cal=_handling_cal(locked),
            )
            changes.update(current_step=step, holder_agency_id=agency_id, holder=None)
        return _finish(
            locked,
            action="approve",
            actor=actor,
            agency=_acting_agency(roles, "approve"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=note,
            request=request,
        )


def dossier_reject(*, actor, dossier, expected_version, reason, request=None) -> Dossier:
    """Not granted after appraisal: the written answer is the result; the dossier is finished
    (status 9) with outcome ``rejected`` and its timeliness frozen; the answer is then returned."""
    reason = _text_required(reason, "lý do không giải quyết")
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "reject")
        _end_step(locked.current_step, now, "reject", reason)
        return _finish(
            locked,
            action="reject",
            actor=actor,
            agency=_acting_agency(roles, "reject"),
            changes={
                "state": State.FINISHED,
                "outcome": Dossier.Outcome.REJECTED,
                "holder_agency_id": locked.receiving_agency_id,
                "holder": None,
                **_freeze(locked, now),
            },
            expected_version=locked.version,
            now=now,
            note=reason,
            request=request,
            notify_text=f"Kết quả: không giải quyết. Lý do: {reason}",
        )


def dossier_request_payment(
    *, actor, dossier, expected_version, amount_vnd, note="", request=None
) -> Dossier:
    """Ask the applicant to pay (status 6); the clock pauses until the payment is recorded."""
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
        raise InvalidInput(
            "Số tiền phải nộp phải là số nguyên dương (đồng).", details={"field": "amount_vnd"}
        )
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "request-payment")
        DossierPause.objects.create(
            dossier=locked,
            reason=DossierPause.Reason.PAYMENT,
            note=(note or "").strip(),
            started_at=now,
            policy=Procedure.SupplementPolicy.PAUSE,
            requested_by=actor,
            resume_state=locked.state,
        )
        amount_text = f"{amount_vnd:,}".replace(",", ".") + " đ"
        return _finish(
            locked,
            action="request-payment",
            actor=actor,
            agency=_acting_agency(roles, "request-payment"),
            changes={"state": State.PAYMENT, "fee_due_vnd": amount_vnd},
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            data={"amount_vnd": amount_vnd},
            request=request,
            notify_text=f"Số tiền phải nộp: {amount_text}.",
        )


def dossier_record_payment(*, actor, dossier, expected_version, note="", request=None) -> Dossier:
    """The payment was made: the appointment and the current step move by the working time paused."""
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "record-payment")
        pause = locked.pauses.filter(reason=DossierPause.Reason.PAYMENT, ended_at__isnull=True).last()
        cal = _handling_cal(locked)
        changes: dict[str, Any] = {"state": (pause.resume_state if pause else "") or State.PROCESSING}
        if pause is not None:
            paused = working_time_between(cal, pause.started_at, now)
            changes["due_at"] = shift_working_time(cal, locked.due_at, paused)
            step = locked.current_step
            if step is not None and step.finished_at is None and step.due_at:
                step.due_at = shift_working_time(cal, step.due_at, paused)
                step.save(update_fields=["due_at"])
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        return _finish(
            locked,
            action="record-payment",
            actor=actor,
            agency=_acting_agency(roles, "record-payment"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            request=request,
        )


def _close(
    action: str, state: str, *, actor, dossier, expected_version, reason, what: str, request
) -> Dossier:
    reason = _text_required(reason, what)
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, action)
        _end_step(locked.current_step, now, action.replace("-", "_"), reason)
        locked.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        return _finish(
            locked,
            action=action,
            actor=actor,
            agency=_acting_agency(roles, action),
            changes={"state": state, "closed_at": now, "holder": None},
            expected_version=locked.version,
            now=now,
            note=reason,
            request=request,
            notify_text=f"Lý do: {reason}",
        )


def dossier_stop(*, actor, dossier, expected_version, reason, request=None) -> Dossier:
    """Stop processing (Mẫu 05): the dossier is closed."""
    return _close(
        "stop",
        State.STOPPED,
        actor=actor,
        dossier=dossier,
        expected_version=expected_version,
        reason=reason,
        what="lý do dừng xử lý",
        request=request,
    )


def dossier_withdraw(*, actor, dossier, expected_version, reason, request=None) -> Dossier:
    """The applicant withdraws the dossier (recorded by the counter or a leader): closed."""
    return _close(
        "withdraw",
        State.WITHDRAWN,
        actor=actor,
        dossier=dossier,
        expected_version=expected_version,
        reason=reason,
        what="lý do rút hồ sơ",
        request=request,
    )


def dossier_extend(*, actor, dossier, expected_version, reason, new_due_at, request=None) -> Dossier:
    """Apologise and extend (Mẫu 04): once, decided at least 1 working day before the appointment,
    to a later appointment."""
    reason = _text_required(reason, "lý do xin lỗi và gia hạn")
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        raise InvalidInput("Ngày hẹn trả mới không hợp lệ.", details={"field": "new_due_at"})
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "extend")
        if locked.extension_count >= 1:
            raise Conflict(
                f"Hồ sơ {locked.code} đã được gia hạn một lần; chỉ được gia hạn một lần.",
                code="already_extended",
            )
        cal = _handling_cal(locked)
        if working_time_between(cal, now, locked.due_at) < timedelta(hours=8):
            raise Conflict(
                "Chỉ được xin lỗi và hẹn lại trước ngày hẹn trả ít nhất 1 ngày làm việc (hẹn trả: "
                f"{locked.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}).",
                code="extension_too_late",
            )
        if new_due_at <= locked.due_at:
            raise InvalidInput(
                "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại "
                f"({locked.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}).",
                details={"field": "new_due_at"},
            )
        DossierExtension.objects.create(
            dossier=locked,
            reason=reason,
            previous_due_at=locked.due_at,
            new_due_at=new_due_at,
            created_at=now,
            created_by=actor,
        )
        local = new_due_at.astimezone(VN_TZ)
        return _finish(
            locked,
            action="extend",
            actor=actor,
            agency=_acting_agency(roles, "extend"),
            changes={"due_at": new_due_at, "extension_count": locked.extension_count + 1},
            expected_version=locked.version,
            now=now,
            note=reason,
            data={"previous_due_at": locked.due_at, "new_due_at": new_due_at},
            request=request,
            notify=True,
            notify_text=f"Xin lỗi ông/bà vì sự chậm trễ; hẹn trả kết quả mới: {local:%H:%M ngày %d/%m/%Y}.",
        )


def dossier_finish(*, actor, dossier, expected_version, note="", request=None) -> Dossier:
    """The result is ready (status 9): timeliness is frozen; the dossier waits at the counter."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "finish")
        # The result is ready: the last step ends here (a citizen collecting later does not make
        # the officers late).
        _end_step(locked.current_step, now, "finish", note)
        return _finish(
            locked,
            action="finish",
            actor=actor,
            agency=_acting_agency(roles, "finish"),
            changes={
                "state": State.FINISHED,
                "holder_agency_id": locked.receiving_agency_id,
                **_freeze(locked, now),
            },
            expected_version=locked.version,
            now=now,
            note=note,
            request=request,
        )


def dossier_return_result(
    *, actor, dossier, expected_version, collected_by="", postal_tracking="", request=None
) -> Dossier:
    """Return the result (status 10): to who collected it at the counter, or by post."""
    collected_by = (collected_by or "").strip()[:200]
    postal_tracking = (postal_tracking or "").strip()[:60]
    now = timezone.now()
    with transaction.atomic():
        locked, roles = _lock_for(actor, dossier, expected_version, "return-result")
        if locked.result_delivery == Dossier.ResultDelivery.POST and not postal_tracking:
            raise InvalidInput(
                "Vui lòng nhập mã bưu gửi.", code="required", details={"field": "postal_tracking"}
            )
        if (
            locked.result_delivery == Dossier.ResultDelivery.COUNTER
            and not collected_by
            and not postal_tracking
        ):
            raise InvalidInput(
                "Vui lòng ghi họ tên người nhận kết quả.", code="required", details={"field": "collected_by"}
            )
        _end_step(locked.current_step, now, "return_result")
        return _finish(
            locked,
            action="return-result",
            actor=actor,
            agency=_acting_agency(roles, "return-result"),
            changes={
                "state": State.RETURNED,
                "returned_at": now,
                "collected_by": collected_by,
                "postal_tracking": postal_tracking,
                "holder": None,
            },
            expected_version=locked.version,
            now=now,
            data={"collected_by": collected_by, "postal_tracking": postal_tracking},
            request=request,
        )


def dossier_add_comment(*, actor, dossier, body, request=None) -> Dossier:
    """A comment on the dossier's timeline (any acting officer of its agencies; a supervisor
    only watches). Does not change the dossier's version: a comment never makes another
    officer's pending action stale. Returns the dossier."""
    body = _text_required(body, "nội dung ý kiến")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(dossier)
        roles = _Roles(actor, locked)
        agency_id = next(
            (
                a
                for a in (locked.holder_agency_id, locked.handling_agency_id, locked.receiving_agency_id)
                if roles.at(a)
            ),
            None,
        )
        if agency_id is None:
            raise Forbidden(
                f"Bạn không có quyền ghi ý kiến vào hồ sơ {locked.code}.", code="outside_jurisdiction"
            )
        event = DossierEvent.objects.create(
            dossier=locked,
            kind=DossierEvent.Kind.COMMENT,
            action="comment",
            state=locked.state,
            status_code=locked.status_code,
            at=now,
            actor=actor,
            agency_id=agency_id,
            note=body[:5000],
        )
        _audit(
            action="dossier.comment",
            actor=actor,
            dossier=locked,
            chain=_agency_code(agency_id, locked),
            extra={"code": locked.code, "event": event.pk},
            request=request,
        )
    return locked


def dossier_attach_file(*, actor, dossier, requirement_code, uploaded_file, request=None) -> DossierFile:
    """Attach a scan or upload to one of the dossier's documents (PDF, JPEG, PNG; checked from
    the content). The document of that requirement is created when the dossier has none yet."""
    from motcua.dossiers.files import validate_upload

    now = timezone.now()
    checked = validate_upload(uploaded_file)
    with transaction.atomic():
        locked = _lock(dossier)
        roles = _Roles(actor, locked)
        ok = roles.at(locked.receiving_agency_id) & COUNTER or roles.at(locked.holder_agency_id) & (
            PROCESS | {Role.RECEPTIONIST}
        )
        if not ok:
            raise Forbidden(
                f"Bạn không có quyền đính kèm tệp vào hồ sơ {locked.code}.", code="outside_jurisdiction"
            )
        if locked.state in (State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED):
            raise Conflict(
                f"Không thể đính kèm tệp: hồ sơ {locked.code} đang ở trạng thái "
                f"“{locked.get_state_display()}”.",
                code="wrong_state",
                details={"state": locked.state},
            )
        code = (requirement_code or "").strip()
        document = locked.documents.filter(requirement_code=code).order_by("order", "pk").first()
        if document is None:
            req = RequiredDocument.objects.filter(procedure_id=locked.procedure_id, code=code).first()
            if req is None:
                raise InvalidInput(
                    f"Hồ sơ {locked.code} không có thành phần mã “{code}”.",
                    code="document_unknown",
                    details={"field": "requirement_code"},
                )
            document = DossierDocument.objects.create(
                dossier=locked,
                requirement=req,
                requirement_code=req.code,
                name=req.name,
                copy_kind=DossierDocument.CopyKind.PHOTOCOPY,
                count=1,
                order=locked.documents.count() + 1,
            )
        stored = DossierFile(
            document=document,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        stored.file.save(checked.name, checked.content, save=False)
        stored.save()
        if not document.digitised:
            document.digitised = True
            document.save(update_fields=["digitised"])
        agency_id = (
            locked.receiving_agency_id if roles.at(locked.receiving_agency_id) else locked.holder_agency_id
        )
        _audit(
            action="dossier.attach_file",
            actor=actor,
            dossier=locked,
            chain=_agency_code(agency_id, locked),
            after={"file": stored.pk, "requirement": code, "sha256": checked.sha256, "size": checked.size},
            extra={"code": locked.code, "name": checked.name, "at": now},
            request=request,
        )
    return stored
