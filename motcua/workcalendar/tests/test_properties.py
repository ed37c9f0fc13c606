"""Properties of the arithmetic, checked on random moments of 2024–2027 (hypothesis)."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workcalendar.calendar import (
    VN_TZ,
    add_working_time,
    is_working_time,
    working_time_between,
)
from motcua.workcalendar.tests.conftest import DEFAULT_CAL, SATURDAY_CAL

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 — hypothesis bounds are naive; the zone is added
    max_value=datetime(2027, 6, 30),  # noqa: DTZ001
    timezones=st.just(VN_TZ),
).map(lambda m: m.replace(microsecond=0))
calendars = st.sampled_from([DEFAULT_CAL, SATURDAY_CAL])
units = st.sampled_from(["working_hours", "working_days", "days", "months"])
rules = st.sampled_from(["elapsed", "end_of_day"])


def _is_a_session_close(cal, moment) -> bool:
    local = moment.astimezone(VN_TZ)
    return any(end == local.time() for _, end in cal.sessions_on(local.date()))


@settings(max_examples=300, deadline=None)
@given(
    cal=calendars,
    start=moments,
    amount=st.integers(1, 400),
    unit=st.sampled_from(["working_hours", "working_days"]),
)
def test_it_measures_back_the_working_time_it_added(cal, start, amount, unit):
    due = add_working_time(cal, start, amount, unit).due_at
    hours = amount if unit == "working_hours" else amount * 8
    assert working_time_between(cal, start, due) == timedelta(hours=hours)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, amount=st.integers(1, 120), unit=units, rule=rules)
def test_it_never_lands_outside_working_time_except_at_a_close(cal, start, amount, unit, rule):
    due = add_working_time(cal, start, amount, unit, rule=rule).due_at
    assert is_working_time(cal, due) or _is_a_session_close(cal, due)
    # … and a close it lands on was worked up to that second.
    assert is_working_time(cal, due - timedelta(seconds=1))


@settings(max_examples=300, deadline=None)
@given(
    cal=calendars,
    start=moments,
    later_by=st.integers(0, 10 * 24 * 3600),
    amount=st.integers(1, 60),
    unit=units,
    rule=rules,
)
def test_it_never_gives_an_earlier_due_moment_for_a_later_start(cal, start, later_by, amount, unit, rule):
    later = start + timedelta(seconds=later_by)
    assert (
        add_working_time(cal, later, amount, unit, rule=rule).due_at
        >= add_working_time(cal, start, amount, unit, rule=rule).due_at
    )


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=moments, amount=st.integers(1, 60))
def test_it_agrees_with_a_plain_day_by_day_count(cal, start, amount):
    # A reference written the obvious way: walk the days and eat the sessions one by one.
    remaining = amount * 8 * 3600
    moment = start.astimezone(VN_TZ)
    day = moment.date()
    while True:
        for s, e in cal.sessions_on(day):
            lo = max(datetime.combine(day, s, VN_TZ), moment)
            hi = datetime.combine(day, e, VN_TZ)
            if hi <= lo:
                continue
            if (hi - lo).total_seconds() >= remaining:
                expected = lo + timedelta(seconds=remaining)
                assert add_working_time(cal, start, amount, "working_days").due_at == expected
                return
            remaining -= (hi - lo).total_seconds()
        day += timedelta(days=1)
