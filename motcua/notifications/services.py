"""Writing the outbox: the only write path for OutboxMessage.

Messages are written in the caller's transaction (a rolled-back change leaves no message);
a sender (later work) claims pending rows by ``next_attempt_at``.
"""

from typing import TYPE_CHECKING

from django.utils import timezone

from motcua.notifications.models import OutboxMessage

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


def outbox_messages(*, dossier: "Dossier", event: str, body: str, subject: str = "") -> list[OutboxMessage]:
    """The messages ``outbox_enqueue`` would queue, not saved (for callers that batch writes)."""
    now = timezone.now()
    rows: list[OutboxMessage] = []
    common = {"dossier": dossier, "event": event[:60], "body": body, "next_attempt_at": now}
    if dossier.phone:
        rows.append(OutboxMessage(channel=OutboxMessage.Channel.SMS, recipient=dossier.phone, **common))
    if dossier.email:
        rows.append(
            OutboxMessage(
                channel=OutboxMessage.Channel.EMAIL, recipient=dossier.email, subject=subject[:300], **common
            )
        )
    if not rows and dossier.owner_id:
        rows.append(
            OutboxMessage(
                channel=OutboxMessage.Channel.IN_APP,
                recipient=str(dossier.owner_id),
                subject=subject[:300],
                **common,
            )
        )
    return rows


def outbox_enqueue(*, dossier: "Dossier", event: str, body: str, subject: str = "") -> list[OutboxMessage]:
    """Queue ``body`` for the applicant of ``dossier``: an SMS to the phone, an e-mail to the
    address (both when both are known), else an in-app notice to the owner's account.

    Nothing is queued for an applicant without any contact. One INSERT for all rows.
    """
    rows = outbox_messages(dossier=dossier, event=event, body=body, subject=subject)
    if not rows:
        return []
    if len(rows) == 1:
        rows[0].save(force_insert=True)
        return rows
    return OutboxMessage.objects.bulk_create(rows)


def outbox_enqueue_to(
    *,
    channel: str,
    recipient: str,
    event: str,
    body: str,
    subject: str = "",
    dossier: "Dossier | None" = None,
) -> OutboxMessage:
    """Queue one message to one recipient on one channel (a sign-in code by SMS, a reminder to an
    officer), in the caller's transaction like every outbox write."""
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    message = OutboxMessage(
        dossier=dossier,
        channel=channel,
        recipient=recipient,
        event=event[:60],
        subject=subject[:300],
        body=body,
        next_attempt_at=timezone.now(),
    )
    message.save(force_insert=True)
    return message
