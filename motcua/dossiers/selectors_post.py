"""Reads of the postal service and the national portal's sync: what the counter, the dossier
pages, the citizen and the reports show of them. Access to the dossier itself is checked by the
caller through ``selectors.dossier_for_staff`` / ``visibility``; these take a dossier already
allowed, or a set of agencies the officer works for."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from motcua.dossiers.models import Consignment, ConsignmentStatus, Dossier, NationalStatus
from motcua.notifications.models import OutboxMessage

NATIONAL = OutboxMessage.Channel.NATIONAL_PORTAL
PENDING = (OutboxMessage.Status.CREATED, OutboxMessage.Status.SENDING, OutboxMessage.Status.TEMPORARY_FAILURE)


def dossier_consignments(dossier: Dossier) -> list[Consignment]:
    """The dossier's consignments, oldest first, each with its dated statuses."""
    return list(
        Consignment.objects.filter(dossier=dossier)
        .prefetch_related(Prefetch("history", queryset=ConsignmentStatus.objects.order_by("at", "pk")))
        .order_by("created_at", "pk")
    )


def result_consignments(dossier_ids: list[int]) -> dict[int, Consignment]:
    """The latest result consignment of each dossier of ``dossier_ids`` (one query), for lists."""
    latest: dict[int, Consignment] = {}
    rows = Consignment.objects.filter(dossier_id__in=dossier_ids, direction=Consignment.Direction.RESULT)
    for consignment in rows.order_by("created_at", "pk"):
        latest[consignment.dossier_id] = consignment
    return latest


def returned_consignments(agencies: Any) -> QuerySet[Consignment]:
    """Results the post brought back to a counter of ``agencies`` and nobody has dealt with yet,
    oldest first: the counter's home lists them."""
    return (
        Consignment.objects.filter(
            status=Consignment.Status.RETURNED,
            handled_at__isnull=True,
            direction=Consignment.Direction.RESULT,
            dossier__receiving_agency__in=agencies,
        )
        .select_related("dossier__procedure")
        .order_by("status_at", "pk")
    )


def dossier_sync_state(dossier: Dossier) -> dict[str, Any]:
    """The national portal's copy of the dossier: the last status it took (and when), how many
    changes wait to go, how many failed for good (dead letters) with the last error."""
    rows = list(
        OutboxMessage.objects.filter(dossier=dossier, channel=NATIONAL)
        .order_by("pk")
        .values("status", "data", "sent_at", "last_error", "attempts")
    )
    delivered = [r for r in rows if r["status"] == OutboxMessage.Status.DELIVERED]
    failed = [r for r in rows if r["status"] in OutboxMessage.DEAD]
    last = delivered[-1] if delivered else None
    code = (last["data"] or {}).get("status_code") if last else None
    return {
        "configured": bool(settings.NATIONAL_PORTAL_URL),
        "queued": len(rows),
        "last_status": code,
        "last_status_label": NationalStatus(code).label if code in NationalStatus.values else "",
        "last_sent_at": last["sent_at"] if last else None,
        "pending": sum(1 for r in rows if r["status"] in PENDING),
        "failed": len(failed),
        "last_error": failed[-1]["last_error"] if failed else "",
    }


def sync_state_counts(
    *, received_from: datetime, received_until: datetime, agencies: Any = None
) -> dict[str, int]:
    """For indicator 1.4 (Decision 766: dossiers synced to the national portal ÷ dossiers): the
    dossiers received in [``received_from``, ``received_until``) (of ``agencies``, receiving or
    handling, when given) — ``received``; ``synced``: the portal took at least one of their
    changes; ``pending``: nothing taken yet, a change waits to go; ``failed``: nothing taken,
    a change failed for good; ``not_queued``: nothing taken nor waiting."""
    dossiers = Dossier.objects.filter(received_at__gte=received_from, received_at__lt=received_until)
    if agencies is not None:
        dossiers = dossiers.filter(Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies))
    mine = OutboxMessage.objects.filter(dossier=OuterRef("pk"), channel=NATIONAL)
    synced = Exists(mine.filter(status=OutboxMessage.Status.DELIVERED))
    waiting = Exists(mine.filter(status__in=PENDING))
    dead = Exists(mine.filter(status__in=OutboxMessage.DEAD))
    counts = dossiers.aggregate(
        received=Count("pk"),
        synced=Count("pk", filter=Q(synced)),
        pending=Count("pk", filter=~Q(synced) & Q(waiting)),
        failed=Count("pk", filter=~Q(synced) & ~Q(waiting) & Q(dead)),
    )
    counts["not_queued"] = counts["received"] - counts["synced"] - counts["pending"] - counts["failed"]
    return counts


def consignment_event_title(data: dict[str, Any]) -> str:
    """How the dossier's history names a ``post-consignment`` event."""
    data = data or {}
    status = (
        Consignment.Status(data["status"]).label if data.get("status") in Consignment.Status.values else ""
    )
    direction = (
        "Hồ sơ gửi đến" if data.get("direction") == Consignment.Direction.SUBMISSION else "Bưu gửi kết quả"
    )
    number = f" {data['consignment']}" if data.get("consignment") else ""
    return f"{direction}{number}: {status.lower()}" if status else f"{direction}{number}"
