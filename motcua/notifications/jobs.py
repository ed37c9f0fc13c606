"""The outbox's periodic job (settings SCHEDULER_JOBS): messages whose worker died are queued
again or marked for review; when retries are due, a worker is asked to send them."""

import logging

from motcua.notifications import sender

logger = logging.getLogger(__name__)


def outbox_sweep() -> dict[str, int]:
    counts = sender.expire_leases()
    if counts["needs_review"]:
        logger.warning("outbox: %d message(s) need review (worker stopped mid-send)", counts["needs_review"])
    if sender.has_due():
        from motcua.notifications.tasks import send_due_messages

        send_due_messages.enqueue()
        counts["enqueued"] = 1
    return counts
