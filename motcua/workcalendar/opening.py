"""Opening hours as the public reads them: when a unit receives citizens (its WorkSchedule).

Opening hours are not the legal clock (``selectors.calendar_for_schedule``): a commune open on
Saturday mornings receives then, its Saturday session is shown here, but the deadline counts
official working time only. Without a schedule of its own, a unit keeps the default schedule.

    Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00
    Thứ Bảy: 7:30–11:30
"""

from collections.abc import Mapping, Sequence
from datetime import time

from motcua.lib.versioned import VersionedCache
from motcua.workcalendar.calendar import DEFAULT_SESSIONS, WEEKDAY_NAMES, Session
from motcua.workcalendar.models import WorkSchedule
from motcua.workcalendar.services import CALENDARS

# Kept under the calendars' version, and trusted for a minute without asking the shared cache (a
# procedure's page lists a dozen places; the footer's office is trusted as long): a schedule
# changed in another process shows within a minute, one changed in this process at once.
HOURS = VersionedCache(CALENDARS.key, max_items=256, max_age=600, recheck_seconds=60)


def _clock(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def describe_sessions(sessions: Mapping[int, Sequence[Session]]) -> list[str]:
    """One line per run of consecutive weekdays with the same sessions, Monday first.

    >>> from datetime import time as t
    >>> describe_sessions({0: [(t(7), t(11, 30))], 1: [(t(7), t(11, 30))], 5: [(t(7, 30), t(11, 30))]})
    ['Thứ Hai – Thứ Ba: 7:00–11:30', 'Thứ Bảy: 7:30–11:30']
    """
    runs: list[tuple[int, int, tuple[Session, ...]]] = []
    for weekday in range(7):
        day = tuple(sorted(sessions.get(weekday) or ()))
        if not day:
            continue
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == day:
            runs[-1] = (runs[-1][0], weekday, day)
        else:
            runs.append((weekday, weekday, day))
    lines = []
    for first, last, day in runs:
        days = WEEKDAY_NAMES[first] if first == last else f"{WEEKDAY_NAMES[first]} – {WEEKDAY_NAMES[last]}"
        lines.append(f"{days}: " + ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in day))
    return lines


def _build(schedule_id: int | None) -> tuple[str, ...]:
    schedule = (
        WorkSchedule.objects.filter(pk=schedule_id).first()
        if schedule_id
        else WorkSchedule.objects.filter(is_default=True).first()
    )
    if schedule is None:
        return tuple(describe_sessions(DEFAULT_SESSIONS))
    sessions: dict[int, list[Session]] = {}
    for session in schedule.sessions.all():
        sessions.setdefault(session.weekday, []).append((session.start, session.end))
    return tuple(describe_sessions(sessions))


def opening_hours(schedule_id: int | None) -> tuple[str, ...]:
    """The opening hours of the schedule ``schedule_id`` (None: the default), every session
    including those on days the legal clock does not count; kept like the calendars."""
    return HOURS.get(schedule_id or None, lambda: _build(schedule_id))
