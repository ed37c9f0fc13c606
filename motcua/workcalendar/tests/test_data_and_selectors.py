"""The seeded schedule, the cached calendars, the admin and the holidays cross-check."""

import json
from datetime import date, time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from motcua.audit.models import AuditEvent
from motcua.lib.errors import NotFound
from motcua.org.models import Agency
from motcua.org.selectors import calendar_for_agency_code
from motcua.workcalendar.calendar import DATA_FILE, add_working_time, is_working_time
from motcua.workcalendar.models import CalendarDay, WorkSchedule, WorkSession
from motcua.workcalendar.selectors import calendar_for_schedule
from motcua.workcalendar.services import calendar_changed
from motcua.workcalendar.tests.conftest import vn

pytestmark = pytest.mark.django_db


def test_it_seeds_the_make_up_saturdays_and_the_2026_new_year_swap():
    may_2024 = CalendarDay.objects.get(date=date(2024, 5, 4))
    assert (may_2024.kind, may_2024.replaces) == ("make_up", date(2024, 4, 29))
    april_2025 = CalendarDay.objects.get(date=date(2025, 4, 26))
    assert (april_2025.kind, april_2025.replaces) == ("make_up", date(2025, 5, 2))
    january_2026 = CalendarDay.objects.get(date=date(2026, 1, 2))
    assert january_2026.kind == "swapped"
    assert "vpcp_12729_2025" in january_2026.sources
    assert CalendarDay.objects.get(date=date(2026, 1, 10)).replaces == date(2026, 1, 2)


def test_it_seeds_every_year_2024_to_2027_and_marks_2027_provisional():
    counts = {y: CalendarDay.objects.filter(date__year=y).count() for y in (2024, 2025, 2026, 2027)}
    # days off + make-up days of the reference file
    assert counts == {2024: 12 + 1, 2025: 12 + 1, 2026: 13 + 2, 2027: 11}
    assert not CalendarDay.objects.filter(date__year=2027, provisional=False).exists()
    assert not CalendarDay.objects.filter(date__lt=date(2027, 1, 1), provisional=True).exists()
    # 24/11/2026 (Ngày Văn hóa Việt Nam) is pending, not adopted.
    assert not CalendarDay.objects.filter(date=date(2026, 11, 24)).exists()


def test_it_seeds_the_default_and_the_saturday_schedules():
    default = WorkSchedule.objects.get(is_default=True)
    assert default.code == "mac-dinh"
    assert default.transfer_cutoff == time(15, 0)
    assert sorted((s.weekday, s.start, s.end) for s in default.sessions.all())[:2] == [
        (0, time(7, 0), time(11, 30)),
        (0, time(13, 30), time(17, 0)),
    ]
    assert default.sessions.count() == 10
    saturday = WorkSchedule.objects.get(code="co-thu-bay")
    assert saturday.sessions.count() == 11
    assert saturday.sessions.get(weekday=5).start == time(7, 30)


def test_it_builds_the_default_calendar_from_the_database():
    cal = calendar_for_schedule()
    assert is_working_time(cal, vn(2025, 4, 26, 9, 0))  # make-up Saturday
    assert not is_working_time(cal, vn(2026, 1, 2, 9, 0))  # New Year swap
    assert not is_working_time(cal, vn(2026, 3, 7, 9, 0))  # ordinary Saturday
    result = add_working_time(cal, vn(2026, 2, 13, 16, 10), 5, "working_days")
    assert result.due_at == vn(2026, 2, 27, 16, 10)


def test_a_saturday_opening_from_the_database_is_not_legal_working_time():
    # co-thu-bay opens 07:30–11:30 on Saturdays (its sessions, above), but its calendar is the
    # legal clock: an ordinary Saturday does not count, an official make-up Saturday does in full.
    cal = calendar_for_schedule(WorkSchedule.objects.get(code="co-thu-bay"))
    assert not is_working_time(cal, vn(2026, 3, 7, 9, 0))
    assert is_working_time(cal, vn(2026, 3, 9, 7, 0))
    assert is_working_time(cal, vn(2026, 8, 22, 14, 0))  # make-up Saturday for the National Day swap


def test_it_builds_a_calendar_once_and_rebuilds_it_after_a_change():
    first = calendar_for_schedule()
    assert calendar_for_schedule() is first
    calendar_changed()
    assert calendar_for_schedule() is not first


def test_it_sees_a_day_off_saved_outside_the_admin():
    assert is_working_time(calendar_for_schedule(), vn(2026, 3, 10, 9, 0))
    CalendarDay.objects.create(date=date(2026, 3, 10), kind="other_off", name="Nghỉ đột xuất")
    assert not is_working_time(calendar_for_schedule(), vn(2026, 3, 10, 9, 0))


def test_it_finds_the_calendar_of_an_agency_by_its_code():
    saturday = WorkSchedule.objects.get(code="co-thu-bay")
    Agency.objects.create(
        code="000.01.31.H99", name="Bộ phận Một cửa xã An Bình", kind="one_stop", schedule=saturday
    )
    Agency.objects.create(code="000.00.11.H99", name="Sở Tư pháp", kind="department")
    # The legal clock of both: a Saturday opening serves citizens but is not working time.
    assert not is_working_time(calendar_for_agency_code("000.01.31.H99"), vn(2026, 3, 7, 9, 0))
    assert not is_working_time(calendar_for_agency_code("000.00.11.H99"), vn(2026, 3, 7, 9, 0))
    assert is_working_time(calendar_for_agency_code("000.01.31.H99"), vn(2026, 3, 9, 9, 0))


def test_it_refuses_an_unknown_or_inactive_agency():
    Agency.objects.create(code="000.00.12.H99", name="Sở cũ", kind="department", active=False)
    with pytest.raises(NotFound, match="Không tìm thấy cơ quan có mã “000.00.99.H99”"):
        calendar_for_agency_code("000.00.99.H99")
    with pytest.raises(NotFound):
        calendar_for_agency_code("000.00.12.H99")


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser("quantri-test", "qt@example.vn", "mat-khau-dai-12345")
    client.force_login(user)
    return client


def test_it_audits_a_day_off_added_in_the_admin_and_uses_it_at_once(admin_client_logged_in):
    cal_before = calendar_for_schedule()
    assert is_working_time(cal_before, vn(2026, 3, 10, 9, 0))
    response = admin_client_logged_in.post(
        "/quan-tri/workcalendar/calendarday/add/",
        {"date": "10/03/2026", "kind": "other_off", "name": "Nghỉ đột xuất", "sources": "[]", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.add", object_type="workcalendar.calendarday")
    assert event.after["name"] == "Nghỉ đột xuất"
    assert event.actor.username == "quantri-test"
    assert not is_working_time(calendar_for_schedule(), vn(2026, 3, 10, 9, 0))


def test_it_audits_a_session_changed_in_the_admin_and_uses_the_new_hours(admin_client_logged_in):
    schedule = WorkSchedule.objects.get(code="co-thu-bay")
    assert not is_working_time(calendar_for_schedule(schedule), vn(2026, 3, 9, 17, 15))
    sessions = list(schedule.sessions.order_by("weekday", "start"))
    data = {
        "code": schedule.code,
        "name": schedule.name,
        "transfer_cutoff": "15:00",
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": str(len(sessions)),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for n, s in enumerate(sessions):
        end = "17:30" if (s.weekday, f"{s.end:%H:%M}") == (0, "17:00") else f"{s.end:%H:%M}"
        data |= {
            f"sessions-{n}-id": str(s.pk),
            f"sessions-{n}-schedule": str(schedule.pk),
            f"sessions-{n}-weekday": str(s.weekday),
            f"sessions-{n}-start": f"{s.start:%H:%M}",
            f"sessions-{n}-end": end,
        }
    response = admin_client_logged_in.post(f"/quan-tri/workcalendar/workschedule/{schedule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="admin.change", object_type="workcalendar.worksession")
    assert (event.before["end"], event.after["end"]) == ("17:00:00", "17:30:00")
    schedule.refresh_from_db()
    assert is_working_time(calendar_for_schedule(schedule), vn(2026, 3, 9, 17, 15))


def test_it_refuses_overlapping_sessions_in_the_admin(admin_client_logged_in):
    data = {
        "code": "chong-lan",
        "name": "Thử",
        "transfer_cutoff": "15:00",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-weekday": "0",
        "sessions-0-start": "07:00",
        "sessions-0-end": "12:00",
        "sessions-1-weekday": "0",
        "sessions-1-start": "11:00",
        "sessions-1-end": "17:00",
    }
    response = admin_client_logged_in.post("/quan-tri/workcalendar/workschedule/add/", data)
    assert response.status_code == 200
    assert "Các buổi làm việc Thứ Hai chồng lên nhau" in response.content.decode()
    assert not WorkSchedule.objects.filter(code="chong-lan").exists()


def test_it_validates_calendar_days_in_vietnamese():
    with pytest.raises(ValidationError, match="thứ Bảy hoặc Chủ nhật"):
        CalendarDay(date=date(2026, 3, 10), kind="make_up", name="x", replaces=date(2026, 3, 9)).clean()
    with pytest.raises(ValidationError, match="ngày nghỉ được hoán đổi"):
        CalendarDay(date=date(2026, 3, 14), kind="make_up", name="x").clean()
    with pytest.raises(ValidationError, match="Chỉ ngày làm bù"):
        CalendarDay(date=date(2026, 3, 10), kind="holiday", name="x", replaces=date(2026, 3, 9)).clean()
    with pytest.raises(ValidationError, match="Đã có lịch mặc định khác"):
        WorkSchedule(code="khac", name="Khác", is_default=True).clean()
    with pytest.raises(ValidationError, match="phải sau giờ bắt đầu"):
        WorkSession(weekday=0, start=time(11, 0), end=time(7, 0)).clean()


def test_it_reports_where_the_holidays_package_differs_and_keeps_the_official_schedule():
    out = StringIO()
    call_command("calendar_check_holidays", "--year", "2026", stdout=out)
    text = out.getvalue()
    assert "02/01/2026: nghỉ theo lịch chính thức, gói holidays thiếu" in text
    assert "10/01/2026: ngày làm bù theo lịch chính thức, gói holidays thiếu" in text
    assert "24/11/2026: gói holidays cho nghỉ, lịch chính thức không có" in text
    assert "lịch chính thức" in text and "được áp dụng" in text
    out = StringIO()
    call_command("calendar_check_holidays", "--year", "2025", stdout=out)
    assert out.getvalue().strip() == "Năm 2025: khớp với gói holidays."


def test_it_loads_a_year_from_a_file_audits_the_changes_and_reports_unchanged_days(tmp_path):
    # The reference file again: everything is already there.
    out = StringIO()
    call_command("calendar_load_year", str(DATA_FILE), "--year", "2026", stdout=out)
    assert out.getvalue().strip() == "Năm 2026: thêm 0, sửa 0, giữ nguyên 15 ngày."
    # An official notice for 2028 (invented for the test) adds one day off.
    notice = {
        "2028": {
            "status": "official",
            "days_off": [
                {"date": "2028-01-03", "name": "Nghỉ thử nghiệm", "kind": "holiday", "sources": ["test"]}
            ],
            "make_up_workdays": [],
        }
    }
    path = tmp_path / "2028.json"
    path.write_text(json.dumps(notice), encoding="utf-8")
    out = StringIO()
    call_command("calendar_load_year", str(path), stdout=out)
    assert "Năm 2028: thêm 1, sửa 0, giữ nguyên 0 ngày." in out.getvalue()
    assert AuditEvent.objects.filter(action="calendar.day_add", object_repr__contains="03/01/2028").exists()
    assert not is_working_time(calendar_for_schedule(), vn(2028, 1, 3, 9, 0))


def test_it_loads_nothing_when_one_entry_is_broken(tmp_path):
    notice = {
        "2028": {
            "status": "official",
            "days_off": [
                {"date": "2028-01-03", "name": "Nghỉ thử nghiệm", "kind": "holiday"},
                {"date": "2028-02-31", "name": "Ngày không có", "kind": "holiday"},
            ],
            "make_up_workdays": [],
        }
    }
    path = tmp_path / "2028.json"
    path.write_text(json.dumps(notice), encoding="utf-8")
    with pytest.raises(CommandError, match="mục 2 năm 2028"):
        call_command("calendar_load_year", str(path), stdout=StringIO())
    assert not CalendarDay.objects.filter(date__year=2028).exists()


def test_a_day_off_without_a_name_is_refused_naming_the_entry(tmp_path):
    # Only a make-up day gets a name made up for it; a day off must be named in the notice.
    notice = {"2028": {"days_off": [{"date": "2028-01-03", "kind": "holiday"}]}}
    path = tmp_path / "2028.json"
    path.write_text(json.dumps(notice), encoding="utf-8")
    with pytest.raises(CommandError, match="mục 1 năm 2028"):
        call_command("calendar_load_year", str(path), stdout=StringIO())
    assert not CalendarDay.objects.filter(date__year=2028).exists()
