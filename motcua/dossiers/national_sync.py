"""The national portal's copy of each dossier (issue 13 §4; legal-facts §4.4, §12 item 9).

Every status change of a dossier — read from its event log, the contract every part writes
(``DossierEvent``: an event whose ``status_code`` differs from the dossier's event before it) —
becomes one payload, queued in the notifications outbox on the channel ``dvcqg`` with the key
``dvcqg:{MaHoSo}:{TrangThaiHoSo}:{change}`` (``change``: the event's id): the outbox's unique key
queues each change once, however often the sweep meets it; its body is frozen when queued, so a
retry sends the same bytes with the same Idempotency-Key
(``motcua/notifications/channels/national_portal.py``).

The sweep (``sync_sweep``, a scheduler job) reads the event log in id order from where it last
stopped (``SyncCursor``), leaving the last ``NATIONAL_SYNC_SETTLE_SECONDS`` for the next run.
The payload carries the dossier as it is when the change is read, with the change's own status
and time.

The field names come from deployed provincial systems, not from a published specification:
``PAYLOAD_VERSION`` names this shape, and the README marks it unverified.
"""

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep, SyncCursor
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_keyed
from motcua.workcalendar.calendar import VN_TZ

PAYLOAD_VERSION = "motcua-dvcqg-1"
CURSOR = "national-portal"
EVENT = "dvcqg.status"
# DuocThanhToanTrucTuyen of a recorded payment (contracts.md): 1 through the national portal,
# 2 through the province's gateway, 0 confirmed by an officer; the dossier's is the "most online".
PAID_ONLINE_RANK = {1: 2, 2: 1, 0: 0}


def portal_time(value: datetime | None) -> str | None:
    """``yyyyMMddHHmmss`` in Vietnam's time, as deployed synchronisations write dates; None stays."""
    return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S") if value else None


def paid_online(events: list[DossierEvent]) -> int:
    """The dossier's DuocThanhToanTrucTuyen from its ``record-payment`` events (0 when none)."""
    best = 0
    for event in events:
        if event.action != "record-payment":
            continue
        try:
            value = int((event.data or {}).get("paid_online", 0))
        except (TypeError, ValueError):
            continue
        if PAID_ONLINE_RANK.get(value, -1) > PAID_ONLINE_RANK[best]:
            best = value
    return best


def _attachments(documents: list[DossierDocument]) -> list[dict[str, Any]]:
    return [
        {
            "MaThanhPhan": document.requirement_code,
            "TenThanhPhan": document.name[:300],
            "DuocSoHoa": int(document.digitised),
            "TenTep": file.original_name,
            "LoaiTep": file.content_type,
            "KichThuoc": file.size,
            "MaBam": file.sha256,
        }
        for document in documents
        for file in document.files.all()
    ]


def _results(events: list[DossierEvent]) -> list[dict[str, Any]]:
    results = []
    for event in events:
        if event.action == "issue-e-result":
            data = event.data or {}
            results.append(
                {
                    "MaKetQua": data.get("result_code", ""),
                    "MaBam": data.get("sha256", ""),
                    "KyBoi": data.get("signed_by", ""),
                    "NgayBanHanh": portal_time(event.at),
                }
            )
    return results


def build_payload(
    dossier: Dossier, *, status_code: int, at: datetime, events: list[DossierEvent]
) -> dict[str, Any]:
    """The payload of one status change (``status_code`` at ``at``) of ``dossier``, whose
    documents (with files) and steps are prefetched and whose ``events`` are given in order."""
    documents = list(dossier.documents.all())
    finished = dossier.finished_at or dossier.closed_at
    return {
        "payload_version": PAYLOAD_VERSION,
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaCoQuanTiepNhan": dossier.receiving_agency.code,
        "MaCoQuanGiaiQuyet": dossier.handling_agency.code,
        "KenhThucHien": dossier.channel,
        "TrangThaiHoSo": status_code,
        "NgayCapNhat": portal_time(at),
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.citizen_id or dossier.tax_code,
        "NgayNopHoSo": portal_time(dossier.submitted_at or dossier.received_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "NgayKetThucXuLy": portal_time(finished),
        "NgayTraKetQua": portal_time(dossier.returned_at),
        "HinhThucTraKetQua": dossier.result_delivery,
        "DuocThanhToanTrucTuyen": paid_online(events),
        "TaiKhoanDuocXacThucVoiVNeID": int(dossier.national_identity),
        "HoSoCoThanhPhanSoHoa": int(any(d.digitised for d in documents)),
        "DanhSachPhiLePhi": [
            {"TenPhiLePhi": fee.get("text", ""), "Gia": fee.get("amount_vnd")}
            for fee in (dossier.procedure_snapshot or {}).get("fees", [])
        ],
        "TepDinhKem": _attachments(documents),
        "KetQua": _results(events),
        "QuaTrinhXuLy": [
            {
                "ThuTu": step.seq,
                "TenBuoc": step.name,
                "MaCoQuan": step.agency.code,
                "NgayBatDau": portal_time(step.started_at),
                "HanXuLy": portal_time(step.due_at),
                "NgayKetThuc": portal_time(step.finished_at),
                "TinhTrang": step.timeliness,
            }
            for step in dossier.steps.all()
        ],
    }


def sync_key(code: str, status_code: int, change: int) -> str:
    return f"dvcqg:{code}:{status_code}:{change}"


def _changes(after: int, until: datetime, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Status changes among the next ``limit`` events after ``after`` (older than ``until``), and
    the id of the last event read."""
    before = (
        DossierEvent.objects.filter(
            dossier=OuterRef("dossier"), pk__lt=OuterRef("pk"), status_code__isnull=False
        )
        .order_by("-pk")
        .values("status_code")[:1]
    )
    read: list[dict[str, Any]] = [
        dict(row)
        for row in DossierEvent.objects.filter(pk__gt=after, status_code__isnull=False)
        .annotate(previous=Subquery(before))
        .order_by("pk")
        .values("pk", "dossier_id", "status_code", "previous", "at")[:limit]
    ]
    # Stop before the first event too young: one with a smaller id may still be committed.
    young = next((n for n, event in enumerate(read) if event["at"] > until), None)
    read = read if young is None else read[:young]
    last = read[-1]["pk"] if read else after
    return [e for e in read if e["previous"] != e["status_code"]], last


def sync_sweep(limit: int | None = None) -> dict[str, int]:
    """Queue the payload of each status change not yet queued (the scheduler's job). Nothing is
    queued, and the cursor stays, while NATIONAL_PORTAL_URL is not set."""
    if not settings.NATIONAL_PORTAL_URL:
        return {"queued": 0}
    limit = limit or settings.NATIONAL_SYNC_BATCH
    until = timezone.now() - timedelta(seconds=settings.NATIONAL_SYNC_SETTLE_SECONDS)
    with transaction.atomic():
        cursor, _ = SyncCursor.objects.select_for_update().get_or_create(name=CURSOR)
        changes, last = _changes(cursor.position, until, limit)
        rows = _rows(changes)
        outbox_enqueue_keyed(rows)
        cursor.position = last
        cursor.save(update_fields=["position", "updated_at"])
    return {"queued": len(rows), "position": last}


def _rows(changes: list[dict[str, Any]]) -> list[OutboxMessage]:
    if not changes:
        return []
    ids = {change["dossier_id"] for change in changes}
    dossiers = (
        Dossier.objects.filter(pk__in=ids)
        .select_related("procedure", "receiving_agency", "handling_agency")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=DossierDocument.objects.prefetch_related("files").order_by("order", "pk"),
            ),
            Prefetch("steps", queryset=DossierStep.objects.select_related("agency").order_by("seq")),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(
                    action__in=("record-payment", "issue-e-result")
                ).order_by("at", "pk"),
                to_attr="sync_events",
            ),
        )
        .in_bulk()
    )
    now = timezone.now()
    rows = []
    for change in changes:
        dossier = dossiers[change["dossier_id"]]
        payload = build_payload(
            dossier, status_code=change["status_code"], at=change["at"], events=dossier.sync_events
        )
        rows.append(
            OutboxMessage(
                dossier=dossier,
                channel=OutboxMessage.Channel.NATIONAL_PORTAL,
                recipient="Cổng DVC quốc gia",
                event=EVENT,
                subject=f"{dossier.code}: trạng thái {change['status_code']}",
                body=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                data={"status_code": change["status_code"], "change": change["pk"]},
                key=sync_key(dossier.code, change["status_code"], change["pk"]),
                next_attempt_at=now,
            )
        )
    return rows
