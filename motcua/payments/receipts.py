"""The e-receipt (biên lai thu phí, lệ phí điện tử) of a successful payment.

Numbers: a series per collecting agency per year, given by one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` on ``ReceiptSequence`` inside the transaction that records the payment (the pattern
of the dossier codes, motcua/dossiers/services/reception.py): the row stays locked until commit,
so two payments at once get two numbers, and a payment rolled back gives its number back (no gap).

The PDF is rendered from ``payments/receipt.html`` with WeasyPrint, like the legal forms. What it
carries and what was verified of the rules on e-receipts: README, "Phí, lệ phí và thanh toán".
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string

from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import fmt_datetime, html_to_pdf
from motcua.lib.text import money
from motcua.payments.models import Payment, PaymentRequest, Receipt, ReceiptSequence
from motcua.workcalendar.calendar import VN_TZ

RECEIPT_TITLE = "Biên lai thu phí, lệ phí"


def next_receipt_number(agency_id: int, year: int) -> int:
    table = connection.ops.quote_name(ReceiptSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
        "RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, year])
        return cursor.fetchone()[0]


def receipt_series(year: int) -> str:
    return str(settings.PAYMENT_RECEIPT_SERIES).format(yy=f"{year % 100:02d}", yyyy=year)


def receipt_issue(payment: Payment, request: PaymentRequest, dossier: Dossier, *, now: datetime) -> Receipt:
    """The receipt of ``payment`` of ``request`` of ``dossier`` (inside the transaction that
    brought the payment onto the dossier)."""
    year = now.astimezone(VN_TZ).year
    return Receipt.objects.create(
        payment=payment,
        agency_id=request.agency_id,
        year=year,
        number=next_receipt_number(request.agency_id, year),
        series=receipt_series(year),
        issued_at=now,
        payer_name=dossier.applicant_name,
        payer_id=dossier.citizen_id or dossier.tax_code,
        payer_address=dossier.address,
        lines=request.lines,
        total_vnd=payment.amount_vnd,
    )


def amount_in_words(amount: int) -> str:
    """Vietnamese words for an amount of đồng ("Một trăm nghìn đồng")."""
    from num2words import num2words

    words = num2words(amount, lang="vi")
    return f"{words[:1].upper()}{words[1:]} đồng"


def receipt_context(receipt: Receipt) -> dict:
    payment = receipt.payment
    request = payment.request
    dossier = request.dossier
    lines = [
        {
            **line,
            "due_vnd": line["amount_vnd"] - line.get("reduction_vnd", 0),
            "amount_text": money(line["amount_vnd"]),
            "reduction_text": money(line.get("reduction_vnd", 0)) if line.get("reduction_vnd") else "",
            "due_text": money(line["amount_vnd"] - line.get("reduction_vnd", 0)),
        }
        for line in receipt.lines
    ]
    return {
        "title": RECEIPT_TITLE,
        "receipt": receipt,
        "number": f"{receipt.number:07d}",
        "template_no": settings.PAYMENT_RECEIPT_TEMPLATE,
        "agency": receipt.agency,
        "agency_parent": receipt.agency.parent.name if receipt.agency.parent is not None else "",
        "dossier": dossier,
        "procedure": dossier.procedure_snapshot.get("name", ""),
        "lines": lines,
        "total_text": money(receipt.total_vnd),
        "total_words": amount_in_words(receipt.total_vnd),
        "method": payment.get_method_display(),
        "reference": payment.gateway_transaction_no or payment.receipt_number or payment.txn_ref,
        "issued": fmt_datetime(receipt.issued_at),
        "issued_day": receipt.issued_at.astimezone(VN_TZ),
    }


def receipt_html(receipt: Receipt) -> str:
    return render_to_string("payments/receipt.html", receipt_context(receipt))


def receipt_pdf(receipt: Receipt) -> bytes:
    return html_to_pdf(receipt_html(receipt))
