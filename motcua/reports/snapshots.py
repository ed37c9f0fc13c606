"""What changes with the clock alone: the open dossiers (and the late ones among them) counted
at the close of each working day of the handling agency's calendar (legal-facts §7.2 ind. 2.1:
a period is judged on its last day). Taken once per agency and day (``SnapshotRun``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.org.models import Agency
from motcua.reports.models import OpenSnapshot, SnapshotRun
from motcua.workcalendar.calendar import VN_TZ
from motcua.workcalendar.selectors import calendars_by_schedule


def day_close(cal: Any, day: Any) -> datetime | None:
    """The end of the last working session of ``day`` (None: not a working day)."""
    sessions = cal.sessions_on(day)
    if not sessions:
        return None
    return datetime.combine(day, sessions[-1][1], tzinfo=VN_TZ)


def take_snapshots(*, now: datetime | None = None) -> int:
    """Snapshot every active agency whose working day closed today and has no snapshot yet;
    returns how many agencies were snapshotted."""
    now = now or timezone.now()
    day = now.astimezone(VN_TZ).date()
    agencies = list(Agency.objects.filter(active=True).values_list("pk", "schedule_id"))
    calendars = calendars_by_schedule({s for _, s in agencies})
    done = set(SnapshotRun.objects.filter(day=day).values_list("agency_id", flat=True))
    due: dict[datetime, list[int]] = {}
    for pk, schedule_id in agencies:
        close = day_close(calendars.get(schedule_id) or calendars[None], day)
        if close is not None and close <= now and pk not in done:
            due.setdefault(close, []).append(pk)
    taken = 0
    for close, ids in due.items():
        taken += snapshot(ids, day, close, now=now)
    return taken


def snapshot(agency_ids: list[int], day: Any, close: datetime, *, now: datetime) -> int:
    """Count the open dossiers of ``agency_ids`` as they stand (at ``close``) into day ``day``."""
    running_late = Q(state__in=Dossier.CLOCK_RUNNING_STATES, due_at__lt=close)
    rows = (
        Dossier.objects.filter(handling_agency_id__in=agency_ids, state__in=Dossier.OPEN_STATES)
        .values(k_agency=F("handling_agency_id"), k_procedure=F("procedure_id"), k_channel=F("channel"))
        .annotate(
            n_open=Count("pk"),
            n_paused=Count("pk", filter=Q(state__in=[Dossier.State.SUPPLEMENT, Dossier.State.PAYMENT])),
            n_late=Count("pk", filter=running_late),
            n_late_national=Count("pk", filter=running_late | Q(supplement_flagged=True)),
        )
        .order_by()
    )
    try:
        with transaction.atomic():
            SnapshotRun.objects.bulk_create(
                [SnapshotRun(agency_id=pk, day=day, taken_at=now) for pk in agency_ids]
            )
            OpenSnapshot.objects.bulk_create(
                [
                    OpenSnapshot(
                        agency_id=r["k_agency"],
                        day=day,
                        procedure_id=r["k_procedure"],
                        channel=r["k_channel"],
                        open=r["n_open"],
                        open_paused=r["n_paused"],
                        open_late=r["n_late"],
                        open_late_national=r["n_late_national"],
                    )
                    for r in rows
                ]
            )
    except IntegrityError:  # another scheduler took this snapshot meanwhile
        return 0
    return len(agency_ids)
