"""Reads for the working calendar: the ``WorkCalendar`` values the arithmetic works on.

Building a calendar reads every schedule row and day off, so it is done once per process and
kept (``services.CALENDARS``, motcua/lib/versioned.py); ``services.calendar_changed`` tells every
process when to rebuild. With a shared cache (Redis in production) a change made through the
admin in one process is seen by the others on their next call.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from motcua.workcalendar.calendar import (
    DEFAULT_SESSIONS,
    OFFICIAL_WEEKDAYS,
    Session,
    WorkCalendar,
    build_calendar,
)
from motcua.workcalendar.models import CalendarDay, WorkSchedule
from motcua.workcalendar.services import CALENDARS

OfficialDays = tuple[dict[date, str], dict[date, int]]  # (days off, make-up days)


def _official_days() -> OfficialDays:
    days_off: dict[date, str] = {}
    make_up: dict[date, int] = {}
    for day in CalendarDay.objects.all():
        if day.kind == CalendarDay.Kind.MAKE_UP:
            make_up[day.date] = day.replaces.weekday() if day.replaces else 0
        else:
            days_off[day.date] = day.name
    return days_off, make_up


def _build(schedule: WorkSchedule | None, days: OfficialDays) -> WorkCalendar:
    days_off, make_up = days
    if schedule is None:
        return build_calendar(sessions=DEFAULT_SESSIONS, days_off=days_off, make_up_days=make_up)
    sessions: dict[int, list[Session]] = {}
    for session in schedule.sessions.all():
        if session.weekday in OFFICIAL_WEEKDAYS:  # a weekend opening serves, it does not count
            sessions.setdefault(session.weekday, []).append((session.start, session.end))
    return build_calendar(
        sessions=sessions,
        days_off=days_off,
        make_up_days=make_up,
        transfer_cutoff=schedule.transfer_cutoff,
    )


def calendar_for_schedule(schedule: WorkSchedule | None = None) -> WorkCalendar:
    """The calendar of ``schedule`` (``None``: the default schedule), built once and kept.

    Without any schedule marked default, the Monday–Friday week of domain.md is used.

    This is the calendar of the legal clock: only the schedule's sessions on official working
    days count (Monday to Friday, and the official make-up Saturdays). A unit that also opens on
    Saturday mornings receives then, but a dossier received at 09:00 on a Saturday starts its
    clock at Monday's opening, and its appointment is no shorter than at a unit closed on
    Saturdays (domain.md, "opening hours").
    """

    def build() -> WorkCalendar:
        days = CALENDARS.get("days", _official_days)
        return _build(schedule or WorkSchedule.objects.filter(is_default=True).first(), days)

    return CALENDARS.get(schedule.pk if schedule is not None else "default", build)


def calendars_by_schedule(schedule_ids: Iterable[int | None]) -> dict[int | None, WorkCalendar]:
    """The calendars of the schedules ``schedule_ids`` (None: the default), read in one query."""
    wanted = {pk for pk in schedule_ids if pk}
    calendars: dict[int | None, WorkCalendar] = {None: calendar_for_schedule(None)}
    if wanted:
        for schedule in WorkSchedule.objects.filter(pk__in=wanted):
            calendars[schedule.pk] = calendar_for_schedule(schedule)
    return calendars


def default_schedule() -> WorkSchedule | None:
    return WorkSchedule.objects.filter(is_default=True).first()


_SUBSTITUTED = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class HolidayComparison:
    """Where our schedule of one year and the PyPI package ``holidays`` (VN) disagree."""

    year: int
    off_only_ours: list[tuple[date, str]]
    off_only_package: list[tuple[date, str]]
    make_up_only_ours: list[date]
    make_up_only_package: list[date]

    @property
    def agree(self) -> bool:
        return not (
            self.off_only_ours or self.off_only_package or self.make_up_only_ours or self.make_up_only_package
        )


def holidays_compare(*, year: int) -> HolidayComparison:
    """Compare the weekdays off and make-up days of ``year`` with the package ``holidays``.

    Only Monday–Friday days off are compared (a holiday on a weekend does not change the
    working days; its compensatory weekday does). The package marks a swapped day off as
    "… (thay cho ngày DD/MM/YYYY)": that date is the make-up day.
    """
    import holidays

    package = holidays.country_holidays("VN", years=year, language="vi")
    theirs_off = {day: name for day, name in package.items() if day.weekday() < 5}
    theirs_make_up = set()
    for name in package.values():
        for part in name.split("; "):
            found = _SUBSTITUTED.search(part)
            if found and ("thay cho" in part or "substituted" in part):
                day, month, yr = (int(x) for x in found.groups())
                theirs_make_up.add(date(yr, month, day))
    days = CalendarDay.objects.filter(date__year=year)
    ours_off = {d.date: d.name for d in days if not d.is_working and d.date.weekday() < 5}
    ours_make_up = {d.date for d in days if d.is_working}
    return HolidayComparison(
        year=year,
        off_only_ours=sorted((d, n) for d, n in ours_off.items() if d not in theirs_off),
        off_only_package=sorted((d, n) for d, n in theirs_off.items() if d not in ours_off),
        make_up_only_ours=sorted(ours_make_up - theirs_make_up),
        make_up_only_package=sorted(theirs_make_up - ours_make_up),
    )


def calendar_years() -> list[int]:
    return [d.year for d in CalendarDay.objects.dates("date", "year")]
