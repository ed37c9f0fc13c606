"""Passwords are hashed with Argon2 outside tests (tests put the fast MD5 hasher first)."""

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


def test_it_lists_argon2_first_in_the_settings_a_server_starts_with():
    # A fresh interpreter without pytest imported reads the settings as a server would.
    env = {**os.environ, "DEBUG": "1"}
    env.pop("MOTCUA_TESTING", None)
    out = subprocess.run(  # noqa: S603 — fixed command, our own interpreter
        [sys.executable, "-c", "import motcua.settings as s; print('\\n'.join(s.PASSWORD_HASHERS))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )

    hashers = out.stdout.split()
    assert hashers[0] == ARGON2
    assert MD5 not in hashers


def test_it_only_adds_md5_in_front_for_tests():
    assert settings.PASSWORD_HASHERS[0] == MD5
    assert [h for h in settings.PASSWORD_HASHERS if h != MD5][0] == ARGON2


def test_it_hashes_with_argon2_when_asked_for_the_production_hasher():
    encoded = make_password("mat-khau-dung-2026", hasher="argon2")

    assert encoded.startswith("argon2$argon2id$")
    assert check_password("mat-khau-dung-2026", encoded)
    assert not check_password("mat-khau-sai", encoded)
