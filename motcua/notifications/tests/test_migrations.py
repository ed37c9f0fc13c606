"""The outbox's statuses renamed to GOV.UK Notify's (migration 0003), on existing rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("notifications", "0001_initial")]
AFTER = [("notifications", "0003_outbox_statuses_renamed")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_rows_take_the_new_statuses_and_back():
    old = migrate(BEFORE).get_model("notifications", "OutboxMessage")
    rows = {
        ("sms", "pending"): "created",
        ("email", "sent"): "delivered",
        ("in_app", "sent"): "delivered",
        ("sms", "sent"): "sent",
        ("email", "failed"): "permanent-failure",
        ("sms", "skipped"): "skipped",
    }
    ids = {
        key: old.objects.create(
            channel=key[0], recipient="x", event="dossier.receive", body="b", status=key[1]
        ).pk
        for key in rows
    }
    try:
        new = migrate(AFTER).get_model("notifications", "OutboxMessage")
        assert {key: new.objects.get(pk=pk).status for key, pk in ids.items()} == rows
        back = migrate([("notifications", "0002_outbox_sending_statuses")]).get_model(
            "notifications", "OutboxMessage"
        )
        assert {key: back.objects.get(pk=pk).status for key, pk in ids.items()} == {
            ("sms", "pending"): "pending",
            ("email", "sent"): "sent",
            ("in_app", "sent"): "sent",
            ("sms", "sent"): "sent",
            ("email", "failed"): "failed",
            ("sms", "skipped"): "skipped",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
