"""The frame of every transition on an existing dossier: lock the row, check the version the
actor saw, then write the change with its dated event, its audit event and the applicant's
notice (``finish``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, Field

from motcua.audit.services import audit_record, jsonable
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.services.rules import Roles, check_action
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.notifications.services import notify_dossier_event
from motcua.org.models import Agency
from motcua.org.selectors import Columns
from motcua.workcalendar.models import WorkSchedule

STALE_MESSAGE = "Hồ sơ đã thay đổi do người khác vừa xử lý. Vui lòng tải lại trang."
State = Dossier.State


def dossier_ref(value: object) -> dict[str, Any]:
    """The lookup of a dossier given as itself or by its code (InvalidInput for neither)."""
    if isinstance(value, Dossier):
        return {"pk": value.pk}
    if isinstance(value, str) and value.strip():
        return {"code": value.strip()}
    raise InvalidInput("Thiếu hồ sơ cần xử lý.")


# The lock's read: the dossier with what every transition, its notice and the API's answer use
# (procedure, receiving, handling agency and its schedule, holding agency, current step), in one
# plain SQL statement. It is the ORM's
#   Dossier.objects.select_for_update(of=("self",)).select_related("procedure",
#   "receiving_agency", "handling_agency__schedule", "holder_agency", "current_step")
# (test_services_lock.py holds the two to the same objects), whose build cost more CPU than
# the rest of the read: every transition pays it.
_LOCKED = (
    Columns(Dossier, "d"),
    Columns(Procedure, "p"),
    Columns(Agency, "ra"),
    Columns(Agency, "ha"),
    Columns(WorkSchedule, "hs"),
    Columns(Agency, "ga"),
    Columns(DossierStep, "st"),
)
_LOCK_SQL: dict[tuple[str, str], str] = {}


def _lock_sql(by: str) -> str:
    key = (connection.vendor, by)
    sql = _LOCK_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        agency, features = qn(Agency._meta.db_table), connection.features
        if features.has_select_for_update_of:
            locking = " FOR UPDATE OF d"
        else:  # SQLite: no row locks (the UPDATE … WHERE version = … still decides)
            locking = " FOR UPDATE" if features.has_select_for_update else ""
        # Table names from the models' metadata, never from input; values are parameters.
        sql = _LOCK_SQL[key] = (
            f"SELECT {', '.join(part.sql() for part in _LOCKED)} "  # noqa: S608
            f"FROM {qn(Dossier._meta.db_table)} d "
            f"LEFT JOIN {qn(Procedure._meta.db_table)} p ON p.id = d.procedure_id "
            f"LEFT JOIN {agency} ra ON ra.id = d.receiving_agency_id "
            f"LEFT JOIN {agency} ha ON ha.id = d.handling_agency_id "
            f"LEFT JOIN {qn(WorkSchedule._meta.db_table)} hs ON hs.id = ha.schedule_id "
            f"LEFT JOIN {agency} ga ON ga.id = d.holder_agency_id "
            f"LEFT JOIN {qn(DossierStep._meta.db_table)} st ON st.id = d.current_step_id "
            f"WHERE d.{'id' if by == 'pk' else 'code'} = %s{locking}"
        )
    return sql


def lock(dossier: Dossier | str) -> Dossier:
    """The dossier (itself or its code), its row locked until the transaction ends, with its
    procedure, receiving, handling (and its schedule) and holding agencies and current step."""
    ((by, value),) = dossier_ref(dossier).items()
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(by), [value])
        row = cursor.fetchone()
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    built: list[Any] = []
    start = 0
    for part in _LOCKED:
        values = row[start : start + len(part.fields)]
        start += len(values)
        assert part.pk_index is not None
        built.append(part.build(values) if values[part.pk_index] is not None else None)
    found, procedure, receiving, handling, schedule, holding, step = built
    if handling is not None:
        Agency.schedule.field.set_cached_value(handling, schedule)
    for descriptor, value in (
        (Dossier.procedure, procedure),
        (Dossier.receiving_agency, receiving),
        (Dossier.handling_agency, handling),
        (Dossier.holder_agency, holding),
        (Dossier.current_step, step),
    ):
        descriptor.field.set_cached_value(found, value)
    return found


def lock_for(
    actor: Any, dossier: Dossier | str, expected_version: int | str | None, action: str
) -> tuple[Dossier, Roles]:
    """The start of every transition on an existing dossier: lock it, then check the version the
    actor saw (a stale page is told to reload, whatever changed), then state and rights."""
    locked = lock(dossier)
    holder_is(locked, actor)
    check_version(locked, expected_version)
    return locked, check_action(actor, locked, action)


def holder_is(dossier: Dossier, actor: Any) -> None:
    """The holder acting on his dossier: the notice and the answer name him, already read."""
    if dossier.holder_id is not None and dossier.holder_id == getattr(actor, "pk", None):
        Dossier.holder.field.set_cached_value(dossier, actor)


def check_version(dossier: Dossier, expected_version: int | str | None) -> None:
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


AGENCY_FIELDS = (
    Dossier.receiving_agency.field,
    Dossier.handling_agency.field,
    Dossier.holder_agency.field,
)


def _loaded_agencies(dossier: Dossier) -> dict[int, Agency]:
    """The agencies the dossier holds loaded, by id."""
    loaded = (field.get_cached_value(dossier) for field in AGENCY_FIELDS if field.is_cached(dossier))
    return {agency.pk: agency for agency in loaded if isinstance(agency, Agency)}


def _attname(name: str) -> str:
    """The attribute a dossier field's value is kept in ("holder_agency" → "holder_agency_id")."""
    field = Dossier._meta.get_field(name)
    assert isinstance(field, Field), name  # a column of the dossier, never a reverse relation
    return field.attname


def field_values(dossier: Dossier, names: Iterable[str]) -> dict[str, Any]:
    """The stored values of the dossier's fields ``names`` (keys as ids), for the audit log."""
    return {name: getattr(dossier, _attname(name)) for name in names}


def _save(dossier: Dossier, changes: dict[str, Any], expected_version: int) -> dict[str, Any]:
    """Apply ``changes`` with ``UPDATE … WHERE version = expected``; returns ``before``."""
    before = {}
    agencies = _loaded_agencies(dossier)
    for name, value in changes.items():
        before[name] = getattr(dossier, _attname(name))
        setattr(dossier, name, value)
    # An agency given by id that the dossier already holds loaded (the holding agency becoming
    # the handling one …) is not read again by whoever names it next (the notice, the answer).
    for field in AGENCY_FIELDS:
        agency_id = getattr(dossier, field.attname)
        if agency_id in agencies and not field.is_cached(dossier):
            field.set_cached_value(dossier, agencies[agency_id])
    if "state" in changes:
        dossier.status_code = Dossier.STATUS_OF_STATE[State(dossier.state)]
        before.setdefault("status_code", before.get("status_code"))
        changes["status_code"] = dossier.status_code
    updated = Dossier.objects.filter(pk=dossier.pk, version=expected_version).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict(STALE_MESSAGE, code="stale")
    dossier.version = expected_version + 1
    return before


def finish(
    dossier: Dossier,
    *,
    action: str,
    actor: Any,
    agency: Agency | int | None,
    changes: dict,
    expected_version: int,
    now: datetime,
    note: str = "",
    data: dict | None = None,
    ip: str | None = None,
    notify: bool | None = None,
    notify_text: str = "",
) -> Dossier:
    """Write the dossier, its event, the audit record and (status change) the outbox row."""
    old_status = dossier.status_code
    before = _save(dossier, changes, expected_version)
    agency_obj = agency if isinstance(agency, Agency) else None
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    record_event(dossier, action=action, actor=actor, agency_id=agency_id, at=now, note=note, data=data)
    after = field_values(dossier, before)
    chain = agency_obj.code if agency_obj else agency_code(agency_id, dossier)
    audit_record(
        action=f"dossier.{action.replace('-', '_')}",
        actor=actor,
        obj=dossier,
        chain=chain,
        before=before,
        after=after,
        extra={"code": dossier.code, **({"note": note} if note else {}), **(data or {})},
        ip=ip,
    )
    if notify or (notify is None and dossier.status_code != old_status):
        notify_applicant(dossier, action, notify_text)
    return dossier


def agency_code(agency_id: int | None, dossier: Dossier) -> str:
    for attr in ("holder_agency", "receiving_agency", "handling_agency"):
        if getattr(dossier, f"{attr}_id") == agency_id:
            return getattr(dossier, attr).code
    if agency_id is None:
        return dossier.receiving_agency.code
    return Agency.objects.values_list("code", flat=True).get(pk=agency_id)


def text_required(value: Any, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Vui lòng nhập {what}.", code="required", details={"field": what})
    return text


def notify_applicant(dossier: Dossier, action: str, extra_text: str = "", *, save: bool = True) -> list:
    """Queue (``save=False``: build) the applicant's messages for ``action``, their text from the
    event's template (motcua/notifications/messages.py), on the channels they chose."""
    return notify_dossier_event(dossier=dossier, action=action, extra_text=extra_text, save=save)


def record_event(
    dossier: Dossier,
    *,
    action: str,
    actor: Any,
    agency_id: int | None,
    at: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
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
