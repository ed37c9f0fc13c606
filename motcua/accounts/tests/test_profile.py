""" "Thông tin tài khoản": a person's or an organisation's own profile, and what it fills in."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from motcua.accounts.models import Profile, User
from motcua.accounts.selectors import profile_applicant
from motcua.audit.models import AuditEvent

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
URL = "/tai-khoan/thong-tin/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def citizen(db):
    user = User.objects.create_user(
        username="0912345678", phone="0912345678", full_name="Lê Thị Hoa", kind="citizen", password="x" * 12
    )
    Profile.objects.create(user=user, phone_verified_at=NOW, notify_channels=["sms"])
    return user


@pytest.fixture
def organisation(db):
    return User.objects.create_user(
        username="02838234567",
        phone="02838234567",
        full_name="Công ty TNHH Sao Mai",
        kind="organisation",
        password="x" * 12,
    )


def _person(**changes):
    data = {
        "full_name": "Lê Thị Hoa",
        "citizen_id": "079 190 012 345",
        "date_of_birth": "15/03/1990",
        "address": "12 Lý Thường Kiệt, phường Hoàn Kiếm, Hà Nội",
        "email": "hoa@example.vn",
        "notify_channels": ["sms", "email"],
    }
    return {**data, **changes}


def test_a_citizen_fills_the_profile_and_it_prefills_the_applicant(client, citizen):
    client.force_login(citizen)

    response = client.post(URL, _person())

    assert response.status_code == 302 and response["Location"] == URL
    profile = Profile.objects.get(user=citizen)
    assert profile.citizen_id == "079190012345"
    assert profile.date_of_birth == date(1990, 3, 15)
    assert profile.notify_channels == ["sms", "email"]
    assert profile_applicant(User.objects.get(pk=citizen.pk)) == {
        "kind": "person",
        "name": "Lê Thị Hoa",
        "citizen_id": "079190012345",
        "date_of_birth": date(1990, 3, 15),
        "tax_code": "",
        "representative": "",
        "phone": "0912345678",
        "email": "hoa@example.vn",
        "address": "12 Lý Thường Kiệt, phường Hoàn Kiếm, Hà Nội",
    }
    event = AuditEvent.objects.get(action="accounts.profile_update")
    assert event.after["citizen_id"] == "079190012345" and event.before["citizen_id"] == ""


def test_the_citizen_id_is_checked_as_reception_checks_it(client, citizen):
    client.force_login(citizen)

    wrong_year = client.post(URL, _person(date_of_birth="15/03/1991"))
    no_province = client.post(URL, _person(citizen_id="003190012345"))

    assert wrong_year.status_code == 400
    page = wrong_year.content.decode()
    assert "không khớp với năm sinh 1991 (mã thể hiện năm sinh 1990)" in page
    # What was typed is kept.
    assert 'value="12 Lý Thường Kiệt, phường Hoàn Kiếm, Hà Nội"' in page
    assert "mã tỉnh nơi đăng ký khai sinh “003” không tồn tại" in no_province.content.decode()
    assert Profile.objects.get(user=citizen).citizen_id == ""


def test_every_wrong_field_is_named_at_once(client, citizen):
    client.force_login(citizen)

    response = client.post(URL, _person(full_name="", email="hoa@", date_of_birth="31/02/1990"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Ngày sinh không hợp lệ: nhập theo dạng ngày/tháng/năm" in page
    assert "Nhập họ và tên." not in page  # the form stops at the date first; the service names the rest
    second = client.post(URL, _person(full_name="", email="hoa@"))
    page = second.content.decode()
    assert "Nhập họ và tên." in page and "Thư điện tử “hoa@” không hợp lệ" in page


def test_e_mail_notifications_need_an_e_mail_address(client, citizen):
    client.force_login(citizen)

    response = client.post(URL, _person(email="", notify_channels=["email"]))

    assert response.status_code == 400
    assert "Để nhận thông báo qua thư điện tử, hãy nhập địa chỉ thư điện tử." in response.content.decode()


def test_an_organisation_has_its_tax_code_and_representative(client, organisation):
    client.force_login(organisation)
    form = {
        "organisation_name": "Công ty TNHH Sao Mai",
        "tax_code": "0301234567",
        "representative": "Trần Văn Minh",
        "address": "45 Nguyễn Huệ, phường Sài Gòn, TP. Hồ Chí Minh",
        "email": "",
        "notify_channels": ["in_app"],
    }

    bad = client.post(URL, {**form, "tax_code": "03012345"})
    good = client.post(URL, form)

    assert bad.status_code == 400
    assert "Mã số thuế gồm 10 chữ số" in bad.content.decode()
    assert good.status_code == 302
    applicant = profile_applicant(User.objects.get(pk=organisation.pk))
    assert applicant["kind"] == "organisation"
    assert (applicant["name"], applicant["tax_code"], applicant["representative"]) == (
        "Công ty TNHH Sao Mai",
        "0301234567",
        "Trần Văn Minh",
    )
    page = client.get(URL).content.decode()
    assert "Mã số thuế" in page and "Số định danh cá nhân" not in page


def test_a_national_identity_profile_keeps_its_verified_fields(client, citizen):
    Profile.objects.filter(user=citizen).update(
        citizen_id="079190012345",
        date_of_birth=date(1990, 3, 15),
        identity_issuer="https://sso.dichvucong.gov.vn",
        identity_subject="abc",
        identity_verified_at=NOW,
    )
    client.force_login(citizen)

    page = client.get(URL).content.decode()
    # Disabled fields are sent by no browser; a forged value is ignored.
    response = client.post(
        URL, _person(full_name="Người Khác", citizen_id="001190012345", address="Địa chỉ mới")
    )

    assert 'name="citizen_id" value="079190012345"' in page and "disabled" in page
    assert "Đã xác thực qua định danh quốc gia (VNeID)" in page
    assert response.status_code == 302
    citizen.refresh_from_db()
    profile = Profile.objects.get(user=citizen)
    assert (citizen.full_name, profile.citizen_id, profile.address) == (
        "Lê Thị Hoa",
        "079190012345",
        "Địa chỉ mới",
    )


def test_staff_and_visitors_have_no_profile_page(client, db):
    officer = User.objects.create_user(username="canbo", kind="staff", password="x" * 12)

    assert client.get(URL)["Location"].startswith("/tai-khoan/dang-nhap/")
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert profile_applicant(officer) == {}
