"""The control slip (Mẫu 06): the steps a dossier goes through, each due a number of working
hours after it starts on the handling agency's calendar, and frozen early / on time / late when
it ends."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from motcua.catalog.models import ProcessStep
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.services.rules import ANY_ACTING, LEAD, is_approval_step
from motcua.lib.errors import InvalidInput
from motcua.org.models import Agency
from motcua.org.selectors import user_roles_by_agency
from motcua.workcalendar.calendar import WorkCalendar, add_working_hours, classify
from motcua.workcalendar.selectors import calendar_for_schedule


def agency_calendar(agency: Agency) -> WorkCalendar:
    return calendar_for_schedule(agency.schedule if agency.schedule_id else None)


def step_agency_id(step: dict, dossier: Dossier) -> int:
    if step["performer"] == ProcessStep.Performer.RECEIVING_ROLE:
        return dossier.receiving_agency_id
    if step["performer"] == ProcessStep.Performer.NAMED_AGENCY and step.get("agency_id"):
        return step["agency_id"]
    return dossier.handling_agency_id


def template_step(dossier: Dossier, order: int | None) -> dict | None:
    for step in dossier.procedure_snapshot.get("steps", []):
        if step["order"] == order:
            return step
    return None


def next_template_step(dossier: Dossier, after_order: int | None) -> dict | None:
    steps = sorted(dossier.procedure_snapshot.get("steps", []), key=lambda s: s["order"])
    for step in steps:
        if after_order is None or step["order"] > after_order:
            return step
    return None


def origin_step(dossier: Dossier) -> DossierStep | None:
    """The latest step that follows the template (the one an inter-agency step came from)."""
    return dossier.steps.filter(template_order__isnull=False).order_by("-seq").first()


def handling_calendar(dossier: Dossier) -> WorkCalendar:
    return agency_calendar(dossier.handling_agency)


def end_step(step: DossierStep | None, now: datetime, ended_by: str, note: str = "") -> None:
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


def start_step(
    dossier: Dossier,
    *,
    template: dict | None,
    agency_id: int,
    now: datetime,
    giver: Any,
    receiver: Any,
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


def check_officer(
    officer: Any, agency_id: int | None, roles: frozenset[str] = ANY_ACTING, what: str = "Cán bộ được giao"
) -> Any:
    """``officer`` if he holds one of ``roles`` at the agency (InvalidInput otherwise); None stays None."""
    if officer is None:
        return None
    if not getattr(officer, "is_active", False) or not getattr(officer, "pk", None):
        raise InvalidInput(f"{what} không hợp lệ.", details={"field": "officer"})
    assert agency_id is not None  # a dossier being processed is held by an agency
    if not (user_roles_by_agency(officer, [agency_id])[agency_id] & set(roles) & ANY_ACTING):
        code = Agency.objects.values_list("code", flat=True).get(pk=agency_id)
        raise InvalidInput(
            f"{what} ({officer.get_full_name() or officer.get_username()}) không công tác tại {code}.",
            code="officer_not_in_agency",
            details={"field": "officer"},
        )
    return officer


def check_step_officer(officer: Any, agency_id: int | None, step: DossierStep | dict | None) -> Any:
    """``check_officer`` for the officer who will hold ``step``: an approval step is given only
    to a leader or director of its agency (InvalidInput ``officer_not_leader`` otherwise)."""
    if officer is None or not is_approval_step(step):
        return check_officer(officer, agency_id)
    name = step["name"] if isinstance(step, dict) else getattr(step, "name", "")
    try:
        return check_officer(officer, agency_id, LEAD)
    except InvalidInput as exc:
        raise InvalidInput(
            f"Bước “{name}” là bước phê duyệt: chỉ giao cho lãnh đạo hoặc giám đốc của cơ quan "
            f"({officer.get_full_name() or officer.get_username()} không phải lãnh đạo tại đây).",
            code="officer_not_leader",
            details={"field": "officer"},
        ) from exc


def freeze(dossier: Dossier, now: datetime) -> dict:
    return {"finished_at": now, "timeliness": classify(now, dossier.due_at) if dossier.due_at else ""}
