"""The outbox: every message for an applicant is written here in the same transaction as the
change that caused it; sending (e-mail, SMS, Zalo, in-app) is separate work that reads the outbox
(motcua/notifications/sender.py).

Statuses follow GOV.UK Notify's: ``created`` (queued) → ``sending`` (a worker holds it, until
``lease_until``) → ``delivered`` (the provider took it and delivery is known: SMTP accepted the
mail, the notice is visible in the portal) or ``sent`` (an SMS or Zalo provider accepted it and no
receipt comes back); ``temporary-failure`` (the provider answered 5xx or did not answer: retried
at ``next_attempt_at``, with backoff), ``permanent-failure`` (the provider refused it, 4xx: never
retried by itself), ``technical-failure`` (still failing after the last retry, or the channel is
not configured: a dead letter an administrator sees and can resend). ``needs-review`` ("cần kiểm
tra"): a worker died while sending through a provider that takes no idempotency reference, so
whether it went out is unknown — a person decides, it is never resent blindly.
"""

from django.db import models


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "Tin nhắn SMS"
        EMAIL = "email", "Thư điện tử"
        ZALO = "zalo", "Zalo"
        IN_APP = "in_app", "Thông báo trên Cổng"
        # Not messages to a person: work that crosses the machine's edge through the same outbox
        # (queued after commit, retried, dead letters) — issue 12 §3 and issue 13 §4.
        POST = "post", "Bưu chính (tạo bưu gửi)"
        NATIONAL_PORTAL = "dvcqg", "Cổng Dịch vụ công quốc gia"

    class Status(models.TextChoices):
        CREATED = "created", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        DELIVERED = "delivered", "Đã đến người nhận"
        SENT = "sent", "Đã gửi cho nhà cung cấp"
        TEMPORARY_FAILURE = "temporary-failure", "Lỗi tạm thời, sẽ gửi lại"
        PERMANENT_FAILURE = "permanent-failure", "Bị từ chối"
        TECHNICAL_FAILURE = "technical-failure", "Lỗi kỹ thuật, đã ngừng thử"
        NEEDS_REVIEW = "needs-review", "Cần kiểm tra"
        SKIPPED = "skipped", "Không gửi"

    # A worker may claim these when their next attempt is due.
    CLAIMABLE = (Status.CREATED, Status.TEMPORARY_FAILURE)
    # Dead letters: nothing more happens to them unless an administrator resends them.
    DEAD = (Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE, Status.NEEDS_REVIEW)

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    channel = models.CharField("kênh", max_length=10, choices=Channel.choices)
    recipient = models.CharField(
        "người nhận", max_length=254, help_text="Số điện thoại, thư điện tử hoặc tài khoản."
    )
    event = models.CharField("sự kiện", max_length=60)
    subject = models.CharField("tiêu đề", max_length=300, blank=True)
    body = models.TextField("nội dung")
    # The fields of a Zalo ZNS template (template_data), filled from the same event.
    data = models.JSONField("dữ liệu mẫu tin", default=dict, blank=True)
    # At most one message per key (a reminder per officer per day); empty: no such rule.
    key = models.CharField("khóa chống trùng", max_length=120, blank=True, default="")
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.CREATED)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("lần thử tới", null=True, blank=True)
    # The worker holding a message in "sending": its claim token and until when it holds it.
    claim = models.UUIDField("lượt nhận gửi", null=True, blank=True, editable=False)
    lease_until = models.DateTimeField("giữ đến", null=True, blank=True)
    provider_reference = models.CharField("mã của nhà cung cấp", max_length=120, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "hộp thư đi"
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="outbox_unique_key"),
        ]
        indexes = [
            # The sender claims due messages in order of next attempt.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["created", "temporary-failure"]),
                name="outbox_due",
            ),
            # The sweep finds messages whose worker's lease ran out.
            models.Index(
                fields=["lease_until"], condition=models.Q(status="sending"), name="outbox_sending_lease"
            ),
            # "Hồ sơ của tôi": a citizen's in-app notices.
            models.Index(
                fields=["recipient", "created_at"], condition=models.Q(channel="in_app"), name="outbox_in_app"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.event}"

    @property
    def idempotency_reference(self) -> str:
        """Our reference for this message at a provider that takes one (the same on every attempt)."""
        return f"motcua-outbox-{self.pk}"
