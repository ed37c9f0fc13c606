"""Daily reconciliation of gateway payments (`manage.py payments_reconcile --day YYYY-MM-DD`).

The gateway's statement of one day (Vietnam time: the transactions created that day) is compared
with our gateway payments created that day, by our reference (vnp_TxnRef). Every difference is
listed: a transaction on one side only, an amount that differs, a state that differs (money taken
that we did not record as paid, or a payment we record as paid that the gateway did not take).
A payment of ours the gateway never saw (the citizen left before reaching it) is no difference.

The statement is CSV with the columns `STATEMENT_COLUMNS` (the stand-in serves it at
VNPAY_STATEMENT_URL); VNPay's own transaction report is downloaded from its merchant portal and
converted to these columns (README "Thanh toán trực tuyến (VNPay)").
"""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings

from motcua.lib.text import money
from motcua.payments.gateways.vnpay import STATEMENT_COLUMNS
from motcua.payments.models import Payment
from motcua.workcalendar.calendar import VN_TZ

GATEWAY_STATES = ("success", "failed", "pending")
REQUIRED_COLUMNS = ("vnp_TxnRef", "amount_vnd", "status")


class StatementError(Exception):
    """The statement cannot be had or read (its message says why, in Vietnamese)."""


@dataclass(frozen=True)
class StatementRow:
    txn_ref: str
    transaction_no: str
    amount_vnd: int
    status: str  # success | failed | pending


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_ours | missing_gateway | amount | state
    txn_ref: str
    message: str


def read_statement(text: str) -> list[StatementRow]:
    """The rows of a statement in CSV; StatementError names the first line that is not right."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        needed = ", ".join(STATEMENT_COLUMNS)
        raise StatementError(f"Bảng kê thiếu cột: {', '.join(missing)} (cần các cột {needed}).")
    rows = []
    for line, row in enumerate(reader, start=2):
        amount, status = (row.get("amount_vnd") or "").strip(), (row.get("status") or "").strip()
        if not row.get("vnp_TxnRef") or not amount.isdigit() or status not in GATEWAY_STATES:
            raise StatementError(f"Dòng {line} của bảng kê không đọc được: {dict(row)}.")
        rows.append(
            StatementRow(
                txn_ref=row["vnp_TxnRef"].strip(),
                transaction_no=(row.get("vnp_TransactionNo") or "").strip(),
                amount_vnd=int(amount),
                status=status,
            )
        )
    return rows


def fetch_statement(day: date) -> str:
    """The day's statement from VNPAY_STATEMENT_URL (the stand-in's; none in production)."""
    if not settings.VNPAY_STATEMENT_URL:
        raise StatementError("Chưa cấu hình VNPAY_STATEMENT_URL: hãy đưa bảng kê bằng --statement.")
    url = f"{settings.VNPAY_STATEMENT_URL}?{urlencode({'day': day.isoformat()})}"
    try:
        with urllib.request.urlopen(url, timeout=settings.VNPAY_TIMEOUT_SECONDS) as reply:  # noqa: S310
            return reply.read().decode("utf-8")
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as exc:
        raise StatementError(f"Không tải được bảng kê của cổng thanh toán ({url}): {exc}") from exc


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


def reconcile_day(*, day: date, rows: list[StatementRow]) -> list[Difference]:
    """Every difference between the gateway's rows and our gateway payments of `day`."""
    start, end = _day_bounds(day)
    gateway_payments = Payment.objects.filter(method=Payment.Method.GATEWAY)
    ours = {p.txn_ref: p for p in gateway_payments.filter(created_at__gte=start, created_at__lt=end)}
    theirs = {row.txn_ref: row for row in rows}
    # A gateway row for a payment of ours created another day (near midnight) is still ours.
    elsewhere = set(theirs) - set(ours)
    ours.update({p.txn_ref: p for p in gateway_payments.filter(txn_ref__in=elsewhere)})
    differences = []
    for ref in sorted(set(ours) | set(theirs)):
        payment, row = ours.get(ref), theirs.get(ref)
        if payment is None and row is not None:
            differences.append(
                Difference(
                    "missing_ours",
                    ref,
                    f"Giao dịch {ref} ({money(row.amount_vnd)}, {_their_state(row)}) có ở cổng thanh toán "
                    "nhưng không có trong hệ thống.",
                )
            )
        elif row is None and payment is not None:
            if payment.state == Payment.State.SUCCESS or payment.gateway_transaction_no:
                differences.append(
                    Difference(
                        "missing_gateway",
                        ref,
                        f"Giao dịch {ref} ({money(payment.amount_vnd)}, {_our_state(payment)}) có trong hệ "
                        "thống nhưng không có trong bảng kê của cổng thanh toán.",
                    )
                )
        elif payment is not None and row is not None:
            if payment.amount_vnd != row.amount_vnd:
                differences.append(
                    Difference(
                        "amount",
                        ref,
                        f"Giao dịch {ref}: số tiền ở cổng thanh toán {money(row.amount_vnd)}, "
                        f"trong hệ thống {money(payment.amount_vnd)}.",
                    )
                )
            if (row.status == "success") != (payment.state == Payment.State.SUCCESS):
                differences.append(
                    Difference(
                        "state",
                        ref,
                        f"Giao dịch {ref}: cổng thanh toán ghi {_their_state(row)}, "
                        f"hệ thống ghi {_our_state(payment)}.",
                    )
                )
    return differences


def _their_state(row: StatementRow) -> str:
    return {"success": "thành công", "failed": "không thành công", "pending": "chưa hoàn tất"}[row.status]


def _our_state(payment: Payment) -> str:
    return payment.get_state_display().lower()
