"""The payments' JSON API (``/api/v1/dossiers/{code}/payment…``), for the counter's own software
and scripts: what a dossier owes and its payments, ask for payment, record one taken at the
counter. Staff only, within their jurisdiction; errors in the API's ``{code, message, details}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Router, Schema

from motcua.accounts.auth import API_AUTH
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_for_staff
from motcua.lib.apischema import STAFF_READ, STAFF_WRITE, errors
from motcua.lib.clients import client_ip
from motcua.lib.errors import NotFound
from motcua.org.selectors import is_staff
from motcua.payments import selectors
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.services import payment_record_counter, payment_request_create

router = Router(tags=["Phí, lệ phí"], auth=API_AUTH)


class LineOut(Schema):
    label: str
    kind: str
    amount_vnd: int
    reduction_vnd: int
    ground: str
    basis: str


class PaymentOut(Schema):
    txn_ref: str
    method: str
    state: str
    amount_vnd: int
    paid_online: int
    receipt_number: str
    receipt: int | None
    created_at: datetime
    finished_at: datetime | None


class PaymentStateOut(Schema):
    code: str
    request: dict[str, Any] | None
    payments: list[PaymentOut]


class ReductionIn(Schema):
    line: int
    amount_vnd: int
    ground: str = ""


class RequestIn(Schema):
    version: int
    purpose: str = ""
    due_by: datetime | None = None
    reductions: list[ReductionIn] = []


class CounterIn(Schema):
    version: int
    method: Literal["cash", "card", "transfer"]
    receipt_number: str


def _dossier(request: Any, code: str) -> Dossier:
    if not is_staff(request.auth):
        raise NotFound("Không tìm thấy hồ sơ.", details={"code": code})
    return dossier_for_staff(request.auth, code, ip=client_ip(request))


def _state(dossier: Dossier) -> dict[str, Any]:
    req: PaymentRequest | None = selectors.open_request(dossier) or selectors.latest_request(dossier)
    payments: list[Payment] = selectors.payments_of(dossier)
    return {
        "code": dossier.code,
        "request": None
        if req is None
        else {
            "state": req.state,
            "total_vnd": req.total_vnd,
            "purpose": req.purpose,
            "due_by": req.due_by,
            "lines": [LineOut(**line).dict() for line in req.lines],
        },
        "payments": [
            {
                **{f: getattr(p, f) for f in ("txn_ref", "method", "state", "amount_vnd", "paid_online")},
                "receipt_number": p.receipt_number,
                "receipt": p.receipt.number if hasattr(p, "receipt") else None,
                "created_at": p.created_at,
                "finished_at": p.finished_at,
            }
            for p in payments
        ],
    }


@router.get(
    "/dossiers/{code}/payment",
    response={200: PaymentStateOut, **errors(*STAFF_READ)},
    summary="Phí, lệ phí của hồ sơ",
    description="Yêu cầu nộp phí (đang mở, nếu không thì yêu cầu gần nhất) và các lần thanh toán.",
)
def payment_state(request: Any, code: str) -> dict[str, Any]:
    return _state(_dossier(request, code))


@router.post(
    "/dossiers/{code}/payment/request",
    response={200: PaymentStateOut, **errors(*STAFF_WRITE)},
    summary="Yêu cầu nộp phí, lệ phí",
    description=(
        "Người giữ bước hiện tại yêu cầu nộp (trạng thái 6). `reductions`: miễn, giảm theo dòng "
        "(`line` là số thứ tự dòng từ 0), mỗi dòng phải có căn cứ (`ground`)."
    ),
)
def payment_request(request: Any, code: str, body: RequestIn) -> dict[str, Any]:
    dossier = _dossier(request, code)
    payment_request_create(
        actor=request.auth,
        dossier=dossier,
        expected_version=body.version,
        reductions={r.line: (r.amount_vnd, r.ground) for r in body.reductions},
        purpose=body.purpose,
        due_by=body.due_by,
        ip=client_ip(request),
    )
    return _state(dossier)


@router.post(
    "/dossiers/{code}/payment/counter",
    response={200: PaymentStateOut, **errors(*STAFF_WRITE)},
    summary="Ghi nhận đã nộp tại quầy hoặc chuyển khoản",
    description=(
        "`method`: cash, card hoặc transfer; `receipt_number`: số biên lai, hóa đơn thẻ hoặc mã giao dịch."
    ),
)
def payment_counter(request: Any, code: str, body: CounterIn) -> dict[str, Any]:
    dossier = _dossier(request, code)
    open_request = selectors.open_request(dossier)
    if open_request is None:
        raise NotFound("Hồ sơ không có khoản phí, lệ phí nào chờ nộp.", code="payment_request_not_found")
    payment_record_counter(
        actor=request.auth,
        request=open_request,
        method=body.method,
        receipt_number=body.receipt_number,
        expected_version=body.version,
        ip=client_ip(request),
    )
    return _state(dossier)
