"""Tables of the oversight pages, and their exports (XLSX, the periodic report's PDF).

Every table a page shows is a ``Table``: the template draws it (``reports/_table.html``, each
number a link to the dossiers behind it) and ``tables_xlsx`` writes the same rows into a
workbook, so what is downloaded is what was shown. Text from users (names, agencies) goes
through ``motcua.lib.spreadsheets`` and can never become a live formula.

    tables_xlsx(title=..., subtitle=..., tables=[...]) -> bytes
    dossiers_xlsx(title=..., subtitle=..., dossiers=...) -> bytes   (personal data: audit it)
    periodic_report_pdf(report) / periodic_report_xlsx(report) -> bytes
"""

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from motcua.lib.spreadsheets import append_row
from motcua.workcalendar.calendar import VN_TZ

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a worksheet's name may not hold, and its longest length (Excel's rules).
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class Cell:
    value: Any  # int, Decimal (a rate in percent), str, None ("chưa đo" / nothing)
    href: str = ""  # the dossiers behind the number
    kind: str = ""  # "int", "percent", "decimal", "text"
    note: str = ""  # a short qualifier shown beside the value (e.g. a confidence band)
    blank: str = ""  # shown instead of "chưa đo" when the value is missing for another reason

    @property
    def display(self) -> str:
        if self.value is None and self.blank:
            return self.blank
        return format_value(self.value, self.kind)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    numeric: set[int] = field(default_factory=set)  # column indexes aligned right
    slug: str = ""  # the table's id in the page (the chart beside it reads it)
    empty: str = "Không có số liệu trong kỳ."

    @property
    def labelled_rows(self) -> list[list[tuple[str, Cell]]]:
        """Each row's cells with their column's title (a phone shows the table as cards)."""
        return [list(zip(self.columns, row, strict=False)) for row in self.rows]


def format_value(value: Any, kind: str = "") -> str:
    """Vietnamese number formatting: 1.234, 96,25%, "chưa đo" for None in a rate column."""
    if value is None:
        return "chưa đo" if kind in ("percent", "decimal") else ""
    if kind == "percent":
        return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + "%"
    if kind == "decimal":
        return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    return str(value)


def cell(value: Any, href: str = "", kind: str = "", note: str = "") -> Cell:
    if not kind:
        kind = "int" if isinstance(value, int) else "text"
    return Cell(value=value, href=href, kind=kind, note=note)


NOTHING = "–"  # a rate over nothing: measured, but no dossier (or rating) to divide by


def rate_cell(value: Any, volume: int, *, measured: bool = True, href: str = "", note: str = "") -> Cell:
    """A percentage cell: "chưa đo" when its source is not built, "–" when nothing to divide."""
    return Cell(
        value=value if measured else None,
        href=href if measured and volume else "",
        kind="percent",
        note=note,
        blank=NOTHING if measured and not volume else "",
    )


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator in percent, 2 decimals; None when there is nothing to divide."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"))


def _sheet_name(title: str, used: set[str]) -> str:
    base = title.translate(SHEET_FORBIDDEN).strip()[:28] or "Bảng"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:25]} ({n})"
    used.add(name)
    return name


def _xlsx_value(c: Cell) -> Any:
    if c.value is None:
        return c.display or None
    if c.kind in ("percent", "decimal"):
        return float(c.value)
    return c.value


def tables_xlsx(*, title: str, subtitle: str, tables: list[Table], now: datetime | None = None) -> bytes:
    """One worksheet per table: the title, what it covers, the header and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    now = now or timezone.now()
    wb = Workbook()
    first = wb.active
    if first is not None:
        wb.remove(first)
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.title, used))
        append_row(ws, [f"{title} – {table.title}"])
        ws["A1"].font = Font(bold=True, size=13)
        append_row(ws, [subtitle])
        ws.append([f"Lập lúc {timezone.localtime(now, VN_TZ):%d/%m/%Y %H:%M}"])
        if table.caption:
            append_row(ws, [table.caption])
        append_row(ws, table.columns)
        header = ws.max_row
        for index in range(1, len(table.columns) + 1):
            ws.cell(row=header, column=index).font = Font(bold=True)
            ws.column_dimensions[get_column_letter(index)].width = 40 if index == 1 else 16
        for row in table.rows:
            append_row(ws, [_xlsx_value(c) for c in row])
            for index, c in enumerate(row, start=1):
                if c.kind == "percent" and c.value is not None:
                    ws.cell(row=ws.max_row, column=index).number_format = '0.00"%"'
        ws.freeze_panes = ws.cell(row=header + 1, column=2).coordinate
    if not wb.worksheets:
        wb.create_sheet("Trống")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DOSSIER_COLUMNS = [
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Thủ tục hành chính", 48),
    ("Lĩnh vực", 24),
    ("Người nộp", 26),
    ("Cơ quan giải quyết", 30),
    ("Kênh nộp", 14),
    ("Ngày tiếp nhận", 17),
    ("Ngày hẹn trả", 17),
    ("Ngày có kết quả", 17),
    ("Trạng thái", 28),
    ("Đúng hạn / quá hạn", 16),
]


def _naive(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment, VN_TZ).replace(tzinfo=None) if moment else None


def dossier_row(dossier) -> list[Any]:
    return [
        dossier.code,
        dossier.procedure.name,
        dossier.procedure.field.name if dossier.procedure.field_id else "",
        dossier.applicant_name,
        dossier.handling_agency.name,
        dossier.get_channel_display(),
        _naive(dossier.received_at),
        _naive(dossier.due_at),
        _naive(dossier.finished_at),
        dossier.get_state_display(),
        dossier.get_timeliness_display() if dossier.timeliness else "",
    ]


def dossiers_xlsx(*, title: str, subtitle: str, dossiers, now: datetime | None = None) -> tuple[bytes, int]:
    """The dossiers behind a number, one row each; returns the workbook and the row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    now = now or timezone.now()
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook opens on its one worksheet
    ws.title = "Hồ sơ"
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [subtitle])
    ws.append([f"Lập lúc {timezone.localtime(now, VN_TZ):%d/%m/%Y %H:%M}"])
    ws.append([name for name, _ in DOSSIER_COLUMNS])
    header = ws.max_row
    for index, (_, width) in enumerate(DOSSIER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        ws.cell(row=header, column=index).font = Font(bold=True)
    count = 0
    for count, dossier in enumerate(dossiers, start=1):
        append_row(ws, [count, *dossier_row(dossier)])
    for column in ("H", "I", "J"):
        for c in ws[column][header:]:
            c.number_format = "dd/mm/yyyy hh:mm"
    ws.freeze_panes = ws.cell(row=header + 1, column=3).coordinate
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(DOSSIER_COLUMNS))}{header + count}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), count


# The periodic report on the results of resolving procedures: one row per field.
REPORT_COLUMNS = [
    ("Lĩnh vực", "field"),
    ("Tổng số hồ sơ", "total"),
    ("Tiếp nhận trong kỳ: trực tuyến", "received_online"),
    ("Tiếp nhận trong kỳ: trực tiếp, bưu chính", "received_offline"),
    ("Từ kỳ trước chuyển sang", "carried_over"),
    ("Đã giải quyết: tổng", "resolved"),
    ("Đã giải quyết: trước hạn", "resolved_early"),
    ("Đã giải quyết: đúng hạn", "resolved_on_time"),
    ("Đã giải quyết: quá hạn", "resolved_late"),
    ("Đang giải quyết: tổng", "pending"),
    ("Đang giải quyết: trong hạn", "pending_on_time"),
    ("Đang giải quyết: quá hạn", "pending_late"),
]


@dataclass
class PeriodicReport:
    """What the periodic report shows: ``rows`` one dict per field (keys of REPORT_COLUMNS but
    ``field``: the field's name), ``totals`` the sum."""

    agency_name: str
    period_label: str
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    prepared_at: datetime
    prepared_by: str = ""

    @property
    def on_time_rate(self) -> Decimal | None:
        resolved = self.totals.get("resolved", 0)
        good = self.totals.get("resolved_early", 0) + self.totals.get("resolved_on_time", 0)
        return percent(good, resolved)


def periodic_report_pdf(report: PeriodicReport) -> bytes:
    from motcua.dossiers.printing import html_to_pdf

    html = render_to_string(
        "reports/periodic_report_pdf.html",
        {
            "report": report,
            "columns": REPORT_COLUMNS,
            "rows": [[format_value(r.get(key)) for _, key in REPORT_COLUMNS] for r in report.rows],
            "totals": [format_value(report.totals.get(key)) for _, key in REPORT_COLUMNS[1:]],
            "prepared_at": timezone.localtime(report.prepared_at, VN_TZ),
            "on_time": format_value(report.on_time_rate, "percent"),
        },
    )
    return html_to_pdf(html)


def periodic_report_xlsx(report: PeriodicReport) -> bytes:
    table = Table(
        title="Kết quả giải quyết TTHC",
        columns=[name for name, _ in REPORT_COLUMNS],
        rows=[[cell(r.get(key)) for _, key in REPORT_COLUMNS] for r in report.rows]
        + [[cell("Tổng cộng")] + [cell(report.totals.get(key)) for _, key in REPORT_COLUMNS[1:]]],
    )
    return tables_xlsx(
        title="Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
        subtitle=f"{report.agency_name} · {report.period_label}",
        tables=[table],
        now=report.prepared_at,
    )
