"""Consignments (bưu gửi) of the public postal service (Decree 61 Art. 16, 20): a dossier that
came by post, and a result sent back by post, with the dated statuses the postal operator gave.

Imported by ``models.py`` so that Django finds them; written only through ``postal.py``."""

from django.conf import settings
from django.db import models


class Consignment(models.Model):
    class Direction(models.TextChoices):
        RESULT = "result", "Gửi kết quả cho người nộp"
        SUBMISSION = "submission", "Hồ sơ gửi đến qua bưu chính"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ bưu điện cấp mã bưu gửi"
        CREATED = "created", "Đã tạo bưu gửi"
        IN_TRANSIT = "in_transit", "Đang vận chuyển"
        DELIVERED = "delivered", "Đã phát thành công"
        RETURNED = "returned", "Bị chuyển hoàn"

    # Statuses the operator may still change (polled); the others are final.
    OPEN = (Status.CREATED, Status.IN_TRANSIT)

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="consignments"
    )
    direction = models.CharField("chiều gửi", max_length=12, choices=Direction.choices)
    operator = models.CharField("doanh nghiệp bưu chính", max_length=40)
    number = models.CharField("mã bưu gửi", max_length=60, blank=True)
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices)
    status_at = models.DateTimeField("trạng thái từ lúc")
    recipient_name = models.CharField("người nhận", max_length=300, blank=True)
    recipient_address = models.CharField("địa chỉ nhận", max_length=500, blank=True)
    recipient_phone = models.CharField("điện thoại người nhận", max_length=20, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    polled_at = models.DateTimeField("hỏi trạng thái lúc", null=True, blank=True)
    # A returned result is the counter's to deal with until an officer says it is dealt with.
    handled_at = models.DateTimeField("đã xử lý bưu gửi hoàn lúc", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.TextField("cách xử lý", blank=True)

    class Meta:
        verbose_name = "bưu gửi"
        verbose_name_plural = "bưu gửi"
        ordering = ["dossier", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "number"], condition=~models.Q(number=""), name="consignment_number"
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(direction="submission"),
                name="consignment_one_submission",
            ),
        ]
        indexes = [
            # The polling job: results on their way.
            models.Index(
                fields=["polled_at"],
                condition=models.Q(status__in=["created", "in_transit"]),
                name="consignment_open",
            ),
            # The counter's home: returned results nobody has dealt with yet.
            models.Index(
                fields=["dossier"],
                condition=models.Q(status="returned", handled_at__isnull=True),
                name="consignment_returned",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_status_display()} ({self.dossier_id})"


class ConsignmentStatus(models.Model):
    """One dated status of a consignment, as the operator (or the officer) gave it."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="history")
    status = models.CharField("trạng thái", max_length=12, choices=Consignment.Status.choices)
    at = models.DateTimeField("lúc")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "diễn biến bưu gửi"
        verbose_name_plural = "diễn biến bưu gửi"
        ordering = ["consignment", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consignment", "status", "at"], name="consignment_status_once")
        ]

    def __str__(self) -> str:
        return f"{self.consignment_id} {self.status} {self.at:%d/%m/%Y %H:%M}"


class SyncCursor(models.Model):
    """How far a sweep over the dossiers' event log has gone (the national portal's sync reads
    each status change once, in order): the id of the last event it looked at."""

    name = models.CharField("tên", max_length=40, primary_key=True)
    position = models.BigIntegerField("sự kiện cuối đã đọc", default=0)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "vị trí đồng bộ"
        verbose_name_plural = "vị trí đồng bộ"

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"
