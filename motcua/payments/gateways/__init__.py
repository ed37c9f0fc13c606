"""Payment gateways behind one adapter interface (base.py); `get_gateway()` returns the configured one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.csp import CSP
from django.utils.module_loading import import_string

from motcua.payments.gateways.base import (
    BadSignature,
    Gateway,
    GatewayError,
    GatewayNotice,
    PaymentOrder,
)

__all__ = [
    "BadSignature",
    "Gateway",
    "GatewayError",
    "GatewayNotice",
    "PaymentOrder",
    "allows_gateway_redirect",
    "get_gateway",
]

# settings.PAYMENT_GATEWAY names one of these (or a dotted path to a class of one's own).
GATEWAYS = {"vnpay": "motcua.payments.gateways.vnpay.VNPayGateway"}


def get_gateway() -> Gateway:
    """The gateway of settings.PAYMENT_GATEWAY, built from its settings (read at each call, so that
    tests pointing the settings at a stand-in take effect)."""
    name = getattr(settings, "PAYMENT_GATEWAY", "vnpay")
    path = GATEWAYS.get(name, name)
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"PAYMENT_GATEWAY={name!r}: không có cổng thanh toán này.") from exc
    return cls.from_settings()


def gateway_origin() -> str:
    """scheme://host[:port] of the page the citizen is sent to (the gateway's pay URL)."""
    parts = urlsplit(getattr(get_gateway(), "pay_url", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def allows_gateway_redirect(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the view of the page whose form starts a payment: the form is answered with a redirect
    to the gateway, and browsers hold a form's redirects to the page's CSP form-action (Chromium
    blocks it), so that page — only that page — also allows the gateway's origin."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        origin = gateway_origin()
        if origin:
            csp: dict[str, Any] = dict(getattr(response, "_csp_config", None) or settings.SECURE_CSP)
            csp["form-action"] = [*csp.get("form-action", [CSP.SELF]), origin]
            response._csp_config = csp  # type: ignore[attr-defined]  # read by Django's CSP middleware
        return response

    return wrapped
