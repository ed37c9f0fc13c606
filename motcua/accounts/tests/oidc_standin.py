"""The local OpenID provider of the national sign-in tests: tools/oidc-standin/server.mjs (npm
``oidc-provider``) run by Node on a free loopback port, and an HTTP client that signs in at it.

``running_standin(...)`` starts it, waits until its discovery document answers and stops it;
``Standin.sign_in(...)`` fills its login form as a person would and returns where the provider
sends the browser back to (our callback with ``code`` and ``state``).
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tools" / "oidc-standin" / "server.mjs"
CLIENT_ID = "motcua"
CLIENT_SECRET = "motcua-test-secret"  # noqa: S105 — the stand-in's, on loopback
PASSWORD = "matkhau-thu"  # noqa: S105 — the stand-in's test citizens
AN = {"login": "001090000001", "sub": "vneid-0001"}  # Nguyễn Văn An (tools/oidc-standin/accounts.json)
BINH = {"login": "008185000002", "sub": "vneid-0002"}  # Trần Thị Bình


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Standin:
    issuer: str
    http: requests.Session = field(default_factory=requests.Session)  # the person's browser there

    def oidc_settings(self, settings) -> None:
        """Point motcua at this provider (pytest-django's ``settings`` fixture)."""
        settings.OIDC_ISSUER = self.issuer
        settings.OIDC_DISCOVERY_URL = ""
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET

    def misbehave(self, mode: str) -> None:
        """'' (correct), 'signature' (ID tokens signed with a key it does not publish),
        'nonce'/'iss'/'aud' (the ID token re-signed with that claim changed)."""
        response = requests.post(f"{self.issuer}/_standin/mode", data={"mode": mode}, timeout=5)
        response.raise_for_status()

    def _follow(self, url: str) -> requests.Response:
        """GET ``url`` and follow the provider's own redirects, stopping at the first one that
        leaves it (that is the browser going back to motcua) or at a page."""
        response = self.http.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect and urljoin(url, response.headers["Location"]).startswith(self.issuer):
            url = urljoin(url, response.headers["Location"])
            response = self.http.get(url, allow_redirects=False, timeout=10)
        return response

    def authorize(self, authorize_url: str) -> requests.Response:
        """The browser arrives at the authorization endpoint: a login form, or (already signed in
        there) straight back to motcua."""
        return self._follow(authorize_url)

    def sign_in(self, authorize_url: str, who: dict[str, str], password: str = PASSWORD) -> str:
        """Sign in at the provider (unless already signed in there); the URL it sends the browser
        back to."""
        page = self.authorize(authorize_url)
        if page.is_redirect:
            return page.headers["Location"]
        assert page.status_code == 200 and 'name="login"' in page.text, page.text[:500]
        form = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert form, page.text[:500]
        action = unescape(form.group(1))
        response = self.http.post(
            urljoin(page.url, action),
            data={"login": who["login"], "password": password},
            allow_redirects=False,
            timeout=10,
        )
        assert response.is_redirect, response.text[:500]
        location = urljoin(page.url, response.headers["Location"])
        if location.startswith(self.issuer):
            response = self._follow(location)
            assert response.is_redirect, response.text[:500]
            location = response.headers["Location"]
        return location

    def end_session(self, end_session_url: str) -> str:
        """The browser at the end-session endpoint: it confirms (the form a browser submits by
        itself); where the provider sends it back to."""
        page = self._follow(end_session_url)
        assert page.status_code == 200, page.text[:500]
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
        assert form, page.text[:500]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
        response = self.http.post(
            urljoin(page.url, unescape(form.group(1))),
            data=fields,
            allow_redirects=False,
            timeout=10,
        )
        assert response.is_redirect, response.text[:500]
        return response.headers["Location"]


@contextmanager
def running_standin(*, redirect_uris: list[str], post_logout_redirect_uris: list[str]) -> Iterator[Standin]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is missing: the national sign-in tests run the oidc-provider stand-in with it.")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("oidc-provider is missing: `make test` runs `npm ci` to install it.")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STANDIN_PORT": str(port),
        "STANDIN_ISSUER": issuer,
        "STANDIN_CLIENT_ID": CLIENT_ID,
        "STANDIN_CLIENT_SECRET": CLIENT_SECRET,
        "STANDIN_PASSWORD": PASSWORD,
        "STANDIN_REDIRECT_URIS": ",".join(redirect_uris),
        "STANDIN_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "STANDIN_TEST_CONTROLS": "1",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 — our own script, by Node
            [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log
        )
        try:
            # It prints one line once it listens (or dies, closing its output).
            ready = process.stdout.readline().decode() if process.stdout else ""
            if "oidc-standin:" not in ready:
                process.wait(5)
                log.seek(0)
                pytest.fail(f"The oidc-provider stand-in did not start: {ready}{log.read().decode()}")
            discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
            assert discovery["issuer"] == issuer
            yield Standin(issuer=issuer)
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def sign_in_at_provider(page, login: str, password: str = PASSWORD) -> None:
    """In a browser (a Playwright page) on the stand-in's login form: sign in as ``login``."""
    page.get_by_label("Số định danh cá nhân").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def query_of(url: str) -> str:
    """The path and query of ``url`` (what the Django test client gets)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
