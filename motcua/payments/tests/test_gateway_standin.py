"""The VNPay stand-in speaks the protocol the adapter speaks: it accepts only correctly signed
redirects, signs its return and IPN so that the adapter accepts them, answers querydr, and lists
the day's transactions. Driven over real HTTP on loopback (no database)."""

import csv
import io
import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import time_machine

from motcua.payments.gateways import BadSignature, PaymentOrder, get_gateway
from motcua.payments.gateways.vnpay import sign

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 — loopback
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _post_choice(base: str, txn_ref: str, outcome: str) -> urllib.error.HTTPError:
    opener = urllib.request.build_opener(_NoRedirect)
    data = urlencode({"vnp_TxnRef": txn_ref, "ket_qua": outcome}).encode()
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(f"{base}/paymentv2/chon", data=data, timeout=5)
    return caught.value


class _IpnReceiver:
    """The merchant's side of the IPN: records each GET and answers RspCode 00."""

    def __init__(self):
        self.calls: list[tuple[dict, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                receiver.calls.append((dict(parse_qsl(urlsplit(self.path).query)), dict(self.headers)))
                body = json.dumps({"RspCode": "00", "Message": "Confirm Success"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/thanh-toan/vnpay/ipn"


@pytest.fixture
def ipn_receiver():
    receiver = _IpnReceiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _order(txn_ref="P1", amount=125_000):
    return PaymentOrder(
        txn_ref=txn_ref,
        amount_vnd=amount,
        order_info="Thanh toán lệ phí hồ sơ H40.22-261206-0001",
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=90),
        client_ip="203.0.113.7",
        return_url="http://127.0.0.1:1/thanh-toan/vnpay/ket-qua",
    )


@time_machine.travel(NOW, tick=False)
def test_a_paid_order_calls_the_ipn_and_returns_the_browser_with_the_same_signed_result(
    vnpay_standin, ipn_receiver
):
    vnpay_standin.ipn_url = ipn_receiver.url
    gateway = get_gateway()
    status, page = _get(gateway.redirect_url(_order()))
    assert status == 200
    assert "125.000 đ" in page and "Thanh toán thành công" in page and 'lang="vi"' in page

    redirect = _post_choice(vnpay_standin.url, "P1", "success")
    assert redirect.code == 302
    location = urlsplit(redirect.headers["Location"])
    assert location.path == "/thanh-toan/vnpay/ket-qua"
    returned = dict(parse_qsl(location.query))
    notice = gateway.parse_notice(returned)
    assert (notice.txn_ref, notice.amount_vnd, notice.succeeded) == ("P1", 125_000, True)
    assert notice.paid_at == NOW

    [(ipn, headers)] = ipn_receiver.calls
    assert ipn == returned
    assert "Cookie" not in headers
    assert vnpay_standin.transactions["P1"].ipn_replies == [{"RspCode": "00", "Message": "Confirm Success"}]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("outcome", "code"), [("failed", "51"), ("cancelled", "24")])
def test_a_failed_or_cancelled_choice_is_signed_and_not_a_success(vnpay_standin, outcome, code):
    gateway = get_gateway()
    _get(gateway.redirect_url(_order()))
    location = _post_choice(vnpay_standin.url, "P1", outcome).headers["Location"]
    returned = dict(parse_qsl(urlsplit(location).query))
    notice = gateway.parse_notice(returned)
    assert (notice.succeeded, notice.response_code, notice.transaction_status) == (False, code, "02")


def test_a_choice_made_after_the_expiry_is_refused_with_code_11(vnpay_standin):
    gateway = get_gateway()
    with time_machine.travel(NOW, tick=False):
        _get(gateway.redirect_url(_order()))
    with time_machine.travel(NOW + timedelta(minutes=91), tick=False):
        result = vnpay_standin.choose("P1", "success")
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == ("11", "02")


def test_a_redirect_with_a_wrong_signature_or_amount_is_refused(vnpay_standin):
    url = get_gateway().redirect_url(_order())
    params = dict(parse_qsl(urlsplit(url).query))
    tampered = {**params, "vnp_Amount": "12500100"}
    status, page = _get(f"{vnpay_standin.url}/paymentv2/vpcpay.html?{urlencode(tampered)}")
    assert status == 400 and "Sai chữ ký" in page and "mã lỗi 70" in page
    unsigned_ok = {k: v for k, v in {**params, "vnp_CurrCode": "USD"}.items() if k != "vnp_SecureHash"}
    bad_currency = {**unsigned_ok, "vnp_SecureHash": sign(vnpay_standin.secret, unsigned_ok)}
    status, page = _get(f"{vnpay_standin.url}/paymentv2/vpcpay.html?{urlencode(bad_currency)}")
    assert status == 400 and "mã lỗi 03" in page
    assert vnpay_standin.transactions == {}


def test_the_stand_in_signature_does_not_verify_under_another_secret(vnpay_standin, settings):
    gateway = get_gateway()
    with time_machine.travel(NOW, tick=False):
        _get(gateway.redirect_url(_order()))
        result = vnpay_standin.choose("P1", "success")
    settings.VNPAY_HASH_SECRET = "another-secret"
    with pytest.raises(BadSignature):
        get_gateway().parse_notice(result)


def test_querydr_reports_pending_then_paid_and_unknown(vnpay_standin):
    gateway = get_gateway()
    with time_machine.travel(NOW, tick=False):
        _get(gateway.redirect_url(_order()))
    pending = gateway.query(txn_ref="P1", created_at=NOW, client_ip="10.0.0.5")
    assert pending is not None and pending.transaction_status == "01" and not pending.succeeded
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        vnpay_standin.choose("P1", "success")
    paid = gateway.query(txn_ref="P1", created_at=NOW, client_ip="10.0.0.5")
    assert paid is not None and paid.succeeded and paid.amount_vnd == 125_000
    assert paid.paid_at == NOW + timedelta(minutes=3)
    assert gateway.query(txn_ref="P-NEVER", created_at=NOW, client_ip="10.0.0.5") is None
    assert len(vnpay_standin.queries) == 3


def test_querydr_with_a_wrong_checksum_is_answered_97(vnpay_standin):
    body = get_gateway().query_request(txn_ref="P1", created_at=NOW, client_ip="10.0.0.5")
    request = urllib.request.Request(  # noqa: S310 — loopback
        f"{vnpay_standin.url}/merchant_webapi/api/transaction",
        data=json.dumps({**body, "vnp_TxnRef": "P2"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 — loopback
        assert json.loads(reply.read())["vnp_ResponseCode"] == "97"


def test_the_daily_statement_lists_the_days_transactions_in_vietnam_time(vnpay_standin):
    gateway = get_gateway()
    with time_machine.travel(NOW, tick=False):
        _get(gateway.redirect_url(_order("P1", 125_000)))
        _get(gateway.redirect_url(_order("P2", 50_000)))
        vnpay_standin.choose("P1", "success")
        vnpay_standin.choose("P2", "cancelled")
    late = _order("P3", 30_000)
    late = PaymentOrder(**{**late.__dict__, "created_at": datetime(2026, 12, 6, 17, 30, tzinfo=UTC)})
    _get(gateway.redirect_url(late))  # 00:30 on 7/12 in Hà Nội: the next day's
    status, text = _get(f"{vnpay_standin.url}/merchant/statement?day=2026-12-06")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["vnp_TxnRef"], r["amount_vnd"], r["status"]) for r in rows] == [
        ("P1", "125000", "success"),
        ("P2", "50000", "failed"),
    ]
    assert _get(f"{vnpay_standin.url}/merchant/statement?day=7-12")[0] == 400
    next_day = csv.DictReader(io.StringIO(vnpay_standin.statement(date(2026, 12, 7))))
    assert [r["vnp_TxnRef"] for r in next_day] == ["P3"]
