"""The roll-ups' periodic work (settings SCHEDULER_JOBS, ``manage.py scheduler``)."""

from datetime import time

from django.utils import timezone

from motcua.reports import engine
from motcua.reports.models import RollupCursor
from motcua.reports.snapshots import take_snapshots
from motcua.workcalendar.calendar import VN_TZ

NIGHT = (time(1, 0), time(5, 0))  # the nightly rebuild runs once between 01:00 and 05:00


def reports_apply() -> dict[str, int]:
    """Every 30 s: the events and ratings not applied yet."""
    return engine.apply_pending()


def reports_snapshot() -> int:
    """Every 10 minutes: the open dossiers of the agencies whose working day has just closed."""
    return take_snapshots()


def reports_rebuild_nightly() -> dict | None:
    """Hourly; rebuilds once a night (01:00–05:00, not yet rebuilt today)."""
    now = timezone.now()
    local = now.astimezone(VN_TZ)
    if not NIGHT[0] <= local.time() < NIGHT[1]:
        return None
    rebuilt = RollupCursor.objects.filter(name=engine.EVENTS).values_list("rebuilt_at", flat=True).first()
    if rebuilt is not None and rebuilt.astimezone(VN_TZ).date() == local.date():
        return None
    return engine.rebuild(now=now)
