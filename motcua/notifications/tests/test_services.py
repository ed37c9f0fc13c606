"""The outbox: which messages a change queues, written in the caller's transaction."""

import pytest
from django.db import transaction

from motcua.dossiers.models import Dossier
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue

pytestmark = pytest.mark.django_db


def test_a_phone_and_an_email_each_get_a_message():
    from motcua.dossiers.tests.conftest import advance, build_world

    world = build_world()
    d = advance(world, Dossier.State.RECEIVED)
    before = OutboxMessage.objects.count()
    rows = outbox_enqueue(dossier=d, event="dossier.test", body="Nội dung", subject="Tiêu đề")
    assert sorted((r.channel, r.recipient) for r in rows) == [
        ("email", "hoa@example.vn"),
        ("sms", "0912345678"),
    ]
    assert OutboxMessage.objects.count() == before + 2
    assert all(r.status == "created" and r.next_attempt_at is not None for r in rows)


def test_an_applicant_without_contact_but_with_an_account_gets_an_in_app_notice():
    from motcua.dossiers import services
    from motcua.dossiers.services import ApplicantData
    from motcua.dossiers.tests.conftest import build_world, intake

    world = build_world()
    data = intake(world, applicant=ApplicantData(kind="person", name="Lò Văn Pả", citizen_id="011090001234"))
    d = services.dossier_submit_online(citizen=world.citizen, data=data)
    assert list(OutboxMessage.objects.filter(dossier=d).values_list("channel", "recipient")) == [
        ("in_app", str(world.citizen.pk))
    ]
    walk_in = services.dossier_receive(actor=world.receptionist, data=intake(world, applicant=data.applicant))
    assert not OutboxMessage.objects.filter(dossier=walk_in).exists()


def test_a_rolled_back_change_leaves_no_message():
    from motcua.dossiers.tests.conftest import advance, build_world

    world = build_world()
    d = advance(world, Dossier.State.RECEIVED)
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(dossier=d, event="dossier.test", body="x")
        raise RuntimeError
    assert OutboxMessage.objects.count() == before


def test_a_keyed_message_is_queued_once_and_the_callers_transaction_goes_on():
    from motcua.notifications.services import outbox_enqueue_once

    with transaction.atomic():
        first = outbox_enqueue_once(
            key="reminder.due:7:2026-03-06", channel="email", recipient="a@x.vn", event="e", body="b"
        )
        again = outbox_enqueue_once(
            key="reminder.due:7:2026-03-06", channel="email", recipient="a@x.vn", event="e", body="b"
        )
        other = outbox_enqueue_once(
            key="reminder.due:7:2026-03-09", channel="email", recipient="a@x.vn", event="e", body="b"
        )
    assert first is not None and again is None and other is not None
    assert OutboxMessage.objects.filter(key__startswith="reminder.due:7:").count() == 2
