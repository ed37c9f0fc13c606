"""The outbox's statuses become GOV.UK Notify's: pending → created, sent → delivered (e-mail,
in-app: delivery is known) or sent (SMS: accepted by the provider), failed → permanent-failure;
skipped stays."""

from django.db import migrations

FORWARD = [
    ({"status": "pending"}, "created"),
    ({"status": "sent", "channel__in": ["email", "in_app"]}, "delivered"),
    ({"status": "failed"}, "permanent-failure"),
]
BACKWARD = [
    ({"status__in": ["created", "sending", "temporary-failure"]}, "pending"),
    ({"status": "delivered"}, "sent"),
    ({"status__in": ["permanent-failure", "technical-failure", "needs-review"]}, "failed"),
]


def rename(pairs):
    def run(apps, schema_editor):
        OutboxMessage = apps.get_model("notifications", "OutboxMessage")
        for lookup, status in pairs:
            OutboxMessage.objects.filter(**lookup).update(status=status)

    return run


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_sending_statuses")]

    operations = [migrations.RunPython(rename(FORWARD), rename(BACKWARD))]
