"""Writing a received dossier: its code ``{agency}-{YYMMDD}-{NNNN}`` and PIN, its appointment and
first step (``apply_reception``), and the rows of a new reception — through the ORM, or on
PostgreSQL in two statements (``receive_new_postgresql``), the same rows either way
(motcua/dossiers/tests/test_reception_parity.py compares them field by field).

Dossier codes: the number comes from one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on
``DailySequence`` inside the transaction that creates the dossier: the row stays locked until
commit (PostgreSQL), so numbers are unique and gapless per agency per day, and a rolled-back
reception gives its number back."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from motcua.audit.models import AuditChain
from motcua.audit.services import audit_event, audit_record
from motcua.dossiers.models import DailySequence, Dossier, DossierDocument, DossierStep
from motcua.dossiers.services.frame import field_values, notify_applicant, record_event
from motcua.dossiers.services.intake import Intake, document_rows
from motcua.dossiers.services.steps import (
    agency_calendar,
    handling_calendar,
    next_template_step,
    start_step,
    step_agency_id,
)
from motcua.org.models import Agency
from motcua.workcalendar.calendar import VN_TZ, add_working_time, transfer_moment

RULES_VERSION = "nd118-2025"
PIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
PIN_LENGTH = 6
State = Dossier.State


def new_pin() -> str:
    return "".join(secrets.choice(PIN_ALPHABET) for _ in range(PIN_LENGTH))


def local_day(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def next_number_sql() -> str:
    """The day's next dossier number of an agency (parameters: agency id, day), ``RETURNING
    last_number``: an upsert whose row stays locked until commit, so numbers are gapless."""
    # The table name comes from the model, never from input; values are parameters.
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    return (
        f"INSERT INTO {table} (agency_id, day, last_number) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
        "RETURNING last_number"
    )


def next_number(agency_id: int, day: date) -> int:
    """The next dossier number of ``agency`` on ``day`` (one statement; row locked until commit)."""
    with connection.cursor() as cursor:
        cursor.execute(next_number_sql(), [agency_id, day])
        return cursor.fetchone()[0]


def dossier_code(agency: Agency, moment: datetime) -> str:
    day = local_day(moment)
    number = next_number(agency.pk, day)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def create_dossier(
    intake: Intake,
    *,
    actor: Any,
    state: str,
    now: datetime,
    owner: Any = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    extra: dict[str, Any] | None = None,
) -> Dossier:
    dossier = Dossier(
        code=dossier_code(intake.receiving, now),
        pin=new_pin(),
        procedure=intake.procedure,
        receiving_agency=intake.receiving,
        handling_agency=intake.handling,
        holder_agency=intake.receiving,
        channel=intake.channel,
        result_delivery=intake.result_delivery,
        state=state,
        status_code=Dossier.STATUS_OF_STATE[State(state)],
        owner=owner,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint if idempotency_key else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=now if intake.channel == Dossier.Channel.ONLINE else None,
        **intake.applicant,
        **(extra or {}),
    )
    dossier.save(force_insert=True)
    rows = document_rows(dossier, intake.documents)
    if rows:
        DossierDocument.objects.bulk_create(rows)
    return dossier


def apply_reception(
    dossier: Dossier, intake_snapshot: dict[str, Any], *, actor: Any, now: datetime, save_step: bool = True
) -> dict:
    """Fields of a received dossier and its first step (created unless ``save_step`` is False).
    Returns the changes."""
    cal = handling_calendar(dossier)
    receiving_cal = agency_calendar(dossier.receiving_agency)
    due = add_working_time(
        cal, now, intake_snapshot["time"], intake_snapshot["unit"], rule=intake_snapshot["rule"]
    ).due_at
    dossier.procedure_snapshot = intake_snapshot
    first = next_template_step(dossier, None)
    assert first is not None  # a snapshot always has a step (procedure_snapshot makes one)
    agency_id = step_agency_id(first, dossier)
    holder = actor if agency_id == dossier.receiving_agency_id else None
    step = start_step(
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


def insert_values(obj: Model, conn: BaseDatabaseWrapper | None = None) -> tuple[list[str], list]:
    """Columns and database values of a new model instance (as ``Model.save`` would write).

    ``conn``: the connection itself (``connections[alias]``), resolved once by the caller
    rather than through the ``connection`` proxy for every field."""
    conn = conn or connections[connection.alias]
    with_pk = obj.pk is not None
    key = (type(obj), with_pk, conn.vendor)
    plan = _INSERT_COLUMNS.get(key)
    if plan is None:
        fields = [f for f in obj._meta.concrete_fields if with_pk or not f.primary_key]
        plan = _INSERT_COLUMNS[key] = ([conn.ops.quote_name(f.column or f.attname) for f in fields], fields)
    columns, fields = plan
    return columns, [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]


def receive_new_postgresql(
    intake: Intake,
    snapshot: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    idempotency_key: str | None,
    ip: str | None,
    fingerprint: str = "",
) -> Dossier:
    """A reception in two statements (PostgreSQL): the first takes the day's number (upsert,
    row locked until commit), the ids of the dossier and its first step and locks the agency's
    audit chain head; the second writes the dossier, its documents, the step, the event, the
    audit event, the outbox rows and the chain head at once (one statement with data-modifying
    CTEs; the dossier ↔ step foreign keys are deferred to commit). Same rows as the ORM path."""
    qn = connection.ops.quote_name
    chain = intake.receiving.code
    day = local_day(now)
    # Table names come from the models' metadata, never from input; values are parameters.
    chain_sql = qn(AuditChain._meta.db_table)
    first_sql = (
        f"WITH seq AS ({next_number_sql()}) "  # noqa: S608
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
        pin=new_pin(),
        procedure=intake.procedure,
        receiving_agency=intake.receiving,
        handling_agency=intake.handling,
        channel=intake.channel,
        result_delivery=intake.result_delivery,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint if idempotency_key else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=now if intake.channel == Dossier.Channel.ONLINE else None,
        **intake.applicant,
    )
    changes = apply_reception(dossier, snapshot, actor=actor, now=now, save_step=False)
    for name, value in changes.items():
        setattr(dossier, name, value)
    step = changes["current_step"]
    step.pk = step_id
    dossier.current_step = step
    dossier.status_code = Dossier.STATUS_OF_STATE[State.RECEIVED]
    event = record_event(
        dossier, action="receive", actor=actor, agency_id=intake.receiving.pk, at=now, save=False
    )
    audit = audit_event(
        action="dossier.receive",
        actor=actor,
        obj=dossier,
        chain=chain,
        seq=last_seq + 1,
        prev_hash=last_hash,
        after=_reception_audit_after(dossier),
        extra={"procedure": intake.procedure.code, "channel": intake.channel},
        ip=ip,
    )
    groups = [
        [dossier],
        [step],
        document_rows(dossier, intake.documents),
        [event],
        [audit],
        notify_applicant(dossier, "receive", save=False),
    ]
    parts: list[str] = []
    params: list[Any] = []
    conn = connections[connection.alias]
    for objs in groups:
        if not objs:
            continue
        rows = [insert_values(o, conn) for o in objs]
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


def receive_new_orm(
    intake: Intake,
    snapshot: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    idempotency_key: str | None,
    ip: str | None,
    fingerprint: str = "",
) -> Dossier:
    """A reception through the ORM (every database): the rows ``receive_new_postgresql`` writes."""
    created = create_dossier(
        intake,
        actor=actor,
        state=State.RECEIVED,
        now=now,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    changes = apply_reception(created, snapshot, actor=actor, now=now)
    for name, value in changes.items():
        setattr(created, name, value)
    created.status_code = Dossier.STATUS_OF_STATE[State.RECEIVED]
    Dossier.objects.filter(pk=created.pk).update(**changes)
    record_event(created, action="receive", actor=actor, agency_id=intake.receiving.pk, at=now)
    audit_record(
        action="dossier.receive",
        actor=actor,
        obj=created,
        chain=intake.receiving.code,
        after=_reception_audit_after(created),
        extra={"procedure": intake.procedure.code, "channel": intake.channel},
        ip=ip,
    )
    notify_applicant(created, "receive")
    return created


def receive_new(
    intake: Intake,
    snapshot: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    idempotency_key: str | None,
    ip: str | None,
    fingerprint: str = "",
) -> Dossier:
    """Write a new received dossier: in two statements on PostgreSQL (what ``bench/intake.py``
    measures), through the ORM elsewhere."""
    write = receive_new_postgresql if connection.vendor == "postgresql" else receive_new_orm
    return write(
        intake,
        snapshot,
        actor=actor,
        now=now,
        idempotency_key=idempotency_key,
        ip=ip,
        fingerprint=fingerprint,
    )


def _reception_audit_after(dossier: Dossier) -> dict[str, Any]:
    return {
        **field_values(dossier, ("state", "status_code", "due_at", "holder_agency")),
        "code": dossier.code,
    }
