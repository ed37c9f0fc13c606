"""The roll-up engine: events (and ratings) applied once, incrementally, and a rebuild from scratch.

Both paths count with the same statement: ``INSERT INTO <roll-up> SELECT <key>, COUNT(*) FILTER
(<metric>)… FROM dossier events JOIN dossiers WHERE <events> GROUP BY <key> ON CONFLICT (<key>) DO
UPDATE SET <counter> = <counter> + excluded.<counter>`` (``_upsert``; the conditions are
``metrics.event_metrics``). The incremental path (``apply_events``, every 30 s from the
scheduler and from the ``reports_apply`` task) takes the events after the cursor's high-water
mark (and the ids it had not seen yet), under the cursor's row lock, and moves the cursor in the
same transaction as the increments: a task retried, or run twice at once, applies nothing twice.
The rebuild (``rebuild``) empties the roll-ups and runs the same statement over every event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet, UniqueConstraint
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, DossierExtension, DossierPause
from motcua.reports import metrics
from motcua.reports.models import (
    AgencyDayRollup,
    DailyRollup,
    DossierClock,
    LatestRating,
    RatingAnswerRollup,
    RatingRollup,
    RollupCursor,
)
from motcua.reports.ratings import apply_ratings, rating_rows
from motcua.workcalendar.calendar import VN_TZ, shift_working_time, working_time_between
from motcua.workcalendar.selectors import calendars_by_schedule

logger = logging.getLogger(__name__)

EVENTS, RATINGS = "events", "ratings"
MAX_NEW_GAPS = 10000  # a rolled-back bulk insert leaves a hole: only its newest ids are watched


def counters() -> list[str]:
    return list(metrics.event_metrics())


def _counted(events: QuerySet) -> QuerySet:
    return events.filter(kind=DossierEvent.Kind.STATUS, action__in=metrics.COUNTED_ACTIONS)


def _aggregate(events: QuerySet, fine: bool) -> QuerySet:
    """One row per roll-up key of ``events`` with each counter (the SELECT of the upsert)."""
    keys: dict[str, Any] = {
        "k_agency": F("dossier__handling_agency_id"),
        "k_day": TruncDate("at", tzinfo=VN_TZ),
    }
    if fine:
        keys.update(k_procedure=F("dossier__procedure_id"), k_channel=F("dossier__channel"))
    counts = {f"c_{name}": Count("id", filter=rule) for name, rule in metrics.event_metrics().items()}
    return _counted(events).values(**keys).annotate(**counts).order_by()


def _upsert(events: QuerySet, fine: bool, *, into_empty: bool = False) -> None:
    """Add the counts of ``events`` to the fine (agency × day × procedure × channel) or the coarse
    (agency × day) roll-up, in one statement (``into_empty``: the rebuild's plain INSERT)."""
    model = DailyRollup if fine else AgencyDayRollup
    qn = connection.ops.quote_name
    key_cols = ["agency_id", "day"] + (["procedure_id", "channel"] if fine else [])
    names = counters()
    query = _aggregate(events, fine)
    select_sql, params = query.query.sql_with_params()
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in key_cols + names)
    updates = ", ".join(f"{qn(n)} = {table}.{qn(n)} + excluded.{qn(n)}" for n in names)
    sql = f"INSERT INTO {table} ({columns}) {select_sql}"  # noqa: S608 — names from the models, values are parameters
    if not into_empty:
        sql += f" ON CONFLICT ({', '.join(qn(c) for c in key_cols)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _check_select_order(query: QuerySet, fine: bool) -> None:  # pragma: no cover - guarded by tests
    expected = (
        ["k_agency", "k_day"]
        + (["k_procedure", "k_channel"] if fine else [])
        + [f"c_{n}" for n in counters()]
    )
    assert list(query.query.annotation_select) == expected, list(query.query.annotation_select)


def _cursor(name: str) -> RollupCursor:
    """The stream's cursor, locked until the end of the transaction."""
    RollupCursor.objects.bulk_create([RollupCursor(name=name)], ignore_conflicts=True)
    return RollupCursor.objects.select_for_update().get(name=name)


def _advance(
    cursor: RollupCursor, new_ids: list[int], found_gaps: list[int], now: datetime
) -> tuple[int, int]:
    """Move the cursor past ``new_ids`` (sorted) and the gaps found; returns (previous, new) mark."""
    ttl = timedelta(seconds=settings.REPORTS_GAP_TTL_SECONDS)
    found = set(found_gaps)
    kept = [
        [gid, seen]
        for gid, seen in cursor.gaps
        if gid not in found and now - datetime.fromisoformat(seen) < ttl
    ]
    previous = cursor.last_id
    new_last = max([previous, *new_ids])
    seen_ids = set(new_ids)
    # A fresh cursor starts at the first id it sees (older ids are not gaps, they never existed).
    first = previous + 1 if previous or not new_ids else min(new_ids)
    missing = [i for i in range(max(first, new_last - MAX_NEW_GAPS), new_last) if i not in seen_ids]
    kept.extend([i, now.isoformat()] for i in missing)
    cursor.last_id = new_last
    cursor.gaps = kept
    cursor.updated_at = now
    cursor.save(update_fields=["last_id", "gaps", "updated_at"])
    return previous, new_last


def apply_events(*, batch: int | None = None, now: datetime | None = None) -> int:
    """Apply the events not applied yet (at most ``batch``, oldest first) in one transaction;
    returns how many events were read (0: nothing left)."""
    batch = batch or settings.REPORTS_BATCH
    now = now or timezone.now()
    with transaction.atomic():
        cursor = _cursor(EVENTS)
        gap_ids = [gid for gid, _ in cursor.gaps]
        found_gaps = (
            list(DossierEvent.objects.filter(id__in=gap_ids).values_list("id", flat=True)) if gap_ids else []
        )
        new_ids = list(
            DossierEvent.objects.filter(id__gt=cursor.last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not new_ids and not found_gaps:
            _advance(cursor, [], [], now)
            return 0
        previous, new_last = _advance(cursor, new_ids, found_gaps, now)
        events = DossierEvent.objects.filter(Q(id__gt=previous, id__lte=new_last) | Q(id__in=found_gaps))
        compute_clocks(_counted(events).filter(metrics.FINISHED))
        _upsert(events, fine=True)
        _upsert(events, fine=False)
        return len(new_ids) + len(found_gaps)


def apply_pending(*, batch: int | None = None) -> dict[str, int]:
    """Apply every event and rating not applied yet (batch after batch)."""
    applied = 0
    while True:
        n = apply_events(batch=batch)
        applied += n
        if n < (batch or settings.REPORTS_BATCH):
            break
    return {"events": applied, "ratings": apply_new_ratings()}


def apply_new_ratings(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        cursor = _cursor(RATINGS)
        gap_ids = {gid for gid, _ in cursor.gaps}
        low = min([cursor.last_id, *gap_ids]) if gap_ids else cursor.last_id
        rows = [r for r in rating_rows(since_id=low) if r["id"] > cursor.last_id or r["id"] in gap_ids]
        new_ids = sorted(r["id"] for r in rows if r["id"] > cursor.last_id)
        found = [r["id"] for r in rows if r["id"] in gap_ids]
        _advance(cursor, new_ids, found, now)
        return apply_ratings(rows)


# --- the national clock of dossiers whose supplement restarted the clock ------------------------


def national_due(
    dossier: Dossier, pauses: list[DossierPause], extension: DossierExtension | None, cal: Any
) -> datetime:
    """The appointment by the national formula (legal-facts §5.2): the appointment given at
    reception, moved by the working time the dossier waited (supplements and payments), and by the
    extension if one was granted.

    Worked example: received Mon 02/03/2026 08:00, 5 working days → due Mon 09/03 08:00; a
    supplement asked Wed 04/03 08:00 and brought Fri 06/03 08:00 (16 working hours): by the decree
    the clock restarts (due Fri 13/03 08:00); by the national formula it is due Wed 11/03 08:00."""
    assert dossier.original_due_at is not None
    waited = timedelta(0)
    for pause in pauses:
        if pause.ended_at is not None:
            waited += working_time_between(cal, pause.started_at, pause.ended_at)
    due = shift_working_time(cal, dossier.original_due_at, waited)
    if extension is not None:
        due = shift_working_time(
            cal, due, working_time_between(cal, extension.previous_due_at, extension.new_due_at)
        )
    return due


def compute_clocks(finish_events: QuerySet | None = None) -> int:
    """Compute the national clock of the finished dossiers (of ``finish_events``; None: all) that
    had exactly one supplement request in processing (none: the decree's verdict stands; two or
    more: late) and have no clock yet. Returns how many were computed."""
    scope = {} if finish_events is None else {"pk__in": finish_events.values("dossier_id")}
    dossiers = list(
        Dossier.objects.filter(
            **scope,
            supplement_count=1,
            finished_at__isnull=False,
            original_due_at__isnull=False,
            reports_clock__isnull=True,
        ).select_related("handling_agency")
    )
    if not dossiers:
        return 0
    ids = [d.pk for d in dossiers]
    pauses: dict[int, list[DossierPause]] = {}
    for pause in DossierPause.objects.filter(dossier_id__in=ids, started_at__isnull=False).order_by(
        "started_at"
    ):
        pauses.setdefault(pause.dossier_id, []).append(pause)
    extensions = {e.dossier_id: e for e in DossierExtension.objects.filter(dossier_id__in=ids)}
    calendars = calendars_by_schedule({d.handling_agency.schedule_id for d in dossiers})
    rows = []
    for dossier in dossiers:
        cal = calendars.get(dossier.handling_agency.schedule_id) or calendars[None]
        # A guidance before reception is not processing time: only pauses after reception count.
        mine = [
            p
            for p in pauses.get(dossier.pk, [])
            if dossier.received_at and p.started_at >= dossier.received_at
        ]
        due = national_due(dossier, mine, extensions.get(dossier.pk), cal)
        assert dossier.finished_at is not None
        rows.append(
            DossierClock(dossier=dossier, national_due_at=due, national_late=dossier.finished_at > due)
        )
    DossierClock.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- the rebuild --------------------------------------------------------------------------------


def rebuild(*, now: datetime | None = None) -> dict[str, Any]:
    """Empty the roll-ups and count every event and rating again, in one transaction (the
    incremental path waits on the cursors' locks meanwhile). National clocks are facts of
    finished dossiers: the missing ones are computed, the others kept."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor = _cursor(EVENTS)
        rebuild_settings()
        last = DossierEvent.objects.aggregate(m=Max("id"))["m"] or 0
        # Ids below the mark not visible yet (transactions still open) are watched as gaps.
        recent = set(
            DossierEvent.objects.filter(id__gt=max(0, last - MAX_NEW_GAPS), id__lte=last).values_list(
                "id", flat=True
            )
        )
        compute_clocks()
        _truncate(DailyRollup, AgencyDayRollup, LatestRating, RatingAnswerRollup, RatingRollup)
        with _unique_key_dropped(DailyRollup):
            _upsert(DossierEvent.objects.filter(id__lte=last), fine=True, into_empty=True)
        _coarse_from_fine()
        cursor.last_id = last
        first = min(recent, default=last)
        cursor.gaps = [[i, now.isoformat()] for i in range(first, last) if i not in recent]
        cursor.updated_at = cursor.rebuilt_at = now
        cursor.save()
        ratings_cursor = _cursor(RATINGS)
        rows = rating_rows()
        ratings_cursor.last_id = max([0, *(r["id"] for r in rows)])
        ratings_cursor.gaps = []
        ratings_cursor.updated_at = ratings_cursor.rebuilt_at = now
        ratings_cursor.save()
        apply_ratings(rows)
    return {"last_event_id": last, "ratings": len(rows)}


@contextmanager
def _unique_key_dropped(model: Any) -> Iterator[None]:
    """PostgreSQL: the roll-up's unique key dropped while the rebuild fills the emptied table, and
    built again at once afterwards (sorting 300,000 keys once is cheaper than checking each row as
    it comes); the transaction holds the table meanwhile. Other databases: as it is."""
    if connection.vendor != "postgresql":
        yield
        return
    (constraint,) = [c for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    with connection.schema_editor(atomic=False) as editor:
        editor.remove_constraint(model, constraint)
    yield
    with connection.schema_editor(atomic=False) as editor:
        editor.add_constraint(model, constraint)


def rebuild_settings() -> None:
    """The rebuild transaction's settings (PostgreSQL): memory to sort and hash its one big GROUP
    BY, and no JIT (compiling thirty aggregates costs more than it saves: bench/dashboard.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as db:
            db.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORTS_REBUILD_WORK_MEM])
            db.execute("SET LOCAL jit = off")


def _truncate(*models: Any) -> None:
    """Empty the roll-up tables (PostgreSQL: one TRUNCATE, after the constraints deferred so far
    in this transaction are checked, since TRUNCATE refuses pending checks)."""
    if connection.vendor != "postgresql":
        for model in models:
            model.objects.all().delete()
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables}")  # noqa: S608 — table names from the models
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _coarse_from_fine() -> None:
    """The agency × day roll-up summed from the fine one (the same counts, fewer rows)."""
    qn = connection.ops.quote_name
    names = counters()
    cols = ", ".join(qn(n) for n in names)
    sums = ", ".join(f"SUM({qn(n)})" for n in names)
    sql = (
        f"INSERT INTO {qn(AgencyDayRollup._meta.db_table)} (agency_id, day, {cols}) "  # noqa: S608
        f"SELECT agency_id, day, {sums} FROM {qn(DailyRollup._meta.db_table)} GROUP BY agency_id, day"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
