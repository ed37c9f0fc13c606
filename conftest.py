"""Project-wide pytest set-up: a fresh cache per test, Redis for the tests that need it, and the
headless browser used by browser tests.

`make test` runs the whole suite on Redis (REDIS_URL: the one on 127.0.0.1:6379, or one the
Makefile starts), the way production runs with more than one process: the versioned reference
data, the tracking throttle and the sign-in slow-down then count in Redis, atomically, as they
do in production. Each test process keeps its keys under a prefix of its own, so emptying the
cache around a test (a prefix-scoped clear, motcua/lib/cache.py) never touches the keys of
another xdist worker, or of another run sharing the same Redis. Run by hand without REDIS_URL,
the suite uses the local-memory cache; the tests marked for Redis then use the `redis_url`
fixture, and are skipped only when no Redis answers at all.

Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright — never a browser
download — against pytest-django's live server, and check pages with axe-core (npm package,
installed by `make test` into node_modules/).
"""

import functools
import os
import threading
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import override_settings
from django.test.testcases import LiveServerThread

from motcua.lib.versioned import recheck_all

ROOT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"


class _TakingTurns(ThreadedWSGIServer):
    """The live server, its requests taking turns on SQLite: the test database lives in memory,
    shared between the server's threads with table-level locks that do not wait (a write while
    another request reads fails at once with "database table is locked"). A request's turn lasts
    until its response is closed, so work done after the answer (motcua/lib/afterwards.py) is
    part of it. On PostgreSQL requests run at once, as in production."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.turn = threading.Lock()

    def get_app(self):
        app = super().get_app()
        assert app is not None  # set by the live server before it serves
        if connection.vendor != "sqlite":
            return app
        turn = self.turn

        def in_turn(environ, start_response):
            turn.acquire()
            try:
                return _ReleasedOnClose(app(environ, start_response), turn)
            except BaseException:
                turn.release()
                raise

        return in_turn


class _ReleasedOnClose:
    def __init__(self, result, turn: threading.Lock) -> None:
        self.result, self.turn = result, turn

    def __iter__(self):
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.turn.release()


LiveServerThread.server_class = _TakingTurns


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the tests store go to this run's temporary directory (one per xdist worker), never
    into the media/ that `make run` serves, and two workers never write into the same one."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def _suite_redis() -> str | None:
    """The Redis the suite's cache is on (`make test`), or None (local memory)."""
    conf = settings.CACHES["default"]
    return str(conf["LOCATION"]) if conf["BACKEND"] == "motcua.lib.cache.RedisCache" else None


@pytest.fixture(scope="session", autouse=True)
def _cache_key_prefix():
    """On Redis, this process's keys live under a prefix of its own (worker name and process id)."""
    conf = settings.CACHES["default"]
    if _suite_redis() is None:
        yield
        return
    prefix = f"motcua-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    with override_settings(CACHES={"default": {**conf, "KEY_PREFIX": prefix}}):
        yield
        cache.clear()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis for the tests that need one, whatever the suite's cache: the suite's own under
    `make test`, else TEST_REDIS_URL (default redis://127.0.0.1:6379/1). Skips only when none
    answers (`make test` always has one)."""
    url = _suite_redis() or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"No Redis answers at {url} ({exc}); `make test` starts one.")
    return url


@pytest.fixture
def redis_cache(redis_url):
    """Django's cache on Redis for this test, under a key prefix of its own (emptied after it)."""
    conf = {
        "BACKEND": "motcua.lib.cache.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": f"motcua-test-{uuid.uuid4().hex[:12]}",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={"default": conf}):
        yield cache
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: no calendar, catalogue entry or counter kept from
    what an earlier test wrote and rolled back (nor a version kept per process, trusted for a
    minute: motcua/lib/versioned.py)."""
    cache.clear()
    recheck_all()
    yield
    cache.clear()
    recheck_all()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (setting up data) are still synchronous, so tell Django this is intended.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    # The site's own pages never trip its Content-Security-Policy.
    assert refused == [], refused


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: `make test` runs `npm ci` to install it.")
    # Evaluated through the browser's debugging protocol, not as a <script> tag: the site's
    # Content-Security-Policy (rightly) refuses inline scripts, and stays on while we test.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Stand-ins on loopback for the providers outside the machine, shared by the apps' tests.


@pytest.fixture
def oidc_provider(live_server, settings):
    """The national identity's OpenID provider (the npm oidc-provider stand-in), motcua pointed
    at it, its redirect URIs those of the live server."""
    from motcua.accounts.tests.oidc_standin import running_standin

    with running_standin(
        redirect_uris=[f"{live_server.url}/tai-khoan/dinh-danh/ve/"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
    ) as standin:
        standin.oidc_settings(settings)
        yield standin


from motcua.payments.testing.fixtures import vnpay_standin  # noqa: E402, F401 — the VNPay stand-in


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (aiosmtpd), and Django's default mailer pointed at it."""
    from motcua.notifications.testing.standins import SmtpStandIn

    with SmtpStandIn() as server, override_settings(MAILERS=server.mailers()):
        yield server
