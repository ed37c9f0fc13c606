"""The national portal (Cổng Dịch vụ công quốc gia): one dossier's status change, as the payload
``motcua.dossiers.national_sync`` froze into the message's body when it queued it.

Request: ``POST NATIONAL_PORTAL_URL`` with ``Authorization: Bearer NATIONAL_PORTAL_TOKEN`` and
``Idempotency-Key: <the message's key>`` (``dvcqg:{MaHoSo}:{TrangThaiHoSo}:{change}``), the body
byte for byte as queued: a retry sends the same body with the same key, so the portal (or the
province's integration gateway in front of it) takes each change once. A 2xx answer, or 409 (the
key was already taken: it has it), means delivered; other 4xx: refused (a dead letter to look at);
5xx, timeout, refused connection: retried with backoff. The protocol is this project's; the
deployed portal's own is not public (README, "Đồng bộ Cổng Dịch vụ công quốc gia")."""

from django.conf import settings

from motcua.notifications.channels.base import Adapter, Outcome, Result
from motcua.notifications.channels.http import post_json


class NationalPortalAdapter(Adapter):
    idempotent = True  # the portal recognises the Idempotency-Key

    def send(self, message) -> Result:
        url = settings.NATIONAL_PORTAL_URL
        if not url:
            return Result(
                Outcome.TECHNICAL, error="Chưa cấu hình địa chỉ Cổng DVC quốc gia (NATIONAL_PORTAL_URL)."
            )
        answer = post_json(
            url,
            message.body.encode(),
            headers={
                "Authorization": f"Bearer {settings.NATIONAL_PORTAL_TOKEN}",
                "Idempotency-Key": message.key or message.idempotency_reference,
            },
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
        if isinstance(answer, Result):
            if answer.error.startswith("HTTP 409"):
                return Result(Outcome.DELIVERED, reference="đã nhận trước đó")
            return answer
        reference = answer.body.get("id", "") if isinstance(answer.body, dict) else ""
        return Result(Outcome.DELIVERED, reference=str(reference)[:120])
