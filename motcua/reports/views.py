"""The dashboard of a unit or of the province (/giam-sat/): received, resolved, on-time and late
rates, online and postal shares, satisfaction, trends by month, the units below.

Every number comes from ``selectors.dashboard_data`` (the one call ``bench/dashboard.py``
measures) and links to the dossiers behind it (``views_dossiers``), with the same filters.
``?xuat=xlsx`` downloads the page's tables.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from motcua.reports import selectors
from motcua.reports.exports import Cell, Table, cell, rate_cell
from motcua.reports.grouping import finish, group_by_units
from motcua.reports.periods import Period
from motcua.reports.scope import Scope
from motcua.reports.views_common import filter_context, scoped_page, tables_download, wants_xlsx


def pct(value: float | None) -> Decimal | None:
    """A rate (a fraction) as a percentage with two decimals; None stays None ("chưa đo")."""
    return None if value is None else (Decimal(str(value)) * 100).quantize(Decimal("0.01"))


def drill(scope: Scope, metric: str, *, period: Period | None = None, unit=None) -> str:
    """The address of the dossiers behind ``metric`` with the scope's filters."""
    chosen = scope.for_unit(unit) if unit is not None else scope
    params = chosen.params(chi_so=metric)
    if period is not None:
        params.pop("ky", None)
        params.pop("tu", None)
        params.pop("den", None)
        if period.key:
            params["ky"] = period.key
        else:
            params["tu"], params["den"] = f"{period.start:%d/%m/%Y}", f"{period.end:%d/%m/%Y}"
    return reverse("reports:dossiers") + "?" + urlencode(params)


def on_time_cell(row: dict, href: str = "") -> Cell:
    """The national on-time rate (766, 2.1) over finished + open dossiers."""
    return rate_cell(pct(row["rates"]["national_on_time_rate"]), row["finished"] + row["open"], href=href)


def online_cell(row: dict, href: str = "") -> Cell:
    return rate_cell(pct(row["rates"]["online_share"]), row["received"], href=href)


def postal_cell(row: dict, href: str = "") -> Cell:
    return rate_cell(pct(row["rates"]["postal_share"]), row["received"], href=href)


def satisfaction_cell(row: dict, href: str = "") -> Cell:
    return rate_cell(
        pct(row["rates"]["satisfaction"]), row["ratings"], measured=row["ratings_measured"], href=href
    )


def tiles(scope: Scope, t: dict) -> list[dict]:
    r = t["rates"]
    national, decree = pct(r["national_on_time_rate"]), pct(r["on_time_rate_with_open"])
    late, base = t["finished_late"] + t["open_late"], t["finished"] + t["open"]
    out = [
        {"label": "Hồ sơ tiếp nhận", "value": cell(t["received"]), "href": drill(scope, "received")},
        {
            "label": "Đã giải quyết",
            "value": cell(t["finished"]),
            "href": drill(scope, "finished"),
            "sub": f"tỷ lệ giải quyết {cell(pct(r['resolved_rate']), kind='percent').display}",
        },
        {
            "label": "Đúng hạn, trước hạn (chỉ số 766)",
            "value": on_time_cell(t),
            "href": drill(scope, "national_late"),
            "href_label": "Xem hồ sơ quá hạn theo công thức quốc gia",
            "sub": (
                f"theo Nghị định (tính lại thời hạn khi bổ sung): {cell(decree, kind='percent').display}"
                if decree != national
                else "tính cả hồ sơ đang giải quyết chưa đến hạn"
            ),
            "tone": "good",
        },
        {
            "label": "Giải quyết quá hạn",
            "value": cell(t["finished_late"]),
            "href": drill(scope, "finished_late"),
            "sub": f"đang giữ quá hạn: {t['open_late']}; tỷ lệ trễ hạn kể cả hồ sơ đang giữ: "
            f"{cell(pct(late / base if base else None), kind='percent').display}",
            "sub_href": drill(scope, "open_late"),
            "tone": "bad",
        },
        {
            "label": "Nộp trực tuyến",
            "value": online_cell(t),
            "href": drill(scope, "received_online"),
            "sub": f"{cell(t['received_online']).display} hồ sơ",
        },
        {
            "label": "Nộp qua bưu chính",
            "value": postal_cell(t),
            "href": drill(scope, "received_postal"),
            "sub": f"{cell(t['received_postal']).display} hồ sơ",
        },
        {
            "label": "Hài lòng",
            "value": satisfaction_cell(t),
            "href": drill(scope, "unsatisfied") if t["ratings_measured"] else "",
            "href_label": "Xem hồ sơ bị đánh giá không hài lòng",
            "sub": f"{cell(t['ratings']).display} lượt đánh giá" if t["ratings_measured"] else "chưa đo",
        },
        {
            "label": "Đang giải quyết cuối kỳ",
            "value": cell(t["open"]),
            "href": drill(scope, "open"),
            "sub": f"tạm dừng chờ bổ sung, nộp phí: {t['open_paused']}",
        },
    ]
    return out


MONTH_COLUMNS = [
    "Tháng",
    "Tiếp nhận",
    "Đã giải quyết",
    "Giải quyết quá hạn",
    "Đúng hạn, trước hạn (%)",
    "Trực tuyến (%)",
    "Hài lòng (%)",
]


def month_table(scope: Scope, months: list[dict]) -> Table:
    by_month = {m.start.replace(day=1): m for m in scope.period.months()}
    rows = []
    for m in months:
        period = by_month.get(m["month"])
        rows.append(
            [
                cell(period.label if period else f"{m['month']:%m/%Y}"),
                cell(m["received"], drill(scope, "received", period=period)),
                cell(m["finished"], drill(scope, "finished", period=period)),
                cell(m["finished_late"], drill(scope, "finished_late", period=period)),
                on_time_cell(m),
                online_cell(m, drill(scope, "received_online", period=period)),
                satisfaction_cell(m),
            ]
        )
    return Table(
        title="Diễn biến theo tháng",
        columns=MONTH_COLUMNS,
        rows=rows,
        slug="theo-thang",
        caption=(
            "Tỷ lệ đúng hạn theo công thức quốc gia (chỉ số 766, 2.1); "
            "hồ sơ đang giải quyết xét vào ngày cuối tháng."
        ),
    )


UNIT_COLUMNS = [
    "Đơn vị",
    "Tiếp nhận",
    "Đã giải quyết",
    "Giải quyết quá hạn",
    "Đang giữ quá hạn",
    "Đúng hạn, trước hạn (%)",
    "Trực tuyến (%)",
    "Hài lòng (%)",
]


def unit_table(scope: Scope, rows: list[dict], *, title: str) -> Table:
    body = []
    for row in rows:
        unit = row["unit"]
        body.append(
            [
                cell(unit.name, reverse("reports:dashboard") + "?" + scope.for_unit(unit).query()),
                cell(row["received"], drill(scope, "received", unit=unit)),
                cell(row["finished"], drill(scope, "finished", unit=unit)),
                cell(row["finished_late"], drill(scope, "finished_late", unit=unit)),
                cell(row["open_late"], drill(scope, "open_late", unit=unit)),
                on_time_cell(row),
                online_cell(row),
                satisfaction_cell(row),
            ]
        )
    return Table(title=title, columns=UNIT_COLUMNS, rows=body, slug="theo-don-vi")


def dashboard_tables(scope: Scope) -> tuple[dict, list[Table]]:
    data = selectors.dashboard_data(
        agencies=scope.agencies,
        start=scope.period.start,
        end=scope.period.end,
        field=scope.field,
        channel=scope.channel,
    )
    children = list(scope.agencies.filter(parent=scope.unit).order_by("path"))
    grouped = group_by_units(data["agencies"], children)
    # What the unit handles itself (a commune's committee, the province's own departments' parent).
    own = [r for r in data["agencies"] if r["agency_id"] == scope.unit.pk]
    if own and children:
        row = finish(dict(own[0]), measured=own[0]["ratings_measured"])
        row["unit"] = scope.unit
        grouped.insert(0, row)
    tables = [month_table(scope, data["months"])]
    if grouped:
        tables.append(unit_table(scope, grouped, title="Theo đơn vị trực thuộc"))
    return data, tables


@scoped_page
def dashboard(request, scope: Scope):
    data, tables = dashboard_tables(scope)
    if wants_xlsx(request):
        return tables_download(scope, title="Tổng quan giải quyết hồ sơ", tables=tables, name="tong-quan")
    context = filter_context(request, scope)
    context.update(
        page_title="Giám sát giải quyết hồ sơ",
        tiles=tiles(scope, data["totals"]),
        tables=tables,
        totals=data["totals"],
        charts=True,
    )
    return render(request, "reports/dashboard.html", context)
