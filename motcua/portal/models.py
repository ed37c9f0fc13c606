"""A citizen's draft of an online submission, kept on the server from the first step so that
nothing typed or uploaded is lost to a dropped connection or an expired session.

A draft is addressed by a random ``uid``, never by its sequential id, and only its owner ever
reads it (``selectors.draft_for``). Its files are stored through Django's storage under
``drafts/<uid>/`` after the same checks as a dossier's files (``motcua.dossiers.files``); when
the draft is submitted they become the dossier's, and the draft keeps the dossier it became
(one draft, one dossier: a second submission finds it there).
"""

import uuid

from django.conf import settings
from django.db import models

from motcua.catalog.models import Procedure

# Where the drafts' files are kept in the default storage (``services.drafts_expire`` empties it).
DRAFT_FILES_PREFIX = "drafts"


class Draft(models.Model):
    class Step(models.TextChoices):
        WHOM = "cho-ai", "Nộp cho ai"
        APPLICANT = "nguoi-nop", "Thông tin người nộp"
        DOCUMENTS = "giay-to", "Thành phần hồ sơ"
        DELIVERY = "nhan-ket-qua", "Nơi nộp và nhận kết quả"
        REVIEW = "xem-lai", "Xem lại và nộp"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="drafts"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="drafts"
    )
    # What the citizen typed, step by step, as typed (validated on each step and at submission):
    # {"whom", "applicant": {...}, "submitter": {...}, "place", "result_delivery",
    #  "delivery_address", "alternatives": {"TP01": 2}}.
    data = models.JSONField("nội dung đã nhập", default=dict, blank=True)
    step = models.CharField("bước gần nhất", max_length=20, choices=Step.choices, default=Step.WHOM)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    # Every save touches it: drafts untouched for PORTAL_DRAFT_EXPIRY_DAYS are deleted.
    updated_at = models.DateTimeField("cập nhật lúc")
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ đã nộp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        indexes = [
            # "Hồ sơ của tôi": a citizen's drafts in progress, newest first.
            models.Index(fields=["owner", "-updated_at"], name="draft_owner_updated"),
            # drafts_expire: the unsubmitted drafts untouched since a cut-off.
            models.Index(
                fields=["updated_at"],
                condition=models.Q(submitted_at__isnull=True),
                name="draft_open_updated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.uid}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


def draft_file_path(instance: "DraftFile", filename: str) -> str:
    # A random name: the citizen's file name is kept in the row, never trusted as a path.
    return f"{DRAFT_FILES_PREFIX}/{instance.draft.uid}/{uuid.uuid4().hex}"


class DraftFile(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    requirement_code = models.CharField("mã thành phần", max_length=20)
    file = models.FileField("tệp", upload_to=draft_file_path, max_length=200)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("loại tệp", max_length=50)
    size = models.PositiveIntegerField("kích thước (byte)")
    sha256 = models.CharField(max_length=64)
    # Picked from the citizen's own store (a file of an earlier dossier): which one.
    source_file = models.ForeignKey(
        "dossiers.DossierFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tệp của hồ sơ nháp"
        verbose_name_plural = "tệp của hồ sơ nháp"
        ordering = ["draft", "requirement_code", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
