import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "AUDIT_KEY": "k" * 64, **env_extra})
    return subprocess.run(
        # How gunicorn starts it; then what the started process uses for HTTPS.
        [
            sys.executable,
            "-c",
            "import motcua.wsgi; from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_start_with_the_default_secret_key_refuses_and_says_why():
    result = _start({"DEBUG": "0", "ALLOWED_HOSTS": "dvc.example.gov.vn"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_start_without_allowed_hosts_refuses_and_says_why():
    result = _start({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_start_with_both_set_works():
    result = _start({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "dvc.example.gov.vn"})
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_refuses_to_start():
    result = _start({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


def test_production_asks_browsers_for_https_only_and_secure_cookies():
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "dvc.example.gov.vn"}
    assert _start(production).stdout.split() == ["31536000", "True"]
    # A site served over plain HTTP (HTTPS=0, e.g. an internal test server) must not send HSTS.
    assert _start({**production, "HTTPS": "0"}).stdout.split() == ["0", "False"]
