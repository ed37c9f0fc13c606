"""Payment gateways behind one adapter interface (base.py); `get_gateway()` returns the configured one."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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
