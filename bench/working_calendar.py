# Measures add_working_time (motcua.workcalendar.calendar) on the default calendar built from
# data/holidays-vn.json, no database: the median time of one call for 5 and for 250 working
# days, and, in the same run, a plain day-by-day loop (written below) at 60 working days.
# Targets: 250-day time <= 1.5 x 5-day time (the cost does not grow with the amount), and at
# 60 working days add_working_time is >= 20x faster than the day-by-day loop.
"""Run from the repository root: .venv/bin/python bench/working_calendar.py"""

import statistics
import sys
import timeit
from datetime import datetime, timedelta

from support import production  # noqa: F401 — puts the repository root on the import path

from motcua.workcalendar.calendar import VN_TZ, WorkCalendar, add_working_time, calendar_from_json

START = datetime(2026, 2, 13, 16, 10, tzinfo=VN_TZ)  # the Tết example of the issue
REPEAT = 25


def day_by_day(cal: WorkCalendar, start: datetime, working_days: int) -> datetime:
    """The obvious reference: walk the days one by one and eat the sessions until none is left."""
    remaining = timedelta(hours=8 * working_days)
    moment = start.astimezone(cal.tz)
    day = moment.date()
    while True:
        if day in cal.days_off:
            sessions = ()
        elif day in cal.make_up_days:
            sessions = cal.sessions[cal.make_up_days[day]]
        else:
            sessions = cal.sessions[day.weekday()]
        for s, e in sessions:
            lo = max(datetime.combine(day, s, cal.tz), moment)
            hi = datetime.combine(day, e, cal.tz)
            if hi <= lo:
                continue
            if hi - lo >= remaining:
                return lo + remaining
            remaining -= hi - lo
        day += timedelta(days=1)


def measure(cases: dict[str, tuple]) -> dict[str, float]:
    """Median seconds per call of each case, over REPEAT rounds.

    The cases take turns within each round, so that a busy machine slows them all alike and
    the ratios stay meaningful.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(REPEAT):
        for name, (fn, number) in cases.items():
            samples[name].append(timeit.timeit(fn, number=number) / number)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    cal = calendar_from_json()
    add_working_time(cal, START, 1, "working_days")  # builds the per-day tables once
    for n in (5, 60, 250):  # both implementations agree before anything is timed
        assert add_working_time(cal, START, n, "working_days").due_at == day_by_day(cal, START, n), n

    times = measure(
        {
            "5": (lambda: add_working_time(cal, START, 5, "working_days"), 5_000),
            "250": (lambda: add_working_time(cal, START, 250, "working_days"), 5_000),
            "60": (lambda: add_working_time(cal, START, 60, "working_days"), 5_000),
            "loop60": (lambda: day_by_day(cal, START, 60), 100),
        }
    )
    t5, t250, t60, loop60 = times["5"], times["250"], times["60"], times["loop60"]
    ratio = t250 / t5
    speedup = loop60 / t60
    print(f"add_working_time   5 working days: {t5 * 1e6:8.2f} µs (median of {REPEAT} runs)")
    print(f"add_working_time 250 working days: {t250 * 1e6:8.2f} µs  → {ratio:.2f}× the 5-day time (≤ 1.5×)")
    print(f"add_working_time  60 working days: {t60 * 1e6:8.2f} µs")
    print(
        f"day-by-day loop   60 working days: {loop60 * 1e6:8.2f} µs  → {speedup:.1f}× slower (target ≥ 20×)"
    )
    met = ratio <= 1.5 and speedup >= 20
    figures = (
        f"5d {t5 * 1e6:.2f} µs, 250d {t250 * 1e6:.2f} µs (×{ratio:.2f} ≤ 1.5), "
        f"60d {t60 * 1e6:.2f} µs vs day-by-day {loop60 * 1e6:.1f} µs (×{speedup:.0f} ≥ 20)"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
