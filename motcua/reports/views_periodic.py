"""The periodic report on the results of resolving procedures (/giam-sat/bao-cao/): per field,
dossiers to resolve (received in the period, online or not, and carried over from before),
resolved early / on time / late, pending within / past the appointment — for a calendar month or
quarter or a statistical period (``periods``), as a page, a PDF (``&xuat=pdf``) and a workbook
(``&xuat=xlsx``). Aggregates only: no personal data in it.

The columns follow the usual layout of the offices' periodic report (received: online, in person
or by post, carried over; resolved: early, on time, late; pending: on time, late); the exact
form of the reporting circular was not available to check: UNVERIFIED.
"""

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.catalog.models import Field
from motcua.reports import selectors
from motcua.reports.exports import REPORT_COLUMNS, PeriodicReport, periodic_report_pdf, periodic_report_xlsx
from motcua.reports.scope import Scope
from motcua.reports.views_common import filter_context, scoped_page, xlsx_response

KEYS = [key for _, key in REPORT_COLUMNS[1:]]


def report_row(scope: Scope, field) -> dict:
    kwargs = {"agencies": scope.agencies, "field": field, "channel": scope.channel}
    t = selectors.totals(start=scope.period.start, end=scope.period.end, **kwargs)
    before = scope.period.start - timedelta(days=1)
    carried = selectors.totals(start=before, end=before, **kwargs)["open"]
    received = t["received"]
    return {
        "total": received + carried,
        "received_online": t["received_online"],
        "received_offline": received - t["received_online"],
        "carried_over": carried,
        "resolved": t["finished"],
        "resolved_early": t["finished_early"],
        "resolved_on_time": t["finished_on_time"],
        "resolved_late": t["finished_late"],
        "pending": t["open"],
        "pending_on_time": t["open"] - t["open_late"],
        "pending_late": t["open_late"],
    }


def build_report(scope: Scope, prepared_by: str = "") -> PeriodicReport:
    fields = [scope.field] if scope.field is not None else list(Field.objects.order_by("name"))
    rows = []
    for field in fields:
        row = report_row(scope, field)
        if any(row.values()):
            rows.append({"field": field.name, **row})
    totals = {key: sum(r[key] for r in rows) for key in KEYS}
    return PeriodicReport(
        agency_name=scope.unit.name,
        period_label=scope.period.label,
        rows=rows,
        totals=totals,
        prepared_at=timezone.now(),
        prepared_by=prepared_by,
    )


def _filename(scope: Scope, extension: str) -> str:
    return (
        f"bao-cao-ket-qua-{scope.unit.code}-{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.{extension}"
    )


@scoped_page
def periodic(request, scope: Scope):
    user = request.user
    report = build_report(scope, prepared_by=user.get_full_name() or user.username)
    output = request.GET.get("xuat")
    if output == "xlsx":
        return xlsx_response(periodic_report_xlsx(report), _filename(scope, "xlsx"))
    if output == "pdf":
        response = HttpResponse(periodic_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{_filename(scope, "pdf")}"'
        response["X-Content-Type-Options"] = "nosniff"
        response._csp_config = {}  # type: ignore[attr-defined]  # a PDF: as csp_override({}) does
        return response
    context = filter_context(request, scope)
    context.update(
        page_title="Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
        report=report,
        columns=REPORT_COLUMNS,
        rows=[[r.get(key) for _, key in REPORT_COLUMNS] for r in report.rows],
        totals=[report.totals[key] for key in KEYS],
    )
    return render(request, "reports/periodic.html", context)
