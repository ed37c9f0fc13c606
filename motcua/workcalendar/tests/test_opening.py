"""Opening hours on the public pages: the unit's real sessions, Saturday mornings included."""

from datetime import time

import pytest

from motcua.workcalendar.models import WorkSchedule
from motcua.workcalendar.opening import describe_sessions, opening_hours

pytestmark = pytest.mark.django_db

WEEK = "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00"


def test_the_seeded_schedules_read_as_a_citizen_expects():
    saturday = WorkSchedule.objects.get(code="co-thu-bay")
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
