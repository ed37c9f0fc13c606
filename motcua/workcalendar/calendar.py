"""Working-time arithmetic: pure functions over a ``WorkCalendar`` value, no database.

A ``WorkCalendar`` is built once (``selectors.calendar_for_schedule`` from the database, or
``calendar_from_json`` from the reference file) and passed in. Everything is computed in the
local time of Asia/Ho_Chi_Minh, to the second (microseconds of a moment are dropped).

The rules (issue 3, domain.md):

* A start outside working time counts from the next working moment (before opening → opening;
  lunch → afternoon opening; after closing, weekend or day off → next working day's opening).
* ``working_hours`` / ``working_days`` (8 working hours each), rule ``"elapsed"`` (default): the
  due moment is the earliest moment at which that much working time has elapsed since the
  start. A result that lands exactly at a session's close stays there (11:30, 17:00).
* Rule ``"end_of_day"`` (a province's alternative, "close of the n-th working day"):
  - ``working_days``: the close of the n-th working day, where day 1 is the day of the
    (normalised) start if counting starts at that day's opening, and otherwise the next working
    day — so a partly used reception day is never counted as a whole day;
  - ``working_hours``: the elapsed due moment moved to the close of its working day.
* ``days`` / ``months`` (Civil Code art. 147–148): the period starts the day after the
  normalised start and ends at the close of working time of its last day (n days later; for
  months the same day of the month, clamped to the month's end); if that day is not a working
  day, at the close of the next working day. The rule does not change these units.

Speed: the cost of one addition does not depend on the amount. For the calendar's span the
cumulative working time at the start of every day is computed once (lazily, on first use);
a moment becomes an absolute "working-time position", and adding is a subtraction and a binary
search (``bisect``) back to a moment.
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast
from zoneinfo import ZoneInfo

from motcua.lib.errors import InvalidInput

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECONDS_PER_WORKING_DAY = 8 * 3600
# The largest period counted: more than any procedure's time (the longest are a few months) and,
# in any unit, far enough to leave the calendar's span, whose end then gives a clear message;
# an unbounded amount of days or months overflowed the date arithmetic itself.
MAX_AMOUNT = 9999
DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays-vn.json"

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
UNIT_LABELS = {
    "working_hours": "giờ làm việc",
    "working_days": "ngày làm việc",
    "days": "ngày",
    "months": "tháng",
}
RULE_LABELS = {"elapsed": "tính đủ thời gian", "end_of_day": "cuối ngày làm việc thứ n"}

# The official working week of civil servants (domain.md): the legal clock runs on these days
# (and on the official make-up Saturdays) only.
OFFICIAL_WEEKDAYS = frozenset(range(5))
# The working week, and the opening hours of communes that also open on Saturday mornings
# (a calendar of opening hours: a Saturday session serves citizens, it is not legal working time).
DEFAULT_SESSIONS: dict[int, tuple[tuple[time, time], ...]] = {
    wd: ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))) for wd in range(5)
}
SATURDAY_MORNING_SESSIONS: dict[int, tuple[tuple[time, time], ...]] = {
    **DEFAULT_SESSIONS,
    5: ((time(7, 30), time(11, 30)),),
}


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"


class Rule(StrEnum):
    ELAPSED = "elapsed"
    END_OF_DAY = "end_of_day"


Session = tuple[time, time]
_UNITS = {u.value: u for u in Unit}
_RULES = {r.value: r for r in Rule}


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class WorkCalendar:
    """Opening hours and the official schedule of one kind of agency.

    ``sessions[w]`` are the opening sessions of weekday ``w`` (0 = Monday … 6 = Sunday) as
    ``(start, end)`` local times. ``days_off`` maps a date that is not worked to its reason.
    ``make_up_days`` maps a date that is worked although its weekday normally is not (a make-up
    Saturday) to the weekday whose sessions it follows: a make-up Saturday works like the
    weekday it replaces, i.e. a full Monday–Friday day. ``span`` bounds the dates it can
    compute with.
    """

    sessions: tuple[tuple[Session, ...], ...]
    days_off: Mapping[date, str] = field(default_factory=dict, hash=False)
    make_up_days: Mapping[date, int] = field(default_factory=dict, hash=False)
    transfer_cutoff: time = time(15, 0)
    tz: ZoneInfo = VN_TZ
    span: tuple[date, date] = (date(2000, 1, 1), date(2070, 12, 31))

    def __post_init__(self) -> None:
        given: Any = self.sessions  # a mapping of weekday to sessions is accepted too
        if isinstance(given, Mapping):
            given = tuple(tuple(given.get(wd, ())) for wd in range(7))
        # Each session is a (start, end) pair; the loop below unpacks it and fails otherwise.
        sessions = tuple(tuple(sorted(cast(Session, tuple(s)) for s in day)) for day in given)
        if len(sessions) != 7:
            raise InvalidInput("Lịch làm việc phải có đủ 7 ngày trong tuần (thứ Hai đến Chủ nhật).")
        for wd, day in enumerate(sessions):
            previous_end = None
            for start, end in day:
                if end <= start:
                    raise InvalidInput(
                        f"Buổi làm việc {WEEKDAY_NAMES[wd]} {start:%H:%M}–{end:%H:%M}: "
                        "giờ kết thúc phải sau giờ bắt đầu."
                    )
                if previous_end is not None and start < previous_end:
                    raise InvalidInput(f"Các buổi làm việc {WEEKDAY_NAMES[wd]} chồng lên nhau.")
                previous_end = end
        for workday, wd in self.make_up_days.items():
            if not 0 <= wd <= 6 or not sessions[wd]:
                raise InvalidInput(
                    f"Ngày làm bù {workday:%d/%m/%Y} phải làm việc theo lịch của một ngày có buổi làm việc."
                )
        if self.span[1] <= self.span[0]:
            raise InvalidInput("Phạm vi lịch không hợp lệ.")
        object.__setattr__(self, "sessions", sessions)
        object.__setattr__(self, "days_off", MappingProxyType(dict(self.days_off)))
        object.__setattr__(self, "make_up_days", MappingProxyType(dict(self.make_up_days)))

    # --- the precomputed index (built once, on first use) -------------------------------

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        """The opening sessions of one date (empty on a day off or a day without sessions)."""
        if day in self.days_off:
            return ()
        if day in self.make_up_days:
            return self.sessions[self.make_up_days[day]]
        return self.sessions[day.weekday()]

    def reason_off(self, day: date) -> str:
        """Why a non-working date is not worked: the day off's name or the weekday's name."""
        return self.days_off.get(day) or WEEKDAY_NAMES[day.weekday()]

    @cached_property
    def _index(self) -> _Index:
        return _Index(self)


class _Index:
    """Per-day tables over the calendar's span, for O(log n) arithmetic.

    ``cum[i]`` is the working seconds before the start of day ``i`` (day 0 = span start),
    ``wdcount[i]`` the number of working days before day ``i``; ``pattern[i]`` the sessions of
    day ``i`` in seconds since midnight; ``off`` the non-working days with their reasons.
    """

    def __init__(self, cal: WorkCalendar) -> None:
        first, last = cal.span
        self.first = first
        self.first_ordinal = first.toordinal()
        self.n = (last - first).days + 1
        weekly = [tuple((_seconds(s), _seconds(e)) for s, e in day) for day in cal.sessions]
        pattern: list[tuple[tuple[int, int], ...]] = []
        cum = [0]
        wdcount = [0]
        off_ordinals: list[int] = []
        off_list: list[tuple[date, str]] = []
        off_by_ordinal = {d.toordinal(): d for d in cal.days_off}
        make_up_by_ordinal = {d.toordinal(): weekly[wd] for d, wd in cal.make_up_days.items()}
        weekday = first.weekday()
        total = 0
        count = 0
        ordinal = self.first_ordinal
        for i in range(self.n):
            if ordinal in off_by_ordinal:
                p: tuple[tuple[int, int], ...] = ()
            else:
                p = make_up_by_ordinal.get(ordinal) or weekly[weekday]
            pattern.append(p)
            if p:
                total += sum(e - s for s, e in p)
                count += 1
            else:
                the_day = date.fromordinal(ordinal)
                off_ordinals.append(i)
                off_list.append((the_day, cal.reason_off(the_day)))
            cum.append(total)
            wdcount.append(count)
            weekday = weekday + 1 if weekday < 6 else 0
            ordinal += 1
        self.pattern = pattern
        self.cum = cum
        self.wdcount = wdcount
        self.off_ordinals = off_ordinals
        self.off_list = off_list
        self.tz = cal.tz

    # positions

    def day_index(self, day: date) -> int:
        i = day.toordinal() - self.first_ordinal
        if not 0 <= i < self.n:
            last = self.first + timedelta(days=self.n - 1)
            raise InvalidInput(
                f"Ngày {day:%d/%m/%Y} nằm ngoài phạm vi của lịch làm việc "
                f"({self.first:%d/%m/%Y} – {last:%d/%m/%Y}).",
                details={"date": day.isoformat()},
            )
        return i

    def split(self, moment: datetime) -> tuple[int, int]:
        local = moment.astimezone(self.tz)
        i = self.day_index(local.date())
        return i, local.hour * 3600 + local.minute * 60 + local.second

    def moment(self, i: int, seconds: int) -> datetime:
        day = date.fromordinal(self.first_ordinal + i)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=self.tz)

    def position(self, i: int, t: int) -> int:
        """Working seconds from the span start up to second ``t`` of day ``i``."""
        worked = 0
        for s, e in self.pattern[i]:
            if t <= s:
                break
            worked += (t if t < e else e) - s
        return self.cum[i] + worked

    def first_working_day_from(self, i: int) -> int:
        if i >= self.n:
            self.day_index(self.first + timedelta(days=i))  # raises: out of span
        j = bisect.bisect_right(self.cum, self.cum[i]) - 1
        if j >= self.n:
            self.day_index(self.first + timedelta(days=j))
        return j

    def next_working(self, i: int, t: int) -> tuple[int, int]:
        for s, e in self.pattern[i]:
            if t < e:
                return i, (s if t < s else t)
        j = self.first_working_day_from(i + 1)
        return j, self.pattern[j][0][0]

    def at_position(self, target: int) -> tuple[int, int]:
        """The earliest moment at which ``target`` working seconds have elapsed (target > 0)."""
        k = bisect.bisect_left(self.cum, target)
        if k > self.n:
            self.day_index(self.first + timedelta(days=k))
        i = k - 1
        rest = target - self.cum[i]
        for s, e in self.pattern[i]:
            if rest <= e - s:
                return i, s + rest
            rest -= e - s
        raise AssertionError("unreachable: cum and pattern disagree")  # pragma: no cover

    def close_of(self, i: int) -> int:
        return self.pattern[i][-1][1]

    def nth_working_day(self, number: int) -> int:
        """The day index of the working day with 0-based number ``number`` in the span."""
        j = bisect.bisect_left(self.wdcount, number + 1) - 1
        if j >= self.n:
            self.day_index(self.first + timedelta(days=j))
        return j

    def skipped(self, i_from: int, i_to: int) -> list[tuple[date, str]]:
        lo = bisect.bisect_left(self.off_ordinals, i_from)
        hi = bisect.bisect_right(self.off_ordinals, i_to)
        return self.off_list[lo:hi]

    def intervals(self, i0: int, t0: int, i1: int, t1: int) -> list[Interval]:
        out = []
        for i in range(i0, i1 + 1):
            for s, e in self.pattern[i]:
                lo = max(s, t0) if i == i0 else s
                hi = min(e, t1) if i == i1 else e
                if hi > lo:
                    out.append(Interval(self.moment(i, lo), self.moment(i, hi), hi - lo))
        return out


@dataclass(frozen=True)
class Interval:
    """A stretch of working time counted towards a result."""

    start: datetime
    end: datetime
    seconds: int

    @property
    def minutes(self) -> int | float:
        whole, rest = divmod(self.seconds, 60)
        return whole if not rest else self.seconds / 60


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs more than the arithmetic
class WorkingTimeResult:
    """The result of ``add_working_time``.

    ``due_at``: aware datetime in Asia/Ho_Chi_Minh. ``counted_from``: the normalised start.
    ``skipped``: the non-working dates from the start's date to the due date, each with its
    reason ("Thứ Bảy", "Chủ nhật", or the holiday's name). ``intervals``: the working
    intervals counted, only when asked for (``explain=True``).
    """

    due_at: datetime
    counted_from: datetime
    skipped: list[tuple[date, str]]
    intervals: list[Interval] | None = None


# --- building calendars ------------------------------------------------------------------


def build_calendar(
    *,
    sessions: Mapping[int, Iterable[Session]],
    days_off: Mapping[date, str],
    make_up_days: Mapping[date, int] | None = None,
    transfer_cutoff: time = time(15, 0),
    span: tuple[date, date] | None = None,
) -> WorkCalendar:
    """A calendar from opening hours and the official schedule of days off.

    ``days_off`` is the official list (weekdays given off). Weekend days that are joined to an
    official day off by other weekend days belong to the same break (e.g. Saturday 21/2/2026 in
    the Tết break 14–22/2/2026, or Saturday 6/2/2027, the first day of Tết): a unit that opens on
    Saturdays is closed on them too. In the Monday–Friday week they are ordinary weekend days and
    keep the weekday as their reason.
    """
    week = tuple(tuple(sessions.get(wd, ())) for wd in range(7))
    # A make-up day follows the weekday it replaces; a unit closed on that weekday stays closed.
    make_up = {day: wd for day, wd in (make_up_days or {}).items() if week[wd]}
    off = dict(days_off)
    # Group the official days off into breaks: runs of days off joined by weekend days.
    runs: list[list[date]] = []
    for day in sorted(days_off):
        previous = runs[-1][-1] if runs else None
        gap = [previous + timedelta(days=k) for k in range(1, (day - previous).days)] if previous else None
        if gap is not None and all(d.weekday() >= 5 and d not in make_up for d in gap):
            runs[-1].extend([*gap, day])
        else:
            runs.append([day])
    for run in runs:
        named = [days_off[d] for d in run if d in days_off]
        label = _break_label(next((n for n in named if "hoán đổi" not in n), named[0]))
        edges = [run[0] - timedelta(days=k) for k in (1, 2)] + [run[-1] + timedelta(days=k) for k in (1, 2)]
        for day in run + edges:
            if day in off or day in make_up or day.weekday() < 5 or not week[day.weekday()]:
                continue
            if day not in run and not _joined(day, run, make_up):
                continue
            off[day] = f"{WEEKDAY_NAMES[day.weekday()]} trong kỳ nghỉ {label}"
    kwargs: dict[str, Any] = {}
    if span is not None:
        kwargs["span"] = span
    return WorkCalendar(
        sessions=week, days_off=off, make_up_days=make_up, transfer_cutoff=transfer_cutoff, **kwargs
    )


def _break_label(name: str) -> str:
    """ "Tết Nguyên đán (Tết Âm lịch) – mùng 4" → "Tết Nguyên đán"; "Nghỉ bù Giỗ Tổ …" → "Giỗ Tổ …"."""
    label = name.split(" – ")[0].split(" (")[0]
    return label.removeprefix("Nghỉ bù ").strip()


def _joined(day: date, run: list[date], make_up: Mapping[date, int]) -> bool:
    """Whether a weekend ``day`` just outside ``run`` touches it through weekend days only."""
    step = 1 if day < run[0] else -1
    edge = run[0] if day < run[0] else run[-1]
    other = day
    while other != edge:
        if other.weekday() < 5 or other in make_up:
            return False
        other += timedelta(days=step)
    return True


def calendar_from_json(
    data: Mapping[str, Any] | Path | str = DATA_FILE,
    *,
    sessions: Mapping[int, Iterable[Session]] = DEFAULT_SESSIONS,
    transfer_cutoff: time = time(15, 0),
) -> WorkCalendar:
    """A calendar from the reference file (``data/holidays-vn.json`` shape), without a database."""
    content: Mapping[str, Any] = (
        data if isinstance(data, Mapping) else json.loads(Path(data).read_text(encoding="utf-8"))
    )
    days_off: dict[date, str] = {}
    make_up: dict[date, int] = {}
    for key, year in content.items():
        if not key.isdigit():
            continue
        for entry in year.get("days_off", []):
            days_off[date.fromisoformat(entry["date"])] = entry["name"]
        for entry in year.get("make_up_workdays", []):
            make_up[date.fromisoformat(entry["date"])] = date.fromisoformat(entry["replaces"]).weekday()
    return build_calendar(
        sessions=sessions, days_off=days_off, make_up_days=make_up, transfer_cutoff=transfer_cutoff
    )


# --- validation helpers ------------------------------------------------------------------


def _check_moment(moment: Any, what: str = "Thời điểm") -> datetime:
    if not isinstance(moment, datetime):
        raise InvalidInput(f"{what} phải là ngày giờ.", details={"value": str(moment)})
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            f"{what} {moment:%d/%m/%Y %H:%M} không có múi giờ: cần ngày giờ có múi giờ.",
            details={"value": moment.isoformat()},
        )
    return moment


def _check_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(
            f"Thời hạn phải là một số nguyên dương, không phải “{amount}”.",
            details={"amount": str(amount)},
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(
            f"Thời hạn {amount} quá lớn: tối đa {MAX_AMOUNT}.", details={"amount": str(amount)}
        )
    return amount


def _check_unit(unit: Any) -> Unit:
    if isinstance(unit, str) and unit in _UNITS:
        return _UNITS[unit]
    try:
        return Unit(unit)
    except ValueError:
        raise InvalidInput(
            f"Đơn vị thời hạn “{unit}” không hợp lệ: dùng một trong "
            + ", ".join(f"{u} ({label})" for u, label in UNIT_LABELS.items())
            + ".",
            details={"unit": str(unit)},
        ) from None


def _check_rule(rule: Any) -> Rule:
    if isinstance(rule, str) and rule in _RULES:
        return _RULES[rule]
    try:
        return Rule(rule)
    except ValueError:
        raise InvalidInput(
            f"Cách tính “{rule}” không hợp lệ: dùng elapsed hoặc end_of_day.", details={"rule": str(rule)}
        ) from None


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, clamped to that month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _stdcal.monthrange(year, month)[1]))


# --- the public functions ----------------------------------------------------------------


def is_working_time(cal: WorkCalendar, moment: datetime) -> bool:
    """Whether ``moment`` falls inside an opening session (opening included, close excluded)."""
    ix = cal._index
    i, t = ix.split(_check_moment(moment))
    return any(s <= t < e for s, e in ix.pattern[i])


def next_working_moment(cal: WorkCalendar, moment: datetime) -> datetime:
    """``moment`` itself if it is working time, otherwise the next session's opening."""
    ix = cal._index
    i, t = ix.split(_check_moment(moment))
    j, u = ix.next_working(i, t)
    if (j, u) == (i, t):
        local = moment.astimezone(cal.tz)
        return local.replace(microsecond=0)
    return ix.moment(j, u)


def working_time_between(cal: WorkCalendar, a: datetime, b: datetime) -> timedelta:
    """The working time elapsed from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    ix = cal._index
    pa = ix.position(*ix.split(_check_moment(a, "Thời điểm đầu")))
    pb = ix.position(*ix.split(_check_moment(b, "Thời điểm cuối")))
    return timedelta(seconds=pb - pa)


def add_working_time(
    cal: WorkCalendar,
    start: datetime,
    amount: int,
    unit: str | Unit,
    *,
    rule: str | Rule = "elapsed",
    explain: bool = False,
) -> WorkingTimeResult:
    """The due moment of ``amount`` ``unit`` counted from ``start`` (see the module's rules)."""
    ix = cal._index
    i0, t0 = ix.split(_check_moment(start, "Thời điểm tiếp nhận"))
    amount = _check_amount(amount)
    unit = _check_unit(unit)
    rule = _check_rule(rule)
    ni, nt = ix.next_working(i0, t0)
    if unit in (Unit.WORKING_HOURS, Unit.WORKING_DAYS):
        per = 3600 if unit == Unit.WORKING_HOURS else SECONDS_PER_WORKING_DAY
        di, dt = ix.at_position(ix.position(ni, nt) + amount * per)
        if rule == Rule.END_OF_DAY:
            if unit == Unit.WORKING_DAYS:
                first = ix.wdcount[ni] + (0 if nt == ix.pattern[ni][0][0] else 1)
                di = ix.nth_working_day(first + amount - 1)
            dt = ix.close_of(di)
    else:
        start_day = ix.first + timedelta(days=ni)
        last = start_day + timedelta(days=amount) if unit == Unit.DAYS else add_months(start_day, amount)
        di = ix.first_working_day_from(ix.day_index(last))
        dt = ix.close_of(di)
    return WorkingTimeResult(
        due_at=ix.moment(di, dt),
        counted_from=ix.moment(ni, nt),
        skipped=ix.skipped(i0, di),
        intervals=ix.intervals(ni, nt, di, dt) if explain else None,
    )


def add_working_seconds(cal: WorkCalendar, start: datetime, seconds: int) -> datetime:
    """The moment ``seconds`` of working time after ``start``, counted from the next working
    moment (a step's budget); ``start`` itself when ``seconds`` is not positive."""
    if seconds <= 0:
        return start
    ix = cal._index
    i, t = ix.next_working(*ix.split(_check_moment(start)))
    return ix.moment(*ix.at_position(ix.position(i, t) + seconds))


def add_working_hours(cal: WorkCalendar, start: datetime, hours: Decimal | float | int) -> datetime:
    """``start`` plus ``hours`` working hours, fractions of an hour allowed (a step's budget).
    Whole hours give what ``add_working_time(..., "working_hours")`` gives."""
    seconds = int(round(Decimal(str(hours)) * 3600))
    if seconds <= 0:
        return start
    if not seconds % 3600:
        return add_working_time(cal, start, seconds // 3600, Unit.WORKING_HOURS).due_at
    return add_working_seconds(cal, start, seconds)


def shift_working_time(cal: WorkCalendar, moment: datetime, delta: timedelta) -> datetime:
    """``moment`` moved later by ``delta`` of working time, counted from ``moment`` itself (a
    due time moved by the working time a dossier was paused); unchanged for a zero delta."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return moment
    ix = cal._index
    return ix.moment(*ix.at_position(ix.position(*ix.split(_check_moment(moment))) + seconds))


def working_position(cal: WorkCalendar, moment: datetime) -> int:
    """Working seconds from the calendar's first day up to ``moment``: differences of positions
    are working time (the demo's simulation walks the calendar in these)."""
    ix = cal._index
    return ix.position(*ix.split(_check_moment(moment)))


def moment_at_position(cal: WorkCalendar, position: int) -> datetime:
    """The earliest moment at which ``position`` working seconds of the span have elapsed
    (the inverse of ``working_position``; positions below 1 give the first working second)."""
    ix = cal._index
    return ix.moment(*ix.at_position(max(1, int(position))))


def classify(finished_at: datetime, due_at: datetime) -> str:
    """``"early"``, ``"on_time"`` or ``"late"`` (trước hạn / đúng hạn / quá hạn).

    Late: finished strictly after ``due_at``. On time: finished no later than ``due_at``.
    Early is the part of on time that is *strictly before the appointment day*: the work was
    finished on an earlier calendar day (Asia/Ho_Chi_Minh) than the day of ``due_at``. Finishing
    at 09:00 on the appointment day when it is due at 16:10 is on time, not early: an
    appointment is kept by the day, and a citizen told to come back that day gains nothing.
    """
    finished_at = _check_moment(finished_at, "Thời điểm hoàn thành")
    due_at = _check_moment(due_at, "Thời điểm hẹn trả")
    if finished_at > due_at:
        return "late"
    if finished_at.astimezone(VN_TZ).date() < due_at.astimezone(VN_TZ).date():
        return "early"
    return "on_time"


def transfer_moment(cal: WorkCalendar, received_at: datetime) -> datetime:
    """When a paper dossier received at ``received_at`` is transferred for processing.

    Received in (or normalised into) working time no later than the cut-off (default 15:00) of
    the same day: transferred that day, at the normalised moment. Received after the cut-off:
    at the next working day's opening. The appointment still counts from reception.
    """
    ix = cal._index
    i, t = ix.split(_check_moment(received_at, "Thời điểm tiếp nhận"))
    j, u = ix.next_working(i, t)
    if j == i and u > _seconds(cal.transfer_cutoff):
        j = ix.first_working_day_from(i + 1)
        u = ix.pattern[j][0][0]
    if (j, u) == (i, t):
        return received_at.astimezone(cal.tz).replace(microsecond=0)
    return ix.moment(j, u)
