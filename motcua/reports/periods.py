"""Reporting periods: what a page, an index or a periodic report covers.

Two conventions exist side by side, and both are configuration, not code:

- calendar periods (a month, a quarter, a year): what dashboards and the national portal's
  public index show, and what Decision 766's monthly index counts;
- statistical periods ("kỳ chốt số liệu"): the periodic reports of the State administrative
  system close their figures from the 15th of the month before to the 14th of the period's last
  month (Decree 09/2019/NĐ-CP art. 12: month 15/(m−1)–14/m, quarter 15 of the month before the
  quarter – 14 of its last month, year 15/12 of the year before – 14/12). That article was read
  from memory and could not be found in the reference corpus: UNVERIFIED, hence
  ``REPORTS_STATISTICAL_START_DAY`` (15 by default; 1 makes statistical periods calendar ones).

A period is addressed in a query string by ``ky`` (``thang-2026-11``, ``quy-2026-4``,
``nam-2026``, ``tk-thang-2026-11``, ``tk-quy-2026-4``, ``tk-nam-2026``) or by ``tu``/``den``
(dd/mm/yyyy, a period chosen by hand). Days are local (Asia/Ho_Chi_Minh), both ends included.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from motcua.lib.errors import InvalidInput
from motcua.workcalendar.calendar import VN_TZ

# A period chosen by hand covers at most this many days (three years): longer is not a report.
MAX_PERIOD_DAYS = 3 * 366
DAY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
KEY_RE = re.compile(r"(tk-)?(thang|quy|nam)-(\d{4})(?:-(\d{1,2}))?")

KIND_LABELS = {
    "thang": "Tháng",
    "quy": "Quý",
    "nam": "Năm",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # last day, included
    label: str
    key: str = ""  # "thang-2026-11"…; empty for a period chosen by hand

    @property
    def start_at(self) -> datetime:
        """The first moment of the period (local midnight), aware."""
        return timezone.make_aware(datetime.combine(self.start, time.min), VN_TZ)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (midnight after its last day): ranges are [start, end)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), VN_TZ)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> str:
        """The query-string part that names this period again (``ky=…`` or ``tu=…&den=…``)."""
        if self.key:
            return f"ky={self.key}"
        return f"tu={self.start:%d/%m/%Y}&den={self.end:%d/%m/%Y}"

    def months(self) -> list["Period"]:
        """The calendar months the period touches, each cut to the period (for trends by month)."""
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            last = _month_end(first.year, first.month)
            start, end = max(first, self.start), min(last, self.end)
            whole = start == first and end == last
            out.append(
                Period(
                    start=start,
                    end=end,
                    label=f"{first.month:02d}/{first.year}",
                    key=f"thang-{first.year}-{first.month}" if whole else "",
                )
            )
            first = last + timedelta(days=1)
        return out

    def truncated(self, today: date) -> "Period":
        """The period up to ``today`` when it is still running (a month not yet over is judged
        on the days it has had)."""
        if self.end <= today or today < self.start:
            return self
        return Period(start=self.start, end=today, label=f"{self.label} (đến {today:%d/%m/%Y})", key=self.key)


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def statistical_start_day() -> int:
    day = int(getattr(settings, "REPORTS_STATISTICAL_START_DAY", 15))
    if not 1 <= day <= 28:
        raise InvalidInput("REPORTS_STATISTICAL_START_DAY phải từ 1 đến 28.")
    return day


def _shift_back(first_of_month: date, start_day: int) -> date:
    """The statistical start for a calendar month starting at ``first_of_month``: the
    ``start_day`` of the month before (or the 1st of the month itself when ``start_day`` is 1)."""
    if start_day == 1:
        return first_of_month
    previous = first_of_month - timedelta(days=1)
    return previous.replace(day=start_day)


def month(year: int, number: int, *, statistical: bool = False) -> Period:
    _check_year(year)
    if not 1 <= number <= 12:
        raise InvalidInput(f"Tháng {number} không hợp lệ: tháng từ 1 đến 12.")
    first, last = date(year, number, 1), _month_end(year, number)
    label = f"Tháng {number:02d}/{year}"
    key = f"thang-{year}-{number}"
    if statistical:
        return _statistical(first, last, label, key)
    return Period(start=first, end=last, label=label, key=key)


def quarter(year: int, number: int, *, statistical: bool = False) -> Period:
    _check_year(year)
    if not 1 <= number <= 4:
        raise InvalidInput(f"Quý {number} không hợp lệ: quý từ 1 đến 4.")
    first = date(year, 3 * number - 2, 1)
    last = _month_end(year, 3 * number)
    label = f"Quý {ROMAN[number]}/{year}"
    key = f"quy-{year}-{number}"
    if statistical:
        return _statistical(first, last, label, key)
    return Period(start=first, end=last, label=label, key=key)


def year_period(year: int, *, statistical: bool = False) -> Period:
    _check_year(year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    label, key = f"Năm {year}", f"nam-{year}"
    if statistical:
        return _statistical(first, last, label, key)
    return Period(start=first, end=last, label=label, key=key)


def _statistical(first: date, last: date, label: str, key: str) -> Period:
    day = statistical_start_day()
    start = _shift_back(first, day)
    end = last if day == 1 else last.replace(day=day - 1)
    return Period(
        start=start,
        end=end,
        label=f"{label} – kỳ chốt số liệu từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}",
        key=f"tk-{key}",
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"Năm {year} không hợp lệ.")


def parse_day(value: str, what: str) -> date:
    """A dd/mm/yyyy day, or InvalidInput with a Vietnamese message naming ``what``."""
    text = (value or "").strip()
    match = DAY_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        day, month_number, year = (int(part) for part in match.groups())
        return date(year, month_number, day)
    except ValueError:
        raise InvalidInput(
            f"{what} “{text}” không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/11/2026.",
            code="invalid_period",
            details={"field": what},
        ) from None


def custom(start: date, end: date) -> Period:
    if end < start:
        raise InvalidInput(
            f"Kỳ báo cáo không hợp lệ: ngày kết thúc ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y}).",
            code="invalid_period",
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput("Kỳ báo cáo dài quá ba năm: hãy chọn kỳ ngắn hơn.", code="invalid_period")
    return Period(start=start, end=end, label=f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")


def from_key(key: str) -> Period:
    match = KEY_RE.fullmatch((key or "").strip().lower())
    if match is None:
        raise InvalidInput(f"Kỳ báo cáo “{key}” không hợp lệ.", code="invalid_period")
    statistical, kind, year_text, number_text = match.groups()
    year = int(year_text)
    if kind == "nam":
        if number_text:
            raise InvalidInput(f"Kỳ báo cáo “{key}” không hợp lệ.", code="invalid_period")
        return year_period(year, statistical=bool(statistical))
    if not number_text:
        raise InvalidInput(f"Kỳ báo cáo “{key}” không hợp lệ.", code="invalid_period")
    maker = month if kind == "thang" else quarter
    return maker(year, int(number_text), statistical=bool(statistical))


def current_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return month(today.year, today.month)


def from_query(params, *, default: Period | None = None) -> Period:
    """The period a query string asks for: ``ky``, else ``tu``/``den``, else ``default`` (the
    current month). Raises InvalidInput (a Vietnamese message) for a malformed or reversed one."""
    key = (params.get("ky") or "").strip()
    if key:
        return from_key(key)
    start_text, end_text = (params.get("tu") or "").strip(), (params.get("den") or "").strip()
    if start_text or end_text:
        today = timezone.localdate()
        start = parse_day(start_text, "Ngày bắt đầu") if start_text else today.replace(day=1)
        end = parse_day(end_text, "Ngày kết thúc") if end_text else today
        return custom(start, end)
    return default or current_month()


def choices(today: date | None = None, *, count: int = 12) -> list[Period]:
    """The periods offered in the pages' period menu: the last ``count`` months, the last four
    quarters, this year and the last, and the statistical periods of each when configured."""
    today = today or timezone.localdate()
    out: list[Period] = []
    y, m = today.year, today.month
    for _ in range(count):
        out.append(month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    q, y = (today.month - 1) // 3 + 1, today.year
    for _ in range(4):
        out.append(quarter(y, q))
        q, y = (q - 1, y) if q > 1 else (4, y - 1)
    out += [year_period(today.year), year_period(today.year - 1)]
    if statistical_start_day() != 1:
        y, m = today.year, today.month
        # The statistical month that contains today, and the ones before it.
        if today.day >= statistical_start_day():
            y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        for _ in range(3):
            out.append(month(y, m, statistical=True))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        q = (m - 1) // 3 + 1
        out.append(quarter(y, q, statistical=True))
    return out
