"""The application as deployed: gunicorn (two workers) behind nginx, sharing Redis, with clients
at two different addresses (127.0.0.2 and 127.0.0.3, the client sockets bound to them).

Checks that, behind the proxy, each client is known by its own address: (a) the tracking
throttle counts per client address across both workers, exactly (10 failures per 10 minutes;
twelve wrong lookups sent at once give ten answers and two refusals), and one client's refusal
does not touch another's; (b) five wrong passwords at 127.0.0.2 do not lock the officer out at
127.0.0.3; (c) the audit log records 127.0.0.2 and 127.0.0.3, never the proxy's 127.0.0.1.

The test starts and stops its own servers: nginx (Debian's, installed by `make test`) from a
configuration written to a temporary directory (`-p` prefix, `daemon off;`, every path in that
directory, so no root and nothing of the system's nginx is needed), and gunicorn on a free port.
Their database is one the test makes and migrates: a SQLite file, or, when the suite runs on
PostgreSQL, a database named after the suite's test database with `_proxy` appended (dropped at
the end). Their cache is the suite's Redis, under a key prefix of their own. Nothing sleeps
blindly: each server is polled until it answers.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from motcua.lib.cache import RedisCache

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "127.0.0.1"
PASSWORD = "mat-khau-dung-2026"
STARTUP_SECONDS = 30

# Run in a process of its own with the servers' settings: migrate, then what the checks need.
PREPARE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from motcua.dossiers.tests.api_data import build_world, receive
officer = get_user_model()(username="canbo", full_name="Nguyễn Văn Cán", kind="staff")
officer.set_password({password!r})
officer.save()
dossier = receive(build_world())
print(json.dumps({{"code": dossier.code, "pin": dossier.pin}}))
"""

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream motcua {{ server {host}:{app_port}; }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://motcua;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Browser:
    """An HTTP client whose connections leave from ``address``, with its own cookies."""

    def __init__(self, port: int, address: str):
        self.port, self.address = port, address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=20, source_address=(self.address, 0))
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content, response

    def track(self, code: str, pin: str, headers: dict | None = None) -> int:
        return self.request("GET", f"/api/v1/tracking/{code}?pin={pin}", headers=headers)[0]

    def sign_in(self, password: str) -> int:
        status, page, _ = self.request("GET", "/tai-khoan/dang-nhap/")
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, page[:500]
        form = {"csrfmiddlewaretoken": token.group(1), "username": "canbo", "password": password}
        return self.request("POST", "/tai-khoan/dang-nhap/", body=form)[0]


def _database(tmp: Path):
    """The servers' database URL, a function reading (action, address) from the audit log, and
    one dropping the database (PostgreSQL)."""
    conf = settings.DATABASES["default"]
    if conf["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp / "motcua.sqlite3"

        def sqlite_rows():
            with sqlite3.connect(path) as db:
                return db.execute("SELECT action, ip_address FROM audit_auditevent ORDER BY id").fetchall()

        return f"sqlite:///{path}", sqlite_rows, lambda: None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{conf['TEST']['NAME']}_proxy_{worker}"
    auth = f"{conf['USER']}:{conf['PASSWORD']}@" if conf["PASSWORD"] else f"{conf['USER']}@"
    server = f"postgres://{auth}{conf['HOST'] or HOST}:{conf['PORT'] or 5432}"

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))

    def admin(statement: sql.Composed) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as db:
            db.execute(statement)

    admin(drop)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def postgres_rows():
        with psycopg.connect(f"{server}/{name}") as db:
            rows = db.execute("SELECT action, host(ip_address) FROM audit_auditevent ORDER BY id").fetchall()
        return [tuple(row) for row in rows]

    return f"{server}/{name}", postgres_rows, lambda: admin(drop)


def _wait_until(ready, what: str, processes: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{what}: a server exited ({process.returncode}).\n" + _tails(logs))
        if ready():
            return
        time.sleep(0.05)  # polling: the next look, not a guess at how long start-up takes
    pytest.fail(f"{what} did not answer within {STARTUP_SECONDS} s.\n" + _tails(logs))


def _tails(logs: list[Path]) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())


def _stop(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def deployment(tmp_path, redis_url):
    """nginx on a free loopback port → gunicorn with two workers → the test's database and Redis."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `make test` installs Debian's nginx package.")
    db_url, audit_rows, drop_database = _database(tmp_path)
    prefix = f"motcua-proxytest-{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_TESTING": "1",  # the test password hasher; static files without a manifest
            "DEBUG": "0",
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": prefix,
            "TRUSTED_PROXY_COUNT": "1",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "HTTPS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    processes: list[subprocess.Popen] = []
    access_log, app_log = tmp_path / "access.log", tmp_path / "gunicorn.log"
    logs = [app_log, tmp_path / "nginx-error.log", tmp_path / "nginx.out"]
    try:
        prepared = subprocess.run(  # noqa: S603 — this interpreter, the test's own script
            [sys.executable, "-c", PREPARE.format(password=PASSWORD)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert prepared.returncode == 0, prepared.stderr[-3000:]
        dossier = json.loads(prepared.stdout.strip().splitlines()[-1])

        app_port, port = _free_port(), _free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        processes.append(
            subprocess.Popen(  # noqa: S603 — the venv's gunicorn, fixed arguments
                [
                    str(gunicorn),
                    "motcua.wsgi:application",
                    f"--bind={HOST}:{app_port}",
                    "--workers=2",
                    "--preload",
                    f"--access-logfile={access_log}",
                    "--access-logformat=%(p)s %(h)s %(r)s %(s)s",
                    f"--error-logfile={app_log}",
                    "--log-level=info",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        (tmp_path / "nginx.conf").write_text(
            NGINX_CONF.format(
                tmp=tmp_path,
                host=HOST,
                port=port,
                app_port=app_port,
                # Run as root (CI), nginx would hand its workers to "nobody", who cannot enter
                # this test's temporary directory; as anyone else the directive is not needed.
                user="user root;" if os.geteuid() == 0 else "",
            )
        )
        with open(tmp_path / "nginx.out", "wb") as out:
            processes.append(
                subprocess.Popen(  # noqa: S603 — Debian's nginx, fixed arguments
                    [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

        def both_workers_booted() -> bool:
            return app_log.exists() and app_log.read_text().count("Booting worker") >= 2

        def answers() -> bool:
            try:
                return Browser(port, "127.0.0.3").request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        _wait_until(both_workers_booted, "gunicorn", processes, logs)
        _wait_until(answers, "nginx → gunicorn", processes, logs)
        yield {"port": port, "dossier": dossier, "audit_rows": audit_rows, "access_log": access_log}
    finally:
        for process in reversed(processes):
            _stop(process, signal.SIGQUIT if process.args[0] == NGINX else signal.SIGTERM)
        RedisCache(redis_url, {"KEY_PREFIX": prefix}).clear()
        drop_database()


def _start_of_a_window_unless_well_inside_one(margin: float = 30.0) -> None:
    from motcua.dossiers.tracking import WINDOW_SECONDS

    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.5)  # the real server's clock, which no test can freeze


def test_behind_nginx_each_client_is_known_by_its_own_address(deployment):
    port, code, pin = deployment["port"], deployment["dossier"]["code"], deployment["dossier"]["pin"]
    wrong = "AAAAAA" if pin != "AAAAAA" else "BBBBBB"
    first, second = Browser(port, "127.0.0.2"), Browser(port, "127.0.0.3")

    # (a) Twelve wrong lookups at once from 127.0.0.2, spread over both workers: exactly ten
    # are answered (not found), two refused; then the right PIN is refused too. All within one
    # of the throttle's fixed windows (10 minutes from :00, :10, …): the server's clock cannot be
    # frozen, so a start in the window's last half minute waits for the next one to begin.
    _start_of_a_window_unless_well_inside_one()
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = sorted(pool.map(lambda _: Browser(port, "127.0.0.2").track(code, wrong), range(12)))
    assert statuses == [404] * 10 + [429] * 2
    assert first.track(code, pin) == 429
    # 127.0.0.3 still gets answers, even when it claims to be someone else.
    assert second.track(code, pin) == 200
    assert second.track(code, wrong) == 404
    assert second.track(code, pin, headers={"X-Forwarded-For": "127.0.0.9"}) == 200
    served_by = {
        line.split()[0] for line in deployment["access_log"].read_text().splitlines() if "/tracking/" in line
    }
    assert len(served_by) == 2, "both gunicorn workers answered lookups"

    # (b) Five wrong passwords at 127.0.0.2 lock that address out, not the officer at 127.0.0.3.
    assert [first.sign_in(f"sai-{n}") for n in range(5)] == [200, 200, 200, 200, 429]
    assert first.sign_in(PASSWORD) == 429
    assert second.sign_in(PASSWORD) == 302

    # (c) The audit log names the clients, never the proxy.
    rows = deployment["audit_rows"]()
    assert ("tracking.throttled_address", "127.0.0.2") in rows
    assert ("accounts.locked_out", "127.0.0.2") in rows
    assert ("accounts.sign_in", "127.0.0.3") in rows
    assert not [row for row in rows if row[1] == HOST]
