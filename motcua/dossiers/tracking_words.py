"""What the public tracking tells the citizen, in plain words: what to do now, what to bring for a
supplement and why, what to pay, whether the result came early, on time or late, and how the
appointment was counted (the days off and make-up working days between reception and the
appointment, as the working calendar knows them).

Used by ``tracking.public_view`` for the page and the API alike (one wording). Nothing here reads
the database, except the working calendar on a cache miss: the explanation of an appointment
depends only on the two dates and the calendar, so it is kept per process (``EXPLAINED``, under
the calendars' own version), and, to spare the lookup a round trip to the shared cache for that
version, reused for ``RECHECK_SECONDS`` before the version is asked again: a change of the days
off reaches the tracking within a minute of reaching the calendars.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from motcua.dossiers.models import Dossier, NationalStatus
from motcua.dossiers.situation import REJECTED
from motcua.lib.templated import TemplateFields
from motcua.lib.text import money
from motcua.lib.versioned import VersionedCache
from motcua.workcalendar.calendar import WorkCalendar
from motcua.workcalendar.selectors import calendar_for_schedule
from motcua.workcalendar.services import WEEKDAYS

# The explanation of an appointment, per (first date, last date, unit kind): shares the calendars'
# version (motcua/workcalendar/services.py), so a change of days off rebuilds it too.
RECHECK_SECONDS = 60
EXPLAINED = VersionedCache(
    "workcalendar:version", max_items=4096, max_age=600, recheck_seconds=RECHECK_SECONDS
)
# Longer than any appointment counted in working time; a longer span is not explained day by day.
MAX_EXPLAINED_DAYS = 400
WORKING_UNITS = ("working_days", "working_hours")
POLICY_RESTART, POLICY_PAUSE = "restart", "pause"


# -- the appointment ------------------------------------------------------------------------


@dataclass(frozen=True)
class DayOff:
    day: date
    name: str


@dataclass(frozen=True)
class AppointmentNote:
    """How the appointment was counted, between the day the clock started and the appointment."""

    working_time: bool  # counted in working days or hours (days off are not counted)
    days_off: tuple[DayOff, ...]  # holidays and swapped days off on weekdays
    make_up_days: tuple[date, ...]  # Saturdays worked instead of a day off: counted
    weekend_days: int  # Saturdays and Sundays not worked
    sentences: tuple[str, ...]


def _day(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def dates_text(days: Sequence[date]) -> str:
    """ "ngày 01/01/2026"; "các ngày 16, 17, 18, 19 và 20/02/2026" within one month; otherwise
    "các ngày 30/01/2026 và 02/02/2026"."""
    if len(days) == 1:
        return f"ngày {_day(days[0])}"
    if len({(d.year, d.month) for d in days}) == 1:
        return f"các ngày {_joined([str(d.day) for d in days])}/{days[0]:%m/%Y}"
    return f"các ngày {_joined([_day(d) for d in days])}"


def _groups(days_off: Sequence[DayOff]) -> list[tuple[str, list[date]]]:
    """Days off grouped by holiday ("Tết Nguyên đán (Tết Âm lịch) – mùng 1" → "Tết Nguyên đán
    (Tết Âm lịch)"), in date order."""
    groups: list[tuple[str, list[date]]] = []
    for off in days_off:
        name = off.name.split(" – ")[0].strip()
        if groups and groups[-1][0] == name:
            groups[-1][1].append(off.day)
        else:
            groups.append((name, [off.day]))
    return groups


def _explain(cal: WorkCalendar, first: date, last: date, working_time: bool) -> AppointmentNote:
    days_off: list[DayOff] = []
    make_up: list[date] = []
    weekend = 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if cal.sessions_on(day):
            if day in cal.make_up_days:
                make_up.append(day)
        elif day in cal.days_off and day.weekday() < 5:
            days_off.append(DayOff(day, cal.reason_off(day)))
        else:
            weekend += 1
    sentences: list[str] = []
    if working_time:
        skipped = [f"{name}: {dates_text(days)}" for name, days in _groups(days_off)]
        if weekend:
            skipped.append(f"{weekend} ngày nghỉ cuối tuần (thứ Bảy, Chủ nhật)")
        if skipped:
            sentences.append(
                "Thời hạn giải quyết tính theo ngày làm việc, nên ngày hẹn không tính các ngày nghỉ: "
                + "; ".join(skipped)
                + "."
            )
        else:
            sentences.append(
                "Thời hạn giải quyết tính theo ngày làm việc; từ khi tiếp nhận đến ngày hẹn không có "
                "ngày nghỉ nào."
            )
        if make_up:
            named = [f"{WEEKDAYS[d.weekday()]} {_day(d)}" for d in make_up]
            which = "Ngày" if len(make_up) == 1 else "Các ngày"
            sentences.append(
                f"{which} {_joined(named)} là ngày làm bù theo lịch nghỉ chính thức, nên được tính như "
                "ngày làm việc."
            )
    else:
        sentences.append(
            "Thời hạn giải quyết tính theo ngày dương lịch, kể cả ngày nghỉ; nếu ngày cuối cùng là ngày "
            "nghỉ thì ngày hẹn chuyển sang ngày làm việc tiếp theo."
        )
    return AppointmentNote(
        working_time=working_time,
        days_off=tuple(days_off),
        make_up_days=tuple(make_up),
        weekend_days=weekend,
        sentences=tuple(sentences),
    )


def appointment_note(start: datetime | None, due: datetime | None, unit: str) -> AppointmentNote | None:
    """How the appointment ``due`` was counted from ``start`` (the clock's start) with the time
    unit ``unit`` of the procedure; None without both moments or for a very long span.

    The days off and make-up days are the official schedule's, the same for every agency's
    calendar (``workcalendar.selectors``: only opening sessions differ), so the default calendar
    answers for all."""
    if start is None or due is None:
        return None
    first, last = timezone.localdate(start), timezone.localdate(due)
    if not 0 <= (last - first).days <= MAX_EXPLAINED_DAYS:
        return None
    working_time = unit in WORKING_UNITS or not unit
    return EXPLAINED.get(
        ("appointment", first, last, working_time),
        lambda: _explain(calendar_for_schedule(None), first, last, working_time),
    )


def forget_recent() -> None:
    """Ask for the calendars' version on the next explanation (tests)."""
    EXPLAINED.recheck_now()


# -- a supplement, a payment ----------------------------------------------------------------


@dataclass(frozen=True)
class SupplementItem(TemplateFields):
    name: str
    reason: str


@dataclass(frozen=True)
class SupplementAsk(TemplateFields):
    """An open supplement request (Mẫu 02): what to bring and why; by when, where a date applies."""

    items: tuple[SupplementItem, ...]
    requested_at: datetime
    at_intake: bool  # asked at reception: the dossier is not received yet
    policy: str  # "restart" (the clock counts again in full), "pause" (it resumes), "" at intake
    due_by: datetime | None
    appointment_sentence: str


def supplement_ask(
    *, data: dict, requested_at: datetime, at_intake: bool, due_by: datetime | None = None
) -> SupplementAsk:
    items = tuple(
        SupplementItem(name=str(item.get("name", "")), reason=str(item.get("reason", "")))
        for item in data.get("items") or []
        if isinstance(item, dict)
    )
    policy = "" if at_intake else str(data.get("policy") or POLICY_RESTART)
    if at_intake:
        sentence = (
            "Hồ sơ chưa được tiếp nhận nên chưa có ngày hẹn trả kết quả; ngày hẹn được tính từ khi "
            "hồ sơ được tiếp nhận đủ giấy tờ."
        )
    elif policy == POLICY_PAUSE:
        sentence = (
            "Trong thời gian chờ bổ sung, thời hạn giải quyết tạm dừng: ngày hẹn cũ không còn giá trị "
            "và sẽ được lùi thêm đúng bằng thời gian chờ, tính lại khi nhận đủ giấy tờ bổ sung."
        )
    else:
        sentence = (
            "Ngày hẹn cũ không còn giá trị: thời hạn giải quyết được tính lại từ đầu kể từ khi nhận đủ "
            "giấy tờ bổ sung, và ngày hẹn mới sẽ hiện ở trang này."
        )
    return SupplementAsk(
        items=items,
        requested_at=requested_at,
        at_intake=at_intake,
        policy=policy,
        due_by=due_by,
        appointment_sentence=sentence,
    )


@dataclass(frozen=True)
class PaymentAsk(TemplateFields):
    amount_vnd: int | None
    amount_text: str
    requested_at: datetime | None


def payment_ask(*, amount_vnd: int | None, requested_at: datetime | None) -> PaymentAsk:
    return PaymentAsk(
        amount_vnd=amount_vnd,
        amount_text=money(amount_vnd) if amount_vnd else "",
        requested_at=requested_at,
    )


# -- what to do now -------------------------------------------------------------------------

_DELIVERY: dict[str, str] = {
    Dossier.ResultDelivery.COUNTER: (
        "tại Bộ phận Một cửa nơi nộp hồ sơ; khi đến, mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả "
        "cùng giấy tờ tùy thân"
    ),
    Dossier.ResultDelivery.POST: "qua dịch vụ bưu chính, gửi đến địa chỉ đã đăng ký",
    Dossier.ResultDelivery.ONLINE: "bản điện tử, trên Cổng dịch vụ công (tài khoản đã nộp hồ sơ)",
}
WHERE_TO_BRING = (
    "Mang giấy tờ bổ sung đến Bộ phận Một cửa nơi nộp hồ sơ (kèm Giấy tiếp nhận hồ sơ và hẹn trả kết quả)."
)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def timeliness_sentence(
    timeliness: str, finished_at: datetime | None, due_at: datetime | None, outcome: str = ""
) -> str:
    """Early, on time or late in a sentence: "Hồ sơ được giải quyết trước hạn: có kết quả lúc …,
    ngày hẹn là …" (for a dossier not granted: "xử lý xong …: có văn bản trả lời lúc …"), or ""."""
    if not timeliness or finished_at is None:
        return ""
    words = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn"}[timeliness]
    if outcome == REJECTED:
        head, when = f"Hồ sơ được xử lý xong {words}", f"có văn bản trả lời lúc {_when(finished_at)}"
    else:
        head, when = f"Hồ sơ được giải quyết {words}", f"có kết quả lúc {_when(finished_at)}"
    if due_at is not None:
        when += f", ngày hẹn là {_when(due_at)}"
    return f"{head}: {when}."


def guidance(
    *,
    status_code: int,
    outcome: str,
    result_delivery: str,
    reason: str,
    supplement: SupplementAsk | None,
    payment: PaymentAsk | None,
) -> str:
    """The one thing the citizen should know or do now, in a sentence or two."""
    delivery = _DELIVERY.get(result_delivery, _DELIVERY[Dossier.ResultDelivery.COUNTER])
    if status_code == NationalStatus.SUBMITTED:
        return (
            "Hồ sơ nộp trực tuyến đang chờ Bộ phận Một cửa kiểm tra để tiếp nhận. Ngày hẹn trả kết quả "
            "được tính từ khi hồ sơ được tiếp nhận."
        )
    if status_code == NationalStatus.SUPPLEMENT:
        if supplement is not None and supplement.at_intake:
            return "Hồ sơ cần bổ sung giấy tờ trước khi được tiếp nhận. " + WHERE_TO_BRING
        return "Hồ sơ cần bổ sung giấy tờ để tiếp tục được giải quyết. " + WHERE_TO_BRING
    if status_code == NationalStatus.PAYMENT:
        amount = f" {payment.amount_text}" if payment is not None and payment.amount_text else ""
        return (
            f"Cần nộp phí, lệ phí (nghĩa vụ tài chính){amount} để hồ sơ tiếp tục được giải quyết. Thời gian "
            "chờ nộp không tính vào thời hạn giải quyết; ngày hẹn lùi thêm đúng bằng thời gian chờ."
        )
    if status_code in (NationalStatus.RECEIVED, NationalStatus.PROCESSING):
        return (
            "Hồ sơ đang được giải quyết; ông/bà chưa cần làm gì thêm. Nếu cần bổ sung giấy tờ hay nộp phí, "
            "trang này sẽ ghi rõ."
        )
    if status_code == NationalStatus.FINISHED:
        if outcome == REJECTED:
            return (
                "Hồ sơ không được giải quyết. Văn bản trả lời nêu rõ lý do đã sẵn sàng; mời ông/bà nhận "
                f"văn bản {delivery}."
            )
        return f"Đã có kết quả. Mời ông/bà nhận kết quả {delivery}."
    if status_code == NationalStatus.RETURNED:
        if outcome == REJECTED:
            return "Hồ sơ không được giải quyết; văn bản trả lời nêu rõ lý do đã được trả."
        return "Kết quả đã được trả. Hồ sơ đã hoàn tất."
    if status_code == NationalStatus.REFUSED:
        return "Hồ sơ không được tiếp nhận." + (" Xem lý do bên dưới." if reason else "")
    if status_code == NationalStatus.WITHDRAWN:
        return "Hồ sơ đã được rút theo yêu cầu của người nộp."
    return "Hồ sơ đã dừng xử lý." + (" Xem lý do bên dưới." if reason else "")
