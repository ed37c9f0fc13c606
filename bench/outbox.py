"""Outbox benchmark (PostgreSQL): e-mails delivered per second by two task workers
(``manage.py db_worker``) to a local SMTP server, against a bare ``smtplib`` loop sending the same
mails to the same server in the same run.

Run from the repository root:  .venv/bin/python bench/outbox.py
Server:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 (the default). Size: BENCH_N (2000).
Database: BENCH_DB (default ``bench_outbox_<pid>``), created, migrated and dropped by the run.

The SMTP server is aiosmtpd on loopback (the tests' stand-in), counting what it accepts by
Message-ID. Two ``db_worker`` processes are started and, once they poll, paused (SIGSTOP); the
outbox is filled as services fill it — ``outbox_enqueue_to`` in transactions of BENCH_CHUNK (100)
messages, each transaction queuing one task after its commit — and the clock runs from the
moment both workers are resumed (SIGCONT) until the SMTP server holds all N: the workers' sending,
not the writing (timed apart and printed). The floor is one ``smtplib`` connection sending N mails of the
same size one after the other, measured before and after the workers (the mean), so that load
weighs on both alike.
Targets: rate ratio ≥ 0.5, every message delivered, none twice (counted at the SMTP server).
Ends with one line "target met: yes|no — …", exit status 1 when not met.
"""

import os
import secrets
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = os.environ.get("BENCH_DB") or f"bench_outbox_{os.getpid()}"
N = int(os.environ.get("BENCH_N", "2000"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "100"))
WORKERS = 2
TARGET_RATIO = 0.5
BODY = (
    "Kính gửi Nguyễn Thị Hoa,\n\nHồ sơ 000.01.31.H99-260302-0001 (Thủ tục đăng ký kết hôn) "
    "đã được tiếp nhận lúc 02/03/2026 08:00.\nHẹn trả kết quả: 09/03/2026 08:00.\n\n"
    "Việc ông/bà cần làm: không cần làm gì thêm.\n"
)

import psycopg

with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
    admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{PG_DB}"')

from motcua.notifications.testing.standins import SmtpStandIn  # noqa: E402 — no Django needed

SMTP = SmtpStandIn()
SMTP.__enter__()
ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG_SERVER}/{PG_DB}",
    "DJANGO_SETTINGS_MODULE": "motcua.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "localhost",
    "AXES_ENABLED": "0",
    "AUDIT_KEY": secrets.token_hex(32),
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(SMTP.port),
    "NOTIFY_BATCH_SIZE": os.environ.get("NOTIFY_BATCH_SIZE", "50"),
}
ENV.pop("MOTCUA_TESTING", None)
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every command


def bare_loop(n: int, tag: str) -> float:
    """Seconds for one smtplib connection to send ``n`` mails like the outbox's."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", SMTP.port, timeout=10) as client:
        for i in range(n):
            mail = EmailMessage()
            mail["Subject"] = "Hồ sơ 000.01.31.H99-260302-0001 đã được tiếp nhận"
            mail["From"] = "Cổng Dịch vụ công <khong-tra-loi@motcua.local>"
            mail["To"] = f"cd{i}@example.vn"
            mail["Message-ID"] = f"<bare-{tag}-{i}@motcua.local>"
            mail.set_content(BODY)
            client.send_message(mail)
    return time.perf_counter() - start


def start_workers() -> list[subprocess.Popen]:
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--interval",
        "0.05",
        "--no-startup-delay",
        "--no-reload",
    ]
    return [
        subprocess.Popen(  # noqa: S603 — our own manage.py
            [*command, "--worker-id", f"bench-{i}"],
            env=ENV,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(WORKERS)
    ]


def outbox_mails() -> int:
    return sum(n for mid, n in SMTP.handler.counts().items() if mid.startswith("<motcua-outbox-"))


def main() -> int:
    from motcua.notifications.models import OutboxMessage
    from motcua.notifications.services import outbox_enqueue_to

    call_command("migrate", verbosity=0)
    bare_loop(50, "warm")
    floor_before = bare_loop(N, "before")

    workers = start_workers()
    try:
        # Wait until both workers poll (their start-up is not the outbox's speed).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [PG_DB])
                if cursor.fetchone()[0] >= WORKERS + 1:
                    break
            time.sleep(0.2)
        time.sleep(1)
        for worker in workers:
            os.kill(worker.pid, signal.SIGSTOP)
        start = time.perf_counter()
        for first in range(0, N, CHUNK):
            with transaction.atomic():
                for i in range(first, min(first + CHUNK, N)):
                    outbox_enqueue_to(
                        channel="email",
                        recipient=f"cd{i}@example.vn",
                        event="dossier.receive",
                        subject="Hồ sơ 000.01.31.H99-260302-0001 đã được tiếp nhận",
                        body=BODY,
                    )
        written = time.perf_counter() - start
        start = time.perf_counter()
        for worker in workers:
            os.kill(worker.pid, signal.SIGCONT)
        deadline = time.monotonic() + max(120, N / 10)
        while outbox_mails() < N and time.monotonic() < deadline:
            time.sleep(0.01)
        service_seconds = time.perf_counter() - start
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        for worker in workers:
            os.kill(worker.pid, signal.SIGCONT)
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    floor_after = bare_loop(N, "after")

    delivered_rows = OutboxMessage.objects.filter(status="delivered").count()
    outbox_ids = {m: n for m, n in SMTP.handler.counts().items() if m.startswith("<motcua-outbox-")}
    arrived = len(outbox_ids)
    twice = sum(1 for n in outbox_ids.values() if n > 1)
    service_rate = arrived / service_seconds
    floor_rate = N / ((floor_before + floor_after) / 2)
    ratio = service_rate / floor_rate
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database {PG_DB}; {os.cpu_count()} CPUs, load {load}"
    )
    print(f"SMTP server: aiosmtpd on 127.0.0.1:{SMTP.port}")
    print(
        f"outbox, {WORKERS} db_worker processes: {arrived} of {N} mails in {service_seconds:.2f} s = "
        f"{service_rate:.1f}/s (written beforehand in {written:.2f} s, {CHUNK} per transaction)"
    )
    print(
        f"bare smtplib loop, one connection: {N} in {floor_before:.2f} s before, {floor_after:.2f} s after "
        f"= {floor_rate:.1f}/s"
    )
    print(f"ratio: {ratio:.3f} (target ≥ {TARGET_RATIO})")
    print(f"outbox rows delivered: {delivered_rows}; Message-IDs arrived twice or more: {twice}")
    met = ratio >= TARGET_RATIO and arrived == N and twice == 0 and delivered_rows == N
    figures = (
        f"{service_rate:.1f} mails/s by {WORKERS} workers vs {floor_rate:.1f}/s bare smtplib, "
        f"ratio {ratio:.3f} "
        f"({'≥' if ratio >= TARGET_RATIO else '<'} {TARGET_RATIO}); {arrived}/{N} delivered, {twice} twice; "
        f"load {load}"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    status = 1
    try:
        status = main()
    finally:
        connections.close_all()
        SMTP.__exit__(None, None, None)
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    sys.exit(status)
