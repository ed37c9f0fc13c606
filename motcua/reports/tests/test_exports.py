"""Exports: every table as a formula-safe workbook; the periodic report as PDF (rendered to PNG
for a look) and XLSX; the vendored chart.js is the one package.json pins."""

import io
import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.reports.exports import (
    PeriodicReport,
    Table,
    cell,
    format_value,
    periodic_report_pdf,
    periodic_report_xlsx,
    rate_cell,
    tables_xlsx,
)

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def test_numbers_read_the_vietnamese_way():
    assert format_value(1234567) == "1.234.567"
    assert format_value(Decimal("96.25"), "percent") == "96,25%"
    assert format_value(Decimal("1234.5"), "decimal") == "1.234,50"
    assert format_value(None, "percent") == "chưa đo"
    assert rate_cell(None, 0).display == "–"  # measured, nothing to divide
    assert rate_cell(Decimal(50), 4, measured=False).display == "chưa đo"


def test_a_table_downloads_as_it_was_shown_and_names_never_become_formulas():
    table = Table(
        title="Theo đơn vị trực thuộc",
        columns=["Đơn vị", "Tiếp nhận", "Trực tuyến (%)"],
        rows=[
            [cell('=HYPERLINK("http://x.example","Bấm")'), cell(12), rate_cell(Decimal("41.67"), 12)],
            [cell("Xã Bình Minh"), cell(0), rate_cell(None, 0)],
        ],
    )
    content = tables_xlsx(
        title="Tổng quan", subtitle="Tỉnh Thử Nghiệm · Tháng 03/2026", tables=[table], now=NOW
    )
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Tổng quan – Theo đơn vị trực thuộc"
    assert values[3] == ["Đơn vị", "Tiếp nhận", "Trực tuyến (%)"]
    assert values[4] == ['=HYPERLINK("http://x.example","Bấm")', 12, 41.67]
    assert sheet.cell(row=5, column=1).data_type == "s"  # text, not a live formula
    assert values[5] == ["Xã Bình Minh", 0, "–"]


REPORT = PeriodicReport(
    agency_name="Ủy ban nhân dân xã An Bình",
    period_label="Quý I/2026 – kỳ chốt số liệu từ 15/12/2025 đến 14/03/2026",
    rows=[
        {
            "field": "Hộ tịch",
            "total": 120,
            "received_online": 40,
            "received_offline": 70,
            "carried_over": 10,
            "resolved": 100,
            "resolved_early": 60,
            "resolved_on_time": 35,
            "resolved_late": 5,
            "pending": 20,
            "pending_on_time": 18,
            "pending_late": 2,
        }
    ],
    totals={
        "total": 120,
        "received_online": 40,
        "received_offline": 70,
        "carried_over": 10,
        "resolved": 100,
        "resolved_early": 60,
        "resolved_on_time": 35,
        "resolved_late": 5,
        "pending": 20,
        "pending_on_time": 18,
        "pending_late": 2,
    },
    prepared_at=NOW,
    prepared_by="Vũ Thị Sát",
)


def test_the_periodic_report_pdf(tmp_path):
    content = periodic_report_pdf(REPORT)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    for expected in (
        "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT",
        "Hộ tịch",
        "95,00%",
        "Vũ Thị Sát",
        "14/03/2026",
    ):
        assert expected in text, expected
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(content)
    out = ROOT / "var" / "screenshots" / "oversight-periodic-report"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = ["/usr/bin/pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(out)]
    subprocess.run(command, check=True)  # noqa: S603 — fixed arguments, our own file
    assert out.with_suffix(".png").stat().st_size > 10_000


def test_the_periodic_report_xlsx():
    sheet = load_workbook(io.BytesIO(periodic_report_xlsx(REPORT))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[4][:3] == ["Hộ tịch", 120, 40]
    assert rows[5][0] == "Tổng cộng" and rows[5][5] == 100


def test_the_vendored_chart_js_is_the_version_package_json_pins():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["chart.js"]
    vendored = ROOT / "motcua/reports/static/reports/vendor/chartjs/chart.umd.min.js"
    assert f"Chart.js v{pinned}" in vendored.read_text(encoding="utf-8")[:300]
    assert (vendored.parent / "LICENSE.md").exists()
    installed = ROOT / "node_modules/chart.js/dist/chart.umd.min.js"
    if installed.exists():  # `make test` installs node_modules; `make vendor-charts` refreshes the copy
        assert installed.read_bytes() == vendored.read_bytes()
