"""Gateway notification (IPN) benchmark: first confirmations of gateway payments per second through
HTTP against the real server as it is deployed, compared in the same run with /healthz; then twenty
simultaneous copies of one IPN, which must record exactly one payment.

Run from the repository root:  .venv/bin/python bench/ipn.py
Servers:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 and BENCH_REDIS=redis://127.0.0.1:6379/9
(the defaults); its own PostgreSQL database (``bench_ipn_<pid>``, dropped at the end).

Set-up: migrate; the test province and a procedure with a fee; one dossier received, forwarded and
asked to pay through the services (status 6, a payment request); then, in bulk, N copies of that
dossier (each its own code), each with its open payment request and a started gateway payment
(`bulk_create`: the set-up, not the thing measured). gunicorn as the README deploys it (4 sync
workers, --timeout 60, access log) and beside it the task worker (`manage.py db_worker` at nice
10), DEBUG off, PostgreSQL, Redis, TRUSTED_PROXY_COUNT=1.

One client, a connection per request, sends what nginx passes on (Host, X-Forwarded-For,
X-Forwarded-Proto) in alternating rounds: /healthz (a monitor) and `GET /thanh-toan/vnpay/ipn`
with the parameters VNPay sends (vnp_Amount … vnp_TxnRef, vnp_SecureHashType, vnp_SecureHash signed
with the run's secret) and the stand-in gateway's headers — each IPN for a distinct pending
payment, answered {"RspCode": "00"} once the payment succeeded and its request is paid; then,
once the answer is sent, the web worker queues the settling and the task worker does it while the
run goes on (the CPU it takes is the machine's, during the run): the dossier records the payment
(event record-payment) and its e-receipt is numbered. Bounded by
ROUNDS × PER_ROUND. Then 20 threads send one more payment's IPN at the same instant (a barrier):
one "00", nineteen "02", and in the database one successful payment, one record-payment event,
one receipt. Last, how long after the last answer every success is on its dossier.

Targets: IPN confirmations/s ≥ 0.3 × /healthz requests/s; exactly one payment from 20 copies;
every success settled on its dossier (one event, one receipt each) within SETTLE_WAIT seconds.
Ends with one line "target met: yes|no — …", exit status 1 when not met.
"""

import http.client
import json
import os
import secrets
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from support import production
from support.production import HOST

SITE = "motcua.example.gov.vn"
ROUNDS = 4
PER_ROUND = 100
WARMUP = 20
COPIES = 20
TARGET_RATIO = 0.3
SETTLE_WAIT = 60  # seconds
SECRET = secrets.token_hex(16)
TMN_CODE = "BENCH001"
PAYMENTS = WARMUP + ROUNDS * PER_ROUND + 1  # the last one for the simultaneous copies

RUN = production.configure(
    "ipn",
    hosts=SITE,
    env={"TRUSTED_PROXY_COUNT": "1", "VNPAY_HASH_SECRET": SECRET, "VNPAY_TMN_CODE": TMN_CODE},
)

import django

django.setup()

from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from motcua.payments.testing.vnpay_standin import IPN_HEADERS, Transaction, result_params

# What nginx passes on, and the caller: the gateway's server (VNPay's address range is its own).
PROXY = {
    "Host": SITE,
    "X-Forwarded-For": "113.160.92.202",
    "X-Forwarded-Proto": "https",
    "Connection": "close",
}
GATEWAY = {**PROXY, **IPN_HEADERS, "Connection": "close"}
MONITOR = {**PROXY, "User-Agent": "Blackbox-Exporter/0.25.0", "Accept": "*/*"}


def prepare() -> list[str]:
    """N pending gateway payments, each of its own dossier and open request: their IPN paths."""
    from motcua.dossiers.models import Dossier
    from motcua.payments.models import Payment, PaymentRequest
    from motcua.payments.services import PAID_VIA_GATEWAY
    from motcua.payments.testing.world import build_world, payment_request

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    first = payment_request(build_world(), amount_vnd=125_000)
    dossier = Dossier.objects.get(pk=first.dossier_id)
    now = timezone.now()
    copies = []
    for n in range(PAYMENTS - 1):
        copy = Dossier.objects.get(pk=dossier.pk)
        copy.pk, copy.uid, copy.code = None, uuid.uuid4(), f"{dossier.code}-B{n:05d}"
        copies.append(copy)
    dossiers = [dossier, *Dossier.objects.bulk_create(copies, batch_size=500)]
    requests = (
        [first]
        + PaymentRequest.objects.bulk_create(
            [
                PaymentRequest(
                    dossier=d,
                    agency_id=first.agency_id,
                    lines=first.lines,
                    total_vnd=first.total_vnd,
                    purpose=first.purpose,
                    timing=first.timing,
                    due_by=first.due_by,
                    requested_at=now,
                )  # fmt: skip
                for d in dossiers[1:]
            ],
            batch_size=500,
        )
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                request=r,
                method=Payment.Method.GATEWAY,
                state=Payment.State.STARTED,
                amount_vnd=r.total_vnd,
                txn_ref=f"B{n:07d}{secrets.token_hex(4).upper()}",
                paid_online=PAID_VIA_GATEWAY,
                gateway="vnpay",
                client_ip="203.0.113.7",
                created_at=now,
                expires_at=now + timedelta(minutes=90),
            )  # fmt: skip
            for n, r in enumerate(requests)
        ],
        batch_size=500,
    )
    paths = []
    for n, payment in enumerate(payments):
        txn = Transaction(
            txn_ref=payment.txn_ref, amount_vnd=payment.amount_vnd, order_info="Thanh toan phi le phi ho so",
            create_date="", expire_date="", ip_addr="203.0.113.7", return_url="",
            transaction_no=str(14_000_000 + n), response_code="00", transaction_status="00",
            pay_date=timezone.localtime(now).strftime("%Y%m%d%H%M%S"),
        )  # fmt: skip
        paths.append(
            f"/thanh-toan/vnpay/ipn?{urlencode(result_params(secret=SECRET, tmn_code=TMN_CODE, txn=txn))}"
        )
    connections.close_all()
    return paths


def request(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, body, time.perf_counter() - start


def timed(port: int, path: str, headers: dict[str, str], expected: dict) -> float:
    status, body, elapsed = request(port, path, headers)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status != 200 or not answer or any(answer.get(k) != v for k, v in expected.items()):
        raise SystemExit(f"unexpected answer to {path[:60]}…: {status} {body[:300]!r}")
    return elapsed


def simultaneous(port: int, path: str) -> list[str]:
    """COPIES threads send the same IPN at once: their RspCodes."""
    barrier = threading.Barrier(COPIES)
    codes: list[str] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait()
        status, body, _ = request(port, path, GATEWAY)
        with lock:
            codes.append(json.loads(body)["RspCode"] if status == 200 else f"HTTP {status}")

    threads = [threading.Thread(target=send) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


def settled_after(answered: float) -> float | None:
    """Seconds from the last answer until every success is on its dossier (the server brings it
    there once each answer is sent), or None if some are not after SETTLE_WAIT seconds."""
    from motcua.payments.models import Payment

    unsettled = Payment.objects.filter(state=Payment.State.SUCCESS, settled_at__isnull=True)
    while unsettled.exists():
        if time.perf_counter() - answered > SETTLE_WAIT:
            return None
        time.sleep(0.05)
    return time.perf_counter() - answered


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


def main() -> int:
    server = worker = None
    try:
        paths = prepare()
        port = production.free_port()
        server = production.start_gunicorn(RUN, port, workers=4)
        worker = production.start_task_worker(RUN)
        production.wait_healthy(RUN, port, server, headers=MONITOR)
        fresh = iter(paths[:-1])
        ok = {"RspCode": "00"}
        kinds = {
            "healthz": lambda: timed(port, "/healthz", MONITOR, {"status": "ok"}),
            "ipn": lambda: timed(port, next(fresh), GATEWAY, ok),
        }
        for _ in range(WARMUP):
            for measure in kinds.values():
                measure()
        times: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(ROUNDS):
            for name, measure in kinds.items():
                times[name].extend(measure() for _ in range(PER_ROUND))
        replay = timed(port, paths[0], GATEWAY, {"RspCode": "02"})  # a replayed IPN: already confirmed
        codes = simultaneous(port, paths[-1])
        answered = time.perf_counter()
        lag = settled_after(answered)
    finally:
        for process in (server, worker):
            if process is not None:
                production.stop_process(process)

    from motcua.dossiers.models import DossierEvent
    from motcua.payments.models import Payment, Receipt

    last = Payment.objects.select_related("request").get(
        txn_ref=paths[-1].split("vnp_TxnRef=")[1].split("&")[0]
    )
    raced = {
        "payments": Payment.objects.filter(request=last.request, state=Payment.State.SUCCESS).count(),
        "events": DossierEvent.objects.filter(
            dossier_id=last.request.dossier_id, action="record-payment"
        ).count(),
        "receipts": Receipt.objects.filter(payment__request=last.request).count(),
    }
    succeeded = Payment.objects.filter(state=Payment.State.SUCCESS).count()
    on_dossiers = {
        "events": DossierEvent.objects.filter(action="record-payment").count(),
        "receipts": Receipt.objects.count(),
    }
    connections.close_all()
    RUN.close()

    load = production.load()
    rate = {name: len(values) / sum(values) for name, values in times.items()}
    tail = {name: p95(values) * 1000 for name, values in times.items()}
    ratio = rate["ipn"] / rate["healthz"]
    one = codes.count("00") == 1 and codes.count("02") == COPIES - 1 and set(raced.values()) == {1}
    all_recorded = succeeded == WARMUP + ROUNDS * PER_ROUND + 1 and set(on_dossiers.values()) == {succeeded}
    print(
        "server: gunicorn as deployed (4 sync workers, --timeout 60, access log) and the task "
        "worker (db_worker, nice 10), DEBUG off, "
        f"PostgreSQL, Redis; one client, a connection per request, on 127.0.0.1; "
        f"{os.cpu_count()} CPUs, load {load}"
    )
    print("requests measured: " + ", ".join(f"{len(v)} {k}" for k, v in times.items()))
    print(f"/healthz: {rate['healthz']:8.1f} requests/s        p95 {tail['healthz']:6.2f} ms")
    print(f"IPN:      {rate['ipn']:8.1f} confirmations/s   p95 {tail['ipn']:6.2f} ms   ratio {ratio:.2f}")
    print(f"a replayed IPN answered 02 in {replay * 1000:.1f} ms; payments succeeded: {succeeded}")
    print(f"{COPIES} simultaneous copies of one IPN: RspCodes {codes}; recorded {raced}")
    print(
        f"on the dossiers: {on_dossiers['events']} record-payment events, "
        f"{on_dossiers['receipts']} receipts; "
        + (
            f"the last settled {lag * 1000:.0f} ms after the last answer"
            if lag is not None
            else "NOT ALL SETTLED"
        )
    )
    met = ratio >= TARGET_RATIO and one and all_recorded
    figures = (
        f"IPN {rate['ipn']:.0f} first confirmations/s (p95 {tail['ipn']:.1f} ms) vs /healthz "
        f"{rate['healthz']:.0f}/s: ratio {ratio:.2f} {'≥' if ratio >= TARGET_RATIO else '<'} {TARGET_RATIO}; "
        f"{COPIES} simultaneous copies → {raced['payments']} payment, {codes.count('00')}×00 "
        f"{codes.count('02')}×02; every success on its dossier "
        + (f"{lag * 1000:.0f} ms after the last answer" if lag is not None else "— NOT ALL")
        + f"; load {load}"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(RUN.finish(main))
