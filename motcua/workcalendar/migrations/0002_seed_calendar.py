"""Seed the official schedule of days off 2024–2027 and the two weekly schedules.

Reads ``workcalendar/data/holidays-vn.json`` by its path (no app code is imported): each
weekday given off becomes a CalendarDay (holiday / compensatory / swapped), each make-up
Saturday a ``make_up`` day with the date it replaces. 2027 is provisional as a whole (no
official notice yet). The "pending" 24/11 (Ngày Văn hóa Việt Nam) is not adopted.
Idempotent: re-running updates the same rows.
"""

import json
from datetime import date, time
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays-vn.json"
YEARS = ("2024", "2025", "2026", "2027")
WEEKDAY = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

WEEKDAY_SESSIONS = [(time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))]
SCHEDULES = [
    {
        "code": "mac-dinh",
        "name": "Lịch mặc định (thứ Hai – thứ Sáu)",
        "is_default": True,
        "sessions": {wd: WEEKDAY_SESSIONS for wd in range(5)},
    },
    {
        "code": "co-thu-bay",
        "name": "Thứ Hai – thứ Sáu và sáng thứ Bảy",
        "is_default": False,
        "sessions": {**{wd: WEEKDAY_SESSIONS for wd in range(5)}, 5: [(time(7, 30), time(11, 30))]},
    },
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    WorkSchedule = apps.get_model("workcalendar", "WorkSchedule")
    WorkSession = apps.get_model("workcalendar", "WorkSession")
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for year in YEARS:
        entry_year = data[year]
        year_provisional = entry_year["status"].startswith("provisional")
        for entry in entry_year["days_off"]:
            CalendarDay.objects.update_or_create(
                date=date.fromisoformat(entry["date"]),
                defaults={
                    "kind": entry["kind"],
                    "name": entry["name"],
                    "replaces": None,
                    "provisional": year_provisional or entry.get("provisional", False),
                    "sources": entry.get("sources", []),
                    "note": entry.get("note", ""),
                },
            )
        for entry in entry_year["make_up_workdays"]:
            replaces = date.fromisoformat(entry["replaces"])
            CalendarDay.objects.update_or_create(
                date=date.fromisoformat(entry["date"]),
                defaults={
                    "kind": "make_up",
                    "name": f"Làm bù cho ngày nghỉ {WEEKDAY[replaces.weekday()]} {replaces:%d/%m/%Y}",
                    "replaces": replaces,
                    "provisional": year_provisional or entry.get("provisional", False),
                    "sources": entry.get("sources", []),
                    "note": entry.get("note", ""),
                },
            )
    for spec in SCHEDULES:
        schedule, _ = WorkSchedule.objects.update_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "is_default": spec["is_default"], "transfer_cutoff": time(15, 0)},
        )
        schedule.sessions.all().delete()
        WorkSession.objects.bulk_create(
            WorkSession(schedule=schedule, weekday=wd, start=start, end=end)
            for wd, sessions in spec["sessions"].items()
            for start, end in sessions
        )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    WorkSchedule = apps.get_model("workcalendar", "WorkSchedule")
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    dates = [
        date.fromisoformat(entry["date"])
        for year in YEARS
        for entry in data[year]["days_off"] + data[year]["make_up_workdays"]
    ]
    CalendarDay.objects.filter(date__in=dates).delete()
    WorkSchedule.objects.filter(code__in=[spec["code"] for spec in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
