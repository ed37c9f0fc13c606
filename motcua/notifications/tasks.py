"""The outbox's tasks (Django's Tasks API; ``manage.py db_worker`` runs them)."""

from django.tasks import task

from motcua.notifications import sender


@task()
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send these messages (queued after the commit that wrote them); those another worker
    already took, or that are not due, are left alone."""
    return sender.send_due(ids=message_ids)


@task()
def send_due_messages() -> dict[str, int]:
    """Send every due message: retries, and messages written without their ids at hand."""
    return sender.send_due()
