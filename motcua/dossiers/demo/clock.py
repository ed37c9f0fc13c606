"""Working-time steps of the simulation: a working hour and day in working seconds, and moments
moved by working time on a calendar (``plus`` from the next working moment, ``shift`` as the
services shift a paused clock). Positions are the calendar's ``working_position``."""

from __future__ import annotations

from datetime import datetime

from motcua.workcalendar.calendar import moment_at_position, working_position

HOUR = 3600
DAY = 8 * HOUR  # one working day in working seconds


def shift(cal, moment: datetime, seconds: float) -> datetime:
    """``moment`` moved by ``seconds`` of working time (as the services shift a paused clock)."""
    if seconds <= 0:
        return moment
    return moment_at_position(cal, working_position(cal, moment) + int(seconds))


def plus(cal, moment: datetime, seconds: float) -> datetime:
    """``moment`` plus ``seconds`` of working time (from the next working moment)."""
    return moment_at_position(cal, working_position(cal, moment) + max(60, int(seconds)))
