"""Mẫu 07, the tracking register (Sổ theo dõi hồ sơ): A4 landscape PDF and XLSX.

    register_dossiers(agency=..., date_from=..., date_to=..., visible_agencies=...) -> QuerySet
    render_register(agency=..., date_from=..., date_to=..., dossiers=..., prepared_by=user) -> bytes
    render_register_xlsx(agency=..., date_from=..., date_to=..., dossiers=...) -> bytes

One row per dossier received in the period; the formatting helpers and the page layout are the
forms' (``motcua.dossiers.printing``). Reads only.
"""

import io
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import (
    TIMELINESS_LABELS,
    FormInfo,
    agency_context,
    date_line,
    dossier_extension,
    fmt_date,
    fmt_datetime,
    html_to_pdf,
    person_name,
)
from motcua.workcalendar.calendar import VN_TZ

REGISTER = FormInfo("07", "Sổ theo dõi hồ sơ", "dossiers/forms/mau_07.html", "")


def register_row(index: int, dossier: Dossier, *, now: datetime) -> dict:
    extension = dossier_extension(dossier) if dossier.extension_count else None
    if dossier.timeliness:
        timeliness = TIMELINESS_LABELS.get(dossier.timeliness, dossier.get_timeliness_display())
        timeliness_class = dossier.timeliness
    elif dossier.is_open and not dossier.clock_running:
        timeliness, timeliness_class = "Đang tạm dừng tính thời hạn", "open"
    elif dossier.is_open and dossier.due_at is not None:
        late = now > dossier.due_at
        timeliness = "Đang giải quyết, đã quá hạn" if late else "Đang giải quyết, còn hạn"
        timeliness_class = "open_late" if late else "open"
    else:
        timeliness, timeliness_class = "", ""
    return {
        "index": index,
        "code": dossier.code,
        # Printed on two lines: the agency's identifier, then day and number.
        "code_agency": dossier.code.partition("-")[0] + ("-" if "-" in dossier.code else ""),
        "code_rest": dossier.code.partition("-")[2],
        "procedure": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        "applicant": dossier.applicant_name,
        "address": dossier.address,
        "phone": dossier.phone,
        "handling_agency": dossier.handling_agency.name,
        "received": fmt_datetime(dossier.received_at),
        "due": fmt_datetime(dossier.due_at),
        "extended_from": fmt_date(extension.previous_due_at) if extension is not None else "",
        "finished": fmt_datetime(dossier.finished_at),
        "returned": fmt_datetime(dossier.returned_at),
        "collected_by": dossier.collected_by,
        "status": Dossier.State(dossier.state).label
        if dossier.state in Dossier.State.values
        else dossier.state,
        "status_code": dossier.status_code,
        "timeliness": timeliness,
        "timeliness_class": timeliness_class,
    }


def register_html(
    *, agency, date_from: date, date_to: date, dossiers, prepared_by=None, now: datetime | None = None
) -> str:
    """``prepared_by``: the officer who prints the register, named under "Người lập sổ"."""
    now = now or timezone.now()
    rows = [register_row(i, d, now=now) for i, d in enumerate(dossiers, start=1)]
    counts = {
        key: sum(1 for r in rows if r["timeliness_class"] == key)
        for key in ("early", "on_time", "late", "open", "open_late")
    }
    context = {
        "form": REGISTER,
        "agency": agency_context(agency),
        "date_line": date_line(agency, now),
        "date_from": fmt_date(date_from),
        "date_to": fmt_date(date_to),
        "rows": rows,
        "total": len(rows),
        "counts": counts,
        "printed_at": fmt_datetime(now),
        "prepared_by": person_name(prepared_by),
    }
    return render_to_string(REGISTER.template, context)


def render_register(*, agency, date_from: date, date_to: date, dossiers, prepared_by=None) -> bytes:
    """Mẫu 07: one row per dossier of ``dossiers`` (already chosen for the period), A4 landscape."""
    return html_to_pdf(
        register_html(
            agency=agency, date_from=date_from, date_to=date_to, dossiers=dossiers, prepared_by=prepared_by
        )
    )


# The register as a spreadsheet: the columns of Mẫu 07, with real dates (sortable, filterable).
REGISTER_XLSX_COLUMNS = [
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tên thủ tục hành chính", 50),
    ("Mã thủ tục", 11),
    ("Người nộp hồ sơ", 26),
    ("Địa chỉ", 34),
    ("Điện thoại", 13),
    ("Cơ quan chủ trì giải quyết", 30),
    ("Ngày tiếp nhận", 17),
    ("Ngày hẹn trả", 17),
    ("Gia hạn từ ngày", 13),
    ("Ngày có kết quả", 17),
    ("Ngày trả kết quả", 17),
    ("Người nhận kết quả", 22),
    ("Trạng thái", 30),
    ("Mã trạng thái", 9),
    ("Đúng hạn / quá hạn", 24),
]


def _local_naive(moment: datetime | None) -> datetime | None:
    """A spreadsheet cell holds no time zone: the time in Việt Nam."""
    return timezone.localtime(moment, VN_TZ).replace(tzinfo=None) if moment else None


def render_register_xlsx(
    *, agency, date_from: date, date_to: date, dossiers, now: datetime | None = None
) -> bytes:
    """Mẫu 07 as an XLSX workbook: title, period, one row per dossier of ``dossiers``, totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from motcua.lib.spreadsheets import append_row

    now = now or timezone.now()
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None  # a new workbook opens on its one worksheet
    ws.title = "Sổ theo dõi hồ sơ"
    ws.append([f"SỔ THEO DÕI HỒ SƠ (Mẫu số {REGISTER.number})"])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [f"{agency.name} · từ ngày {fmt_date(date_from)} đến ngày {fmt_date(date_to)}"])
    ws.append([f"In lúc {fmt_datetime(now)}"])
    ws.append([title for title, _ in REGISTER_XLSX_COLUMNS])
    header = ws.max_row
    for index, (_, width) in enumerate(REGISTER_XLSX_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = ws.cell(row=header, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    counts = dict.fromkeys(("early", "on_time", "late", "open", "open_late"), 0)
    total = 0
    for index, dossier in enumerate(dossiers, start=1):
        row = register_row(index, dossier, now=now)
        total = index
        if row["timeliness_class"] in counts:
            counts[row["timeliness_class"]] += 1
        extension = dossier_extension(dossier) if dossier.extension_count else None
        # Names, addresses and the rest come from applicants: never a live formula (OWASP).
        append_row(
            ws,
            [
                index,
                row["code"],
                row["procedure"],
                row["procedure_code"],
                row["applicant"],
                row["address"],
                row["phone"],
                row["handling_agency"],
                _local_naive(dossier.received_at),
                _local_naive(dossier.due_at),
                timezone.localtime(extension.previous_due_at, VN_TZ).date()
                if extension is not None
                else None,
                _local_naive(dossier.finished_at),
                _local_naive(dossier.returned_at),
                row["collected_by"],
                row["status"],
                row["status_code"],
                row["timeliness"],
            ],
        )
    for column in ("I", "J", "L", "M"):
        for cell in ws[column][header:]:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for cell in ws["K"][header:]:
        cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = ws.cell(row=header + 1, column=3).coordinate
    last_column = get_column_letter(len(REGISTER_XLSX_COLUMNS))
    ws.auto_filter.ref = f"A{header}:{last_column}{header + total}"
    ws.append([])
    ws.append(
        [
            f"Tổng số: {total} hồ sơ; đã giải quyết trước hạn {counts['early']}, "
            f"đúng hạn {counts['on_time']}, quá hạn {counts['late']}; "
            f"đang giải quyết {counts['open'] + counts['open_late']}, "
            f"trong đó đã quá hạn {counts['open_late']}."
        ]
    )
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def register_dossiers(*, agency, date_from: date, date_to: date, visible_agencies=None):
    """Dossiers received by ``agency`` or an agency below it between the two days (inclusive,
    local time), in order of reception. ``visible_agencies`` narrows to what a user may see."""
    start = timezone.make_aware(datetime.combine(date_from, datetime.min.time()), VN_TZ)
    end = timezone.make_aware(datetime.combine(date_to, datetime.max.time()), VN_TZ)
    queryset = Dossier.objects.filter(
        receiving_agency__path__startswith=agency.path, received_at__gte=start, received_at__lte=end
    )
    if visible_agencies is not None:
        queryset = queryset.filter(receiving_agency__in=visible_agencies)
    return queryset.select_related("procedure", "handling_agency", "extension").order_by(
        "received_at", "code"
    )
