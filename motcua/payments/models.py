"""Fees due, payment requests, payments, refunds and e-receipts (issue 12 §1).

- ``FeeTariff``: a line of the province's fee table, for procedures whose catalogue entry defers
  the amount to a local tariff (a resolution of the provincial People's Council, HĐND), with the
  resolution and the dates it applies between. A line with ``kind = postage`` prices the return
  of a result by post.
- ``PaymentRequest``: what the applicant is asked to pay for one dossier (status 6): its lines
  (each with its legal basis, and any exemption or reduction with its ground), the total, what
  it is for and by when.
- ``Payment``: one attempt to pay a request, at the counter, by transfer or through the gateway,
  in the states GOV.UK Pay uses. At most one succeeds per request (a partial unique constraint),
  so that twenty copies of one gateway notice, or a counter officer and the gateway at once,
  record one payment.
- ``Refund``: money given back against a successful payment.
- ``Receipt`` / ``ReceiptSequence``: the e-receipt (biên lai điện tử) of a successful payment,
  numbered per collecting agency per year without gaps.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency


class FeeTariff(models.Model):
    """One line of the provincial fee table (biểu mức thu phí, lệ phí do HĐND tỉnh quyết định)."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Phí"
        FEE = "fee", "Lệ phí"
        POSTAGE = "postage", "Cước bưu chính trả kết quả"

    procedure = models.ForeignKey(
        Procedure,
        verbose_name="thủ tục",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tariff_lines",
        help_text="Để trống cho dòng áp dụng chung (cước bưu chính).",
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    description = models.CharField("nội dung thu", max_length=300)
    channel = models.PositiveSmallIntegerField(
        "kênh nộp", choices=Dossier.Channel.choices, null=True, blank=True, help_text="Để trống: mọi kênh."
    )
    amount_vnd = models.PositiveBigIntegerField("mức thu (đồng)")
    resolution_number = models.CharField("số nghị quyết HĐND", max_length=60, blank=True)
    resolution_date = models.DateField("ngày nghị quyết", null=True, blank=True)
    effective_from = models.DateField("áp dụng từ ngày")
    effective_to = models.DateField("áp dụng đến hết ngày", null=True, blank=True)

    class Meta:
        verbose_name = "dòng biểu phí, lệ phí của tỉnh"
        verbose_name_plural = "biểu phí, lệ phí của tỉnh"
        ordering = ["procedure", "kind", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="fee_tariff_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount_vnd} đ)"

    @property
    def basis(self) -> str:
        if not self.resolution_number:
            return ""
        when = f" ngày {self.resolution_date:%d/%m/%Y}" if self.resolution_date else ""
        return f"Nghị quyết số {self.resolution_number}{when} của HĐND tỉnh"


class PaymentRequest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Chờ nộp"
        PAID = "paid", "Đã nộp"
        CANCELLED = "cancelled", "Đã hủy"

    class Timing(models.TextChoices):
        SUBMISSION = "submission", "Khi nộp hồ sơ"
        APPRAISAL = "appraisal", "Sau khi thẩm định"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="payment_requests"
    )
    # The agency that collects (the handling agency): its account receives transfers, its
    # series numbers the receipts.
    agency = models.ForeignKey(Agency, verbose_name="cơ quan thu", on_delete=models.PROTECT, related_name="+")
    # [{"label", "kind", "amount_vnd" (before reduction), "reduction_vnd", "ground", "basis"}]
    lines = models.JSONField("các khoản phải nộp", default=list)
    total_vnd = models.PositiveBigIntegerField("tổng số tiền phải nộp")
    purpose = models.CharField("nộp để", max_length=300)
    timing = models.CharField("thời điểm nộp", max_length=12, choices=Timing.choices)
    due_by = models.DateTimeField("hạn nộp")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.OPEN)
    requested_at = models.DateTimeField("yêu cầu lúc")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField("nộp xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu nộp phí, lệ phí"
        verbose_name_plural = "yêu cầu nộp phí, lệ phí"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per dossier: a second would leave the applicant two sums to pay.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(state="open"), name="payment_request_one_open"
            )
        ]
        indexes = [
            # The sweep of overdue requests and the officer's inbox.
            models.Index(fields=["due_by"], condition=Q(state="open"), name="payment_request_open_due")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.total_vnd} đ"


class Payment(models.Model):
    """One attempt to pay a request. States as GOV.UK Pay has them."""

    class State(models.TextChoices):
        CREATED = "created", "Mới tạo"
        STARTED = "started", "Đang thanh toán"
        SUCCESS = "success", "Thành công"
        FAILED = "failed", "Không thành công"
        CANCELLED = "cancelled", "Đã hủy"
        EXPIRED = "expired", "Hết hạn"
        ERROR = "error", "Lỗi"

    class Method(models.TextChoices):
        CASH = "cash", "Tiền mặt tại quầy"
        CARD = "card", "Thẻ tại quầy"
        TRANSFER = "transfer", "Chuyển khoản (VietQR)"
        GATEWAY = "gateway", "Cổng thanh toán trực tuyến"

    FINISHED = frozenset({State.SUCCESS, State.FAILED, State.CANCELLED, State.EXPIRED, State.ERROR})

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        PaymentRequest, verbose_name="yêu cầu nộp", on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField("hình thức", max_length=10, choices=Method.choices)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.CREATED)
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    # Ours, sent to the gateway (vnp_TxnRef) or written in the transfer's content.
    txn_ref = models.CharField("mã giao dịch", max_length=40, unique=True)
    # The national portal's DuocThanhToanTrucTuyen: 0 counter/transfer, 1 national portal, 2 gateway.
    paid_online = models.PositiveSmallIntegerField("thanh toán trực tuyến", default=0)
    receipt_number = models.CharField("số biên lai / chứng từ", max_length=60, blank=True)
    gateway = models.CharField("cổng", max_length=20, blank=True)
    gateway_transaction_no = models.CharField("mã giao dịch tại cổng", max_length=40, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    response_code = models.CharField("mã phản hồi", max_length=10, blank=True)
    client_ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    # A success brought onto the dossier (its event, its receipt): with the success at the counter,
    # a moment after it for the gateway (services.payment_settle).
    settled_at = models.DateTimeField("ghi nhận vào hồ sơ lúc", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "lần thanh toán"
        verbose_name_plural = "các lần thanh toán"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Exactly one successful payment per request, whatever races (services.payment_confirm).
            models.UniqueConstraint(
                fields=["request"], condition=Q(state="success"), name="payment_one_success"
            )
        ]
        indexes = [
            # The expiry sweep and the gateway polling job read unfinished payments.
            models.Index(
                fields=["expires_at"],
                condition=Q(state__in=["created", "started"]),
                name="payment_unfinished",
            ),
            # The catch-up of gateway successes whose settling was lost.
            models.Index(
                fields=["finished_at"],
                condition=Q(state="success", settled_at__isnull=True),
                name="payment_unsettled",
            ),
        ]

    def __str__(self) -> str:
        return self.txn_ref


class Refund(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name="lần thanh toán", on_delete=models.PROTECT, related_name="refunds"
    )
    amount_vnd = models.PositiveBigIntegerField("số tiền hoàn (đồng)")
    reason = models.CharField("lý do", max_length=300)
    refunded_at = models.DateTimeField("hoàn lúc")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "hoàn trả"
        verbose_name_plural = "hoàn trả"
        ordering = ["-refunded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount_vnd} đ"


class ReceiptSequence(models.Model):
    """The last receipt number given by an agency in a year (upsert under a row lock: gap-free)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="receipt_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} #{self.last_number}"


class Receipt(models.Model):
    """The e-receipt of one successful payment (biên lai thu phí, lệ phí điện tử)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey(Agency, verbose_name="đơn vị thu", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    # Ký hiệu mẫu số / ký hiệu biên lai as the agency registered them (settings).
    series = models.CharField("ký hiệu", max_length=20)
    issued_at = models.DateTimeField("lập lúc")
    payer_name = models.CharField("người nộp", max_length=300)
    payer_id = models.CharField("số định danh người nộp", max_length=20, blank=True)
    payer_address = models.CharField("địa chỉ người nộp", max_length=500, blank=True)
    lines = models.JSONField("các khoản thu", default=list)
    total_vnd = models.PositiveBigIntegerField("tổng số tiền")

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="receipt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number:07d}"
