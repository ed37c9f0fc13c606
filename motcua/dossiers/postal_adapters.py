"""The postal operator's API, behind one small interface (``PostalOperator``), and the outbox
channel ``post`` that creates a result's consignment through it after the commit.

VNPost's public-administration service (BCCI) publishes no API; the protocol below is this
project's, neutral, and a province maps it onto its operator's contract in one adapter class
(README, "Bưu chính công ích"). All of it over JSON, with ``Authorization: Bearer
POSTAL_API_TOKEN``:

- ``POST {POSTAL_API_URL}/consignments`` with ``Idempotency-Key: motcua-outbox-17`` and
  ``{"reference", "service", "content", "dossier_code", "sender": {...}, "recipient": {"name",
  "address", "phone"}}`` → 200/201 ``{"number": "EB123456789VN", "status": "created", "at": ISO}``;
  the same key again gives the same consignment back (never two parcels for one result).
- ``GET {POSTAL_API_URL}/consignments/{number}`` → ``{"number", "status", "events": [{"status",
  "at", "note"}]}`` with statuses ``created``, ``in_transit``, ``delivered``, ``returned``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.dateparse import parse_datetime

from motcua.notifications.channels.base import Adapter, Outcome, Result
from motcua.notifications.channels.http import get_json, post_json

STATUSES = ("created", "in_transit", "delivered", "returned")


@dataclass(frozen=True)
class Tracked:
    """A status the operator gave: what, when, and its note (a post office, a reason)."""

    status: str
    at: datetime
    note: str = ""


class PostalOperator:
    """The operator's API over HTTP (the protocol in this module's docstring)."""

    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url if base_url is not None else settings.POSTAL_API_URL).rstrip("/")
        self.token = token if token is not None else settings.POSTAL_API_TOKEN

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def create(self, request: dict[str, Any], *, reference: str) -> tuple[str, datetime | None] | Result:
        """The consignment's number (and when it was created), or the failed attempt."""
        if not self.base_url:
            return Result(Outcome.TECHNICAL, error="Chưa cấu hình API bưu chính (POSTAL_API_URL).")
        answer = post_json(
            f"{self.base_url}/consignments",
            {**request, "reference": reference},
            headers=self._headers(**{"Idempotency-Key": reference}),
            timeout=settings.POSTAL_HTTP_TIMEOUT,
        )
        if isinstance(answer, Result):
            return answer
        body = answer.body if isinstance(answer.body, dict) else {}
        number = str(body.get("number") or "").strip()
        if not number or len(number) > 60:
            return Result(
                Outcome.TEMPORARY, error=f"Bưu chính trả lời không có mã bưu gửi: {answer.body!r}"[:500]
            )
        return number, _when(body.get("at"))

    def track(self, number: str) -> list[Tracked] | Result:
        """The consignment's dated statuses, oldest first, or the failed attempt."""
        if not self.base_url:
            return Result(Outcome.TECHNICAL, error="Chưa cấu hình API bưu chính (POSTAL_API_URL).")
        answer = get_json(
            f"{self.base_url}/consignments/{quote(number, safe='')}",
            headers=self._headers(),
            timeout=settings.POSTAL_HTTP_TIMEOUT,
        )
        if isinstance(answer, Result):
            return answer
        body = answer.body if isinstance(answer.body, dict) else {}
        tracked = []
        for item in body.get("events") or []:
            if not isinstance(item, dict):
                continue
            at = _when(item.get("at"))
            if item.get("status") in STATUSES and at is not None:
                tracked.append(Tracked(item["status"], at, str(item.get("note") or "")[:300]))
        return sorted(tracked, key=lambda t: t.at)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def operator() -> PostalOperator:
    return PostalOperator()


class ConsignmentAdapter(Adapter):
    """The outbox channel ``post``: the message's ``data`` is the consignment request; the
    operator's number is written onto the consignment (``postal.consignment_created``)."""

    idempotent = True  # the operator gives the same consignment back for the same key

    def send(self, message) -> Result:
        from motcua.dossiers import postal

        data = message.data or {}
        created = operator().create(data.get("request") or {}, reference=message.idempotency_reference)
        if isinstance(created, Result):
            return created
        number, at = created
        postal.consignment_created(data.get("consignment"), number=number, at=at)
        return Result(Outcome.SENT, reference=number)
