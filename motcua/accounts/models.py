import uuid

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


class Profile(models.Model):
    """Who a citizen or organisation account is: what fills every form they submit.

    A person: citizen ID (validated as reception validates it), date of birth, address; an
    organisation: tax code, name, representative. ``identity_*`` is set by a sign-in through the
    national identity (OpenID Connect): the issuer and subject that signed in, and when; only such
    an account sees counter or postal dossiers whose applicant ID matches its own. The account's
    ``full_name``, ``phone`` and ``email`` stay on :class:`User`.
    """

    class Notify(models.TextChoices):
        EMAIL = "email", "Thư điện tử"
        SMS = "sms", "Tin nhắn SMS"
        ZALO = "zalo", "Zalo"
        IN_APP = "in_app", "Thông báo trên Cổng"

    user = models.OneToOneField(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="profile"
    )
    citizen_id = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    organisation_name = models.CharField("tên tổ chức", max_length=300, blank=True)
    representative = models.CharField("người đại diện", max_length=200, blank=True)
    phone_verified_at = models.DateTimeField("xác thực số điện thoại lúc", null=True, blank=True)
    identity_issuer = models.CharField("nhà cung cấp định danh", max_length=300, blank=True)
    identity_subject = models.CharField("mã định danh tại nhà cung cấp", max_length=255, blank=True)
    identity_verified_at = models.DateTimeField(
        "đăng nhập bằng định danh quốc gia lúc", null=True, blank=True
    )
    notify_channels = models.JSONField(
        "kênh nhận thông báo", default=list, blank=True, help_text="Danh sách: email, sms, zalo, in_app."
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ tài khoản"
        verbose_name_plural = "hồ sơ tài khoản"
        constraints = [
            models.UniqueConstraint(
                fields=["identity_issuer", "identity_subject"],
                condition=~models.Q(identity_subject=""),
                name="profile_identity_unique",
            ),
        ]
        indexes = [
            # "Hồ sơ của tôi" finds counter dossiers by the verified applicant's ID.
            models.Index(
                fields=["citizen_id"], condition=~models.Q(citizen_id=""), name="profile_citizen_id"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def identity_verified(self) -> bool:
        return self.identity_verified_at is not None


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a phone number: a local account's sign-up, or a
    forgotten password. Addressed by its random ``id`` (in the page's address); only an HMAC of the
    code is kept (keyed by SECRET_KEY, so a leaked table does not give the codes away, even by
    trying all million). Valid until ``expires_at`` for ``PHONE_CODE_MAX_TRIES`` wrong tries.

    A sign-up's account does not exist until its code is entered: ``payload`` keeps what was typed
    (name, kind, the password already hashed), so that an unproved number never holds an account
    that would keep its owner out.
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", "Đăng ký tài khoản"
        RESET = "reset", "Đặt lại mật khẩu"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField("mục đích", max_length=20, choices=Purpose.choices)
    phone = models.CharField("số điện thoại", max_length=20)
    # The account whose password a reset changes (None: no such account; nothing was sent).
    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lần cuối lúc")
    sends = models.PositiveSmallIntegerField("số lần gửi", default=1)
    expires_at = models.DateTimeField("hết hạn lúc")
    # Tries of this code, counted before each comparison (so that concurrent tries are all counted).
    tries = models.PositiveSmallIntegerField("số lần đã thử", default=0)
    used_at = models.DateTimeField("đã dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã xác thực qua SMS"
        verbose_name_plural = "mã xác thực qua SMS"
        indexes = [models.Index(fields=["phone", "created_at"], name="phonecode_phone_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.phone}"
