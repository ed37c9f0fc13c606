from datetime import datetime

import pytest

from motcua.workcalendar.calendar import SATURDAY_MORNING_SESSIONS, VN_TZ, calendar_from_json

DEFAULT_CAL = calendar_from_json()
SATURDAY_CAL = calendar_from_json(sessions=SATURDAY_MORNING_SESSIONS)


def vn(year, month, day, hour=0, minute=0, second=0) -> datetime:
    """A moment in Asia/Ho_Chi_Minh."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


@pytest.fixture
def cal():
    """The default calendar (Mon–Fri 07:00–11:30, 13:30–17:00) from the reference file, no DB."""
    return DEFAULT_CAL


@pytest.fixture
def sat_cal():
    """The calendar of a commune that also opens on Saturday 07:30–11:30."""
    return SATURDAY_CAL
