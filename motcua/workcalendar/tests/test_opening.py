"""Opening hours on the public pages: the unit's real sessions, Saturday mornings included."""

from datetime import time

import pytest

from motcua.workcalendar.models import WorkSchedule, WorkSession
from motcua.workcalendar.opening import describe_sessions, opening_hours

pytestmark = pytest.mark.django_db

WEEK = "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00"


def test_a_unit_open_on_saturday_mornings_reads_as_a_citizen_expects():
    # As the seeded "co-thu-bay" schedule (built here: a transactional test may have emptied it).
    saturday = WorkSchedule.objects.create(code="thu-bay-thu", name="Có sáng thứ Bảy")
    for weekday in range(5):
        WorkSession.objects.create(schedule=saturday, weekday=weekday, start=time(7), end=time(11, 30))
        WorkSession.objects.create(schedule=saturday, weekday=weekday, start=time(13, 30), end=time(17))
    WorkSession.objects.create(schedule=saturday, weekday=5, start=time(7, 30), end=time(11, 30))
    assert opening_hours(saturday.pk) == (WEEK, "Thứ Bảy: 7:30–11:30")
    assert opening_hours(None) == (WEEK,)  # no schedule of its own: the default one


def test_runs_of_days_break_where_the_sessions_change():
    morning, afternoon = (time(7), time(11, 30)), (time(13, 30), time(17))
    sessions = {
        0: [morning, afternoon],
        1: [morning, afternoon],
        2: [morning],
        3: [afternoon, morning],
        6: [morning],
    }
    assert describe_sessions(sessions) == [
        "Thứ Hai – Thứ Ba: 7:00–11:30, 13:30–17:00",
        "Thứ Tư: 7:00–11:30",
        "Thứ Năm: 7:00–11:30, 13:30–17:00",
        "Chủ nhật: 7:00–11:30",
    ]
