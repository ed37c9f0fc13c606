"""Rankings of communes and departments (/giam-sat/xep-hang/) and "who held the late dossiers"
(/giam-sat/tre-han/).

A ranking shows the volume behind each rate and its 95% band (Wilson), and orders by the edge
of the band that is least flattering (the lower bound for a good rate, the upper for the late
rate read the other way): 3 of 3 on time ranks below 285 of 300. A unit with fewer than
``REPORTS_RANKING_MIN_VOLUME`` dossiers behind the rate is listed apart, not ranked.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse

from motcua.lib.errors import InvalidInput
from motcua.org.models import AdministrativeUnit, Agency
from motcua.reports import selectors
from motcua.reports.exports import Table, cell, rate_cell
from motcua.reports.grouping import group_by_units
from motcua.reports.scope import Scope
from motcua.reports.views import drill, online_cell, pct, satisfaction_cell
from motcua.reports.views_common import filter_context, scoped_page, tables_download, wants_xlsx

GROUPS = {
    "xa": "Xã, phường",
    "so": "Sở, ban, ngành",
}
# (rate key, its volume key(s), label, higher is better)
ORDERS = {
    "tre-han": ("late_with_open", "late_base", "Tỷ lệ trễ hạn", False),
    "truc-tuyen": ("online_share", "received", "Tỷ lệ nộp trực tuyến", True),
    "hai-long": ("satisfaction", "ratings", "Tỷ lệ hài lòng", True),
}


def min_volume() -> int:
    return int(getattr(settings, "REPORTS_RANKING_MIN_VOLUME", 20))


def ranked_units(scope: Scope, group: str) -> list[Agency]:
    agencies = scope.agencies.filter(active=True)
    if group == "xa":
        agencies = agencies.filter(
            kind=Agency.Kind.PEOPLES_COMMITTEE, admin_unit__level=AdministrativeUnit.Level.COMMUNE
        )
    else:
        agencies = agencies.filter(kind=Agency.Kind.DEPARTMENT)
    return list(agencies.order_by("path"))


def _band_note(band) -> str:
    if band is None:
        return ""
    low, high = (pct(v) for v in band)
    return f"(khoảng tin cậy 95%: {cell(low, kind='percent').display} – {cell(high, kind='percent').display})"


def ranking_table(scope: Scope, rows: list[dict], order: str) -> tuple[Table, Table | None]:
    key, volume_key, label, higher_better = ORDERS[order]
    threshold = min_volume()

    def edge(row):
        band = row["bands"].get(key)
        if band is None:
            return -1.0
        return band[0] if higher_better else -band[1]

    measured = [r for r in rows if r["rates"].get(key) is not None]
    enough = sorted((r for r in measured if r[volume_key] >= threshold), key=edge, reverse=True)
    few = [r for r in rows if r not in enough]
    columns = [
        "Đơn vị",
        "Hạng",
        label + " (%)",
        "Số hồ sơ (lượt) tính tỷ lệ",
        "Tiếp nhận",
        "Giải quyết quá hạn",
        "Đang giữ quá hạn",
        "Trực tuyến (%)",
        "Hài lòng (%)",
    ]

    def line(rank, row):
        unit = row["unit"]
        return [
            cell(unit.name, reverse("reports:dashboard") + "?" + scope.for_unit(unit).query()),
            cell(rank),
            rate_cell(
                pct(row["rates"].get(key)),
                row[volume_key],
                measured=key != "satisfaction" or row["ratings_measured"],
                note=_band_note(row["bands"].get(key)),
            ),
            cell(row[volume_key]),
            cell(row["received"], drill(scope, "received", unit=unit)),
            cell(row["finished_late"], drill(scope, "finished_late", unit=unit)),
            cell(row["open_late"], drill(scope, "open_late", unit=unit)),
            online_cell(row, drill(scope, "received_online", unit=unit)),
            satisfaction_cell(row),
        ]

    direction = "cao đến thấp" if higher_better else "thấp đến cao (đơn vị trễ nhiều nhất ở cuối)"
    ranked = Table(
        title=f"Xếp hạng theo {label.lower()}",
        columns=columns,
        rows=[line(i, r) for i, r in enumerate(enough, start=1)],
        slug="xep-hang",
        empty="Chưa có đơn vị nào đủ số hồ sơ để xếp hạng.",
        caption=(
            f"Xếp từ {direction} theo cận {'dưới' if higher_better else 'trên'} của khoảng tin cậy 95% "
            f"(Wilson), để đơn vị có ít hồ sơ không đứng trên đơn vị nhiều hồ sơ chỉ nhờ may rủi; "
            f"chỉ xếp hạng đơn vị có từ {threshold} hồ sơ (lượt) trở lên."
        ),
    )
    unranked = None
    if few:
        unranked = Table(
            title=f"Chưa đủ {threshold} hồ sơ (lượt) để xếp hạng",
            columns=columns,
            rows=[line("–", r) for r in few],
            slug="chua-xep-hang",
        )
    return ranked, unranked


@scoped_page
def rankings(request, scope: Scope):
    group = request.GET.get("nhom") or "xa"
    order = request.GET.get("theo") or "tre-han"
    if group not in GROUPS or order not in ORDERS:
        raise InvalidInput("Cách xếp hạng không hợp lệ.")
    units = ranked_units(scope, group)
    data = selectors.by_agency(
        agencies=scope.agencies, start=scope.period.start, end=scope.period.end, field=scope.field
    )
    rows = group_by_units(data, units)
    ranked, unranked = ranking_table(scope, rows, order)
    tables = [t for t in (ranked, unranked) if t is not None]
    if wants_xlsx(request):
        return tables_download(scope, title="Xếp hạng đơn vị", tables=tables, name="xep-hang")
    context = filter_context(request, scope)
    context.update(
        page_title="Xếp hạng đơn vị",
        tables=tables,
        groups=GROUPS,
        orders={k: v[2] for k, v in ORDERS.items()},
        group=group,
        order=order,
        hidden_fields=[("nhom", group), ("theo", order)],
        list_query=scope.query(nhom=group, theo=order),
    )
    return render(request, "reports/rankings.html", context)


LATE_COLUMNS = [
    "Cơ quan",
    "Cán bộ giữ hồ sơ",
    "Bước xử lý quá hạn",
    "Hồ sơ",
    "Tổng số giờ quá hạn",
    "Đang giữ quá hạn",
]


@scoped_page
def late_holders(request, scope: Scope):
    rows = selectors.late_steps(
        agencies=scope.agencies,
        start=scope.period.start,
        end=scope.period.end,
        field=scope.field,
        channel=scope.channel,
    )
    codes = dict(Agency.objects.filter(pk__in={r["agency_id"] for r in rows}).values_list("pk", "code"))
    users = get_user_model().objects.filter(pk__in={r["officer_id"] for r in rows if r["officer_id"]})
    usernames = {u.pk: (u.username, u.get_full_name() or u.username) for u in users}
    body = []
    for r in rows:
        username, name = usernames.get(r["officer_id"], ("-", "Chưa giao cán bộ"))
        href = (
            reverse("reports:dossiers")
            + "?"
            + scope.query(chi_so="late_steps", co_quan=codes[r["agency_id"]], can_bo=username)
        )
        body.append(
            [
                cell(r["agency_name"]),
                cell(name),
                cell(r["late_steps"], href),
                cell(r["dossiers"], href),
                cell(r["late_hours"], kind="decimal"),
                cell(r["still_late"]),
            ]
        )
    table = Table(
        title="Bước xử lý quá hạn theo người giữ hồ sơ",
        columns=LATE_COLUMNS,
        rows=body,
        slug="ai-giu",
        caption=(
            "Mỗi dòng là một cơ quan và cán bộ đã nhận bước xử lý (theo phiếu kiểm soát quá trình), "
            "các bước kết thúc quá hạn trong kỳ; số giờ quá hạn tính theo giờ thực tế sau hạn của bước."
        ),
    )
    if wants_xlsx(request):
        return tables_download(scope, title="Ai giữ hồ sơ trễ hạn", tables=[table], name="tre-han")
    context = filter_context(request, scope)
    context.update(page_title="Ai giữ hồ sơ trễ hạn", tables=[table])
    return render(request, "reports/tables.html", context)
