"""Each channel against its stand-in on loopback: what goes over the wire, and what each answer
makes of the message (GOV.UK Notify's statuses)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from motcua.notifications.models import OutboxMessage
from motcua.notifications.sender import send_due
from motcua.notifications.services import outbox_enqueue_to
from motcua.notifications.testing.standins import Reply

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam


def queue(
    channel, recipient, body="Hồ sơ 000.01.31.H99-260302-0001 đã được tiếp nhận.", **kw
) -> OutboxMessage:
    message = outbox_enqueue_to(
        channel=channel, recipient=recipient, event="dossier.receive", body=body, **kw
    )
    return message


def reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


@time_machine.travel(NOW, tick=False)
def test_an_email_is_delivered_to_the_smtp_server_with_our_message_id(smtp):
    message = queue("email", "hoa@example.vn", subject="Hồ sơ đã được tiếp nhận")
    assert send_due() == {"delivered": 1}
    message = reload(message)
    assert (message.status, message.attempts, message.sent_at) == ("delivered", 1, NOW)
    [mail] = smtp.handler.messages
    assert mail["To"] == "hoa@example.vn"
    assert mail["Message-ID"] == f"<motcua-outbox-{message.pk}@motcua.local>"
    assert "đã được tiếp nhận" in mail.get_payload(decode=True).decode()


@time_machine.travel(NOW, tick=False)
def test_a_mailbox_the_server_refuses_is_permanent_and_a_busy_one_is_retried(smtp):
    smtp.handler.refuse = {"khong-co@example.vn": "550 No such user", "day@example.vn": "452 Mailbox full"}
    gone, full, fine = (queue("email", a) for a in ("khong-co@example.vn", "day@example.vn", "an@example.vn"))
    send_due()
    gone, full, fine = reload(gone), reload(full), reload(fine)
    assert gone.status == "permanent-failure" and "550" in gone.last_error
    assert full.status == "temporary-failure" and "452" in full.last_error
    assert full.next_attempt_at == NOW + timedelta(seconds=60)
    assert fine.status == "delivered"  # the same connection carried on after the refusals
    assert len(smtp.handler.messages) == 1


@time_machine.travel(NOW, tick=False)
def test_no_smtp_server_is_a_temporary_failure(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    message = queue("email", "hoa@example.vn")
    send_due()
    message = reload(message)
    assert message.status == "temporary-failure" and message.last_error


@time_machine.travel(NOW, tick=False)
def test_an_sms_goes_to_the_gateway_with_the_number_sender_and_our_reference(sms_gateway):
    sms_gateway.default = Reply(202, {"message_id": "gw-778"})
    message = queue("sms", "0912 345 678", body="Ho so X da duoc tiep nhan")
    assert send_due() == {"sent": 1}
    [request] = sms_gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["authorization"] == "Bearer khoa-thu"
    assert request["json"] == {
        "to": "84912345678",
        "sender": "MOTCUA",
        "text": "Ho so X da duoc tiep nhan",
        "reference": f"motcua-outbox-{message.pk}",
    }
    message = reload(message)
    assert (message.status, message.provider_reference) == ("sent", "gw-778")


@time_machine.travel(NOW, tick=False)
def test_a_4xx_from_the_gateway_is_permanent_and_keeps_its_error_body(sms_gateway):
    sms_gateway.default = Reply(400, {"error": "invalid_number", "message": "Số không tồn tại"})
    message = queue("sms", "0912345678")
    assert send_due() == {"permanent-failure": 1}
    message = reload(message)
    assert message.status == "permanent-failure"
    assert "HTTP 400" in message.last_error and "invalid_number" in message.last_error
    assert message.next_attempt_at == NOW  # never tried again by itself


def test_5xx_and_timeouts_are_retried_with_backoff_then_a_dead_letter(sms_gateway, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    sms_gateway.queue = [Reply(503, {"error": "busy"}), Reply(200, {}, delay=1.5), Reply(500, {"error": "x"})]
    with time_machine.travel(NOW, tick=False) as clock:
        message = queue("sms", "0912345678")
        send_due()
        message = reload(message)
        assert (message.status, message.attempts) == ("temporary-failure", 1)
        assert message.next_attempt_at == NOW + timedelta(seconds=60) and "HTTP 503" in message.last_error
        assert send_due() == {}  # not due yet
        clock.move_to(NOW + timedelta(seconds=60))
        send_due()
        message = reload(message)
        assert (message.status, message.attempts) == ("temporary-failure", 2)
        assert "Hết thời gian chờ" in message.last_error
        assert message.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # twice as long
        clock.move_to(NOW + timedelta(seconds=180))
        send_due()
    message = reload(message)
    assert (message.status, message.attempts) == ("technical-failure", 3)
    assert message.next_attempt_at is None and "đã thử 3 lần" in message.last_error
    assert len(sms_gateway.requests) == 3


@time_machine.travel(NOW, tick=False)
def test_sms_without_a_gateway_configured_is_a_technical_failure(settings):
    settings.SMS_GATEWAY_URL = ""
    message = queue("sms", "0912345678")
    send_due()
    assert reload(message).status == "technical-failure"


@time_machine.travel(NOW, tick=False)
def test_zalo_sends_the_approved_template_with_its_data(zalo):
    message = queue("zalo", "0912345678")
    OutboxMessage.objects.filter(pk=message.pk).update(data={"ma_ho_so": "000.01.31.H99-260302-0001"})
    assert send_due() == {"sent": 1}
    [request] = zalo.requests
    assert request["path"] == "/message/template"
    assert request["headers"]["access_token"] == "oa-token"
    assert request["json"] == {
        "phone": "84912345678",
        "template_id": "301234",
        "template_data": {"ma_ho_so": "000.01.31.H99-260302-0001"},
        "tracking_id": f"motcua-outbox-{message.pk}",
    }
    assert reload(message).provider_reference == "zmsg-1"


@time_machine.travel(NOW, tick=False)
def test_zalo_refusing_in_its_body_is_permanent(zalo):
    zalo.default = Reply(200, {"error": -108, "message": "Phone number is invalid"})
    message = queue("zalo", "0912345678")
    send_due()
    message = reload(message)
    assert message.status == "permanent-failure" and "-108" in message.last_error


@time_machine.travel(NOW, tick=False)
def test_an_in_app_notice_is_delivered_by_being_visible(django_user_model):
    from motcua.notifications.selectors import citizen_notices

    user = django_user_model.objects.create_user("cong-dan", password="x")  # noqa: S106
    other = django_user_model.objects.create_user("nguoi-khac", password="x")  # noqa: S106
    message = queue("in_app", str(user.pk))
    assert list(citizen_notices(user)) == []  # not yet sent
    send_due()
    assert list(citizen_notices(user)) == [reload(message)]
    assert list(citizen_notices(other)) == []
