"""The staff second factor (TOTP): who needs it, enrolment with a QR code, the step after the
password, the throttle, recovery by an administrator, and what it leaves alone (API tokens).

The suite runs with ``STAFF_OTP_REQUIRED`` off (settings: it signs officers in with force_login
everywhere); these tests turn it on. The device has a known key and the time is frozen, so each
token is computed here with RFC 6238 (an implementation of the test's own, checked against the
RFC's published vector), not with django-otp's.
"""

import base64
import hashlib
import hmac
import io
import re
import struct
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.otp import staff_otp_demo_enrolments
from motcua.accounts.services import api_token_create
from motcua.audit.models import AuditEvent
from motcua.demo.management.commands.demo_load import Command
from motcua.org.models import Agency, Membership

NOW = datetime(2026, 12, 7, 2, 0, 10, tzinfo=UTC)
# RFC 6238's test key, "12345678901234567890" in ASCII.
KEY_HEX = "3132333435363738393031323334353637383930"
PASSWORD = "mat-khau-lanh-dao-2026"
VERIFY_URL = "/tai-khoan/xac-thuc-hai-buoc/"
ENROL_URL = "/tai-khoan/xac-thuc-hai-buoc/dang-ky/"


def totp(key_hex: str, moment: datetime, step: int = 30, digits: int = 6) -> str:
    counter = int(moment.timestamp()) // step
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_the_tests_totp_gives_the_rfc_6238_vector():
    # RFC 6238 appendix B: T = 1111111109 s, SHA-1 → 07081804 (8 digits).
    assert totp(KEY_HEX, datetime.fromtimestamp(1111111109, tz=UTC), digits=8) == "07081804"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def required(settings):
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def agency(db):
    return Agency.objects.create(code="000.00.31.H13", name="UBND xã Tân Phú", kind="peoples_committee")


def _staff(username: str, agency: Agency, role: str) -> User:
    user = User.objects.create_user(
        username=username, full_name=username.title(), kind="staff", password=PASSWORD
    )
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def leader(agency):
    return _staff("lanhdao", agency, Membership.Role.LEADER)


@pytest.fixture
def leader_device(leader):
    return TOTPDevice.objects.create(user=leader, name="Điện thoại", key=KEY_HEX, confirmed=True)


def _sign_in(client, username="lanhdao"):
    return client.post(
        "/tai-khoan/dang-nhap/", {"username": username, "password": PASSWORD, "next": "/xu-ly/"}
    )


def test_with_the_setting_off_no_second_step_is_asked(client, leader_device, frozen):
    assert _sign_in(client)["Location"] == "/xu-ly/"
    assert client.get("/xu-ly/").status_code == 200


def test_a_leader_types_the_authenticator_code_after_the_password(client, leader_device, required, frozen):
    response = _sign_in(client)
    assert response["Location"] == "/xu-ly/"

    sent_back = client.get("/xu-ly/")
    assert sent_back.status_code == 302
    assert sent_back["Location"] == f"{VERIFY_URL}?next=%2Fxu-ly%2F"
    page = client.get(sent_back["Location"]).content.decode()
    assert "Xác thực hai bước" in page and 'name="next" value="/xu-ly/"' in page

    passed = client.post(VERIFY_URL, {"token": totp(KEY_HEX, NOW), "next": "/xu-ly/"})

    assert passed.status_code == 302 and passed["Location"] == "/xu-ly/"
    assert client.get("/xu-ly/").status_code == 200
    assert AuditEvent.objects.filter(
        action="accounts.otp_verified", object_id=str(leader_device.user_id)
    ).exists()


def test_a_wrong_code_is_refused_and_wrong_codes_are_slowed_down(client, leader_device, required, frozen):
    _sign_in(client)
    wrong = "000000" if totp(KEY_HEX, NOW) != "000000" else "111111"

    first = client.post(VERIFY_URL, {"token": wrong})
    assert first.status_code == 400
    assert "Mã xác thực không đúng hoặc đã được dùng." in first.content.decode()
    # django-otp makes the next try wait (1 s after one failure, 2 s after two, …).
    slowed = client.post(VERIFY_URL, {"token": totp(KEY_HEX, NOW)})
    assert slowed.status_code == 400
    assert "Bạn đã nhập sai nhiều lần. Vui lòng chờ ít phút rồi thử lại." in slowed.content.decode()
    assert client.get("/xu-ly/").status_code == 302

    frozen.shift(timedelta(seconds=2))
    assert client.post(VERIFY_URL, {"token": totp(KEY_HEX, NOW + timedelta(seconds=2))}).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.otp_failed").count() == 1


def test_a_code_is_accepted_once(client, leader_device, required, frozen):
    _sign_in(client)
    token = totp(KEY_HEX, NOW)
    assert client.post(VERIFY_URL, {"token": token}).status_code == 302

    other = type(client)()
    _sign_in(other)
    assert other.post(VERIFY_URL, {"token": token}).status_code == 400


def test_an_officer_without_a_device_enrols_one_with_a_qr_code(client, leader, required, frozen):
    _sign_in(client)
    to_verify = client.get("/xu-ly/")["Location"]
    to_enrol = client.get(to_verify)
    assert to_enrol["Location"] == f"{ENROL_URL}?next=%2Fxu-ly%2F"

    page = client.get(to_enrol["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=leader)
    assert not device.confirmed
    assert "<svg" in page and "<path" in page  # the QR, drawn on the server
    secret = re.search(r'<code class="qr__secret">([A-Z2-7]+)</code>', page).group(1)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)).hex() == device.key

    wrong = client.post(ENROL_URL, {"token": "12345", "next": "/xu-ly/"})
    assert wrong.status_code == 400
    assert "Nhập mã gồm 6 chữ số" in wrong.content.decode()
    done = client.post(ENROL_URL, {"token": totp(device.key, NOW), "next": "/xu-ly/"})

    assert done.status_code == 302 and done["Location"] == "/xu-ly/"
    assert TOTPDevice.objects.get(user=leader).confirmed
    assert client.get("/xu-ly/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp_enrol").count() == 1


def test_a_stolen_password_cannot_enrol_a_second_device(client, leader_device, required, frozen):
    _sign_in(client)

    response = client.get(ENROL_URL)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY_URL)
    assert TOTPDevice.objects.filter(user=leader_device.user).count() == 1


def test_only_the_named_roles_and_superusers_need_it(client, agency, required, frozen):
    _staff("motcua", agency, Membership.Role.RECEPTIONIST)
    director = _staff("giamdoc", agency, Membership.Role.DIRECTOR)
    admin_user = User.objects.create_superuser(username="quantri", password=PASSWORD, kind="staff")

    _sign_in(client, "motcua")
    assert client.get("/xu-ly/").status_code == 200
    for user in (director, admin_user):
        client.force_login(user)
        assert client.get("/xu-ly/")["Location"].startswith(VERIFY_URL)


def test_an_inactive_membership_does_not_call_for_it(client, leader, required, frozen):
    Membership.objects.filter(user=leader).update(active=False)
    _sign_in(client)
    assert client.get("/tai-khoan/thong-tin/").status_code == 403  # reached, not sent to the second step


def test_the_session_api_refuses_an_unverified_officer_but_api_tokens_are_unaffected(
    client, leader_device, required, frozen
):
    _sign_in(client)

    by_session = client.get("/api/v1/dossiers")
    token = api_token_create(user=leader_device.user, name="kịch bản")
    by_token = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})

    assert by_session.status_code == 403
    assert by_session.json()["code"] == "otp_required"
    assert set(by_session.json()) == {"code", "message", "details"}
    assert by_token.status_code == 200


def test_an_administrator_resets_a_lost_authenticator(client, leader_device, required, frozen):
    admin_user = User.objects.create_superuser(username="quantri", password=PASSWORD, kind="staff")
    TOTPDevice.objects.create(user=admin_user, key=KEY_HEX, confirmed=True)
    client.force_login(admin_user)
    client.post(VERIFY_URL, {"token": totp(KEY_HEX, NOW)})

    response = client.post(
        "/quan-tri/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [leader_device.user_id]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=leader_device.user).exists()
    event = AuditEvent.objects.get(action="accounts.otp_reset")
    assert event.object_id == str(leader_device.user_id) and event.actor_id == admin_user.pk


def test_the_reset_command(leader_device, frozen):
    out = io.StringIO()
    call_command("staff_otp_reset", "lanhdao", stdout=out)
    assert "Đã gỡ 1 ứng dụng xác thực của lanhdao" in out.getvalue()
    assert not TOTPDevice.objects.exists()


def test_the_demo_prints_each_such_accounts_enrolment(agency, settings, frozen):
    settings.OTP_TOTP_ISSUER = "Cổng Dịch vụ công"
    _staff("lanhdao", agency, Membership.Role.LEADER)
    _staff("motcua", agency, Membership.Role.RECEPTIONIST)
    User.objects.create_superuser(username="quantri", password=PASSWORD, kind="staff")

    enrolments = staff_otp_demo_enrolments()
    again = staff_otp_demo_enrolments()

    assert [e.username for e in enrolments] == ["lanhdao", "quantri"]
    assert enrolments == again  # the same device each time
    lanhdao = enrolments[0]
    assert lanhdao.uri.startswith(
        "otpauth://totp/C%E1%BB%95ng%20D%E1%BB%8Bch%20v%E1%BB%A5%20c%C3%B4ng%3Alanhdao?"
    )
    assert f"secret={lanhdao.secret}" in lanhdao.uri
    device = TOTPDevice.objects.get(user__username="lanhdao")
    assert device.confirmed

    command = Command(stdout=io.StringIO())
    command.print_second_factor()
    printed = command.stdout.getvalue()
    assert f"lanhdao  khóa {lanhdao.secret}" in printed and lanhdao.uri in printed
    assert "motcua" not in printed.split("\n", 2)[2]
