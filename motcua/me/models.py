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


class AppSignin(models.Model):
    """How the citizen had signed in when they let the app act for them, kept for the tokens
    of that authorisation (one refresh-token family of django-oauth-toolkit, which every refresh
    keeps): a dossier the app submits records a national-identity sign-in (legal-facts §7,
    indicator 4.5) only when that sign-in was one."""

    token_family = models.UUIDField(unique=True)
    national_identity = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "cách đăng nhập khi cấp quyền cho ứng dụng"
        verbose_name_plural = "cách đăng nhập khi cấp quyền cho ứng dụng"

    def __str__(self) -> str:
        return f"{self.token_family} {'VNeID' if self.national_identity else ''}".strip()
