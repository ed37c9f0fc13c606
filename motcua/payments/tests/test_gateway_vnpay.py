"""The VNPay 2.1.0 adapter: its signatures against vectors computed by another route (the canonical
strings below were produced by Node's URLSearchParams, the WHATWG form-urlencoding, and the hashes by
`openssl dgst -sha512 -hmac`), the redirect's fields, reading notices, and the querydr exchange."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.payments.gateways import BadSignature, GatewayError, PaymentOrder, get_gateway
from motcua.payments.gateways.vnpay import (
    QUERY_REQUEST_FIELDS,
    QUERY_RESPONSE_FIELDS,
    VNPayGateway,
    canonical,
    pipe_signature,
    plain_order_info,
    sign,
)

SECRET = "motcua-vector-secret"  # noqa: S105 — a test vector's key
GATEWAY = VNPayGateway(
    tmn_code="MOTCUA01",
    hash_secret=SECRET,
    pay_url="https://sandbox.example/paymentv2/vpcpay.html",
    api_url="http://127.0.0.1:9/unused",
)

# An IPN whose order text has Vietnamese letters, a `~` and spaces.
IPN = {
    "vnp_Amount": "5000000",
    "vnp_BankCode": "NCB",
    "vnp_OrderInfo": "Thanh toán lệ phí ~ hồ sơ H40.22-261206-0001",
    "vnp_PayDate": "20261206193015",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "MOTCUA01",
    "vnp_TransactionNo": "14000001",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "P261206A1B2C3",
}
IPN_CANONICAL = (
    "vnp_Amount=5000000&vnp_BankCode=NCB&vnp_OrderInfo=Thanh+to%C3%A1n+l%E1%BB%87+ph%C3%AD+%7E+"
    "h%E1%BB%93+s%C6%A1+H40.22-261206-0001&vnp_PayDate=20261206193015&vnp_ResponseCode=00&"
    "vnp_TmnCode=MOTCUA01&vnp_TransactionNo=14000001&vnp_TransactionStatus=00&vnp_TxnRef=P261206A1B2C3"
)
IPN_HASH = (
    "11b4ec997f84981519d85645688ee79e962c8f62dffe289f7bbc1551923817a8"
    "fa807276ad6007b8015ffd8432d9fabdc2e89d6e03436257038f70cdc78b7ca4"
)
ORDER = PaymentOrder(
    txn_ref="P261206A1B2C3",
    amount_vnd=125_000,
    order_info="Thanh toán lệ phí hồ sơ H40.22-261206-0001",
    created_at=datetime(2026, 12, 6, 12, 30, tzinfo=UTC),  # 19:30 in Hà Nội
    expires_at=datetime(2026, 12, 6, 14, 0, tzinfo=UTC),  # 90 minutes later
    client_ip="203.0.113.7",
    return_url="https://dichvucong.example.gov.vn/thanh-toan/vnpay/ket-qua",
)
ORDER_CANONICAL = (
    "vnp_Amount=12500000&vnp_Command=pay&vnp_CreateDate=20261206193000&vnp_CurrCode=VND&"
    "vnp_ExpireDate=20261206210000&vnp_IpAddr=203.0.113.7&vnp_Locale=vn&"
    "vnp_OrderInfo=Thanh+toan+le+phi+ho+so+H40.22-261206-0001&vnp_OrderType=other&"
    "vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.gov.vn%2Fthanh-toan%2Fvnpay%2Fket-qua&"
    "vnp_TmnCode=MOTCUA01&vnp_TxnRef=P261206A1B2C3&vnp_Version=2.1.0"
)
ORDER_HASH = (
    "4098e2fa6e31f9f5c69285c421709c2057807ffae96c22f7147195ad9f4357fa"
    "8582fa25b0553804b886ef97637d1f158b17f67acc11d535157b77d53ae8d1bc"
)


def test_the_canonical_string_and_hash_of_a_notice_match_the_independent_vector():
    assert canonical(IPN) == IPN_CANONICAL
    assert sign(SECRET, IPN) == IPN_HASH


def test_the_hash_fields_and_empty_values_are_left_out_of_the_signed_string():
    params = {**IPN, "vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512", "vnp_BankTranNo": ""}
    assert canonical(params) == IPN_CANONICAL
    assert canonical({**IPN, "other": "1"}) == IPN_CANONICAL


def test_the_redirect_carries_every_field_of_version_2_1_0_signed_as_the_vector_says():
    url = GATEWAY.redirect_url(ORDER)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == GATEWAY.pay_url
    assert parts.query == f"{ORDER_CANONICAL}&vnp_SecureHash={ORDER_HASH}"
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Amount"] == "12500000"  # đồng × 100
    assert params["vnp_CreateDate"] == "20261206193000"  # Vietnam time
    assert params["vnp_ExpireDate"] == "20261206210000"  # the order's own expiry, 90 minutes on
    assert params["vnp_OrderInfo"] == "Thanh toan le phi ho so H40.22-261206-0001"


def test_order_text_is_sent_without_diacritics_or_special_characters():
    assert plain_order_info("Lệ phí cấp Giấy phép: Đăng ký <hộ> kinh doanh ~ 100%") == (
        "Le phi cap Giay phep: Dang ky ho kinh doanh 100"
    )
    assert len(plain_order_info("a" * 400)) == 255


def test_a_correctly_signed_notice_is_read():
    notice = GATEWAY.parse_notice({**IPN, "vnp_SecureHash": IPN_HASH, "vnp_SecureHashType": "HmacSHA512"})
    assert notice.txn_ref == "P261206A1B2C3"
    assert notice.amount_vnd == 50_000
    assert notice.succeeded is True
    assert notice.gateway_transaction_no == "14000001"
    assert notice.paid_at == datetime(2026, 12, 6, 12, 30, 15, tzinfo=UTC)
    assert notice.raw["vnp_OrderInfo"] == IPN["vnp_OrderInfo"]


def test_upper_case_hex_is_accepted_as_the_same_signature():
    assert GATEWAY.parse_notice({**IPN, "vnp_SecureHash": IPN_HASH.upper()}).succeeded


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "5000100"},  # one đồng more
        {"vnp_ResponseCode": "24"},
        {"vnp_OrderInfo": "Thanh toán lệ phí ~ hồ sơ H40.22-261206-0002"},
        {"vnp_SecureHash": IPN_HASH[:-1] + "5"},
        {"vnp_SecureHash": ""},
    ],
)
def test_a_tampered_notice_is_refused(change):
    with pytest.raises(BadSignature):
        GATEWAY.parse_notice({**IPN, "vnp_SecureHash": IPN_HASH, **change})


def test_a_notice_signed_for_another_terminal_is_refused():
    other = {**IPN, "vnp_TmnCode": "OTHER001"}
    with pytest.raises(BadSignature):
        GATEWAY.parse_notice({**other, "vnp_SecureHash": sign(SECRET, other)})


@pytest.mark.parametrize(
    ("response", "status", "succeeded"),
    [("00", "00", True), ("00", "02", False), ("24", "00", False), ("51", "02", False)],
)
def test_success_needs_both_the_response_code_and_the_transaction_status_00(response, status, succeeded):
    params = {**IPN, "vnp_ResponseCode": response, "vnp_TransactionStatus": status}
    assert GATEWAY.parse_notice({**params, "vnp_SecureHash": sign(SECRET, params)}).succeeded is succeeded


@pytest.mark.parametrize("amount", ["5000050", "abc", "", "-5000000"])
def test_an_amount_that_is_not_whole_dong_never_matches_an_amount_due(amount):
    params = {**IPN, "vnp_Amount": amount}
    assert GATEWAY.parse_notice({**params, "vnp_SecureHash": sign(SECRET, params)}).amount_vnd == -1


def test_the_querydr_request_is_signed_over_the_documented_pipe_joined_fields():
    body = GATEWAY.query_request(
        txn_ref="P261206A1B2C3",
        created_at=ORDER.created_at,
        client_ip="10.0.0.5",
        now=datetime(2026, 12, 6, 13, 5, tzinfo=UTC),
    )
    assert body["vnp_Command"] == "querydr"
    assert body["vnp_TransactionDate"] == "20261206193000"
    assert body["vnp_CreateDate"] == "20261206200500"
    assert body["vnp_OrderInfo"] == "Truy van giao dich P261206A1B2C3"
    # The hash for request id R7C4A1B2 (openssl over the pipe-joined string, see the module doc).
    fixed = {**body, "vnp_RequestId": "R7C4A1B2"}
    assert pipe_signature(SECRET, fixed, QUERY_REQUEST_FIELDS) == (
        "5cb7a756fd7acacefbdcabe0c598e4f51204832946c2fc6361cf572381cd5ff7"
        "a87e4aaf1612db841164e8f34638b8db87ac60ce497f49df8fc0ee034b1f6c33"
    )
    assert pipe_signature(SECRET, body, QUERY_REQUEST_FIELDS) == body["vnp_SecureHash"]


def _answer(**fields):
    answer = {
        "vnp_ResponseId": "9",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TxnRef": "P261206A1B2C3",
        "vnp_Amount": "12500000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261206193500",
        "vnp_TransactionNo": "14000009",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "Thanh toan le phi",
        **fields,
    }
    answer["vnp_SecureHash"] = pipe_signature(SECRET, answer, QUERY_RESPONSE_FIELDS)
    return answer


def test_the_querydr_answer_is_checked_over_fifteen_fields_the_promotion_pair_empty():
    answer = _answer()
    joined = (
        "9|querydr|00|QueryDR Success|MOTCUA01|P261206A1B2C3|12500000|NCB|20261206193500|14000009|01|00|"
        "Thanh toan le phi||"
    )
    expected = hmac.new(SECRET.encode(), joined.encode(), hashlib.sha512).hexdigest()
    assert answer["vnp_SecureHash"] == expected
    notice = GATEWAY.read_query_answer(answer, txn_ref="P261206A1B2C3")
    assert notice is not None and notice.succeeded and notice.amount_vnd == 125_000


def test_a_querydr_answer_says_unknown_refused_or_forged():
    assert GATEWAY.read_query_answer(_answer(vnp_ResponseCode="91"), txn_ref="P261206A1B2C3") is None
    with pytest.raises(GatewayError):
        GATEWAY.read_query_answer(_answer(vnp_ResponseCode="97"), txn_ref="P261206A1B2C3")
    with pytest.raises(GatewayError):
        GATEWAY.read_query_answer(_answer(), txn_ref="P-OTHER")
    forged = {**_answer(), "vnp_Amount": "12500100"}
    with pytest.raises(BadSignature):
        GATEWAY.read_query_answer(forged, txn_ref="P261206A1B2C3")
    pending = GATEWAY.read_query_answer(_answer(vnp_TransactionStatus="01"), txn_ref="P261206A1B2C3")
    assert pending is not None and not pending.succeeded


def test_a_gateway_that_does_not_answer_is_a_gateway_error():
    with pytest.raises(GatewayError):
        GATEWAY.query(txn_ref="P1", created_at=ORDER.created_at, client_ip="10.0.0.5")


def test_get_gateway_follows_the_settings(settings):
    settings.VNPAY_TMN_CODE = "ABCDEF12"
    gateway = get_gateway()
    assert gateway.name == "vnpay" and gateway.tmn_code == "ABCDEF12"
    settings.PAYMENT_GATEWAY = "nonexistent.Gateway"
    with pytest.raises(ImproperlyConfigured):
        get_gateway()


def test_expiry_is_the_orders_own(settings):
    later = PaymentOrder(**{**ORDER.__dict__, "expires_at": ORDER.created_at + timedelta(minutes=90)})
    assert dict(parse_qsl(urlsplit(GATEWAY.redirect_url(later)).query))["vnp_ExpireDate"] == "20261206210000"
