"""A forgotten password of a local account, reset by a code sent by SMS."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.hashers import check_password

from motcua.accounts.models import PhoneCode, User
from motcua.audit.models import AuditEvent
from motcua.notifications.models import OutboxMessage

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
RESET_URL = "/tai-khoan/quen-mat-khau/"
NEW_PASSWORD = "song-hong-xanh-2026"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        username="0987654321",
        phone="0987654321",
        full_name="Phạm Văn Nam",
        kind="citizen",
        password="cu-mat-khau-2025",
    )


def _code(phone="0987654321") -> str:
    (message,) = OutboxMessage.objects.filter(channel="sms", recipient=phone)
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match and message.event == "accounts.reset_code"
    return match.group(1)


def test_a_reset_code_sets_a_new_password(client, citizen, frozen):
    response = client.post(RESET_URL, {"phone": "0987 654 321"})
    row = PhoneCode.objects.get()
    assert response["Location"] == f"/tai-khoan/quen-mat-khau/{row.pk}/"
    assert row.user == citizen and row.purpose == "reset"

    done = client.post(
        f"/tai-khoan/quen-mat-khau/{row.pk}/",
        {"code": _code(), "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert done.status_code == 302 and done["Location"] == "/tai-khoan/dang-nhap/"
    citizen.refresh_from_db()
    assert check_password(NEW_PASSWORD, citizen.password)
    assert AuditEvent.objects.filter(action="accounts.password_reset", object_id=str(citizen.pk)).exists()
    signed_in = client.post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_an_unknown_number_gets_the_same_page_and_no_message(client, db, frozen):
    response = client.post(RESET_URL, {"phone": "0987654321"})

    row = PhoneCode.objects.get()
    assert response["Location"] == f"/tai-khoan/quen-mat-khau/{row.pk}/"
    assert not OutboxMessage.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Mã xác thực gồm 6 chữ số đã được gửi qua tin nhắn SMS đến số" in page
    refused = client.post(
        response["Location"], {"code": "123456", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert refused.status_code == 400
    assert "Mã xác thực không đúng" in refused.content.decode()


def test_a_staff_account_is_not_reset_by_sms(client, db, frozen):
    User.objects.create_user(username="0987654321", phone="0987654321", kind="staff", password="x" * 12)

    client.post(RESET_URL, {"phone": "0987654321"})

    assert PhoneCode.objects.get().user is None
    assert not OutboxMessage.objects.exists()


def test_a_weak_new_password_is_refused_without_spending_the_code(client, citizen, frozen):
    client.post(RESET_URL, {"phone": "0987654321"})
    row = PhoneCode.objects.get()
    code = _code()

    weak = client.post(
        f"/tai-khoan/quen-mat-khau/{row.pk}/", {"code": code, "password": "1234", "password2": "1234"}
    )

    assert weak.status_code == 400
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in weak.content.decode()
    assert PhoneCode.objects.get().tries == 0
    ok = client.post(
        f"/tai-khoan/quen-mat-khau/{row.pk}/",
        {"code": code, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302


def test_a_reset_lifts_the_lock_out_of_wrong_passwords(client, citizen, frozen):
    for _ in range(5):
        client.post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": "sai-mat-khau"})
    locked = client.post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": "cu-mat-khau-2025"})
    assert locked.status_code == 429

    client.post(RESET_URL, {"phone": "0987654321"})
    row = PhoneCode.objects.get()
    client.post(
        f"/tai-khoan/quen-mat-khau/{row.pk}/",
        {"code": _code(), "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (
        client.post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": NEW_PASSWORD}).status_code
        == 302
    )
