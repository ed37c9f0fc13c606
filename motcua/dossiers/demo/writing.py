"""Writing the demo dossiers: codes gapless per receiving agency and day (``number``), then all
rows in bulk in the caller's transaction (``write``), marked by ``DEMO_KEY_PREFIX``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection, models
from django.db.models import OuterRef, Subquery

from motcua.dossiers.demo.life import Life
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierExtension,
    DossierPause,
    DossierStep,
)
from motcua.workcalendar.calendar import VN_TZ

DEMO_KEY_PREFIX = "demo:"  # idempotency_key of the demo dossiers: how a second run knows them
BATCH = 500


def number(lives: list[Life]) -> list[DailySequence]:
    """Codes {agency}-{YYMMDD}-{NNNN}, gapless per receiving agency and day, after any numbers
    already given; returns the DailySequence rows to write (new or updated)."""
    by_day: dict[tuple, list[Life]] = defaultdict(list)
    for life in lives:
        local_day = life.created_at.astimezone(VN_TZ).date()
        by_day[(life.site.receiving.pk, local_day)].append(life)
    agencies = {life.site.receiving.pk for life in lives}
    days = {day for _, day in by_day}
    existing = (
        {(s.agency_id, s.day): s for s in DailySequence.objects.filter(agency_id__in=agencies, day__in=days)}
        if days
        else {}
    )
    rows = []
    for (agency_pk, day), group in sorted(by_day.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        group.sort(key=lambda lf: lf.created_at)
        sequence = existing.get((agency_pk, day)) or DailySequence(
            agency_id=agency_pk, day=day, last_number=0
        )
        for life in group:
            sequence.last_number += 1
            code = life.site.receiving.code
            life.d["code"] = f"{code}-{day:%y%m%d}-{sequence.last_number:04d}"
        rows.append(sequence)
    return rows


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT many rows with one prepared statement (``executemany``): the rows ``bulk_create``
    would write, without building a model instance and compiling SQL for each of them (the
    demo writes tens of thousands). Each value is prepared by its field, as the ORM does."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 — names from the model, values bound
    # Callable defaults (uuid4 …) are drawn for each row; the others once.
    defaults = {f.name: f.get_default() for f in fields if not callable(f.default)}
    # Strings, integers, booleans and keys go to the driver as they are; datetimes through the
    # backend's adapter; the rest (JSON, dates) through the field.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    kinds = [
        "key" if f.is_relation else "plain" if isinstance(f, plain) else "moment"
        if isinstance(f, models.DateTimeField) else "field"
        for f in fields
    ]  # fmt: skip
    adapt_moment = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        values = []
        for f, kind in zip(fields, kinds, strict=True):
            if f.name in row:
                value = row[f.name]
            else:
                value = defaults[f.name] if f.name in defaults else f.get_default()
            if value is None or kind == "plain":
                pass
            elif kind == "key":
                value = value if isinstance(value, int) else value.pk
            elif kind == "moment":
                value = adapt_moment(value)
            else:
                value = f.get_db_prep_save(value, connection)
            values.append(value)
        params.append(values)
    with connection.cursor() as cursor:
        for i in range(0, len(params), BATCH * 4):
            cursor.executemany(sql, params[i : i + BATCH * 4])


def write(lives: list[Life], sequences: list[DailySequence], seed: int) -> None:
    # New rows (not saved yet) and rows read from the database (``number``).
    new_sequences = [s for s in sequences if s._state.adding]
    DailySequence.objects.bulk_create(new_sequences, batch_size=BATCH)
    old_sequences = [s for s in sequences if not s._state.adding]
    if old_sequences:
        DailySequence.objects.bulk_update(old_sequences, ["last_number"], batch_size=BATCH)

    rows = []
    for n, life in enumerate(lives):
        row = {k: v for k, v in life.d.items() if k in _DOSSIER_FIELDS}
        row["idempotency_key"] = f"{DEMO_KEY_PREFIX}{seed}:{n}"
        row["created_at"] = life.created_at
        rows.append(row)
    _insert_rows(Dossier, rows)
    demo_rows = Dossier.objects.filter(idempotency_key__startswith=f"{DEMO_KEY_PREFIX}{seed}:")
    pk_of = dict(demo_rows.values_list("code", "pk"))
    dossiers = [pk_of[life.d["code"]] for life in lives]

    steps: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for life, dossier in zip(lives, dossiers, strict=True):
        steps.extend({**row, "dossier": dossier} for row in life.steps)
        documents.extend({**row, "dossier": dossier} for row in life.documents)
        pauses.extend({**row, "dossier": dossier} for row in life.pauses)
        if life.extension:
            extensions.append({**life.extension, "dossier": dossier})
        events.extend({**row, "dossier": dossier, "kind": DossierEvent.Kind.STATUS} for row in life.events)
    _insert_rows(DossierStep, steps)
    _insert_rows(DossierDocument, documents)
    _insert_rows(DossierPause, pauses)
    _insert_rows(DossierExtension, extensions)
    _insert_rows(DossierEvent, events)
    # The current step is the last one (the steps had no primary keys before): one statement.
    demo_rows.update(
        current_step=Subquery(
            DossierStep.objects.filter(dossier=OuterRef("pk")).order_by("-seq").values("pk")[:1]
        ),
    )


_DOSSIER_FIELDS = {f.name for f in Dossier._meta.concrete_fields} - {
    "id",
    "uid",
    "created_at",
    "current_step",
}
