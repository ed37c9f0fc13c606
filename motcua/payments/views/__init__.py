"""The payments pages: the citizen's (``citizen``), the officer's (``staff``) and the gateway's
return and IPN (``gateway``). Shared here: what a page shows of a request and its payments."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import overdue_text
from motcua.lib.text import money
from motcua.payments import selectors, vietqr
from motcua.payments.models import PaymentRequest
from motcua.workcalendar.calendar import VN_TZ


def request_context(dossier: Dossier, request: PaymentRequest | None) -> dict[str, Any]:
    """The request (open, else the latest), its lines with amounts written out, its lateness,
    the VietQR transfer while it is open, and every payment of the dossier."""
    now = timezone.now()
    lines = []
    if request is not None:
        for line in request.lines:
            due = line["amount_vnd"] - line.get("reduction_vnd", 0)
            lines.append(
                {
                    **line,
                    "amount_text": money(line["amount_vnd"]),
                    "reduction_text": money(line["reduction_vnd"]) if line.get("reduction_vnd") else "",
                    "due_text": money(due),
                }
            )
    is_open = request is not None and request.state == PaymentRequest.State.OPEN
    transfer = None
    if is_open:
        assert request is not None
        account = vietqr.account_for(request.agency.code)
        if account is not None:
            content = f"{dossier.code} {dossier.applicant_name}"
            transfer = {
                "account": account,
                "amount_text": money(request.total_vnd),
                "content": vietqr.transfer_content(content),
                "svg": vietqr.qr_svg(vietqr.payload(account, amount_vnd=request.total_vnd, content=content)),
            }
    overdue = is_open and request is not None and request.due_by < now
    return {
        "pay_request": request,
        "is_open": is_open,
        "lines": lines,
        "total_text": money(request.total_vnd) if request is not None else "",
        "due_by_local": request.due_by.astimezone(VN_TZ) if request is not None else None,
        "overdue": overdue_text(request.due_by, now) if overdue and request is not None else "",
        "transfer": transfer,
        "payments": selectors.payments_of(dossier),
    }
