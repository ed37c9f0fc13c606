"""What every benchmark sets up to measure motcua as production runs it, in one place.

A benchmark calls ``production.configure(name, …)`` before it imports Django: it gets a throwaway
PostgreSQL database (``bench_<name>_<pid>`` on ``BENCH_POSTGRES``, default
postgres://postgres@127.0.0.1:5432) or a SQLite file, a temporary folder for MEDIA_ROOT and
AUDIT_CHECKPOINT_DIR, Redis (``BENCH_REDIS``, default redis://127.0.0.1:6379/9) under a key prefix
of this run's own, and the environment of a production process: DEBUG off, a fresh SECRET_KEY and
AUDIT_KEY, LOG_LEVEL=WARNING, and none of the variables that make a test or development run
(MOTCUA_TESTING, HTTPS, BEHIND_PROXY, DB_CONN_MAX_AGE: their production defaults hold).
``Run.close()`` drops the database (unless kept), deletes the run's Redis keys and the folder.

The benchmarks that go through HTTP start gunicorn as the README deploys it (``start_gunicorn``:
sync workers, ``--timeout 60``, the access log written as in production and read by nobody),
wait for ``/healthz`` (``wait_healthy``) and stop it (``stop_process``); those whose work goes on
in the task worker start it as deployed too (``start_task_worker``). ``load()`` is the
machine's load average as every benchmark prints it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
HOST = "127.0.0.1"
# Variables of a test or development run: unset, so that the production defaults hold.
NOT_IN_PRODUCTION = ("MOTCUA_TESTING", "HTTPS", "BEHIND_PROXY", "DB_CONN_MAX_AGE")


def load() -> str:
    """The load average (1, 5, 15 minutes), as each benchmark prints it beside its figures."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _admin(server: str):
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


@dataclass
class Run:
    """One benchmark run's database, Redis key prefix and temporary folder."""

    name: str
    database: str  # "postgresql" or "sqlite"
    db_name: str
    database_url: str
    key_prefix: str
    tmp: str
    keep: bool = False
    reused: bool = False  # the database existed and was kept from an earlier run
    pg_server: str = PG_SERVER
    redis_url: str = REDIS_URL
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Close Django's connections, drop the database (unless kept), delete the run's Redis
        keys and its temporary folder. Safe to call twice, and before Django is set up."""
        if self._closed:
            return
        self._closed = True
        if "django" in sys.modules:
            from django.db import connections

            try:
                connections.close_all()
            except Exception:  # noqa: BLE001, S110 — Django may not be set up when set-up failed
                pass
        if self.database == "postgresql" and not self.keep:
            with _admin(self.pg_server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        clear_redis(self.redis_url, self.key_prefix)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self, main: Callable[[], int]) -> int:
        """Run ``main`` and clean up whatever happens: its exit status (1 when it raised)."""
        status = 1
        try:
            status = main()
        finally:
            self.close()
        return status


def configure(
    name: str,
    *,
    database: str = "postgresql",
    db_name: str | None = None,
    keep: bool = False,
    hosts: str = "localhost",
    env: dict[str, str] | None = None,
) -> Run:
    """Prepare a production-like run named ``name`` and set the environment Django will read.

    ``db_name``: the PostgreSQL database (default ``bench_<name>_<pid>``). Without ``keep`` a
    database of that name is dropped and created afresh, and dropped at the end; with ``keep`` an
    existing one is reused (``Run.reused``) and none is dropped. ``hosts``: ALLOWED_HOSTS.
    ``env``: the benchmark's own settings on top (e.g. AXES_ENABLED, TRUSTED_PROXY_COUNT).
    """
    pid = os.getpid()
    tmp = tempfile.mkdtemp(prefix=f"motcua-bench-{name}-")
    db_name = db_name or f"bench_{name}_{pid}"
    reused = False
    if database == "postgresql":
        with _admin(PG_SERVER) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
            if exists and keep:
                reused = True
            else:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{db_name}"')
        database_url = f"{PG_SERVER}/{db_name}"
    elif database == "sqlite":
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        raise ValueError(f"unknown database {database!r}: postgresql or sqlite")
    run = Run(
        name=name,
        database=database,
        db_name=db_name,
        database_url=database_url,
        key_prefix=f"bench-{name}-{pid}-{secrets.token_hex(4)}",
        tmp=tmp,
        keep=keep,
        reused=reused,
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",  # also: Django keeps no query in memory while timing
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_KEY": secrets.token_hex(32),
            "ALLOWED_HOSTS": hosts,
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": run.key_prefix,
            "MEDIA_ROOT": f"{tmp}/media",
            "AUDIT_CHECKPOINT_DIR": f"{tmp}/audit-checkpoints",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
    )
    for variable in NOT_IN_PRODUCTION:
        os.environ.pop(variable, None)
    return run


def clear_redis(url: str, prefix: str) -> None:
    """Delete the keys under ``prefix`` (a benchmark's own); nothing when Redis does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


def manage(*command: str, debug: bool = False) -> str:
    """``manage.py <command>`` in the run's environment (DEBUG on only when asked); its output.
    Exits with the command's output when it fails."""
    env = {**os.environ, "DEBUG": "1" if debug else "0"}
    done = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def demo_database(run: Run) -> None:
    """The demo (province, communes, catalogue, accounts, six weeks of dossiers) in the run's
    database, migrated and analysed, unless reused from an earlier run; the static files collected as
    deploying does. The demo loads only in development (DEBUG on); it is served with DEBUG off."""
    if not run.reused:
        manage("migrate", "--no-input", "-v0")
        manage("demo_load", debug=True)
        if run.database == "postgresql":
            # The statistics autovacuum keeps for a province's data in use: planned without them
            # (estimates of one row) a freshly loaded demo is slower than production, not kinder.
            import psycopg

            with psycopg.connect(run.database_url, autocommit=True) as conn:
                conn.execute("ANALYZE")
    manage("collectstatic", "--no-input", "-v0")


def signed_in_session(user) -> str:
    """The key of a new session signed in as ``user`` (sent as the ``sessionid`` cookie), as the
    sign-in page would make it; an officer whose role needs the second factor has passed it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if getattr(user, "kind", "") == "staff":
        pass_second_factor(session, user)
    session.create()
    return session.session_key


# -------------------------------------------------------------------------------------------
# gunicorn as the README deploys it


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(run: Run, port: int, *, workers: int = 4) -> subprocess.Popen:
    """gunicorn as deployed (sync workers, ``--timeout 60``, access log to stdout — to the journal
    in production, to nowhere here), bound to loopback, in a session of its own; its errors go to
    ``<tmp>/gunicorn.log``."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "motcua.wsgi:application", "--bind", f"{HOST}:{port}", "--workers",
           str(workers), "--timeout", "60", "--access-logfile", "-", "--log-level", "warning"]  # fmt: skip
    return _spawn(run, cmd, "gunicorn.log")


def _spawn(run: Run, cmd: list[str], log: str) -> subprocess.Popen:
    """``cmd`` from the repository root with this run's environment, in a session of its own
    (``stop_process`` stops its whole group); stdout dropped, stderr to ``<tmp>/<log>``."""
    with open(f"{run.tmp}/{log}", "w") as errors:  # the child keeps its own descriptor
        return subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=errors,
        )  # fmt: skip


def wait_healthy(
    run: Run,
    port: int,
    server: subprocess.Popen,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> dict:
    """Wait until ``/healthz`` answers 200 (its JSON body returned); exit with gunicorn's log
    when the server stops or does not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = Path(run.tmp, "gunicorn.log").read_text()
            raise SystemExit(f"gunicorn exited with status {server.returncode}:\n{log}")
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            conn.request("GET", "/healthz", headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                return json.loads(body)
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz in {timeout:.0f} s")


def start_task_worker(run: Run) -> subprocess.Popen:
    """``manage.py db_worker`` as the README deploys it beside gunicorn (at nice 10, below the web
    processes), in a session of its own; its errors go to ``<tmp>/worker.log``."""
    cmd = ["nice", "-n", "10", sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    return _spawn(run, cmd, "worker.log")


def stop_process(server: subprocess.Popen) -> None:
    """SIGTERM to a server's process group (gunicorn's arbiter and its workers, the task worker),
    SIGKILL after 15 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def pass_second_factor(session, user) -> None:
    """Mark a signed-in session as having passed the staff second factor (TOTP), as the session
    of an officer whose role needs it is once he has typed his code (README, "Staff second
    factor"): with DEBUG off a leader's pages otherwise send him to that step. Call with the
    session before it is saved."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def unlisted_columns(model, listed: str) -> tuple[str, str, list]:
    """What a bulk ``INSERT … SELECT`` into ``model``'s table must add to its own column list
    ``listed`` (comma-separated names): every NOT NULL column it does not name, with the model
    field's default, as ``(", col, …", ", %s, …", [values])``. A column added to the model later
    (a migration) then gets its default instead of breaking the load."""
    from django.db import connection

    named = {name.strip() for name in listed.split(",")}
    fields = [f for f in model._meta.concrete_fields if not f.null and f.column not in named]
    values = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    return (
        "".join(f", {f.column}" for f in fields),
        "".join(", %s" for _ in fields),
        values,
    )
