"""What every reports selector shares: the period checked, the jurisdiction as ids, the filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from motcua.lib.errors import InvalidInput
from motcua.workcalendar.calendar import VN_TZ

MAX_PERIOD_DAYS = 3 * 366


def check_period(start: Any, end: Any) -> tuple[date, date]:
    """The period as two dates; a clear message for a period that makes no sense."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise InvalidInput(
            "Vui lòng chọn ngày bắt đầu và ngày kết thúc của kỳ báo cáo.", code="period_required"
        )
    if isinstance(start, datetime) or isinstance(end, datetime):
        start, end = _as_date(start), _as_date(end)
    if end < start:
        raise InvalidInput(
            f"Kỳ báo cáo không hợp lệ: ngày kết thúc ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y}).",
            code="period_reversed",
            details={"field": "end"},
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("Kỳ báo cáo dài quá 3 năm: vui lòng chọn kỳ ngắn hơn.", code="period_too_long")
    return start, end


def _as_date(value: date) -> date:
    return value.astimezone(VN_TZ).date() if isinstance(value, datetime) else value


def agency_ids(agencies: Any) -> Any:
    """``agencies`` as something ``agency_id__in`` takes (a queryset stays a subquery)."""
    if isinstance(agencies, QuerySet):
        return agencies.values("pk") if agencies.model is not int else agencies
    return [getattr(a, "pk", a) for a in agencies]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as [first moment, first moment after) in local time."""
    return (
        datetime.combine(start, time.min, tzinfo=VN_TZ),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=VN_TZ),
    )


def _narrow(rows: QuerySet, procedure: Any, field: Any, channel: Any, *, prefix: str = "") -> QuerySet:
    if procedure is not None:
        rows = rows.filter(**{f"{prefix}procedure_id": getattr(procedure, "pk", procedure)})
    if field is not None:
        rows = rows.filter(**{f"{prefix}procedure__field_id": getattr(field, "pk", field)})
    if channel is not None:
        rows = rows.filter(**{f"{prefix}channel": int(channel)})
    return rows
