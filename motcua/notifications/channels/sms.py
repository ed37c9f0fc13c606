"""SMS through an HTTP SMS gateway (a brand-name SMS provider): a JSON POST of the phone number,
the sender name and the text, with our message reference, which the gateway uses to never
deliver one message twice (so a retry after a crash is safe).

Request: ``POST SMS_GATEWAY_URL`` with ``Authorization: Bearer SMS_GATEWAY_API_KEY`` and
``{"to": "84912345678", "sender": SMS_SENDER_NAME, "text": …, "reference": "motcua-outbox-17"}``;
a 2xx answer may carry the gateway's id as ``id`` or ``message_id``."""

from django.conf import settings

from motcua.notifications.channels.base import Adapter, Outcome, Result
from motcua.notifications.channels.http import Answer, post_json
from motcua.notifications.phones import international


class SmsGatewayAdapter(Adapter):
    idempotent = True

    def send(self, message) -> Result:
        url = settings.SMS_GATEWAY_URL
        if not url:
            return Result(Outcome.TECHNICAL, error="Chưa cấu hình cổng gửi SMS (SMS_GATEWAY_URL).")
        phone = international(message.recipient)
        if phone is None:
            return Result(Outcome.PERMANENT, error=f"Số điện thoại không hợp lệ: {message.recipient}")
        answer = post_json(
            url,
            {
                "to": phone,
                "sender": settings.SMS_SENDER_NAME,
                "text": message.body,
                "reference": message.idempotency_reference,
            },
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_API_KEY}"},
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
        if isinstance(answer, Result):
            return answer
        return Result(Outcome.SENT, reference=_reference(answer))


def _reference(answer: Answer) -> str:
    if isinstance(answer.body, dict):
        return str(answer.body.get("id") or answer.body.get("message_id") or "")[:120]
    return ""
