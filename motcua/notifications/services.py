"""Writing the outbox: the only write path for OutboxMessage.

Messages are written in the caller's transaction (a rolled-back change leaves no message); after
the commit, a task is queued to send them (``manage.py db_worker`` runs it), and the scheduler's
sweep sends whatever is still due (retries, messages whose task was lost).

Who gets a dossier's messages, and how: the channels the owner's account chose
(``Profile.notify_channels``), else every contact known — the dossier's phone (SMS; Zalo too when
Zalo is configured) and e-mail, falling back to the owner's account's, and an in-app notice when
the dossier has an owner (it shows in "Hồ sơ của tôi").
"""

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.notifications import messages
from motcua.notifications.models import OutboxMessage

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)
Channel = OutboxMessage.Channel
Status = OutboxMessage.Status


def zalo_enabled(event: str) -> bool:
    """Zalo is used for an event only when the Official Account's token and the event's approved
    template are configured."""
    return bool(settings.ZALO_ACCESS_TOKEN and settings.ZALO_TEMPLATES.get(event))


def applicant_contacts(dossier: "Dossier", event: str) -> list[tuple[str, str]]:
    """(channel, recipient) for each message ``event`` on ``dossier`` goes out as."""
    from motcua.accounts.models import Profile

    owner = dossier.owner if dossier.owner_id else None
    phone = dossier.phone or (owner.phone if owner else "")
    email = dossier.email or (owner.email if owner else "")
    known: list[tuple[str, str]] = []
    if phone:
        known.append((Channel.SMS, phone))
        if zalo_enabled(event):
            known.append((Channel.ZALO, phone))
    if email:
        known.append((Channel.EMAIL, email))
    if owner:
        known.append((Channel.IN_APP, str(owner.pk)))
    chosen = (
        Profile.objects.filter(user_id=owner.pk).values_list("notify_channels", flat=True).first()
        if owner
        else None
    )
    if chosen:
        picked = [(channel, to) for channel, to in known if channel in chosen]
        # A choice nothing can honour (Zalo chosen, not configured) still reaches the citizen.
        return picked or [(c, to) for c, to in known if c == Channel.IN_APP] or known
    return known


def _rows(
    contacts: list[tuple[str, str]],
    rendered: messages.Rendered,
    *,
    event: str,
    dossier: "Dossier | None",
    key: str = "",
) -> list[OutboxMessage]:
    now = timezone.now()
    rows = []
    for channel, recipient in contacts:
        is_text = channel in (Channel.SMS, Channel.ZALO)
        rows.append(
            OutboxMessage(
                dossier=dossier,
                channel=channel,
                recipient=recipient,
                event=event[:60],
                subject="" if is_text else rendered.subject[:300],
                body=rendered.sms if is_text else rendered.body,
                data=rendered.zalo if channel == Channel.ZALO else {},
                key=key,
                next_attempt_at=now,
            )
        )
    return rows


def dossier_event_messages(*, dossier: "Dossier", action: str, extra_text: str = "") -> list[OutboxMessage]:
    """The messages of ``action`` on ``dossier`` from its template (messages.py), not saved."""
    event = f"dossier.{action}"
    contacts = applicant_contacts(dossier, event)
    if not contacts:
        return []
    return _rows(contacts, messages.render(dossier, action, extra_text), event=event, dossier=dossier)


def notify_dossier_event(
    *, dossier: "Dossier", action: str, extra_text: str = "", save: bool = True
) -> list[OutboxMessage]:
    """Queue the applicant's messages for ``action`` (``save=False``: only build them, for a
    caller that inserts them itself; they are still sent after its commit)."""
    rows = dossier_event_messages(dossier=dossier, action=action, extra_text=extra_text)
    if not save:
        if rows:
            transaction.on_commit(_send_due_after_commit)
        return rows
    return _insert(rows)


def outbox_messages(*, dossier: "Dossier", event: str, body: str, subject: str = "") -> list[OutboxMessage]:
    """The messages ``outbox_enqueue`` would queue, not saved (for callers that batch writes)."""
    contacts = applicant_contacts(dossier, event)
    return _rows(contacts, messages.plain(body, subject), event=event, dossier=dossier)


def outbox_enqueue(*, dossier: "Dossier", event: str, body: str, subject: str = "") -> list[OutboxMessage]:
    """Queue a free text ``body`` for the applicant of ``dossier`` on their channels
    (``applicant_contacts``); one INSERT for all rows, sent after the commit."""
    return _insert(outbox_messages(dossier=dossier, event=event, body=body, subject=subject))


def outbox_enqueue_to(
    *,
    channel: str,
    recipient: str,
    event: str,
    body: str,
    subject: str = "",
    dossier: "Dossier | None" = None,
    data: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue one message to one recipient on one channel (a sign-in code by SMS, a reminder to an
    officer, a consignment to create at the postal operator with its request as ``data``), in the
    caller's transaction like every outbox write."""
    [row] = _one(channel, recipient, event=event, body=body, subject=subject, dossier=dossier)
    if data is not None:
        row.data = data
    return _insert([row])[0]


def outbox_enqueue_keyed(rows: list[OutboxMessage]) -> int:
    """Queue ``rows`` (built by the caller, each with its ``key``), leaving out those whose key
    another message already has: each key is queued once, however often it is offered. Sent
    after the commit; the number of rows offered."""
    if any(not row.key or row.channel not in Channel.values for row in rows):
        raise ValueError("every row needs a key and a known channel")
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(_send_due_after_commit)
    return len(rows)


def outbox_enqueue_once(
    *,
    key: str,
    channel: str,
    recipient: str,
    event: str,
    body: str,
    subject: str = "",
    dossier: "Dossier | None" = None,
) -> OutboxMessage | None:
    """``outbox_enqueue_to``, but at most one message ever has ``key`` (a reminder per officer per
    day): None, and nothing queued, when one already has it."""
    if not key:
        raise ValueError("a key is required")
    [row] = _one(channel, recipient, event=event, body=body, subject=subject, dossier=dossier, key=key)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a duplicate
            row.save(force_insert=True)
    except IntegrityError:
        return None
    _send_after_commit([row.pk])
    return row


def _one(
    channel: str,
    recipient: str,
    *,
    event: str,
    body: str,
    subject: str,
    dossier: "Dossier | None",
    key: str = "",
) -> list[OutboxMessage]:
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    return _rows([(channel, recipient)], messages.plain(body, subject), event=event, dossier=dossier, key=key)


def outbox_resend(*, message: OutboxMessage, actor: Any, ip: str | None = None) -> bool:
    """An administrator sends a dead letter again (permanent or technical failure, or one marked
    "cần kiểm tra" after checking it did not arrive): queued now, its attempts counted afresh.
    Audited. False when the message is not a dead letter (already resent, or being sent)."""
    with transaction.atomic():
        before = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
        updated = OutboxMessage.objects.filter(pk=message.pk, status__in=OutboxMessage.DEAD).update(
            status=Status.CREATED, attempts=0, next_attempt_at=timezone.now(), claim=None, lease_until=None
        )
        if not updated:
            return False
        audit_record(
            action="outbox.resend",
            actor=actor,
            obj=message,
            before=before,
            after={"status": Status.CREATED, "attempts": 0},
            extra={"channel": message.channel, "event": message.event},
            ip=ip,
        )
        _send_after_commit([message.pk])
    return True


def _insert(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    if not rows:
        return []
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        rows = OutboxMessage.objects.bulk_create(rows)
    ids = [r.pk for r in rows if r.pk is not None]
    if ids:
        _send_after_commit(ids)
    else:  # a database that does not return ids from a bulk insert
        transaction.on_commit(_send_due_after_commit)
    return rows


class _SendAfterCommit:
    """The one task a transaction queues for all the messages it wrote (its on-commit hook)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = list(ids)

    def __call__(self) -> None:
        from motcua.notifications.tasks import send_messages

        try:
            send_messages.enqueue(self.ids)
        except Exception:  # the scheduler's sweep sends them anyway; the change itself is committed
            logger.exception("outbox: could not queue the sending of messages %s", self.ids)


def _send_after_commit(ids: list[int]) -> None:
    """Queue the sending of ``ids`` once the transaction commits: one task per transaction, however
    many messages it writes (a hook already registered in this transaction takes the ids)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _, hook, _ in connection.run_on_commit:
            if isinstance(hook, _SendAfterCommit):
                hook.ids.extend(ids)
                return
    transaction.on_commit(_SendAfterCommit(ids))


def _send_due_after_commit() -> None:
    from motcua.notifications.tasks import send_due_messages

    try:
        send_due_messages.enqueue()
    except Exception:
        logger.exception("outbox: could not queue the sending of due messages")
