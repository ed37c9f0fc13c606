"""What the mobile app's API keeps of its own: the Idempotency-Key of each submission."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionKey(models.Model):
    """A submission sent with ``Idempotency-Key``: the same key from the same account with the
    same content answers the dossier it created, never a second one (a phone that lost the
    answer sends again); the same key with other content is refused (422)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    # SHA-256 of the submission's JSON part and of each file, in a fixed order (motcua/me/services.py).
    fingerprint = models.CharField(max_length=64)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "khóa gửi lại an toàn"
        verbose_name_plural = "khóa gửi lại an toàn"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="me_submission_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
