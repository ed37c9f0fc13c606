"""The public postal service (dịch vụ bưu chính công ích, Decree 61 Art. 16 and 20): dossiers that
come by post, results that go back by post, and what the postal operator says of them.

- A dossier received from the post (channel 3) keeps the consignment it came in
  (``consignment_received``, called in the reception's transaction).
- A result returned by post gets its consignment in the return's transaction
  (``consignment_for_result``): with the number the post office gave when the officer typed one,
  else created at the operator through the outbox (channel ``post``, after the commit, retried,
  never twice: ``postal_adapters.ConsignmentAdapter``), which writes the number back
  (``consignment_created``).
- The scheduler polls the operator for the results on their way (``poll_consignments``); each new
  status is kept with its time (``ConsignmentStatus``) and written to the dossier's event log as
  ``post-consignment`` (contracts: ``consignment``, ``status``, ``direction``).
- A result the post brings back (``returned``) is listed on the counter's home until an officer
  says how it was dealt with (``consignment_handle_returned``).
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.dossiers.models import Consignment, ConsignmentStatus, Dossier
from motcua.dossiers.postal_adapters import Tracked, operator
from motcua.dossiers.services.frame import record_event
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.notifications.channels import Result
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_to

logger = logging.getLogger(__name__)
Status = Consignment.Status
Direction = Consignment.Direction
ORDER = {Status.PENDING: 0, Status.CREATED: 1, Status.IN_TRANSIT: 2, Status.DELIVERED: 3, Status.RETURNED: 3}
NUMBER_MAX = 60


def operator_configured() -> bool:
    """Whether consignments can be created at the operator (else the officer types the number)."""
    return bool(settings.POSTAL_API_URL)


def clean_number(value: Any, *, field: str = "postal_tracking") -> str:
    """A consignment number as typed (spaces dropped, upper case); InvalidInput naming ``field``
    when unusable."""
    text = "".join(str(value or "").split()).upper()
    if not text:
        raise InvalidInput("Vui lòng nhập mã bưu gửi.", code="required", details={"field": field})
    if len(text) > NUMBER_MAX or not all(c.isalnum() or c in "-_/" for c in text):
        raise InvalidInput(
            "Mã bưu gửi chỉ gồm chữ cái, chữ số (tối đa 60 ký tự), ví dụ EB123456789VN.",
            code="invalid",
            details={"field": field},
        )
    return text


def _event(consignment: Consignment, dossier: Dossier, *, at: datetime, actor: Any = None) -> None:
    record_event(
        dossier,
        action="post-consignment",
        actor=actor,
        agency_id=dossier.receiving_agency_id,
        at=at,
        data={
            "consignment": consignment.number,
            "status": consignment.status,
            "direction": consignment.direction,
        },
    )


def _history(consignment: Consignment, status: str, at: datetime, note: str = "") -> bool:
    """Keep one dated status (False: already kept)."""
    try:
        with transaction.atomic():
            ConsignmentStatus.objects.create(consignment=consignment, status=status, at=at, note=note[:300])
    except IntegrityError:
        return False
    return True


def consignment_received(
    *, dossier: Dossier, number: str, actor: Any, now: datetime | None = None
) -> Consignment:
    """The consignment a dossier came in by post (delivered to the counter), in the caller's
    transaction. Idempotent: a repeated reception keeps the first one."""
    number = clean_number(number)
    now = now or timezone.now()
    existing = Consignment.objects.filter(dossier=dossier, direction=Direction.SUBMISSION).first()
    if existing is not None:
        return existing
    consignment = Consignment.objects.create(
        dossier=dossier,
        direction=Direction.SUBMISSION,
        operator=settings.POSTAL_OPERATOR,
        number=number,
        status=Status.DELIVERED,
        status_at=now,
        recipient_name=dossier.receiving_agency.name,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _history(consignment, Status.DELIVERED, now, "Bộ phận Một cửa nhận hồ sơ từ bưu chính")
    _event(consignment, dossier, at=now, actor=actor)
    return consignment


def consignment_for_result(*, dossier: Dossier, number: str = "", actor: Any, now: datetime) -> Consignment:
    """The result's consignment, in the return's transaction: with ``number`` when the post office
    gave one at its counter, else created at the operator after the commit (outbox ``post``)."""
    agency = dossier.receiving_agency
    consignment = Consignment(
        dossier=dossier,
        direction=Direction.RESULT,
        operator=settings.POSTAL_OPERATOR,
        number=clean_number(number) if number else "",
        status=Status.CREATED if number else Status.PENDING,
        status_at=now,
        recipient_name=dossier.applicant_name[:300],
        recipient_address=dossier.address,
        recipient_phone=dossier.phone,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not consignment.number and not operator_configured():
        raise InvalidInput("Vui lòng nhập mã bưu gửi.", code="required", details={"field": "postal_tracking"})
    if not consignment.recipient_address:
        raise InvalidInput(
            "Hồ sơ chưa có địa chỉ nhận kết quả: không gửi qua bưu chính được.",
            code="address_required",
            details={"field": "address"},
        )
    try:
        with transaction.atomic():
            consignment.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            f"Mã bưu gửi {consignment.number} đã dùng cho một bưu gửi khác.",
            code="consignment_number_used",
            details={"field": "postal_tracking"},
        ) from None
    if consignment.number:
        _history(consignment, Status.CREATED, now, "Cán bộ nhập mã bưu gửi")
        _event(consignment, dossier, at=now, actor=actor)
        return consignment
    request = {
        "service": "hcc-result",
        "dossier_code": dossier.code,
        "content": f"Kết quả giải quyết thủ tục hành chính, hồ sơ {dossier.code}",
        "sender": {"name": agency.name, "address": agency.address, "phone": agency.phone},
        "recipient": {
            "name": consignment.recipient_name,
            "address": consignment.recipient_address,
            "phone": consignment.recipient_phone,
        },
    }
    outbox_enqueue_to(
        channel=OutboxMessage.Channel.POST,
        recipient=consignment.recipient_name[:254] or dossier.code,
        event="post.create",
        body=f"Tạo bưu gửi trả kết quả hồ sơ {dossier.code}",
        dossier=dossier,
        data={"consignment": consignment.pk, "request": request},
    )
    return consignment


def consignment_created(consignment_id: Any, *, number: str, at: datetime | None = None) -> bool:
    """The operator gave ``number`` to a pending consignment (the outbox's ``post`` channel).
    Only a pending one changes: a retry that gets the same answer writes nothing more."""
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        consignment = (
            Consignment.objects.select_for_update()
            .select_related("dossier__receiving_agency")
            .filter(pk=consignment_id)
            .first()
        )
        if consignment is None or consignment.status != Status.PENDING:
            return False
        consignment.number = number[:NUMBER_MAX]
        consignment.status = Status.CREATED
        consignment.status_at = at
        consignment.save(update_fields=["number", "status", "status_at"])
        # The dossier's own record of the number (the return page, the forms), as when typed.
        Dossier.objects.filter(pk=consignment.dossier_id, postal_tracking="").update(
            postal_tracking=consignment.number
        )
        _history(consignment, Status.CREATED, at, "Bưu chính cấp mã bưu gửi")
        _event(consignment, consignment.dossier, at=at)
    return True


def consignment_track(consignment: Consignment, tracked: list[Tracked]) -> list[str]:
    """Keep the statuses the operator gave that are new, and move the consignment to the latest
    (never backwards): the statuses written, in order."""
    written: list[str] = []
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Consignment.objects.select_for_update()
            .select_related("dossier__receiving_agency")
            .get(pk=consignment.pk)
        )
        for item in tracked:
            if not _history(locked, item.status, item.at, item.note):
                continue
            if ORDER[Status(item.status)] >= ORDER[Status(locked.status)] and item.status != locked.status:
                locked.status = item.status
                locked.status_at = item.at
                _event(locked, locked.dossier, at=item.at)
                written.append(item.status)
        locked.polled_at = now
        locked.save(update_fields=["status", "status_at", "polled_at"])
    consignment.status, consignment.status_at = locked.status, locked.status_at
    return written


def poll_consignments(limit: int | None = None) -> dict[str, int]:
    """The scheduler's job: ask the operator about the results on their way, least recently asked
    first; a failed question is asked again next time."""
    counts = {"polled": 0, "changed": 0, "failed": 0}
    if not operator_configured():
        return counts
    batch = limit or settings.POSTAL_POLL_BATCH
    open_ones = (
        Consignment.objects.filter(direction=Direction.RESULT, status__in=Consignment.OPEN)
        .exclude(number="")
        .order_by("polled_at", "pk")[:batch]
    )
    api = operator()
    for consignment in list(open_ones):
        tracked = api.track(consignment.number)
        counts["polled"] += 1
        if isinstance(tracked, Result):
            counts["failed"] += 1
            logger.warning("postal: tracking %s failed: %s", consignment.number, tracked.error)
            Consignment.objects.filter(pk=consignment.pk).update(polled_at=timezone.now())
            continue
        if consignment_track(consignment, tracked):
            counts["changed"] += 1
    return counts


def consignment_handle_returned(
    *, actor: Any, consignment_id: Any, agencies: Any, note: str, ip: str | None = None
) -> Consignment:
    """An officer of the receiving counter (``agencies``: where they receive) says how a result
    the post brought back was dealt with (handed at the counter, sent again…). Audited."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Vui lòng ghi cách đã xử lý bưu gửi bị chuyển hoàn.", code="required", details={"field": "note"}
        )
    with transaction.atomic():
        consignment = (
            Consignment.objects.select_for_update(of=("self",))
            .select_related("dossier__receiving_agency")
            .filter(pk=consignment_id, dossier__receiving_agency__in=agencies)
            .first()
        )
        if consignment is None:
            raise NotFound("Không tìm thấy bưu gửi.", code="consignment_not_found")
        if consignment.status != Status.RETURNED or consignment.handled_at is not None:
            raise Conflict("Bưu gửi này không còn chờ xử lý.", code="consignment_not_waiting")
        consignment.handled_at = timezone.now()
        consignment.handled_by = actor
        consignment.handled_note = note[:1000]
        consignment.save(update_fields=["handled_at", "handled_by", "handled_note"])
        audit_record(
            action="consignment.handle_returned",
            actor=actor,
            obj=consignment,
            chain=consignment.dossier.receiving_agency.code,
            after={"handled_note": consignment.handled_note},
            extra={"code": consignment.dossier.code, "number": consignment.number},
            ip=ip,
        )
    return consignment
