"""Signing in: the Vietnamese form, throttling of repeated failures (django-axes)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

LOGIN_URL = "/tai-khoan/dang-nhap/"
PASSWORD = "mat-khau-dung-2026"


@pytest.fixture
def officer(db):
    user = get_user_model()(username="canbo", full_name="Nguyễn Văn Cán", kind="staff")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def another_officer(db):
    user = get_user_model()(username="canbo2", full_name="Trần Thị Bộ", kind="staff")
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_it_serves_the_login_url_under_tai_khoan():
    assert reverse("accounts:login") == LOGIN_URL


def test_it_shows_the_sign_in_form_in_vietnamese(client, db):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Đăng nhập" in page
    assert 'for="id_username">Tên đăng nhập hoặc số điện thoại</label>' in page
    assert 'for="id_password">Mật khẩu</label>' in page
    assert 'class="btn btn-primary"' in page


def test_it_signs_in_with_the_right_password(client, officer):
    response = _sign_in(client, "canbo", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_it_says_in_vietnamese_that_the_pair_is_wrong(client, officer):
    response = _sign_in(client, "canbo", "sai-mat-khau")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert 'class="alert alert-error"' in page
    assert "_auth_user_id" not in client.session


def test_it_gives_the_same_message_for_an_unknown_user_name(client, officer):
    response = _sign_in(client, "khong-ton-tai", "bat-ky")

    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_it_locks_the_sixth_attempt_after_five_failures_even_with_the_right_password(client, officer):
    for attempt in range(1, 5):
        response = _sign_in(client, "canbo", f"sai-{attempt}")
        assert response.status_code == 200, attempt
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    _sign_in(client, "canbo", "sai-5")

    response = _sign_in(client, "canbo", PASSWORD)

    assert response.status_code == 429
    assert "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_another_user_name(client, officer, another_officer):
    for attempt in range(5):
        _sign_in(client, "canbo", f"sai-{attempt}")

    response = _sign_in(client, "canbo2", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(another_officer.pk)


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client, officer):
    for attempt in range(4):
        _sign_in(client, "canbo", f"sai-{attempt}")
    assert _sign_in(client, "canbo", PASSWORD).status_code == 302
    client.logout()

    for attempt in range(4):
        _sign_in(client, "canbo", f"lai-sai-{attempt}")
    response = _sign_in(client, "canbo", PASSWORD)

    assert response.status_code == 302


def test_the_lockout_page_names_the_configured_cool_off_in_whole_minutes():
    from datetime import timedelta

    from motcua.accounts.templatetags.accounts_extras import minutes

    assert minutes(timedelta(minutes=15)) == 15
    assert minutes(timedelta(minutes=30)) == 30
    assert minutes(timedelta(seconds=61)) == 2
    assert minutes(None) == 15
