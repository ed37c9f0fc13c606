"""The citizen's payment pages, in "Hồ sơ của tôi":

    /ho-so-cua-toi/<code>/thanh-toan/            what is due and the ways to pay (GET); pay online (POST)
    /ho-so-cua-toi/<code>/bien-lai-<n>.pdf       the e-receipt of a payment

Only the citizen's own dossiers (``citizen_dossier``: another's is the 404 page, the attempt logged).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import citizen_dossier
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, NotFound
from motcua.payments import selectors
from motcua.payments.gateways import GatewayError, get_gateway
from motcua.payments.receipts import receipt_pdf
from motcua.payments.services import payment_start_gateway
from motcua.payments.views import request_context


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return citizen_dossier(request.user, code, ip=client_ip(request))  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from exc


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    pay_request = selectors.open_request(dossier)
    error = ""
    if request.method == "POST":
        if pay_request is None:
            error = "Hồ sơ này không còn khoản phí, lệ phí nào chờ nộp."
        else:
            try:
                _, url = payment_start_gateway(
                    citizen=request.user,
                    request=pay_request,
                    client_ip=client_ip(request) or "",
                    return_url=request.build_absolute_uri(reverse("payments:result")),
                )
            except DomainError as exc:
                error = exc.message
            except GatewayError:
                error = "Cổng thanh toán đang không trả lời. Ông/bà vui lòng thử lại sau ít phút."
            else:
                return redirect(url)
    context = {
        "dossier": dossier,
        **request_context(dossier, pay_request or selectors.latest_request(dossier)),
        "error": error,
    }
    response = render(request, "payments/citizen_pay.html", context, status=400 if error else 200)
    # The form's POST ends in a redirect to the gateway: the browser checks that redirect against
    # the page's form-action, so the gateway's origin is allowed there (and only on this page).
    origin = gateway_origin()
    if origin:
        policy: dict[str, Any] = dict(settings.SECURE_CSP)
        policy["form-action"] = [*policy.get("form-action", [CSP.SELF]), origin]
        response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def gateway_origin() -> str:
    """The scheme and host the gateway's payment page is on ("" when it cannot be told)."""
    try:
        url = urlsplit(str(getattr(get_gateway(), "pay_url", "")))
    except ImproperlyConfigured:
        return ""
    return f"{url.scheme}://{url.netloc}" if url.scheme in ("http", "https") and url.netloc else ""


@never_cache
@login_required
@require_GET
@csp_override({})  # a PDF, not a page: the browser's PDF viewer must not be constrained
def receipt(request: HttpRequest, code: str, number: int) -> HttpResponse:
    dossier = _dossier(request, code)
    try:
        found = selectors.receipt_of(dossier, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"bien-lai-{found.number:07d}.pdf") or ""
    )
    return response
