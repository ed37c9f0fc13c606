"""A local account: sign up with a phone number and a password, the number proved by an SMS code."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password

from motcua.accounts import registration, signin_methods
from motcua.accounts.models import PhoneCode, Profile, User
from motcua.audit.models import AuditEvent
from motcua.notifications.models import OutboxMessage

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday
REGISTER_URL = "/tai-khoan/dang-ky/"
PASSWORD = "hoa-sen-trang-2026"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _form(**changes):
    data = {
        "kind": "citizen",
        "full_name": "Lê Thị Hoa",
        "phone": "0912 345 678",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **changes}


def _sms(phone="0912345678"):
    return list(OutboxMessage.objects.filter(channel="sms", recipient=phone).order_by("pk"))


def _code_in(message) -> str:
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def test_signing_up_sends_a_code_by_sms_and_makes_no_account_yet(client, db, frozen):
    response = client.post(REGISTER_URL, _form())

    row = PhoneCode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/"
    assert row.phone == "0912345678" and row.purpose == "register"
    assert row.expires_at == NOW + timedelta(minutes=10)
    assert not User.objects.filter(username="0912345678").exists()
    (sms,) = _sms()
    assert sms.event == "accounts.register_code"
    # Plain text by default (NOTIFY_SMS_ASCII: the gateway takes no diacritics).
    assert "ma xac thuc dang ky tai khoan cua ban la" in sms.body and sms.body.isascii()
    code = _code_in(sms)
    # Only an HMAC of the code is kept.
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.payload["password"].startswith(("argon2", "md5")) and PASSWORD not in str(row.payload)


def test_the_right_code_makes_the_account_signs_it_in_and_records_the_password_method(client, db, frozen):
    client.post(REGISTER_URL, _form())
    row = PhoneCode.objects.get()
    code = _code_in(_sms()[0])

    response = client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": code})

    assert response.status_code == 302 and response["Location"] == "/tai-khoan/thong-tin/"
    user = User.objects.get(username="0912345678")
    assert (user.full_name, user.kind, user.phone) == ("Lê Thị Hoa", "citizen", "0912345678")
    assert check_password(PASSWORD, user.password)
    assert user.profile.phone_verified_at == NOW
    assert user.profile.notify_channels == ["sms", "in_app"]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[signin_methods.SESSION_KEY] == signin_methods.PASSWORD
    assert AuditEvent.objects.filter(action="accounts.register", object_id=str(user.pk)).exists()
    assert PhoneCode.objects.get().payload == {}  # the password hash lives on the account only
    # The request is used: the same code again is refused.
    again = client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": code})
    assert again.status_code == 404


def test_the_account_signs_in_with_its_phone_number_written_any_usual_way(client, db, frozen):
    client.post(REGISTER_URL, _form())
    row = PhoneCode.objects.get()
    client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": _code_in(_sms()[0])})
    client.post("/tai-khoan/dang-xuat/")

    response = client.post("/tai-khoan/dang-nhap/", {"username": "+84 912 345 678", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[signin_methods.SESSION_KEY] == signin_methods.PASSWORD


def test_an_organisation_signs_up_under_its_name(client, db, frozen):
    client.post(
        REGISTER_URL, _form(kind="organisation", full_name="Công ty TNHH Sao Mai", phone="0283 823 4567")
    )
    row = PhoneCode.objects.get()
    client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": _code_in(_sms("02838234567")[0])})

    user = User.objects.get(username="02838234567")
    assert user.kind == "organisation"
    assert user.profile.organisation_name == "Công ty TNHH Sao Mai"


def test_a_wrong_code_says_how_many_tries_are_left_and_the_sixth_try_is_not_compared(client, db, frozen):
    client.post(REGISTER_URL, _form())
    row = PhoneCode.objects.get()
    code = _code_in(_sms()[0])
    wrong = "000000" if code != "000000" else "111111"
    url = f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/"

    first = client.post(url, {"code": wrong})
    assert first.status_code == 400
    assert "Mã xác thực không đúng. Bạn còn 4 lần thử." in first.content.decode()
    for _ in range(4):
        client.post(url, {"code": wrong})
    locked = client.post(url, {"code": code})

    assert locked.status_code == 400
    assert "Bạn đã nhập sai mã quá số lần cho phép" in locked.content.decode()
    assert not User.objects.filter(username="0912345678").exists()
    assert PhoneCode.objects.get().tries == 5


def test_a_code_expires_after_ten_minutes(client, db, frozen):
    client.post(REGISTER_URL, _form())
    row = PhoneCode.objects.get()
    code = _code_in(_sms()[0])

    frozen.shift(timedelta(minutes=10))
    response = client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": code})

    assert response.status_code == 400
    assert "Mã xác thực đã hết hạn" in response.content.decode()
    assert not User.objects.filter(username="0912345678").exists()


def test_resending_waits_a_minute_then_sends_a_new_code_and_the_old_one_stops_working(client, db, frozen):
    client.post(REGISTER_URL, _form())
    row = PhoneCode.objects.get()
    old = _code_in(_sms()[0])
    url = f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/"

    early = client.post(url, {"resend": "1"})
    assert early.status_code == 429
    assert early["Retry-After"] == "60"
    assert "Vui lòng chờ 60 giây nữa rồi bấm gửi lại mã." in early.content.decode()
    assert len(_sms()) == 1

    frozen.shift(timedelta(seconds=60))
    assert client.post(url, {"resend": "1"}).status_code == 302
    first, second = _sms()
    new = _code_in(second)
    assert PhoneCode.objects.get().sends == 2
    if new != old:  # one chance in a million that the new code is the old one
        assert client.post(url, {"code": old}).status_code == 400
    assert client.post(url, {"code": new}).status_code == 302
    assert User.objects.filter(username="0912345678").exists()


def test_a_number_that_has_an_account_is_told_so_by_sms_and_the_visitor_sees_the_same_page(
    client, db, frozen
):
    User.objects.create_user(username="0912345678", phone="0912345678", kind="citizen", password="x" * 12)

    response = client.post(REGISTER_URL, _form())

    row = PhoneCode.objects.get()
    assert response["Location"] == f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/"
    (sms,) = _sms()
    assert sms.event == "accounts.register_exists"
    assert "da co tai khoan" in sms.body and not re.search(r"\d{6}", sms.body)
    assert sms.body.isascii() and "Quen mat khau" in sms.body and not sms.body.endswith("...")
    # No code can match this request.
    assert row.code_hash == ""
    assert client.post(f"/tai-khoan/dang-ky/xac-thuc/{row.pk}/", {"code": "123456"}).status_code == 400


def test_bad_input_is_refused_in_vietnamese_and_keeps_what_was_typed(client, db, frozen):
    response = client.post(REGISTER_URL, _form(phone="12345", password="1234", password2="1234"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Số điện thoại “12345” không hợp lệ" in page
    assert 'value="Lê Thị Hoa"' in page
    assert not PhoneCode.objects.exists() and not OutboxMessage.objects.exists()

    weak = client.post(REGISTER_URL, _form(password="12345678901", password2="12345678901"))
    assert weak.status_code == 400
    assert "Mật khẩu này hoàn toàn là số." in weak.content.decode()

    mismatch = client.post(REGISTER_URL, _form(password2="khac-hoan-toan-2026"))
    assert "Hai mật khẩu không khớp nhau." in mismatch.content.decode()


def test_at_most_five_messages_go_to_one_number_per_hour(client, db, frozen):
    for _ in range(5):
        assert client.post(REGISTER_URL, _form()).status_code == 302

    sixth = client.post(REGISTER_URL, _form())

    assert sixth.status_code == 429
    assert sixth["Retry-After"] == "3600"
    assert (
        "Số điện thoại này đã được gửi quá nhiều mã xác thực. Vui lòng thử lại sau 60 phút."
        in sixth.content.decode()
    )
    assert len(_sms()) == 5
    assert AuditEvent.objects.filter(action="accounts.phone_code_throttled").count() == 1
    frozen.shift(timedelta(hours=1))
    assert client.post(REGISTER_URL, _form()).status_code == 302


def test_at_most_twenty_messages_go_out_per_client_address_per_hour(client, db, frozen, settings):
    settings.PHONE_CODE_PER_ADDRESS_LIMIT = 3
    for n in range(3):
        assert client.post(REGISTER_URL, _form(phone=f"091234567{n}")).status_code == 302

    fourth = client.post(REGISTER_URL, _form(phone="0912345679"))
    other_address = client.post(REGISTER_URL, _form(phone="0912345679"), REMOTE_ADDR="10.0.0.9")

    assert fourth.status_code == 429
    assert "Có quá nhiều yêu cầu gửi mã từ địa chỉ mạng này" in fourth.content.decode()
    assert other_address.status_code == 302


def test_the_counts_are_shared_through_redis(redis_cache, db, frozen):
    """Two processes share the cache: the limit holds across them (here: counts in Redis)."""
    data = registration.RegistrationData(
        kind="citizen", full_name="Lê Thị Hoa", phone="0912345678", password=PASSWORD
    )
    for _ in range(5):
        registration.registration_start(data=data, ip="10.0.0.1")
    with pytest.raises(registration.Throttled):
        registration.registration_start(data=data, ip="10.0.0.2")


def test_two_accounts_cannot_be_made_for_one_number(db, frozen):
    data = registration.RegistrationData(
        kind="citizen", full_name="Lê Thị Hoa", phone="0912345678", password=PASSWORD
    )
    first = registration.registration_start(data=data)
    second = registration.registration_start(data=data)
    codes = [_code_in(m) for m in _sms()]

    registration.registration_complete(row=first, code=codes[0])
    with pytest.raises(registration.Conflict):
        registration.registration_complete(row=second, code=codes[1])
    assert User.objects.filter(username="0912345678").count() == 1
    assert Profile.objects.count() == 1


def test_ended_requests_are_purged_a_day_after_they_expire(db, frozen):
    data = registration.RegistrationData(
        kind="citizen", full_name="Lê Thị Hoa", phone="0912345678", password=PASSWORD
    )
    registration.registration_start(data=data)

    frozen.shift(timedelta(minutes=10) + timedelta(days=1) - timedelta(seconds=1))
    assert registration.phone_codes_purge() == 0
    frozen.shift(timedelta(seconds=2))
    assert registration.phone_codes_purge() == 1
    assert not PhoneCode.objects.exists()
