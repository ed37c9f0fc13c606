from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="settled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ghi nhận vào hồ sơ lúc"),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("settled_at__isnull", True), ("state", "success")),
                fields=["finished_at"],
                name="payment_unsettled",
            ),
        ),
        # Until now a success was brought onto the dossier in its own transaction.
        migrations.RunSQL(
            "UPDATE payments_payment SET settled_at = finished_at WHERE state = 'success'",
            migrations.RunSQL.noop,
        ),
    ]
