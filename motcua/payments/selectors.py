"""Reads of the payments app. Staff reach a dossier through ``dossier_for_staff`` (jurisdiction
and audit), citizens through ``citizen_visible_q`` (their own dossiers only)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.lib.errors import NotFound
from motcua.payments.models import Payment, PaymentRequest, Receipt


def open_request(dossier: Dossier) -> PaymentRequest | None:
    return (
        PaymentRequest.objects.filter(dossier=dossier, state=PaymentRequest.State.OPEN)
        .select_related("agency", "dossier")
        .first()
    )


def latest_request(dossier: Dossier) -> PaymentRequest | None:
    return PaymentRequest.objects.filter(dossier=dossier).select_related("agency", "dossier").first()


def payments_of(dossier: Dossier) -> list[Payment]:
    return list(
        Payment.objects.filter(request__dossier=dossier)
        .select_related("request", "recorded_by", "receipt")
        .prefetch_related("refunds")
        .order_by("-created_at", "-pk")
    )


def payment_by_txn_ref(txn_ref: str) -> Payment | None:
    return Payment.objects.filter(txn_ref=txn_ref).select_related("request__dossier", "receipt").first()


def receipt_of(dossier: Dossier, number: int) -> Receipt:
    found = (
        Receipt.objects.filter(payment__request__dossier=dossier, number=number)
        .select_related("payment__request__dossier__procedure", "agency__parent")
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy biên lai.", code="receipt_not_found")
    return found


def overdue_requests(*, now: Any = None) -> list[PaymentRequest]:
    """Open requests past their date, most overdue first."""
    return list(
        PaymentRequest.objects.filter(state=PaymentRequest.State.OPEN, due_by__lt=now or timezone.now())
        .select_related("dossier")
        .order_by("due_by")
    )
