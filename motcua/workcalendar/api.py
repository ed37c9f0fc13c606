"""``GET /api/v1/calendar/appointment``: when to come back, and why.

Query parameters are read as text and checked here, so that each mistake gets its own
Vietnamese message naming the parameter (400, ``{"code", "message", "details"}``).
"""

import re
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.lib.apischema import errors
from motcua.lib.errors import InvalidInput
from motcua.org.selectors import calendar_for_agency_code
from motcua.workcalendar.calendar import (
    MAX_AMOUNT,
    RULE_LABELS,
    UNIT_LABELS,
    VN_TZ,
    add_working_time,
)
from motcua.workcalendar.selectors import calendar_for_schedule

router = Router(tags=["Lịch làm việc"])
_LOST_PLUS = re.compile(r"(.+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})")


class AppointmentQuery(Schema):
    received_at: str = Field(
        description="Thời điểm tiếp nhận, ISO 8601; không ghi múi giờ thì hiểu là giờ Việt Nam.",
        examples=["2026-02-13T16:10:00+07:00"],
    )
    amount: str = Field(description=f"Thời hạn: số nguyên dương, tối đa {MAX_AMOUNT}.", examples=["5"])
    unit: str = Field(
        description="working_days, working_hours, days hoặc months.",
        examples=["working_days"],
        json_schema_extra={"enum": list(UNIT_LABELS)},  # checked below, naming the parameter
    )
    agency: str | None = Field(None, description="Mã định danh cơ quan; bỏ trống: lịch mặc định.")
    explain: bool = Field(False, description="1: liệt kê các khoảng thời gian làm việc đã tính.")
    rule: str = Field(
        "elapsed",
        description="elapsed (tính đủ thời gian) hoặc end_of_day.",
        json_schema_extra={"enum": list(RULE_LABELS)},  # checked below, naming the parameter
    )


class SkippedDay(Schema):
    date: date
    reason: str


class CountedInterval(Schema):
    start: datetime
    end: datetime
    minutes: int | float


class AppointmentOut(Schema):
    due_at: datetime
    skipped: list[SkippedDay]
    intervals: list[CountedInterval] | None = None


def _parse_received_at(text: str) -> datetime:
    value = text.strip()
    # An unencoded "+07:00" in a query string arrives as " 07:00": put the plus sign back.
    plus = _LOST_PLUS.fullmatch(value)
    if plus:
        value = f"{plus[1]}+{plus[2]}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"Thời điểm tiếp nhận (received_at) “{text}” không đúng định dạng ISO 8601 "
            "(ví dụ 2026-02-13T16:10:00+07:00).",
            details={"received_at": text},
        ) from None
    if moment.tzinfo is None:
        # Without an offset the time is read as local time of Viet Nam.
        moment = moment.replace(tzinfo=VN_TZ)
    return moment


def _parse_amount(text: str) -> int:
    value = text.strip()
    digits = value.lstrip("0")
    if not (value.isascii() and value.isdigit()) or not digits:
        raise InvalidInput(
            f"Thời hạn (amount) phải là một số nguyên dương, không phải “{text[:40]}”.",
            details={"amount": text[:40]},
        )
    # Compared by length first: a number of thousands of digits is not even converted.
    if len(digits) > len(str(MAX_AMOUNT)) or int(digits) > MAX_AMOUNT:
        raise InvalidInput(
            f"Thời hạn (amount) quá lớn: tối đa {MAX_AMOUNT}, không phải “{text[:40]}”.",
            details={"amount": text[:40], "max": MAX_AMOUNT},
        )
    return int(digits)


@router.get(
    "/appointment",
    response={200: AppointmentOut, **errors(400, 404)},
    exclude_none=True,
    summary="Ngày hẹn trả kết quả",
    description=(
        "Tính thời điểm hẹn trả từ thời điểm tiếp nhận và thời hạn giải quyết. Đơn vị: "
        + ", ".join(f"`{u}` ({label})" for u, label in UNIT_LABELS.items())
        + ". Cách tính (`rule`): "
        + ", ".join(f"`{r}` ({label})" for r, label in RULE_LABELS.items())
        + ". `explain=1` liệt kê các khoảng thời gian làm việc đã tính."
    ),
)
def appointment(request: HttpRequest, query: Query[AppointmentQuery]) -> dict[str, Any]:
    received_at = _parse_received_at(query.received_at)
    amount = _parse_amount(query.amount)
    if query.unit not in UNIT_LABELS:
        raise InvalidInput(
            f"Đơn vị thời hạn (unit) “{query.unit}” không hợp lệ: dùng một trong "
            + ", ".join(UNIT_LABELS)
            + ".",
            details={"unit": query.unit},
        )
    if query.rule not in RULE_LABELS:
        raise InvalidInput(
            f"Cách tính (rule) “{query.rule}” không hợp lệ: dùng elapsed hoặc end_of_day.",
            details={"rule": query.rule},
        )
    cal = calendar_for_agency_code(query.agency) if query.agency else calendar_for_schedule(None)
    result = add_working_time(cal, received_at, amount, query.unit, rule=query.rule, explain=query.explain)
    out: dict[str, Any] = {
        "due_at": result.due_at,
        "skipped": [{"date": day, "reason": reason} for day, reason in result.skipped],
    }
    if query.explain:
        out["intervals"] = [
            {"start": iv.start, "end": iv.end, "minutes": iv.minutes} for iv in result.intervals or []
        ]
    return out
