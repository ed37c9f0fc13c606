"""The outbox: every message for an applicant is written here in the same transaction as the
change that caused it; sending (SMS, e-mail, in-app) is separate work that reads the outbox."""

from django.db import models


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "Tin nhắn SMS"
        EMAIL = "email", "Thư điện tử"
        IN_APP = "in_app", "Thông báo trên Cổng"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        SKIPPED = "skipped", "Không gửi"

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
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("lần thử tới", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo chờ gửi"
        verbose_name_plural = "hộp thư đi"
        indexes = [
            # The sender claims pending messages in order of next attempt.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.event}"
