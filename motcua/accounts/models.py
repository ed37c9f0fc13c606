from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: staff (rights come from org.Membership) or a citizen/organisation."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Cán bộ, công chức"
        CITIZEN = "citizen", "Công dân"
        ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    kind = models.CharField("loại tài khoản", max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


# Whom a request comes from (``request.user``): a signed-in user or an anonymous visitor. Services
# take it as their actor; only a signed-in user is recorded (audit.services.audit_record).
type AnyUser = User | AnonymousUser


class ApiToken(models.Model):
    """A bearer token for the API (``Authorization: Bearer <token>``). Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("tên", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked = models.BooleanField("đã thu hồi", default=False)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"

    def __str__(self) -> str:
        return f"{self.user} – {self.name or 'API'}"
