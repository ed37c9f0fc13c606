"""The sender: no message claimed twice, a worker that died mid-send, sending queued after the
commit, and the administrator's resend of a dead letter."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from motcua.audit.models import AuditEvent
from motcua.notifications import sender
from motcua.notifications.jobs import outbox_sweep
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_to, outbox_resend

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def queue_emails(n: int) -> list[OutboxMessage]:
    return [
        outbox_enqueue_to(
            channel="email", recipient=f"cd{i}@example.vn", event="dossier.receive", body=f"Thư {i}"
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_two_workers_who_picked_the_same_messages_claim_each_once():
    queue_emails(5)
    first_pick = sender.candidates(limit=3)
    second_pick = sender.candidates(limit=10)  # before the first worker's UPDATE: all five
    assert len(first_pick) == 3 and len(second_pick) == 5
    first = sender.take(first_pick)
    second = sender.take(second_pick)
    assert len(first) == 3 and len(second) == 2
    assert {m.pk for m in first}.isdisjoint({m.pk for m in second})
    assert all(m.status == "sending" and m.attempts == 1 for m in first + second)
    assert sender.take(second_pick) == []  # nothing left to claim


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's connections"
)
def test_two_threads_sending_at_once_deliver_each_mail_exactly_once(smtp, settings):
    settings.NOTIFY_BATCH_SIZE = 7
    messages = queue_emails(120)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=30)
            sender.send_due()
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert OutboxMessage.objects.filter(status="delivered").count() == 120
    assert len(smtp.handler.messages) == 120
    expected = {f"<motcua-outbox-{m.pk}@motcua.local>" for m in messages}
    assert set(smtp.handler.message_ids) == expected
    assert max(smtp.handler.message_ids.values()) == 1
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_message_stuck_in_sending_past_its_lease_is_for_a_person_unless_the_provider_deduplicates():
    with time_machine.travel(NOW, tick=False) as clock:
        [mail] = queue_emails(1)
        sms = outbox_enqueue_to(channel="sms", recipient="0912345678", event="dossier.receive", body="x")
        claimed = sender.claim()  # the worker then dies without recording anything
        assert {m.pk for m in claimed} == {mail.pk, sms.pk}
        clock.move_to(NOW + timedelta(seconds=299))
        assert sender.expire_leases() == {"requeued": 0, "needs_review": 0}
        clock.move_to(NOW + timedelta(seconds=301))
        assert sender.expire_leases() == {"requeued": 1, "needs_review": 1}
    mail.refresh_from_db()
    sms.refresh_from_db()
    assert mail.status == "needs-review" and "cần người kiểm tra" in mail.last_error
    assert sms.status == "created"  # the gateway never delivers one reference twice
    assert sender.candidates() == [sms.pk]


@pytest.mark.django_db
def test_a_late_worker_does_not_overwrite_what_was_decided_after_its_lease():
    from motcua.notifications.channels import Outcome, Result

    with time_machine.travel(NOW, tick=False) as clock:
        [mail] = queue_emails(1)
        [claimed] = sender.claim()
        clock.move_to(NOW + timedelta(seconds=400))
        sender.expire_leases()
        assert sender.record([claimed], {claimed.pk: Result(Outcome.DELIVERED)}) == {}
    mail.refresh_from_db()
    assert mail.status == "needs-review"


@pytest.mark.django_db
def test_messages_are_queued_for_a_worker_after_the_commit_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        messages = queue_emails(2)
    assert len(callbacks) == 1  # one task for the transaction's messages
    tasks = [(t.task_path, t.args_kwargs["args"]) for t in DBTaskResult.objects.all()]
    assert tasks == [("motcua.notifications.tasks.send_messages", [[messages[0].pk, messages[1].pk]])]
    before = len(tasks)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            queue_emails(1)
            raise RuntimeError
    assert callbacks == [] and DBTaskResult.objects.count() == before


@pytest.mark.django_db
def test_the_sweep_asks_a_worker_for_due_retries(django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        [mail] = queue_emails(1)
        OutboxMessage.objects.filter(pk=mail.pk).update(status="temporary-failure", next_attempt_at=NOW)
        assert outbox_sweep() == {"requeued": 0, "needs_review": 0, "enqueued": 1}
        paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
        assert paths == ["motcua.notifications.tasks.send_due_messages"]
        OutboxMessage.objects.filter(pk=mail.pk).update(status="delivered")
        assert outbox_sweep() == {"requeued": 0, "needs_review": 0}


@pytest.mark.django_db
def test_the_task_sends_its_messages(smtp):
    from motcua.notifications.tasks import send_messages

    [mail] = queue_emails(1)
    assert send_messages.call([mail.pk]) == {"delivered": 1}
    assert len(smtp.handler.messages) == 1


@pytest.mark.django_db
def test_an_administrator_resends_a_dead_letter_and_it_is_audited(admin_user):
    [mail] = queue_emails(1)
    OutboxMessage.objects.filter(pk=mail.pk).update(status="needs-review", attempts=2, last_error="?")
    mail.refresh_from_db()
    assert outbox_resend(message=mail, actor=admin_user, ip="192.0.2.5") is True
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("created", 0)
    event = AuditEvent.objects.filter(action="outbox.resend").get()
    assert event.actor_id == admin_user.pk and event.before["status"] == "needs-review"
    assert outbox_resend(message=mail, actor=admin_user) is False  # already queued again
    assert AuditEvent.objects.filter(action="outbox.resend").count() == 1


@pytest.mark.django_db
def test_the_admin_lists_dead_letters_and_resends_the_chosen_ones(admin_client):
    dead, fine = queue_emails(2)
    OutboxMessage.objects.filter(pk=dead.pk).update(status="technical-failure", last_error="SMTP 451")
    OutboxMessage.objects.filter(pk=fine.pk).update(status="delivered")
    page = admin_client.get("/quan-tri/notifications/outboxmessage/?dead=yes")
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [OutboxMessage.objects.get(pk=dead.pk)]
    assert "Lỗi kỹ thuật, đã ngừng thử" in page.content.decode()
    response = admin_client.post(
        "/quan-tri/notifications/outboxmessage/",
        {"action": "resend", "_selected_action": [dead.pk, fine.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Đã đưa 1 thư vào hàng gửi lại." in text
    assert "1 thư không phải thư lỗi" in text
    assert OutboxMessage.objects.get(pk=dead.pk).status == "created"
    assert OutboxMessage.objects.get(pk=fine.pk).status == "delivered"
    assert AuditEvent.objects.filter(action="outbox.resend", object_id=str(dead.pk)).count() == 1
