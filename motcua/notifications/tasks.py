"""The outbox's tasks (Django's Tasks API; ``manage.py db_worker`` runs them)."""

from collections import Counter

from django.tasks import task

from motcua.notifications import sender


@task()
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send these messages (queued after the commit that wrote them); those another worker
    already took, or that are not due, are left alone. The worker being awake, it then sends
    whatever else is due (messages whose own task waits behind this one, retries now due), so
    that workers share a burst in batches instead of one task per message."""
    counts = Counter(sender.send_due(ids=message_ids))
    counts.update(sender.send_due())
    return dict(counts)


@task()
def send_due_messages() -> dict[str, int]:
    """Send every due message: retries, and messages written without their ids at hand."""
    return sender.send_due()
