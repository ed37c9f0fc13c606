"""A stand-in for the VNPay gateway (API 2.1.0) on loopback, for the tests, the benchmark and the
demo. It speaks the protocol motcua's adapter speaks to the real gateway, and checks what it gets:

- `GET /paymentv2/vpcpay.html?…` — the redirect: signature, terminal code, version, command,
  currency and amount are checked (a wrong one shows VNPay's error page, code 70 "Sai chữ ký" or
  03 "Dữ liệu gửi sang không đúng định dạng"); otherwise a small Vietnamese payment page with
  three buttons: "Thanh toán thành công", "Thất bại", "Hủy".
- `POST /paymentv2/chon` — the button: the outcome is recorded, the IPN URL (the merchant's, set
  once per terminal as VNPay does, here `--ipn-url`) is called server to server with the signed
  result, and the browser is redirected to the order's vnp_ReturnUrl with the same parameters.
- `POST /merchant_webapi/api/transaction` — querydr: the pipe-joined signature is checked (97
  otherwise), the answer is signed over VNPay's list of response fields, 91 when unknown.
- `GET /merchant/statement?day=YYYY-MM-DD` — the day's transactions (Vietnam time) as CSV, the
  stand-in's model of the transaction report a merchant downloads from VNPay's merchant portal.

Run alone: `python -m motcua.payments.testing.vnpay_standin --port 8002 --secret S --ipn-url U`.
`--known FILE`: transactions the gateway already has (a JSON list of `Transaction` fields), such as
the demo's paid payment (`make run`), so that its statement agrees with the demo's records.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import itertools
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from motcua.lib.text import money
from motcua.payments.gateways.vnpay import (
    QUERY_NOT_FOUND,
    QUERY_REQUEST_FIELDS,
    QUERY_RESPONSE_FIELDS,
    STATEMENT_COLUMNS,
    parse_vnp_time,
    pipe_signature,
    sign,
    signature_valid,
    vnp_time,
)

DEFAULT_TMN_CODE = "MOTCUA01"
# Where the demo writes the transactions the stand-in of `make run` starts with (under the repository).
DEMO_KNOWN_FILE = "var/vnpay-standin-known.json"
# What each button produces: (vnp_ResponseCode, vnp_TransactionStatus), as VNPay's tables have them.
OUTCOMES = {
    "success": ("00", "00"),
    "failed": ("51", "02"),  # 51: the account has not enough money
    "cancelled": ("24", "02"),  # 24: the customer cancelled
    "expired": ("11", "02"),  # 11: the payment window (vnp_ExpireDate) passed
}
REQUIRED = ("vnp_TxnRef", "vnp_CreateDate", "vnp_ExpireDate", "vnp_IpAddr", "vnp_OrderInfo", "vnp_ReturnUrl")
# The headers the stand-in's IPN call carries: a Java HTTP client's, no cookie, no CSRF token
# (what VNPay's servers send exactly is not documented; README).
IPN_HEADERS = {"User-Agent": "Apache-HttpClient/4.5.14 (Java/17)", "Accept": "*/*", "Connection": "close"}


@dataclass
class Transaction:
    txn_ref: str
    amount_vnd: int
    order_info: str
    create_date: str
    expire_date: str
    ip_addr: str
    return_url: str
    transaction_no: str
    response_code: str = ""
    transaction_status: str = "01"  # 01: not finished yet
    pay_date: str = ""
    bank_code: str = "NCB"
    ipn_replies: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.transaction_status == "01":
            return "pending"
        return "success" if (self.response_code, self.transaction_status) == ("00", "00") else "failed"


def result_params(*, secret: str, tmn_code: str, txn: Transaction) -> dict[str, str]:
    """The signed parameters of the return and the IPN for a finished transaction, as VNPay sends
    them (also used by bench/ipn.py to send IPNs without a browser)."""
    params = {
        "vnp_Amount": str(txn.amount_vnd * 100),
        "vnp_BankCode": txn.bank_code,
        "vnp_BankTranNo": f"VNP{txn.transaction_no}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_TxnRef": txn.txn_ref,
        "vnp_SecureHashType": "HmacSHA512",
    }
    params["vnp_SecureHash"] = sign(secret, params)
    return params


class VNPayStandIn:
    """The stand-in server (a thread) and its records. Tests may also drive it without a browser:
    `choose(txn_ref, "success")` is what the button does."""

    def __init__(
        self,
        *,
        secret: str,
        tmn_code: str = DEFAULT_TMN_CODE,
        ipn_url: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        after_ipn: Callable[[], None] | None = None,
        known: Iterable[Transaction] = (),
    ) -> None:
        """`after_ipn` runs once each IPN is answered, before the stand-in goes on (the tests wait
        there for what the merchant does after its answer). `known`: transactions it already has."""
        self.secret = secret
        self.after_ipn = after_ipn
        self.tmn_code = tmn_code
        self.ipn_url = ipn_url
        self.transactions: dict[str, Transaction] = {t.txn_ref: t for t in known}
        self.queries: list[dict] = []
        self.lock = threading.Lock()
        self._numbers = itertools.count(14000001)
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> VNPayStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def settings_values(self) -> dict[str, str]:
        """motcua's settings pointing at this stand-in."""
        return {
            "PAYMENT_GATEWAY": "vnpay",
            "VNPAY_TMN_CODE": self.tmn_code,
            "VNPAY_HASH_SECRET": self.secret,
            "VNPAY_STANDIN_URL": self.url,
            "VNPAY_PAY_URL": f"{self.url}/paymentv2/vpcpay.html",
            "VNPAY_API_URL": f"{self.url}/merchant_webapi/api/transaction",
            "VNPAY_STATEMENT_URL": f"{self.url}/merchant/statement",
        }

    # -- pay ----------------------------------------------------------------------------------
    def check_order(self, params: Mapping[str, str]) -> tuple[str, str] | None:
        """(VNPay's error code, message) when the redirect is not acceptable; None when it is."""
        if not signature_valid(self.secret, params):
            return "70", "Sai chữ ký"
        if params.get("vnp_TmnCode") != self.tmn_code:
            return "02", "Mã website (vnp_TmnCode) không đúng"
        expected = {"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_CurrCode": "VND"}
        amount = params.get("vnp_Amount", "")
        if any(params.get(k) != v for k, v in expected.items()) or not amount.isdigit() or int(amount) <= 0:
            return "03", "Dữ liệu gửi sang không đúng định dạng"
        if any(not params.get(k) for k in REQUIRED) or parse_vnp_time(params["vnp_ExpireDate"]) is None:
            return "03", "Dữ liệu gửi sang không đúng định dạng"
        return None

    def register(self, params: Mapping[str, str]) -> Transaction:
        with self.lock:
            known = self.transactions.get(params["vnp_TxnRef"])
            if known is not None:
                return known
            txn = Transaction(
                txn_ref=params["vnp_TxnRef"],
                amount_vnd=int(params["vnp_Amount"]) // 100,
                order_info=params["vnp_OrderInfo"],
                create_date=params["vnp_CreateDate"],
                expire_date=params["vnp_ExpireDate"],
                ip_addr=params["vnp_IpAddr"],
                return_url=params["vnp_ReturnUrl"],
                transaction_no=str(next(self._numbers)),
            )
            self.transactions[txn.txn_ref] = txn
            return txn

    def result_params(self, txn: Transaction) -> dict[str, str]:
        return result_params(secret=self.secret, tmn_code=self.tmn_code, txn=txn)

    def choose(self, txn_ref: str, outcome: str) -> dict[str, str]:
        """The customer's choice on the payment page: records it (once; a second choice returns the
        first result), calls the IPN URL, returns the signed result parameters."""
        now = datetime.now(UTC)
        with self.lock:
            txn = self.transactions[txn_ref]
            first = txn.transaction_status == "01"
            if first:
                expires = parse_vnp_time(txn.expire_date)
                if outcome == "success" and expires is not None and now > expires:
                    outcome = "expired"
                txn.response_code, txn.transaction_status = OUTCOMES[outcome]
                txn.pay_date = vnp_time(now)
        params = self.result_params(txn)
        if first:
            self.send_ipn(txn, params)
        return params

    def send_ipn(self, txn: Transaction, params: Mapping[str, str]) -> dict | None:
        """Calls the merchant's IPN URL with the signed result; keeps its JSON answer."""
        if not self.ipn_url:
            return None
        request = urllib.request.Request(  # noqa: S310 — the merchant's configured URL
            f"{self.ipn_url}?{urlencode(params)}", headers=IPN_HEADERS, method="GET"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
                answer = json.loads(reply.read().decode())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            answer = {"error": str(exc)}
        with self.lock:
            txn.ipn_replies.append(answer)
        if self.after_ipn is not None:
            self.after_ipn()
        return answer

    # -- querydr ------------------------------------------------------------------------------
    def answer_query(self, body: Mapping[str, str]) -> dict[str, str]:
        self.queries.append(dict(body))
        answer = {
            "vnp_ResponseId": str(next(self._numbers)),
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": str(body.get("vnp_TxnRef", "")),
        }
        expected = pipe_signature(self.secret, body, QUERY_REQUEST_FIELDS)
        txn = self.transactions.get(answer["vnp_TxnRef"])
        if body.get("vnp_SecureHash") != expected:
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        elif body.get("vnp_TmnCode") != self.tmn_code:
            answer.update(vnp_ResponseCode="02", vnp_Message="Merchant is not valid")
        elif txn is None or body.get("vnp_TransactionDate") != txn.create_date:
            answer.update(vnp_ResponseCode=QUERY_NOT_FOUND, vnp_Message="Transaction not found")
        else:
            answer.update(
                vnp_ResponseCode="00",
                vnp_Message="QueryDR Success",
                vnp_Amount=str(txn.amount_vnd * 100),
                vnp_BankCode=txn.bank_code,
                vnp_PayDate=txn.pay_date,
                vnp_TransactionNo=txn.transaction_no,
                vnp_TransactionType="01",
                vnp_TransactionStatus=txn.transaction_status,
                vnp_OrderInfo=txn.order_info,
            )
        answer["vnp_SecureHash"] = pipe_signature(self.secret, answer, QUERY_RESPONSE_FIELDS)
        return answer

    # -- statement ----------------------------------------------------------------------------
    def statement(self, day: date) -> str:
        """The day's finished and unfinished transactions (by creation, Vietnam time) as CSV."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(STATEMENT_COLUMNS)
        prefix = day.strftime("%Y%m%d")
        with self.lock:
            rows = [t for t in self.transactions.values() if t.create_date.startswith(prefix)]
        for t in sorted(rows, key=lambda t: t.create_date):
            writer.writerow(
                [
                    t.txn_ref, t.transaction_no, t.amount_vnd, t.status, t.response_code,
                    t.transaction_status, t.bank_code, t.pay_date, t.create_date,
                ]
            )  # fmt: skip
        return out.getvalue()


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Cổng thanh toán (môi trường thử)</title>
<style>
body{{font-family:system-ui,"Noto Sans",sans-serif;margin:0;background:#f3f5f8;color:#1b1f24}}
main{{max-width:32rem;margin:1.5rem auto;background:#fff;padding:1.25rem;border-radius:8px;
box-shadow:0 1px 3px #0002}}
h1{{font-size:1.35rem;color:#004a99;margin-top:0}}
dl{{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}}
dt{{color:#444}} dd{{margin:0;font-weight:600;overflow-wrap:anywhere}}
.note{{background:#fff4d6;padding:.6rem;border-radius:6px}}
.actions{{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}}
button{{font:inherit;padding:.7rem 1rem;border-radius:6px;border:2px solid #004a99;
cursor:pointer;flex:1 1 9rem}}
button.ok{{background:#004a99;color:#fff}} button.no{{background:#fff;color:#004a99}}
button.cancel{{background:#fff;color:#8a1c1c;border-color:#8a1c1c}}
button:focus-visible{{outline:3px solid #f0a500;outline-offset:2px}}
</style></head><body><main>{body}</main></body></html>"""


def payment_page(standin: VNPayStandIn, txn: Transaction) -> str:
    esc = html.escape
    body = f"""<h1>Thanh toán trực tuyến</h1>
<p class="note">Đây là cổng thanh toán thử nghiệm (giả lập VNPay): không có tiền thật được chuyển.</p>
<dl>
<dt>Mã đơn vị</dt><dd>{esc(standin.tmn_code)}</dd>
<dt>Mã giao dịch</dt><dd>{esc(txn.txn_ref)}</dd>
<dt>Nội dung</dt><dd>{esc(txn.order_info)}</dd>
<dt>Số tiền</dt><dd>{esc(money(txn.amount_vnd))}</dd>
<dt>Hạn thanh toán</dt><dd>{esc(_vn_display(txn.expire_date))}</dd>
</dl>
<form method="post" action="/paymentv2/chon">
<input type="hidden" name="vnp_TxnRef" value="{esc(txn.txn_ref)}">
<div class="actions">
<button class="ok" type="submit" name="ket_qua" value="success">Thanh toán thành công</button>
<button class="no" type="submit" name="ket_qua" value="failed">Thất bại</button>
<button class="cancel" type="submit" name="ket_qua" value="cancelled">Hủy</button>
</div></form>"""
    return PAGE.format(title="Thanh toán", body=body)


def error_page(code: str, message: str) -> str:
    body = (
        f'<h1>Không thực hiện được giao dịch</h1><p role="alert">{html.escape(message)} '
        f"(mã lỗi {html.escape(code)}).</p>"
    )
    return PAGE.format(title="Lỗi giao dịch", body=body)


def _vn_display(text: str) -> str:
    moment = parse_vnp_time(text)
    return moment.strftime("%H:%M %d/%m/%Y") if moment else text


def _handler(standin: VNPayStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: str, content_type: str, headers: dict | None = None) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _html(self, status: int, body: str) -> None:
            self._send(status, body, "text/html; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802 — the name http.server calls
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            if parts.path == "/paymentv2/vpcpay.html":
                problem = standin.check_order(params)
                if problem:
                    self._html(400, error_page(*problem))
                    return
                self._html(200, payment_page(standin, standin.register(params)))
            elif parts.path == "/merchant/statement":
                try:
                    day = date.fromisoformat(params.get("day", ""))
                except ValueError:
                    self._send(400, "day=YYYY-MM-DD\n", "text/plain; charset=utf-8")
                    return
                self._send(200, standin.statement(day), "text/csv; charset=utf-8")
            else:
                self._html(404, error_page("404", "Không tìm thấy trang"))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            path = urlsplit(self.path).path
            if path == "/paymentv2/chon":
                form = dict(parse_qsl(raw))
                txn_ref, outcome = form.get("vnp_TxnRef", ""), form.get("ket_qua", "")
                if txn_ref not in standin.transactions or outcome not in ("success", "failed", "cancelled"):
                    self._html(400, error_page("03", "Dữ liệu gửi sang không đúng định dạng"))
                    return
                result = standin.choose(txn_ref, outcome)
                target = standin.transactions[txn_ref].return_url
                glue = "&" if "?" in target else "?"
                self._send(302, "", "text/plain", {"Location": f"{target}{glue}{urlencode(result)}"})
            elif path == "/merchant_webapi/api/transaction":
                try:
                    body = json.loads(raw)
                    if not isinstance(body, dict):
                        raise ValueError
                except ValueError:
                    self._send(400, json.dumps({"vnp_ResponseCode": "03"}), "application/json")
                    return
                answer = standin.answer_query({k: str(v) for k, v in body.items()})
                self._send(200, json.dumps(answer), "application/json")
            else:
                self._html(404, error_page("404", "Không tìm thấy trang"))

        def log_message(self, format, *args) -> None:
            pass

    return Handler


def load_known(path: str) -> list[Transaction]:
    """The transactions in ``path`` (none when there is no such file)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return [Transaction(**record) for record in json.load(handle)]
    except FileNotFoundError:
        return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cổng thanh toán VNPay giả lập (chỉ để thử)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--secret", required=True, help="khóa bí mật chung (VNPAY_HASH_SECRET)")
    parser.add_argument("--tmn-code", default=DEFAULT_TMN_CODE, help="mã website (VNPAY_TMN_CODE)")
    parser.add_argument("--ipn-url", default="", help="địa chỉ IPN của motcua (…/thanh-toan/vnpay/ipn)")
    parser.add_argument("--known", default="", help="tệp JSON các giao dịch cổng đã có (dữ liệu mẫu)")
    args = parser.parse_args(argv)
    standin = VNPayStandIn(
        secret=args.secret,
        tmn_code=args.tmn_code,
        ipn_url=args.ipn_url,
        host=args.host,
        port=args.port,
        known=load_known(args.known) if args.known else (),
    )
    print(
        f"Cổng thanh toán giả lập: {standin.url}/paymentv2/vpcpay.html (IPN → {args.ipn_url or 'không'})",
        flush=True,
    )
    try:
        standin.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
