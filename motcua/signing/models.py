"""Signing keys per agency (``AgencySigner``) and the signed e-results (``EResult``).

A key is never in the database: ``AgencySigner.key_ref`` points to where the signer adapter
(``keys.py``) reaches it (a key file now, a PKCS#11 token or a remote signing service later). The
certificate, which is public, is kept here as PEM.
"""

import uuid

from django.conf import settings
from django.db import models

from motcua.dossiers.models import Dossier, DossierFile
from motcua.org.models import Agency

ERESULT_FILES_PREFIX = "ket-qua-dien-tu"


class AgencySigner(models.Model):
    """A certificate of an agency: a leader's (used only when that leader approves a dossier the
    agency handles) or the agency's seal (used when the agency issues the result)."""

    class Kind(models.TextChoices):
        LEADER = "leader", "Chữ ký số của lãnh đạo"
        SEAL = "seal", "Chữ ký số của cơ quan (con dấu)"

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="signers"
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lãnh đạo (chủ chứng thư)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    certificate = models.TextField("chứng thư số (PEM)")
    chain = models.TextField("chứng thư của CA trung gian (PEM, nếu có)", blank=True)
    key_ref = models.CharField(
        "nơi giữ khóa bí mật",
        max_length=500,
        help_text="file:/đường/dẫn/khoa.key — tệp khóa ngoài cơ sở dữ liệu (README, Kết quả điện tử).",
    )
    subject = models.CharField("chủ thể", max_length=300, blank=True)
    valid_until = models.DateTimeField("hiệu lực đến", null=True, blank=True)
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("thêm lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư ký số của cơ quan"
        verbose_name_plural = "chứng thư ký số của cơ quan"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="leader", user__isnull=False) | models.Q(kind="seal", user__isnull=True)
                ),
                name="signer_leader_has_user_seal_not",
            ),
            # One key in use per leader per agency, and one seal per agency.
            models.UniqueConstraint(
                fields=["agency", "kind", "user"],
                condition=models.Q(active=True, kind="leader"),
                name="signer_one_active_leader_key",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind"],
                condition=models.Q(active=True, kind="seal"),
                name="signer_one_active_seal",
            ),
        ]

    def __str__(self) -> str:
        who = f" – {self.user}" if self.user_id else ""
        return f"{self.agency} – {self.get_kind_display()}{who}"


def eresult_file_path(instance: "EResult", filename: str) -> str:
    return f"{ERESULT_FILES_PREFIX}/{instance.uid}/{uuid.uuid4().hex}.pdf"


class EResult(models.Model):
    """One electronic result of a dossier, code ``{dossier code}-KQ{n}`` (Decree 45/2020 art. 14(3)).

    Signed by the approving leader at approval (``leader_signed_at``), then by the agency's seal
    when issued (``issued_at``): only then does the citizen see it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="e_results"
    )
    number = models.PositiveSmallIntegerField("số thứ tự kết quả")
    code = models.CharField("mã kết quả", max_length=80, unique=True)
    # The random part of the QR code's address: a result code alone (guessable) shows nothing.
    token = models.CharField("mã xác thực", max_length=64)
    title = models.CharField("tên kết quả", max_length=300)
    file = models.FileField("tệp đã ký", upload_to=eresult_file_path, max_length=200)
    sha256 = models.CharField("SHA-256 của tệp đã ký", max_length=64)
    size = models.PositiveIntegerField("kích thước (byte)")
    source = models.CharField(
        "nguồn", max_length=10, choices=[("upload", "Cán bộ đính kèm"), ("template", "Hệ thống lập từ mẫu")]
    )
    leader = models.ForeignKey(
        AgencySigner, verbose_name="lãnh đạo ký", on_delete=models.PROTECT, related_name="+"
    )
    leader_signed_at = models.DateTimeField("lãnh đạo ký lúc")
    seal = models.ForeignKey(
        AgencySigner,
        verbose_name="chữ ký số cơ quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField("phát hành lúc", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The copy in the citizen's own store (the dossier's files: portal "kho hồ sơ").
    stored_file = models.OneToOneField(
        DossierFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="e_result"
    )

    class Meta:
        verbose_name = "kết quả điện tử"
        verbose_name_plural = "kết quả điện tử"
        ordering = ["dossier", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="eresult_number")]
        indexes = [
            # The issue job: results signed by the leader, not yet issued.
            models.Index(
                fields=["dossier"], condition=models.Q(issued_at__isnull=True), name="eresult_pending"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def issued(self) -> bool:
        return self.issued_at is not None
