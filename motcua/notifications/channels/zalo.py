"""Zalo Notification Service (ZNS): a pre-approved template filled with the message's fields.

Request, as Zalo's API takes it: ``POST ZALO_ZNS_URL`` (default
https://business.openapi.zalo.me/message/template) with the Official Account's token in the
``access_token`` header and ``{"phone": "84912345678", "template_id": …, "template_data": {…},
"tracking_id": "motcua-outbox-17"}``. Zalo answers HTTP 200 with ``{"error": 0, "message":
"Success", "data": {"msg_id": …}}``, or a non-zero ``error`` and its ``message`` when it refuses
the message (a phone without Zalo, a template not approved, bad data): that is permanent. ZNS
does not deduplicate on ``tracking_id``, so a message whose worker died mid-send is left for a
person to check."""

from django.conf import settings

from motcua.notifications.channels.base import Adapter, Outcome, Result
from motcua.notifications.channels.http import post_json
from motcua.notifications.phones import international


class ZaloZnsAdapter(Adapter):
    def send(self, message) -> Result:
        token = settings.ZALO_ACCESS_TOKEN
        template_id = settings.ZALO_TEMPLATES.get(message.event)
        if not token or not template_id:
            return Result(
                Outcome.TECHNICAL,
                error=f"Chưa cấu hình Zalo (ZALO_ACCESS_TOKEN, mẫu tin cho sự kiện {message.event}).",
            )
        phone = international(message.recipient)
        if phone is None:
            return Result(Outcome.PERMANENT, error=f"Số điện thoại không hợp lệ: {message.recipient}")
        answer = post_json(
            settings.ZALO_ZNS_URL,
            {
                "phone": phone,
                "template_id": str(template_id),
                "template_data": message.data,
                "tracking_id": message.idempotency_reference,
            },
            headers={"access_token": token},
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
        if isinstance(answer, Result):
            return answer
        body = answer.body if isinstance(answer.body, dict) else {}
        error = body.get("error")
        if error != 0:
            return Result(
                Outcome.PERMANENT, error=f"Zalo từ chối (mã {error}): {body.get('message', answer.body)}"
            )
        data = body.get("data") or {}
        return Result(Outcome.SENT, reference=str(data.get("msg_id", ""))[:120])
