"""Worked examples, each computed by hand in its comment (default week: 07:00–11:30, 13:30–17:00).

A working day is 8 h = 480 min: the morning 270 min, the afternoon 210 min.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from motcua.lib.errors import InvalidInput
from motcua.workcalendar.calendar import (
    add_working_time,
    classify,
    is_working_time,
    next_working_moment,
    transfer_moment,
    working_time_between,
)
from motcua.workcalendar.tests.conftest import vn

TET_2026 = [
    (date(2026, 2, 14), "Thứ Bảy"),
    (date(2026, 2, 15), "Chủ nhật"),
    (date(2026, 2, 16), "Tết Nguyên đán (Tết Âm lịch) – 29 tháng Chạp"),
    (date(2026, 2, 17), "Tết Nguyên đán (Tết Âm lịch) – mùng 1"),
    (date(2026, 2, 18), "Tết Nguyên đán (Tết Âm lịch) – mùng 2"),
    (date(2026, 2, 19), "Tết Nguyên đán (Tết Âm lịch) – mùng 3"),
    (date(2026, 2, 20), "Tết Nguyên đán (Tết Âm lịch) – mùng 4"),
    (date(2026, 2, 21), "Thứ Bảy"),
    (date(2026, 2, 22), "Chủ nhật"),
]


def test_it_counts_five_working_days_across_the_tet_break(cal):
    # Fri 13/2/2026 16:10: 50 min left that day. 5 days = 2400 min. Sat 14 – Sun 22/2 are off.
    # Mon 23 – Thu 26: 4 × 480 = 1920 → 1970. Fri 27: 430 more = 270 morning + 160 → 16:10.
    result = add_working_time(cal, vn(2026, 2, 13, 16, 10), 5, "working_days")
    assert result.due_at == vn(2026, 2, 27, 16, 10)
    assert result.due_at.isoformat() == "2026-02-27T16:10:00+07:00"
    assert result.skipped == TET_2026


def test_it_explains_the_tet_example_interval_by_interval(cal):
    # 16:10–17:00 (50), then 07:00–11:30 and 13:30–17:00 on Mon–Thu, then Fri 07:00–11:30 and 13:30–16:10.
    result = add_working_time(cal, vn(2026, 2, 13, 16, 10), 5, "working_days", explain=True)
    first, last = result.intervals[0], result.intervals[-1]
    assert (first.start, first.end, first.minutes) == (vn(2026, 2, 13, 16, 10), vn(2026, 2, 13, 17), 50)
    assert (last.start, last.end, last.minutes) == (vn(2026, 2, 27, 13, 30), vn(2026, 2, 27, 16, 10), 160)
    assert len(result.intervals) == 1 + 4 * 2 + 2
    assert sum(iv.minutes for iv in result.intervals) == 2400


def test_it_starts_a_lunch_time_reception_at_the_afternoon_opening_and_stays_at_1130(cal):
    # Mon 2/3/2026 12:15 is lunch → counts from 13:30: 210 min on Monday, then Tue 3/3 07:00 + 270
    # = 11:30 exactly, the close of the morning: it stays there (not 13:30).
    result = add_working_time(cal, vn(2026, 3, 2, 12, 15), 1, "working_days")
    assert result.counted_from == vn(2026, 3, 2, 13, 30)
    assert result.due_at == vn(2026, 3, 3, 11, 30)


def test_it_starts_before_opening_at_the_opening_and_stays_at_1700(cal):
    # Tue 3/3/2026 06:00 → 07:00; 480 min = the whole Tuesday → 17:00 Tuesday, not Wednesday 07:00.
    result = add_working_time(cal, vn(2026, 3, 3, 6, 0), 1, "working_days")
    assert result.due_at == vn(2026, 3, 3, 17, 0)


def test_it_starts_after_closing_at_the_next_day_opening(cal):
    # Tue 3/3/2026 18:30 → Wed 4/3 07:00; one whole day → Wed 17:00.
    result = add_working_time(cal, vn(2026, 3, 3, 18, 30), 1, "working_days")
    assert result.counted_from == vn(2026, 3, 4, 7, 0)
    assert result.due_at == vn(2026, 3, 4, 17, 0)


def test_it_starts_a_weekend_reception_on_monday_and_names_the_weekend(cal):
    # Sat 7/3/2026 09:00 → Mon 9/3 07:00; 2 whole days → Tue 10/3 17:00.
    result = add_working_time(cal, vn(2026, 3, 7, 9, 0), 2, "working_days")
    assert result.due_at == vn(2026, 3, 10, 17, 0)
    assert result.skipped == [(date(2026, 3, 7), "Thứ Bảy"), (date(2026, 3, 8), "Chủ nhật")]


def test_it_counts_saturday_morning_at_a_unit_open_on_saturdays(sat_cal):
    # co-thu-bay, Sat 7/3/2026 09:00: 09:00–11:30 = 150 min; 4 h = 240 → 90 more from Mon 9/3 07:00 → 08:30.
    result = add_working_time(sat_cal, vn(2026, 3, 7, 9, 0), 4, "working_hours")
    assert result.due_at == vn(2026, 3, 9, 8, 30)
    assert result.skipped == [(date(2026, 3, 8), "Chủ nhật")]


def test_it_counts_the_short_saturday_within_a_working_day_at_a_saturday_unit(sat_cal):
    # co-thu-bay, Fri 6/3/2026 16:00: 60 min; Sat 07:30–11:30 240 → 300; Mon 9/3: 180 more → 10:00.
    result = add_working_time(sat_cal, vn(2026, 3, 6, 16, 0), 1, "working_days")
    assert result.due_at == vn(2026, 3, 9, 10, 0)


def test_it_closes_a_saturday_unit_on_the_saturdays_of_the_tet_break(sat_cal):
    # Saturdays 14/2 and 21/2/2026 lie inside the Tết break: closed even at a Saturday unit, so
    # the Tết example gives the same 16:10 Fri 27/2, and the Saturdays are named as Tết days.
    result = add_working_time(sat_cal, vn(2026, 2, 13, 16, 10), 5, "working_days")
    assert result.due_at == vn(2026, 2, 27, 16, 10)
    assert (date(2026, 2, 14), "Thứ Bảy trong kỳ nghỉ Tết Nguyên đán") in result.skipped
    assert not is_working_time(sat_cal, vn(2026, 2, 21, 9, 0))
    assert is_working_time(sat_cal, vn(2026, 2, 28, 9, 0))


def test_it_works_the_make_up_saturday_26_april_2025_as_a_full_day(cal):
    # Fri 25/4/2025 16:00: 60 min; Sat 26/4 is a make-up day for Fri 2/5 with full Friday
    # sessions: 270 by 11:30, 150 more from 13:30 → Sat 26/4/2025 16:00.
    result = add_working_time(cal, vn(2025, 4, 25, 16, 0), 1, "working_days")
    assert result.due_at == vn(2025, 4, 26, 16, 0)
    assert result.skipped == []


def test_it_works_the_make_up_saturday_4_may_2024_and_not_the_next_saturday(cal):
    # 4/5/2024 replaces Mon 29/4/2024 (off); 11/5/2024 is an ordinary Saturday.
    assert is_working_time(cal, vn(2024, 5, 4, 9, 0))
    assert is_working_time(cal, vn(2024, 5, 4, 15, 0))
    assert not is_working_time(cal, vn(2024, 4, 29, 9, 0))
    assert not is_working_time(cal, vn(2024, 5, 11, 9, 0))


def test_it_skips_the_national_day_bridge_of_2025(cal):
    # Fri 29/8/2025 10:00: 90 + 210 = 300 min; Sat 30, Sun 31/8, Mon 1/9 and Tue 2/9 are off;
    # 2 days = 960: Wed 3/9 480 → 780; Thu 4/9 180 more → 10:00.
    result = add_working_time(cal, vn(2025, 8, 29, 10, 0), 2, "working_days")
    assert result.due_at == vn(2025, 9, 4, 10, 0)
    assert result.skipped == [
        (date(2025, 8, 30), "Thứ Bảy"),
        (date(2025, 8, 31), "Chủ nhật"),
        (date(2025, 9, 1), "Quốc khánh (ngày liền kề)"),
        (date(2025, 9, 2), "Quốc khánh"),
    ]


def test_it_works_saturday_22_august_2026_for_the_national_day_swap(cal):
    # Fri 21/8/2026 16:00: 60 min; Sat 22/8 is worked (for Mon 31/8) like a Monday:
    # 270 by 11:30, 150 more → Sat 22/8/2026 16:00.
    result = add_working_time(cal, vn(2026, 8, 21, 16, 0), 1, "working_days")
    assert result.due_at == vn(2026, 8, 22, 16, 0)


def test_it_skips_the_national_day_bridge_of_2026(cal):
    # Fri 28/8/2026 09:00: 150 + 210 = 360 min; Sat 29 – Wed 2/9 off (31/8 swapped);
    # Thu 3/9: 120 more → 09:00.
    result = add_working_time(cal, vn(2026, 8, 28, 9, 0), 1, "working_days")
    assert result.due_at == vn(2026, 9, 3, 9, 0)
    assert [day for day, _ in result.skipped] == [date(2026, 8, d) for d in (29, 30, 31)] + [
        date(2026, 9, 1),
        date(2026, 9, 2),
    ]
    assert result.skipped[2] == (date(2026, 8, 31), "Ngày nghỉ hoán đổi (làm bù thứ Bảy 22/8/2026)")


def test_it_applies_the_2026_new_year_swap(cal):
    # Wed 31/12/2025 15:00: 120 min; Thu 1/1 and Fri 2/1/2026 (swapped) off, then the weekend;
    # Mon 5/1: 360 more = 270 + 90 → 15:00.
    result = add_working_time(cal, vn(2025, 12, 31, 15, 0), 1, "working_days")
    assert result.due_at == vn(2026, 1, 5, 15, 0)
    assert [day for day, _ in result.skipped] == [date(2026, 1, d) for d in (1, 2, 3, 4)]
    assert result.skipped[1][1] == "Ngày nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)"


def test_it_works_saturday_10_january_2026_for_the_new_year_swap(cal):
    # Fri 9/1/2026 13:30: 210 min; Sat 10/1 worked like a Friday: 270 more → 11:30 exactly.
    result = add_working_time(cal, vn(2026, 1, 9, 13, 30), 1, "working_days")
    assert result.due_at == vn(2026, 1, 10, 11, 30)


def test_it_skips_the_compensatory_day_for_gio_to_2026(cal):
    # Fri 24/4/2026 16:00: 60 min; Sat 25, Sun 26 (Giỗ Tổ) and Mon 27/4 (nghỉ bù) off;
    # Tue 28/4: 420 more = 270 + 150 → 16:00.
    result = add_working_time(cal, vn(2026, 4, 24, 16, 0), 1, "working_days")
    assert result.due_at == vn(2026, 4, 28, 16, 0)


def test_it_ends_a_one_month_period_across_tet_at_the_next_working_day(cal):
    # Fri 16/1/2026 + 1 month → Mon 16/2/2026, a Tết day; next working day Mon 23/2 → 17:00.
    result = add_working_time(cal, vn(2026, 1, 16, 10, 0), 1, "months")
    assert result.due_at == vn(2026, 2, 23, 17, 0)


def test_it_clamps_31_january_plus_one_month_to_the_end_of_a_leap_february(cal):
    # Wed 31/1/2024 + 1 month → 31/2 does not exist → Thu 29/2/2024, a working day → 17:00.
    result = add_working_time(cal, vn(2024, 1, 31, 9, 0), 1, "months")
    assert result.due_at == vn(2024, 2, 29, 17, 0)


def test_it_clamps_to_the_end_of_february_and_rolls_when_that_day_is_off(cal):
    # Fri 30/1/2026 + 1 month → 28/2/2026, a Saturday → close of Mon 2/3/2026.
    result = add_working_time(cal, vn(2026, 1, 30, 9, 0), 1, "months")
    assert result.due_at == vn(2026, 3, 2, 17, 0)


def test_it_normalises_a_saturday_31_january_before_adding_a_month(cal):
    # Sat 31/1/2026 → counts from Mon 2/2/2026 → + 1 month = Mon 2/3/2026 → 17:00.
    result = add_working_time(cal, vn(2026, 1, 31, 9, 0), 1, "months")
    assert result.due_at == vn(2026, 3, 2, 17, 0)


def test_it_counts_calendar_days_from_the_next_day_to_the_close(cal):
    # Mon 2/3/2026 10:00 + 3 days: period starts Tue 3/3, last day Thu 5/3 → 17:00.
    result = add_working_time(cal, vn(2026, 3, 2, 10, 0), 3, "days")
    assert result.due_at == vn(2026, 3, 5, 17, 0)


def test_it_rolls_a_days_period_ending_on_a_holiday_to_the_next_working_day(cal):
    # Fri 28/8/2026 + 4 days → Tue 1/9/2026 (off), 2/9 off → close of Thu 3/9/2026.
    result = add_working_time(cal, vn(2026, 8, 28, 9, 0), 4, "days")
    assert result.due_at == vn(2026, 9, 3, 17, 0)


def test_it_rolls_a_days_period_ending_on_sunday_to_monday(cal):
    # Mon 2/3/2026 + 6 days → Sun 8/3 → close of Mon 9/3.
    result = add_working_time(cal, vn(2026, 3, 2, 10, 0), 6, "days")
    assert result.due_at == vn(2026, 3, 9, 17, 0)


def test_it_counts_days_from_the_normalised_reception(cal):
    # Mon 2/3/2026 18:00 → normalised Tue 3/3 07:00; + 1 day → Wed 4/3 → 17:00.
    result = add_working_time(cal, vn(2026, 3, 2, 18, 0), 1, "days")
    assert result.due_at == vn(2026, 3, 4, 17, 0)


def test_it_adds_working_hours_across_lunch(cal):
    # Mon 2/3/2026 10:00 + 4 h: 90 min by 11:30, 150 more from 13:30 → 16:00.
    assert add_working_time(cal, vn(2026, 3, 2, 10, 0), 4, "working_hours").due_at == vn(2026, 3, 2, 16, 0)


def test_it_keeps_working_hours_ending_at_the_morning_close(cal):
    # Mon 2/3/2026 09:30 + 2 h = 11:30 exactly → stays at 11:30.
    assert add_working_time(cal, vn(2026, 3, 2, 9, 30), 2, "working_hours").due_at == vn(2026, 3, 2, 11, 30)


def test_it_adds_working_hours_overnight(cal):
    # Mon 2/3/2026 16:00 + 3 h: 60 min Monday, 120 more from Tue 07:00 → 09:00.
    assert add_working_time(cal, vn(2026, 3, 2, 16, 0), 3, "working_hours").due_at == vn(2026, 3, 3, 9, 0)


def test_it_ends_at_the_close_of_the_nth_working_day_with_the_end_of_day_rule(cal):
    # Mon 2/3/2026 10:00, reception day partly used → day 1 = Tue 3/3, day 2 = Wed 4/3 → 17:00
    # (the elapsed rule would give Wed 10:00).
    result = add_working_time(cal, vn(2026, 3, 2, 10, 0), 2, "working_days", rule="end_of_day")
    assert result.due_at == vn(2026, 3, 4, 17, 0)
    assert add_working_time(cal, vn(2026, 3, 2, 10, 0), 2, "working_days").due_at == vn(2026, 3, 4, 10, 0)


def test_it_counts_the_reception_day_as_day_one_when_counting_starts_at_opening(cal):
    # Mon 2/3/2026 06:30 → 07:00, the whole Monday is available: day 1 = Monday → 17:00.
    result = add_working_time(cal, vn(2026, 3, 2, 6, 30), 1, "working_days", rule="end_of_day")
    assert result.due_at == vn(2026, 3, 2, 17, 0)


def test_it_applies_the_end_of_day_rule_across_tet(cal):
    # Fri 13/2/2026 16:10: day 1 = Mon 23/2 … day 5 = Fri 27/2 → 17:00.
    result = add_working_time(cal, vn(2026, 2, 13, 16, 10), 5, "working_days", rule="end_of_day")
    assert result.due_at == vn(2026, 2, 27, 17, 0)


def test_it_moves_working_hours_to_the_close_of_their_day_with_the_end_of_day_rule(cal):
    # Mon 2/3/2026 10:00 + 4 h → 16:00 Monday → close of Monday 17:00.
    result = add_working_time(cal, vn(2026, 3, 2, 10, 0), 4, "working_hours", rule="end_of_day")
    assert result.due_at == vn(2026, 3, 2, 17, 0)


@pytest.mark.parametrize(
    ("received", "transferred"),
    [
        # 16:00 is after the 15:00 cut-off → next working day's opening.
        (vn(2026, 3, 2, 16, 0), vn(2026, 3, 3, 7, 0)),
        # 14:00 is before the cut-off → the same day, at once.
        (vn(2026, 3, 2, 14, 0), vn(2026, 3, 2, 14, 0)),
        # 15:00 exactly is not later than the cut-off → same day.
        (vn(2026, 3, 2, 15, 0), vn(2026, 3, 2, 15, 0)),
        # Lunch → the afternoon opening, still before the cut-off.
        (vn(2026, 3, 2, 12, 0), vn(2026, 3, 2, 13, 30)),
        # Friday 16:00 → Monday 07:00.
        (vn(2026, 3, 6, 16, 0), vn(2026, 3, 9, 7, 0)),
        # Fri 13/2/2026 15:30, before Tết → Mon 23/2 07:00.
        (vn(2026, 2, 13, 15, 30), vn(2026, 2, 23, 7, 0)),
    ],
)
def test_it_transfers_paper_dossiers_by_the_cut_off(cal, received, transferred):
    assert transfer_moment(cal, received) == transferred


def test_it_keeps_counting_the_appointment_from_reception_after_the_cut_off(cal):
    # Mon 2/3/2026 16:00: transferred Tue 07:00, but 1 day still counts from 16:00 → Tue 16:00.
    assert add_working_time(cal, vn(2026, 3, 2, 16, 0), 1, "working_days").due_at == vn(2026, 3, 3, 16, 0)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        # Exactly at the appointment: on time.
        (vn(2026, 2, 27, 16, 10), "on_time"),
        # One second after: late.
        (vn(2026, 2, 27, 16, 10, 1), "late"),
        # Earlier the same day: on time, not early (the appointment is kept by the day).
        (vn(2026, 2, 27, 8, 0), "on_time"),
        # Midnight of the appointment day is that day: on time.
        (vn(2026, 2, 27, 0, 0), "on_time"),
        # The day before: early.
        (vn(2026, 2, 26, 17, 0), "early"),
        # 23:59 the day before: early.
        (vn(2026, 2, 26, 23, 59), "early"),
    ],
)
def test_it_classifies_early_on_time_and_late_at_the_boundaries(finished, expected):
    assert classify(finished, vn(2026, 2, 27, 16, 10)) == expected


def test_it_classifies_by_the_local_date_not_the_utc_date():
    # 26/2/2026 17:30 UTC is 27/2 00:30 in Viet Nam: the appointment day, so on time, not early.
    finished = datetime(2026, 2, 26, 17, 30, tzinfo=UTC)
    assert classify(finished, vn(2026, 2, 27, 16, 10)) == "on_time"


def test_it_treats_the_opening_as_working_and_the_close_as_not(cal):
    # A session is [opening, close): 07:00 and 13:30 are working, 11:30 and 17:00 are not.
    assert is_working_time(cal, vn(2026, 3, 2, 7, 0))
    assert is_working_time(cal, vn(2026, 3, 2, 11, 29, 59))
    assert not is_working_time(cal, vn(2026, 3, 2, 11, 30))
    assert is_working_time(cal, vn(2026, 3, 2, 13, 30))
    assert not is_working_time(cal, vn(2026, 3, 2, 17, 0))
    assert not is_working_time(cal, vn(2026, 2, 17, 9, 0))  # mùng 1 Tết


def test_it_finds_the_next_working_moment(cal):
    # 11:30 → 13:30 the same day; Fri 13/2/2026 17:00 → Mon 23/2 07:00; a working moment stays.
    assert next_working_moment(cal, vn(2026, 3, 2, 11, 30)) == vn(2026, 3, 2, 13, 30)
    assert next_working_moment(cal, vn(2026, 2, 13, 17, 0)) == vn(2026, 2, 23, 7, 0)
    assert next_working_moment(cal, vn(2026, 3, 2, 9, 15)) == vn(2026, 3, 2, 9, 15)


def test_it_measures_working_time_between_two_moments(cal):
    # The Tết example backwards: 5 days = 40 h; the other way round is negative.
    a, b = vn(2026, 2, 13, 16, 10), vn(2026, 2, 27, 16, 10)
    assert working_time_between(cal, a, b) == timedelta(hours=40)
    assert working_time_between(cal, b, a) == -timedelta(hours=40)
    # Lunch and the night do not count: Mon 11:00 → Tue 08:00 = 30 + 210 + 60 min.
    assert working_time_between(cal, vn(2026, 3, 2, 11, 0), vn(2026, 3, 3, 8, 0)) == timedelta(minutes=300)


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "5", None])
def test_it_refuses_an_amount_that_is_not_a_positive_whole_number(cal, amount):
    with pytest.raises(InvalidInput, match="số nguyên dương"):
        add_working_time(cal, vn(2026, 3, 2, 9, 0), amount, "working_days")


@pytest.mark.parametrize("unit", ["working_days", "days", "months"])
def test_it_refuses_an_amount_beyond_the_largest_period(cal, unit):
    with pytest.raises(InvalidInput, match="Thời hạn 100000000 quá lớn: tối đa 9999"):
        add_working_time(cal, vn(2026, 3, 2, 9, 0), 100_000_000, unit)


def test_it_refuses_naive_datetimes_unknown_units_and_rules(cal):
    with pytest.raises(InvalidInput, match="múi giờ"):
        add_working_time(cal, datetime(2026, 3, 2, 9, 0), 1, "working_days")  # noqa: DTZ001
    with pytest.raises(InvalidInput, match="múi giờ"):
        is_working_time(cal, datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001
    with pytest.raises(InvalidInput, match="Đơn vị thời hạn"):
        add_working_time(cal, vn(2026, 3, 2, 9, 0), 1, "weeks")
    with pytest.raises(InvalidInput, match="Cách tính"):
        add_working_time(cal, vn(2026, 3, 2, 9, 0), 1, "working_days", rule="sometime")


def test_it_refuses_a_moment_outside_the_calendar_span(cal):
    with pytest.raises(InvalidInput, match="ngoài phạm vi"):
        add_working_time(cal, vn(2099, 3, 2, 9, 0), 1, "working_days")
