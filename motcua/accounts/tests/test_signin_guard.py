"""Sign-in behind the reverse proxy: axes locks a user name at one client address only, and
guessing one account from many addresses pauses it on unknown devices (motcua/accounts/signin.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from motcua.accounts import signin
from motcua.audit.models import AuditEvent
from motcua.lib import counters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("behind_proxy")]

LOGIN_URL = "/tai-khoan/dang-nhap/"
PASSWORD = "mat-khau-dung-2026"
# Tuesday 3 March 2026, 10:03 in Hà Nội: the 15-minute window 10:00–10:15.
NOW = datetime(2026, 3, 3, 10, 3, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PROXY = "127.0.0.1"


@pytest.fixture
def behind_proxy():
    with override_settings(TRUSTED_PROXY_COUNT=1):
        yield


@pytest.fixture
def officer():
    user = get_user_model()(username="canbo", full_name="Nguyễn Văn Cán", kind="staff")
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, address, password, username="canbo", url=LOGIN_URL):
    # Every request reaches the application from nginx (REMOTE_ADDR), the client in the header.
    return client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": address},
    )


def _text(response) -> str:
    return response.content.decode()


# -- per user name and address (django-axes) --------------------------------------------------


def test_five_wrong_passwords_at_one_address_do_not_lock_the_officer_out_at_another(officer):
    with time_machine.travel(NOW, tick=False):
        for n in range(4):
            assert _sign_in(Client(), "198.51.100.2", f"sai-{n}").status_code == 200
        assert _sign_in(Client(), "198.51.100.2", "sai-4").status_code == 429  # the fifth locks
        locked = _sign_in(Client(), "198.51.100.2", PASSWORD)
        elsewhere = Client()
        signed_in = _sign_in(elsewhere, "198.51.100.3", PASSWORD)
        assert elsewhere.session["_auth_user_id"] == str(officer.pk)
    assert locked.status_code == 429
    assert "Bạn đã nhập sai quá nhiều lần" in _text(locked)
    assert signed_in.status_code == 302


def test_the_lock_out_is_recorded_once_with_the_clients_address_not_the_proxys(officer):
    with time_machine.travel(NOW, tick=False):
        for n in range(8):
            _sign_in(Client(), "198.51.100.4", f"sai-{n}")
    locked = list(AuditEvent.objects.filter(action="accounts.locked_out"))
    assert len(locked) == 1
    assert (locked[0].ip_address, locked[0].object_id) == ("198.51.100.4", str(officer.pk))
    assert locked[0].extra == {"username": "canbo", "failures": 5}


def test_a_sign_in_is_recorded_with_the_clients_address(officer):
    with time_machine.travel(NOW, tick=False):
        assert _sign_in(Client(), "198.51.100.5", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="accounts.sign_in")
    assert (event.actor_id, event.ip_address) == (officer.pk, "198.51.100.5")


# -- per account, from many addresses ---------------------------------------------------------


def _guess_from_many_addresses(username="canbo", failures=20):
    for n in range(failures):
        assert _sign_in(Client(), f"203.0.113.{n + 1}", f"doan-{n}", username=username).status_code == 200


def test_twenty_failures_from_many_addresses_pause_the_account_on_new_devices(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        newcomer = Client()
        refused = _sign_in(newcomer, "192.0.2.10", PASSWORD)
    assert refused.status_code == 429
    page = _text(refused)
    assert signin.PAUSED_MESSAGE.format(until="10:15") in page
    assert "vừa bị nhập sai mật khẩu nhiều lần từ nhiều nơi" in page and "Bạn đã" not in page
    assert "_auth_user_id" not in newcomer.session


def test_the_officers_own_computer_signs_in_during_the_pause(officer):
    usual = Client()
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        assert _sign_in(usual, "192.0.2.20", PASSWORD).status_code == 302
        usual.post("/tai-khoan/dang-xuat/")  # signs out; the browser keeps its device cookie
        assert "_auth_user_id" not in usual.session
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        # Even from another address (the officer's laptop at home): the device is known.
        response = _sign_in(usual, "192.0.2.21", PASSWORD)
        assert usual.session["_auth_user_id"] == str(officer.pk)
    assert response.status_code == 302


def test_a_forged_device_cookie_is_not_a_known_device(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        forger = Client()
        forger.cookies[signin.DEVICE_COOKIE] = '["canbo"]'
        assert _sign_in(forger, "192.0.2.30", PASSWORD).status_code == 429


def test_the_pause_ends_with_its_window_and_refused_attempts_were_not_failures(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        for _ in range(6):  # refused before the password is tried: nothing for axes to count
            assert _sign_in(Client(), "192.0.2.40", PASSWORD).status_code == 429
    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):  # 10:15
        assert _sign_in(Client(), "192.0.2.40", PASSWORD).status_code == 302


def test_the_pause_is_recorded_once_in_the_audit_log(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        for n in range(5):
            assert _sign_in(Client(), f"192.0.2.{n + 1}", f"tiep-{n}").status_code == 429
    paused = list(AuditEvent.objects.filter(action="accounts.signin_paused"))
    assert len(paused) == 1
    assert (paused[0].object_id, paused[0].ip_address) == (str(officer.pk), "203.0.113.20")
    assert paused[0].extra["failures"] == 20 and paused[0].extra["window_minutes"] == 15


def test_an_unknown_user_name_is_paused_exactly_like_a_real_one(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        _guess_from_many_addresses(username="khong-ton-tai")
        real = _sign_in(Client(), "192.0.2.50", PASSWORD)
        unknown = _sign_in(Client(), "192.0.2.50", PASSWORD, username="khong-ton-tai")
    assert real.status_code == unknown.status_code == 429
    assert signin.PAUSED_MESSAGE.format(until="10:15") in _text(unknown)


def test_another_account_is_not_paused(officer):
    other = get_user_model()(username="canbo2", kind="staff")
    other.set_password(PASSWORD)
    other.save()
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        assert _sign_in(Client(), "192.0.2.60", PASSWORD, username="canbo2").status_code == 302


def test_the_admin_sign_in_is_paused_too(officer):
    officer.is_staff = True
    officer.save()
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses()
        response = _sign_in(Client(), "192.0.2.70", PASSWORD, url="/quan-tri/login/")
    assert response.status_code == 200  # the admin's own page, with the message
    assert signin.PAUSED_MESSAGE.format(until="10:15") in _text(response)


@override_settings(SIGNIN_ACCOUNT_LIMIT=0)
def test_a_limit_of_zero_turns_the_pause_off(officer):
    with time_machine.travel(NOW, tick=False):
        _guess_from_many_addresses(failures=30)
        assert _sign_in(Client(), "192.0.2.80", PASSWORD).status_code == 302


def test_with_redis_down_officers_still_sign_in():
    dead = {
        "default": {
            "BACKEND": "motcua.lib.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    user = get_user_model()(username="canbo3", kind="staff")
    user.set_password(PASSWORD)
    user.save()
    counters.local_cache.clear()
    try:
        with override_settings(CACHES=dead), time_machine.travel(NOW, tick=False):
            assert _sign_in(Client(), "192.0.2.90", "sai", username="canbo3").status_code == 200
            assert _sign_in(Client(), "192.0.2.90", PASSWORD, username="canbo3").status_code == 302
    finally:
        counters.local_cache.clear()
