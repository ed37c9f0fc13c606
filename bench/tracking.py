"""Tracking benchmark: citizen lookups per second and p95 through HTTP against the real server,
compared in the same run with the rate of /healthz (one SELECT 1).

Run from the repository root:  .venv/bin/python bench/tracking.py

It prepares a throw-away SQLite database (migrate, the test province, a procedure and a few
dossiers received through the services), starts gunicorn (one gthread worker, production
settings: DEBUG off) bound to 127.0.0.1 on a free port, then measures from one client over
keep-alive connections (http.client), alternating rounds of /healthz and of
GET /api/v1/tracking/{code}?pin=… (a valid code and PIN: only failed lookups are throttled).
Bounded in requests (ROUNDS × PER_ROUND each) and in time (TIME_LIMIT seconds).
Target: tracking lookups/s ≥ 0.5 × healthz requests/s. Ends with one line
"target met: yes|no — …", exit status 1 when not met; the server it started is stopped.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="motcua-bench-tracking-")
HOST = "127.0.0.1"
ROUNDS = 6
PER_ROUND = 100
WARMUP = 30
TIME_LIMIT = 90.0  # seconds for the whole measurement
DOSSIERS = 5
TARGET_RATIO = 0.5

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "DATABASE_URL": f"sqlite:///{TMP}/bench.sqlite3",
        "MEDIA_ROOT": f"{TMP}/media",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("MOTCUA_TESTING", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.management import call_command
from django.db import connections


def prepare() -> list[tuple[str, str]]:
    """Migrate and receive a few dossiers through the services; their (code, PIN)."""
    from motcua.dossiers.tests.api_data import build_world, receive

    call_command("migrate", verbosity=0)
    world = build_world()
    dossiers = [receive(world, name=f"Nguyễn Văn Thử {n}") for n in range(DOSSIERS)]
    connections.close_all()
    return [(d.code, d.pin) for d in dossiers]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "motcua.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def timed_get(conn: http.client.HTTPConnection, path: str, check) -> float:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200 or not check(body):
        raise SystemExit(f"unexpected answer to {path}: {response.status} {body[:200]!r}")
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


def main() -> int:
    server = None
    try:
        lookups = prepare()
        port = free_port()
        server = start_server(port)
        wait_ready(port, server)

        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        paths = [f"/api/v1/tracking/{code}?pin={pin}" for code, pin in lookups]

        def tracked(body: bytes) -> bool:
            return json.loads(body)["status_code"] == 2

        def healthy(body: bytes) -> bool:
            return json.loads(body)["status"] == "ok"

        for n in range(WARMUP):
            timed_get(conn, "/healthz", healthy)
            timed_get(conn, paths[n % len(paths)], tracked)

        times = {"healthz": [], "tracking": []}
        started = time.monotonic()
        for _ in range(ROUNDS):
            if time.monotonic() - started > TIME_LIMIT:
                break
            for _ in range(PER_ROUND):
                times["healthz"].append(timed_get(conn, "/healthz", healthy))
            for n in range(PER_ROUND):
                times["tracking"].append(timed_get(conn, paths[n % len(paths)], tracked))
        conn.close()
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(TMP, ignore_errors=True)

    rate = {name: len(values) / sum(values) for name, values in times.items()}
    tail = {name: p95(values) * 1000 for name, values in times.items()}
    ratio = rate["tracking"] / rate["healthz"]
    print("server: gunicorn, 1 gthread worker, DEBUG off, SQLite; one keep-alive client on 127.0.0.1")
    print(f"requests measured: {len(times['healthz'])} /healthz, {len(times['tracking'])} tracking")
    print(f"/healthz:  {rate['healthz']:8.1f} requests/s   p95 {tail['healthz']:6.2f} ms")
    print(f"tracking:  {rate['tracking']:8.1f} lookups/s    p95 {tail['tracking']:6.2f} ms")
    print(f"ratio tracking/healthz: {ratio:.2f} (target ≥ {TARGET_RATIO})")
    met = ratio >= TARGET_RATIO
    figures = (
        f"tracking {rate['tracking']:.0f}/s (p95 {tail['tracking']:.1f} ms) vs /healthz "
        f"{rate['healthz']:.0f}/s (p95 {tail['healthz']:.1f} ms), ratio {ratio:.2f} ≥ {TARGET_RATIO}"
        if met
        else f"tracking {rate['tracking']:.0f}/s (p95 {tail['tracking']:.1f} ms) vs /healthz "
        f"{rate['healthz']:.0f}/s (p95 {tail['healthz']:.1f} ms), ratio {ratio:.2f} < {TARGET_RATIO}"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
