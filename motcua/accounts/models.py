from django.contrib.auth.models import AbstractUser
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
