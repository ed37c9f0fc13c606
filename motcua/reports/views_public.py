"""The public statistics (/thong-ke/, no sign-in): per unit, the on-time rate, the online rate,
satisfaction and the Decision 766 score of a month, as the national portal's public index shows
them. Aggregates only, no personal data; a satisfaction over fewer than ``MIN_RATINGS`` ratings
is not shown (respondents stay anonymous, Decree 61 art. 27). The figures of a period are
computed once per ``PUBLIC_CACHE_SECONDS`` (the shared cache), the page itself per request.
"""

from datetime import timedelta

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.lib.errors import DomainError
from motcua.org.models import Agency
from motcua.reports import index766, periods, selectors
from motcua.reports.exports import NOTHING, Cell, Table, cell
from motcua.reports.grouping import group_by_units
from motcua.reports.views import on_time_cell, online_cell, satisfaction_cell
from motcua.reports.views_index import index_for

PUBLIC_CACHE_SECONDS = 600
MIN_RATINGS = 5


def public_units() -> list[Agency]:
    """The units the public page lists: the agencies directly below the province's root(s)."""
    roots = Agency.objects.filter(parent__isnull=True, active=True)
    return list(Agency.objects.filter(parent__in=roots, active=True).order_by("kind", "name"))


def public_rows(period: periods.Period) -> list[dict]:
    """Per public unit: its counters and rates (``grouping``) and its 766 score; no names of people."""
    units = public_units()
    everything = Agency.objects.filter(active=True)
    data = selectors.by_agency(agencies=everything, start=period.start, end=period.end)
    rows = []
    for row in group_by_units(data, units):
        unit = row.pop("unit")
        index = index_for(everything.filter(path__startswith=unit.path), period)
        if row["ratings"] < MIN_RATINGS:  # too few to show without pointing at a respondent
            row["rates"]["satisfaction"] = None
            row["ratings"] = 0
        nothing = not index.scored and any(r.status == index766.NO_DATA for r in index.results)
        rows.append(
            {**row, "name": unit.name, "score": index.score if index.scored else None, "nothing": nothing}
        )
    return rows


@require_GET
def public_statistics(request):
    today = timezone.localdate()
    previous = today.replace(day=1) - timedelta(days=1)
    status = 200
    error = ""
    try:
        period = periods.from_query(request.GET, default=periods.month(previous.year, previous.month))
    except DomainError as exc:
        period, error, status = None, exc.message, exc.status
    table = None
    if period is not None:
        key = f"reports:public:{period.start:%Y%m%d}:{period.end:%Y%m%d}"
        rows = cache.get(key)
        if rows is None:
            rows = public_rows(period)
            cache.set(key, rows, PUBLIC_CACHE_SECONDS)
        table = Table(
            title=f"Kết quả giải quyết thủ tục hành chính – {period.label}",
            columns=[
                "Đơn vị",
                "Hồ sơ tiếp nhận",
                "Đã giải quyết",
                "Đúng hạn, trước hạn (%)",
                "Nộp trực tuyến (%)",
                "Hài lòng (%)",
                "Điểm chỉ số 766",
            ],
            rows=[
                [
                    cell(row["name"]),
                    cell(row["received"]),
                    cell(row["finished"]),
                    on_time_cell(row),
                    online_cell(row),
                    satisfaction_cell(row),
                    Cell(row["score"], kind="decimal", blank=NOTHING if row["nothing"] else ""),
                ]
                for row in rows
            ],
            caption=(
                "Tỷ lệ đúng hạn theo công thức của Cổng Dịch vụ công quốc gia (tính cả hồ sơ đang giải "
                f"quyết chưa đến hạn); tỷ lệ hài lòng chỉ hiện khi có từ {MIN_RATINGS} lượt đánh giá; "
                "“chưa đo” là chưa có số liệu, không phải 0."
            ),
            slug="thong-ke",
        )
    context = {
        "page_title": "Thống kê kết quả giải quyết thủ tục hành chính",
        "table": table,
        "period": period,
        "error": error,
        "period_choices": periods.choices(today)[:12],
    }
    return render(request, "reports/public.html", context, status=status)
