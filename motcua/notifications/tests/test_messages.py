"""What the citizen is told: the event's template (agency, officer, times, what to do), SMS
without diacritics within length, Zalo's template data, and the channels the citizen chose."""

import pytest
import time_machine

from motcua.accounts.models import Profile
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantData
from motcua.dossiers.tests.conftest import MONDAY_8AM, advance, build_world, intake
from motcua.notifications.messages import sms_text, strip_diacritics
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def rows(dossier: Dossier, event: str) -> dict[str, OutboxMessage]:
    found = OutboxMessage.objects.filter(dossier=dossier, event=event)
    return {m.channel: m for m in found}


@time_machine.travel(MONDAY_8AM, tick=False)
def test_the_reception_message_names_the_agency_the_officer_the_times_and_what_to_do():
    world = build_world()
    d = advance(world, Dossier.State.RECEIVED)
    messages = rows(d, "dossier.receive")
    assert set(messages) == {"sms", "email"}  # a counter dossier: its phone and e-mail
    mail = messages["email"]
    assert mail.subject == f"Hồ sơ {d.code} đã được tiếp nhận"
    officer = d.holder.get_full_name() if d.holder_id else "Bộ phận tiếp nhận và trả kết quả"
    agency = (d.holder_agency or d.receiving_agency).name
    due = d.due_at.astimezone(MONDAY_8AM.tzinfo)
    assert mail.body.splitlines()[:8] == [
        "Kính gửi Nguyễn Thị Hoa,",
        "",
        f"Hồ sơ {d.code} (Thủ tục đăng ký kết hôn) đã được tiếp nhận.",
        "Thời gian: 02/03/2026 08:00.",
        "Trạng thái: Được tiếp nhận.",
        f"Cơ quan giải quyết: {d.handling_agency.name}.",
        f"Người đang xử lý: {officer} — {agency}.",
        f"Hẹn trả kết quả: {due:%d/%m/%Y %H:%M}.",
    ]
    assert "Việc ông/bà cần làm: Không cần làm gì thêm" in mail.body
    assert f"mã tra cứu: {d.pin}." in mail.body
    sms = messages["sms"]
    assert sms.body == f"Ho so {d.code} da duoc tiep nhan. Hen tra: {due:%d/%m/%Y %H:%M}. Ma tra cuu: {d.pin}"
    assert sms.body.isascii() and sms.subject == ""


@time_machine.travel(MONDAY_8AM, tick=False)
def test_a_supplement_request_tells_what_to_bring_in_every_channel():
    world = build_world()
    d = advance(world, Dossier.State.SUPPLEMENT)
    messages = rows(d, "dossier.request-supplement")
    assert "Tờ khai" in messages["email"].body and "Thiếu chữ ký" in messages["email"].body
    assert "Việc ông/bà cần làm: Bổ sung các nội dung nêu trên" in messages["email"].body
    assert "Thieu chu ky" in messages["sms"].body
    # The clock waits for the supplement: no appointment is promised meanwhile.
    assert "Hẹn trả kết quả" not in messages["email"].body and "Hen tra" not in messages["sms"].body


def test_vietnamese_without_its_marks():
    assert strip_diacritics("Hồ sơ đã được tiếp nhận") == "Ho so da duoc tiep nhan"
    assert strip_diacritics("ĐĂNG KÝ KẾT HÔN — Ủy ban") == "DANG KY KET HON - Uy ban"
    assert strip_diacritics("chọn “Quên mật khẩu”…").isascii()


def test_an_sms_is_cut_to_two_parts(settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 2
    long = "Thông báo " * 50
    text = sms_text(long)
    assert len(text) == 306 and text.endswith("...") and text.isascii()
    settings.NOTIFY_SMS_ASCII = False
    text = sms_text(long)
    assert len(text) == 134 and text.endswith("…") and "Thông báo" in text


def submitted_by(world, channels, **applicant):
    Profile.objects.update_or_create(user=world.citizen, defaults={"notify_channels": channels})
    data = intake(world, channel=2, applicant=ApplicantData(kind="person", name="Lò Văn Pả", **applicant))
    return services.dossier_submit_online(citizen=world.citizen, data=data)


@time_machine.travel(MONDAY_8AM, tick=False)
def test_the_citizen_chooses_their_channels():
    world = build_world()
    d = submitted_by(world, ["email"], citizen_id="011090001234", phone="0987654321", email="pa@example.vn")
    assert {(m.channel, m.recipient) for m in rows(d, "dossier.submit_online").values()} == {
        ("email", "pa@example.vn")
    }
    d = submitted_by(world, [], citizen_id="011090001234", phone="0987654321", email="pa@example.vn")
    assert set(rows(d, "dossier.submit_online")) == {"sms", "email", "in_app"}  # every contact known


@time_machine.travel(MONDAY_8AM, tick=False)
def test_zalo_when_chosen_and_configured_carries_the_template_data(settings):
    world = build_world()
    d = submitted_by(world, ["zalo"], citizen_id="011090001234", phone="0987654321")
    assert set(rows(d, "dossier.submit_online")) == {"in_app"}  # Zalo not configured: still told
    settings.ZALO_ACCESS_TOKEN = "oa-token"
    settings.ZALO_TEMPLATES = {"dossier.submit_online": "301230"}
    d = submitted_by(world, ["zalo"], citizen_id="011090001234", phone="0987654321")
    [zalo] = rows(d, "dossier.submit_online").values()
    assert (zalo.channel, zalo.recipient) == ("zalo", "0987654321")
    assert zalo.data["ma_ho_so"] == d.code
    assert zalo.data["trang_thai"] == "Mới đăng ký"
    assert zalo.data["thoi_gian"] == "02/03/2026 08:00"
    assert set(zalo.data) == {
        "ma_ho_so",
        "ten_thu_tuc",
        "trang_thai",
        "can_bo_xu_ly",
        "co_quan",
        "thoi_gian",
        "hen_tra",
        "viec_can_lam",
    }


@time_machine.travel(MONDAY_8AM, tick=False)
def test_a_gateway_that_takes_unicode_gets_the_sms_with_its_diacritics(settings):
    settings.NOTIFY_SMS_ASCII = False
    world = build_world()
    d = advance(world, Dossier.State.RECEIVED)
    sms = rows(d, "dossier.receive")["sms"]
    assert sms.body.startswith(f"Hồ sơ {d.code} đã được tiếp nhận. Hẹn trả: ")
    assert len(sms.body) <= 134


@time_machine.travel(MONDAY_8AM, tick=False)
def test_a_dossier_handed_to_the_agency_before_an_officer_is_assigned_names_the_role_it_waits_for():
    world = build_world()
    d = advance(world, Dossier.State.RECEIVED)
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.holder_id is None and d.holder_agency_id == d.handling_agency_id != d.receiving_agency_id
    body = rows(d, "dossier.forward")["email"].body
    assert f"Người đang xử lý: Chuyên viên — {d.handling_agency.name}." in body, body
    assert "Bộ phận tiếp nhận và trả kết quả" not in body
