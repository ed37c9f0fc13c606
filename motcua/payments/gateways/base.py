"""The payment gateway adapter interface: what the payments app asks of any gateway.

`payments` (services, the citizen's page, the IPN and return views, the polling job) speaks only
these types; each gateway (VNPay 2.1.0 in `vnpay.py`, another later) turns them into its own
protocol. A gateway adapter holds no state and touches no database: it builds the redirect URL,
checks and reads the gateway's signed notices, and asks the gateway about one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PaymentOrder:
    """One attempt to pay, as sent to the gateway. `txn_ref` is ours and unique per attempt."""

    txn_ref: str
    amount_vnd: int
    order_info: str
    created_at: datetime
    expires_at: datetime
    client_ip: str
    return_url: str
    locale: str = "vn"


@dataclass(frozen=True)
class GatewayNotice:
    """What the gateway says happened to one transaction (IPN, return, or query answer), after its
    signature was checked. `succeeded` is the gateway's own verdict (VNPay: response code and
    transaction status both "00"); the caller still checks the amount against its own record."""

    txn_ref: str
    amount_vnd: int
    succeeded: bool
    response_code: str
    transaction_status: str
    gateway_transaction_no: str
    bank_code: str
    paid_at: datetime | None
    raw: dict[str, str] = field(default_factory=dict)


class BadSignature(Exception):
    """The parameters are not signed with our shared secret (forged, tampered or truncated)."""


class GatewayError(Exception):
    """The gateway could not be asked, or answered something we cannot read (network, HTTP, JSON)."""


class Gateway(Protocol):
    name: str

    def redirect_url(self, order: PaymentOrder) -> str:
        """The URL the citizen's browser is sent to, carrying the signed order."""
        ...

    def parse_notice(self, params: Mapping[str, str]) -> GatewayNotice:
        """Checks the signature of a notice (IPN or return query string) and reads it.
        Raises BadSignature when the signature does not match."""
        ...

    def query(self, *, txn_ref: str, created_at: datetime, client_ip: str) -> GatewayNotice | None:
        """Asks the gateway what became of one transaction; None when the gateway does not know it.
        Raises GatewayError when it cannot be asked, BadSignature when its answer is not signed."""
        ...
