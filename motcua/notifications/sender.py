"""Sending the outbox: claim, send through the channel's adapter, record the outcome.

A worker claims messages with a conditional UPDATE (``status`` created/temporary-failure →
sending, only where the status still is one of those), stamping its own claim token; it then
sends exactly the rows that carry its token. Two workers may pick the same candidate ids, but the
database applies their UPDATEs one after the other and the second finds the status changed, so no
message is claimed twice — on SQLite (no SKIP LOCKED) as on PostgreSQL. Nothing is held open
while a provider is called: the claim is committed first, the outcome written after.

A claim lasts ``NOTIFY_LEASE_SECONDS``. A worker that dies mid-send leaves the message in
"sending"; ``outbox_sweep`` finds it after the lease: through a provider that deduplicates on our
reference (SMS gateway, in-app) it is queued again, otherwise it becomes "cần kiểm tra" for a
person to decide (it may or may not have reached the citizen).
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from motcua.notifications.channels import Adapter, Outcome, Result, adapter_for
from motcua.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status

UNKNOWN_OUTCOME = (
    "Không rõ đã gửi hay chưa (tiến trình gửi dừng giữa chừng): cần người kiểm tra trước khi gửi lại."
)
_FINAL = {
    Outcome.DELIVERED: Status.DELIVERED,
    Outcome.SENT: Status.SENT,
    Outcome.PERMANENT: Status.PERMANENT_FAILURE,
    Outcome.TECHNICAL: Status.TECHNICAL_FAILURE,
}


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed attempt: base, 2×base, 4×base, …,
    never more than NOTIFY_RETRY_MAX_SECONDS."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


def _due(now: datetime) -> Q:
    return Q(status__in=OutboxMessage.CLAIMABLE) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def candidates(
    *, ids: Iterable[int] | None = None, limit: int = 100, now: datetime | None = None
) -> list[int]:
    """Ids of up to ``limit`` due messages (of ``ids`` when given), oldest due first."""
    queryset = OutboxMessage.objects.filter(_due(now or timezone.now()))
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return list(queryset.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def take(picked: list[int], *, now: datetime | None = None) -> list[OutboxMessage]:
    """Claim the messages ``picked`` that are still due: the rows this worker now holds."""
    if not picked:
        return []
    now = now or timezone.now()
    token = uuid.uuid4()
    lease = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    # The condition is checked again by the UPDATE itself: a row another worker claimed since
    # the SELECT no longer matches and is left alone.
    OutboxMessage.objects.filter(_due(now), pk__in=picked).update(
        status=Status.SENDING, claim=token, lease_until=lease, attempts=F("attempts") + 1
    )
    return list(OutboxMessage.objects.filter(claim=token, status=Status.SENDING).order_by("pk"))


def claim(*, ids: Iterable[int] | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages (of ``ids`` when given) for this worker: the rows it
    now holds in "sending", none of which another worker holds."""
    now = timezone.now()
    return take(candidates(ids=ids, limit=limit, now=now), now=now)


def send_claimed(
    messages: Sequence[OutboxMessage], *, adapters: dict[str, Adapter] | None = None
) -> dict[str, int]:
    """Send claimed messages channel by channel and record each outcome; counts by status."""
    by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    counts: dict[str, int] = defaultdict(int)
    for channel, group in by_channel.items():
        adapter = (adapters or {}).get(channel) or adapter_for(channel)
        try:
            results = adapter.send_batch(group)
        except Exception as exc:  # an adapter's bug must not leave its batch in "sending"
            logger.exception("outbox: adapter %s failed on a batch of %d", channel, len(group))
            results = {m.pk: Result(Outcome.TEMPORARY, error=f"Lỗi khi gửi: {exc}") for m in group}
        for status, n in record(group, results).items():
            counts[status] += n
    return dict(counts)


def record(messages: Sequence[OutboxMessage], results: dict[int, Result]) -> dict[str, int]:
    """Write each message's outcome, only while this worker still holds it (its claim token):
    a worker whose lease ran out and was swept does not overwrite what was decided since."""
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    plain: dict[str, list[OutboxMessage]] = defaultdict(list)
    status: str
    with transaction.atomic():
        for message in messages:
            result = results.get(message.pk) or Result(Outcome.TEMPORARY, error="Không có kết quả gửi.")
            held = OutboxMessage.objects.filter(pk=message.pk, claim=message.claim, status=Status.SENDING)
            if result.outcome == Outcome.TEMPORARY:
                if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                    status, next_at = Status.TECHNICAL_FAILURE, None
                    error = f"{result.error} (đã thử {message.attempts} lần)"
                else:
                    status, next_at = Status.TEMPORARY_FAILURE, now + retry_delay(message.attempts)
                    error = result.error
                n = held.update(
                    status=status, next_attempt_at=next_at, last_error=error, claim=None, lease_until=None
                )
            elif result.outcome in (Outcome.DELIVERED, Outcome.SENT) and not result.reference:
                plain[_FINAL[result.outcome]].append(message)  # written together below
                continue
            else:
                status = _FINAL[result.outcome]
                n = held.update(
                    status=status,
                    last_error=result.error,
                    provider_reference=result.reference,
                    sent_at=now if status in (Status.DELIVERED, Status.SENT) else None,
                    claim=None,
                    lease_until=None,
                )
            counts[status] += n
        # The common case, one UPDATE for a whole batch delivered without a provider id.
        for status, group in plain.items():
            counts[status] += OutboxMessage.objects.filter(
                pk__in=[m.pk for m in group], claim=group[0].claim, status=Status.SENDING
            ).update(status=status, sent_at=now, last_error="", claim=None, lease_until=None)
    return {str(status): n for status, n in counts.items() if n}


def send_due(
    *, ids: Iterable[int] | None = None, batch: int | None = None, rounds: int = 1000
) -> dict[str, int]:
    """Claim and send due messages (of ``ids`` when given) batch after batch until none is left;
    counts by final status. What another worker claimed first is not this call's business."""
    batch = batch or settings.NOTIFY_BATCH_SIZE
    ids = list(ids) if ids is not None else None
    counts: dict[str, int] = defaultdict(int)
    for _ in range(rounds):
        claimed = claim(ids=ids, limit=batch)
        if not claimed:
            break
        for status, n in send_claimed(claimed).items():
            counts[status] += n
    return dict(counts)


def expire_leases(now: datetime | None = None) -> dict[str, int]:
    """Messages left in "sending" past their lease (the worker died or hung): queued again when
    the channel's provider deduplicates on our reference, else "cần kiểm tra"."""
    now = now or timezone.now()
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, lease_until__lt=now)
    safe = [channel for channel in OutboxMessage.Channel.values if adapter_for(channel).idempotent]
    requeued = stuck.filter(channel__in=safe).update(
        status=Status.CREATED, claim=None, lease_until=None, next_attempt_at=now
    )
    review = stuck.exclude(channel__in=safe).update(
        status=Status.NEEDS_REVIEW,
        claim=None,
        lease_until=None,
        last_error=UNKNOWN_OUTCOME,
    )
    return {"requeued": requeued, "needs_review": review}


def has_due(now: datetime | None = None) -> bool:
    return OutboxMessage.objects.filter(_due(now or timezone.now())).exists()
