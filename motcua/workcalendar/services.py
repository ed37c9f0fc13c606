"""Writes for the working calendar.

Reference data (opening hours, days off) is edited through the admin, which audits every
change (``AuditedAdmin``), or loaded a year at a time from an official notice
(``calendar_year_load``, audited here). After any change ``calendar_changed`` tells every
process to rebuild its cached calendars.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.audit.services import audit_record, snapshot
from motcua.lib.errors import InvalidInput
from motcua.lib.versioned import VersionedCache
from motcua.workcalendar.models import CalendarDay

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser

# Calendars built from the schedules and days off, kept per process (motcua/lib/versioned.py);
# a change made around the admin and the services is seen within 10 minutes.
CALENDARS = VersionedCache("workcalendar:version", max_age=600)


def calendar_changed() -> None:
    """Tell every process that opening hours or days off changed: they rebuild their calendars."""
    CALENDARS.changed()


WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def calendar_year_load(*, data: dict[str, Any], year: int, actor: "AnyUser | None" = None) -> dict[str, int]:
    """Add or correct the days off and make-up days of ``year`` from the reference file's shape.

    All or nothing: a broken entry raises ``InvalidInput`` naming it and nothing is saved.
    Every added or changed day is audited. Days of that year missing from ``data`` are kept
    (an official notice adds or moves days; removing one is done in the admin, on purpose).
    Returns the counts ``{"added", "changed", "unchanged"}``.
    """
    section = data.get(str(year))
    if not isinstance(section, dict):
        raise InvalidInput(f"Tệp không có dữ liệu năm {year}.", details={"year": year})
    provisional_year = str(section.get("status", "")).startswith("provisional")
    rows = []
    entries = [(e, False) for e in section.get("days_off", [])] + [
        (e, True) for e in section.get("make_up_workdays", [])
    ]
    for n, (entry, make_up) in enumerate(entries, start=1):
        where = f"mục {n} năm {year} ({entry.get('date', '?') if isinstance(entry, dict) else entry})"
        try:
            day = date.fromisoformat(entry["date"])
            replaces = date.fromisoformat(entry["replaces"]) if make_up else None
            fields = {
                "kind": CalendarDay.Kind.MAKE_UP if make_up else entry["kind"],
                # A make-up day may go unnamed; a day off without a name is refused by full_clean.
                "name": entry.get("name")
                or (
                    f"Làm bù cho ngày nghỉ {WEEKDAYS[replaces.weekday()]} {replaces:%d/%m/%Y}"
                    if replaces is not None
                    else ""
                ),
                "replaces": replaces,
                "provisional": provisional_year or bool(entry.get("provisional", False)),
                "sources": list(entry.get("sources", [])),
                "note": entry.get("note", ""),
            }
            if day.year != year:
                raise ValueError(f"ngày {day:%d/%m/%Y} không thuộc năm {year}")
            CalendarDay(date=day, **fields).full_clean(validate_unique=False)
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise InvalidInput(f"Dữ liệu không hợp lệ ở {where}: {text}", details={"entry": n}) from None
        rows.append((day, fields))
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        for day, fields in rows:
            existing = CalendarDay.objects.filter(date=day).first()
            if existing is None:
                obj = CalendarDay.objects.create(date=day, **fields)
                audit_record(action="calendar.day_add", actor=actor, obj=obj, after=snapshot(obj))
                counts["added"] += 1
                continue
            before = snapshot(existing)
            for name, value in fields.items():
                setattr(existing, name, value)
            if snapshot(existing) == before:
                counts["unchanged"] += 1
                continue
            existing.save()
            audit_record(
                action="calendar.day_change",
                actor=actor,
                obj=existing,
                before=before,
                after=snapshot(existing),
            )
            counts["changed"] += 1
        calendar_changed()
    return counts
