"""VNPay payment gateway, API version 2.1.0 (https://sandbox.vnpayment.vn/apis/docs/).

Three exchanges, each signed with HMAC-SHA512 (lower-case hex) under the shared secret
(VNPAY_HASH_SECRET):

- pay: the citizen's browser is redirected to VNPAY_PAY_URL with the order's `vnp_*` fields and
  `vnp_SecureHash` over *every other* non-empty `vnp_*` field, sorted by name, each name and value
  form-urlencoded (space as `+`) and joined with `&` — the same canonical string VNPay signs its
  return and IPN parameters with, and which `parse_notice` checks (without `vnp_SecureHash` and
  `vnp_SecureHashType`).
- querydr: a JSON POST to VNPAY_API_URL whose `vnp_SecureHash` covers a fixed list of fields
  joined with `|` (not the sorted canonical string); the answer is signed the same way over its
  own list, where the fields it leaves out (the promotion pair, usually) count as empty strings.

Times on the wire are `yyyyMMddHHmmss` in Vietnam time (GMT+7).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from motcua.payments.gateways.base import BadSignature, GatewayError, GatewayNotice, PaymentOrder

VERSION = "2.1.0"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
SUCCESS = "00"
# querydr: what is signed, in this order (VNPay's "Truy vấn kết quả thanh toán (QueryDr)").
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
# The day's transaction statement `manage.py payments_reconcile` reads (CSV, one row per
# transaction, `status` success|failed|pending): the stand-in's, and what VNPay's merchant-portal
# report is converted to (README).
STATEMENT_COLUMNS = [
    "vnp_TxnRef", "vnp_TransactionNo", "amount_vnd", "status", "vnp_ResponseCode",
    "vnp_TransactionStatus", "vnp_BankCode", "vnp_PayDate", "vnp_CreateDate",
]  # fmt: skip
# querydr's vnp_ResponseCode for "no such transaction" (the request itself was fine).
QUERY_NOT_FOUND = "91"


def vnp_time(moment: datetime) -> str:
    """An aware datetime as VNPay writes it: yyyyMMddHHmmss in Vietnam time."""
    return moment.astimezone(VN_TZ).strftime(TIME_FORMAT)


def parse_vnp_time(text: str) -> datetime | None:
    """VNPay's yyyyMMddHHmmss (Vietnam time) as an aware datetime; None when empty or malformed."""
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        return None


def form_quote(value: str) -> str:
    """One name or value form-urlencoded as application/x-www-form-urlencoded serialises it (and
    Java's URLEncoder, PHP's urlencode in VNPay's own samples): UTF-8, space as `+`, `~` as %7E.
    Python's quote_plus keeps `~` as it is (RFC 3986 unreserved), which would sign a different
    string than the gateway for an order text holding one."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def canonical(params: Mapping[str, str]) -> str:
    """The string VNPay signs for pay/return/IPN: every non-empty vnp_* field but the hash fields,
    sorted by name, `name=value` form-urlencoded, joined with `&`."""
    fields = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in UNSIGNED and v != ""
    )
    return "&".join(f"{form_quote(k)}={form_quote(str(v))}" for k, v in fields)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def sign(secret: str, params: Mapping[str, str]) -> str:
    return hmac_sha512(secret, canonical(params))


def signature_valid(secret: str, params: Mapping[str, str]) -> bool:
    received = str(params.get("vnp_SecureHash", ""))
    return bool(received) and hmac.compare_digest(received.lower(), sign(secret, params))


def pipe_signature(secret: str, values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    """querydr's signature: the listed fields' values (absent → empty) joined with `|`."""
    return hmac_sha512(secret, "|".join(str(values.get(f, "") or "") for f in fields))


def plain_order_info(text: str, limit: int = 255) -> str:
    """vnp_OrderInfo as VNPay asks for it: Vietnamese without diacritics, no special characters
    (letters, digits, space and `-_.,:/#` kept), at most 255 characters."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    kept = "".join(c if c.isalnum() or c in " -_.,:/#" else " " for c in ascii_text)
    return " ".join(kept.split())[:limit]


@dataclass(frozen=True)
class VNPayGateway:
    tmn_code: str
    hash_secret: str
    pay_url: str
    api_url: str
    order_type: str = "other"
    timeout: float = 10.0
    name: str = "vnpay"

    @classmethod
    def from_settings(cls) -> VNPayGateway:
        return cls(
            tmn_code=settings.VNPAY_TMN_CODE,
            hash_secret=settings.VNPAY_HASH_SECRET,
            pay_url=settings.VNPAY_PAY_URL,
            api_url=settings.VNPAY_API_URL,
            order_type=getattr(settings, "VNPAY_ORDER_TYPE", "other"),
            timeout=getattr(settings, "VNPAY_TIMEOUT_SECONDS", 10.0),
        )

    # -- pay ----------------------------------------------------------------------------------
    def order_params(self, order: PaymentOrder) -> dict[str, str]:
        """The signed fields of the redirect for one order."""
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CreateDate": vnp_time(order.created_at),
            "vnp_ExpireDate": vnp_time(order.expires_at),
            "vnp_CurrCode": "VND",
            "vnp_IpAddr": order.client_ip,
            "vnp_Locale": order.locale,
            "vnp_OrderInfo": plain_order_info(order.order_info),
            "vnp_OrderType": self.order_type,
            "vnp_ReturnUrl": order.return_url,
            "vnp_TxnRef": order.txn_ref,
        }
        params["vnp_SecureHash"] = sign(self.hash_secret, params)
        return params

    def redirect_url(self, order: PaymentOrder) -> str:
        params = self.order_params(order)
        # The query string is the canonical string itself (same encoding), plus the hash.
        query = canonical(params) + "&vnp_SecureHash=" + params["vnp_SecureHash"]
        return f"{self.pay_url}{'&' if '?' in self.pay_url else '?'}{query}"

    # -- return and IPN -----------------------------------------------------------------------
    def parse_notice(self, params: Mapping[str, str]) -> GatewayNotice:
        """Checks the signature (and that the notice is for our terminal), then reads it."""
        if not signature_valid(self.hash_secret, params):
            raise BadSignature("Chữ ký không hợp lệ.")
        if params.get("vnp_TmnCode", self.tmn_code) != self.tmn_code:
            raise BadSignature("Thông báo không dành cho mã website (vnp_TmnCode) của đơn vị.")
        return self._notice(params)

    def _notice(self, params: Mapping[str, str]) -> GatewayNotice:
        amount = str(params.get("vnp_Amount", ""))
        response = str(params.get("vnp_ResponseCode", ""))
        status = str(params.get("vnp_TransactionStatus", ""))
        return GatewayNotice(
            txn_ref=str(params.get("vnp_TxnRef", "")),
            # đồng × 100 on the wire; a value that is not a whole number of đồng is -1, which never
            # equals an amount due (the caller answers "wrong amount").
            amount_vnd=int(amount) // 100 if amount.isdigit() and int(amount) % 100 == 0 else -1,
            succeeded=response == SUCCESS and status == SUCCESS,
            response_code=response,
            transaction_status=status,
            gateway_transaction_no=str(params.get("vnp_TransactionNo", "")),
            bank_code=str(params.get("vnp_BankCode", "")),
            paid_at=parse_vnp_time(str(params.get("vnp_PayDate", ""))),
            raw={k: str(v) for k, v in params.items()},
        )

    # -- querydr ------------------------------------------------------------------------------
    def query_request(
        self, *, txn_ref: str, created_at: datetime, client_ip: str, now: datetime | None = None
    ) -> dict[str, str]:
        """The signed JSON body of a querydr request about one transaction."""
        body = {
            "vnp_RequestId": secrets.token_hex(16),  # unique per request within the day
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": f"Truy van giao dich {txn_ref}",
            "vnp_TransactionDate": vnp_time(created_at),  # the pay request's vnp_CreateDate
            "vnp_CreateDate": vnp_time(now or timezone.now()),
            "vnp_IpAddr": client_ip,
        }
        body["vnp_SecureHash"] = pipe_signature(self.hash_secret, body, QUERY_REQUEST_FIELDS)
        return body

    def query(self, *, txn_ref: str, created_at: datetime, client_ip: str) -> GatewayNotice | None:
        body = self.query_request(txn_ref=txn_ref, created_at=created_at, client_ip=client_ip)
        request = urllib.request.Request(  # noqa: S310 — the URL is configuration (https in production)
            self.api_url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                answer = json.loads(reply.read().decode())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise GatewayError(f"Không hỏi được cổng thanh toán (querydr): {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("Cổng thanh toán trả lời querydr không đúng định dạng.")
        return self.read_query_answer(answer, txn_ref=txn_ref)

    def read_query_answer(self, answer: Mapping[str, object], *, txn_ref: str) -> GatewayNotice | None:
        """Checks and reads a querydr answer: None when the gateway does not know the transaction."""
        values = {k: "" if v is None else str(v) for k, v in answer.items()}
        expected = pipe_signature(self.hash_secret, values, QUERY_RESPONSE_FIELDS)
        if not hmac.compare_digest(values.get("vnp_SecureHash", "").lower(), expected):
            raise BadSignature("Chữ ký trong trả lời querydr không hợp lệ.")
        code = values.get("vnp_ResponseCode", "")
        if code == QUERY_NOT_FOUND:
            return None
        if code != SUCCESS:
            message = values.get("vnp_Message", "")
            raise GatewayError(f"Cổng thanh toán từ chối truy vấn (mã {code}: {message}).")
        if values.get("vnp_TxnRef") != txn_ref or values.get("vnp_TmnCode") != self.tmn_code:
            raise GatewayError("Trả lời querydr nói về một giao dịch khác.")
        return self._notice(values)


def signed_params(secret: str, params: Mapping[str, str]) -> dict[str, str]:
    """`params` with their vnp_SecureHash (used by the stand-in to sign its return and IPN)."""
    return {**params, "vnp_SecureHash": sign(secret, params)}
