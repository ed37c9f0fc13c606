"""Dossiers (hồ sơ): the record of one application, its documents and files, and the steps
(the control slip, Mẫu 06) it went through.

State lives in ``Dossier.state`` (internal, finer) and ``Dossier.status_code`` (the national
portal's code 1–10, derived from the state and stored for filtering). Every change goes through
a service in ``services/`` (one module per concern); concurrent writers are told apart by
``version`` (optimistic locking: a service updates ``WHERE version = <the version the actor saw>``).
"""

import uuid

from django.conf import settings
from django.db import models

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.org.models import Agency


class NationalStatus(models.IntegerChoices):
    SUBMITTED = 1, "Mới đăng ký"
    RECEIVED = 2, "Được tiếp nhận"
    REFUSED = 3, "Không được tiếp nhận"
    PROCESSING = 4, "Đang xử lý"
    SUPPLEMENT = 5, "Yêu cầu bổ sung giấy tờ"
    PAYMENT = 6, "Yêu cầu thực hiện nghĩa vụ tài chính"
    WITHDRAWN = 7, "Công dân yêu cầu rút hồ sơ"
    STOPPED = 8, "Dừng xử lý"
    FINISHED = 9, "Đã xử lý xong"
    RETURNED = 10, "Đã trả kết quả"


class Timeliness(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


# The states of an open dossier (``Dossier.OPEN_STATES``) as stored, named once here: the
# model's Meta (its partial indexes of open dossiers) cannot name the class's own attributes.
_OPEN_STATE_VALUES = ["received", "processing", "supplement", "payment", "approved"]
_OPEN_DOSSIER = models.Q(state__in=_OPEN_STATE_VALUES)


class Dossier(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", "Mới đăng ký trực tuyến"
        INTAKE_SUPPLEMENT = "intake_supplement", "Hướng dẫn bổ sung khi tiếp nhận"
        REFUSED = "refused", "Từ chối tiếp nhận"
        RECEIVED = "received", "Đã tiếp nhận, chờ xử lý"
        PROCESSING = "processing", "Đang xử lý"
        SUPPLEMENT = "supplement", "Chờ bổ sung trong quá trình xử lý"
        PAYMENT = "payment", "Chờ thực hiện nghĩa vụ tài chính"
        APPROVED = "approved", "Đã phê duyệt, chờ hoàn thành kết quả"
        WITHDRAWN = "withdrawn", "Đã rút hồ sơ"
        STOPPED = "stopped", "Dừng xử lý"
        FINISHED = "finished", "Có kết quả, chờ trả"
        RETURNED = "returned", "Đã trả kết quả"

    # Looked up by the stored state (a plain string).
    STATUS_OF_STATE: dict[str, NationalStatus] = {
        State.SUBMITTED: NationalStatus.SUBMITTED,
        State.INTAKE_SUPPLEMENT: NationalStatus.SUPPLEMENT,
        State.REFUSED: NationalStatus.REFUSED,
        State.RECEIVED: NationalStatus.RECEIVED,
        State.PROCESSING: NationalStatus.PROCESSING,
        State.SUPPLEMENT: NationalStatus.SUPPLEMENT,
        State.PAYMENT: NationalStatus.PAYMENT,
        State.APPROVED: NationalStatus.PROCESSING,
        State.WITHDRAWN: NationalStatus.WITHDRAWN,
        State.STOPPED: NationalStatus.STOPPED,
        State.FINISHED: NationalStatus.FINISHED,
        State.RETURNED: NationalStatus.RETURNED,
    }
    OPEN_STATES = tuple(map(State, _OPEN_STATE_VALUES))  # received, processing, supplement, payment, approved
    # Open and counting time: waiting for a supplement or a payment pauses the clock, so such a
    # dossier is never "late" while it waits (its due time moves when it resumes).
    CLOCK_RUNNING_STATES = (State.RECEIVED, State.PROCESSING, State.APPROVED)

    class Channel(models.IntegerChoices):
        COUNTER = 1, "Trực tiếp"
        ONLINE = 2, "Trực tuyến"
        POST = 3, "Bưu chính công ích"

    class ResultDelivery(models.TextChoices):
        COUNTER = "counter", "Nhận tại Bộ phận Một cửa"
        POST = "post", "Qua dịch vụ bưu chính"
        ONLINE = "online", "Nhận bản điện tử trực tuyến"

    class ApplicantKind(models.TextChoices):
        PERSON = "person", "Cá nhân"
        ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"

    class SubmitterRelation(models.TextChoices):
        SELF = "self", "Tự nộp"
        GUARDIAN = "guardian", "Cha, mẹ hoặc người giám hộ"
        AUTHORISED = "authorised", "Người được ủy quyền"
        ORGANISATION_STAFF = "organisation_staff", "Nhân viên của tổ chức"

    class Outcome(models.TextChoices):
        NONE = "", "Chưa có"
        APPROVED = "approved", "Giải quyết"
        REJECTED = "rejected", "Không giải quyết (có văn bản trả lời)"

    # Identity: the code is what people read and type; uid addresses the dossier in URLs
    # where the code is not yet public; never a bare sequential id.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField("mã hồ sơ", max_length=60, unique=True)
    pin = models.CharField("mã tra cứu (PIN)", max_length=6)
    version = models.PositiveIntegerField("phiên bản", default=1)

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="dossiers"
    )
    # Taken at reception: processing time and unit, counting rule, supplement policy, steps,
    # fees; the dossier keeps the rules it was received under even if the catalogue changes.
    procedure_snapshot = models.JSONField("thông tin thủ tục khi tiếp nhận", default=dict)
    rules_version = models.CharField("phiên bản quy tắc", max_length=40, blank=True)
    # No single-column indexes: "dossier_received" and "dossier_handling_state_due" lead with them.
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan tiếp nhận",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        db_index=False,
    )
    handling_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        db_index=False,
    )

    applicant_kind = models.CharField("loại người nộp", max_length=20, choices=ApplicantKind.choices)
    applicant_name = models.CharField("họ tên / tên tổ chức", max_length=300)
    citizen_id = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    representative = models.CharField("người đại diện", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản công dân",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )

    # Online submission (issue 11): who submitted when not the applicant, and whether they signed
    # in through the national identity (the national portal counts it, indicator 4.5).
    national_identity = models.BooleanField("nộp khi đăng nhập bằng định danh quốc gia", default=False)
    submitter_relation = models.CharField(
        "quan hệ của người nộp", max_length=20, choices=SubmitterRelation.choices, blank=True
    )
    submitter_name = models.CharField("họ tên người nộp thay", max_length=200, blank=True)
    submitter_citizen_id = models.CharField("số định danh người nộp thay", max_length=12, blank=True)
    # The applicant asked online to withdraw a received dossier: the officer confirms (dossier_withdraw).
    withdrawal_requested_at = models.DateTimeField("yêu cầu rút hồ sơ lúc", null=True, blank=True)
    withdrawal_reason = models.TextField("lý do yêu cầu rút hồ sơ", blank=True)

    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    result_delivery = models.CharField(
        "hình thức nhận kết quả", max_length=10, choices=ResultDelivery.choices
    )
    state = models.CharField("trạng thái", max_length=20, choices=State.choices)
    status_code = models.PositiveSmallIntegerField("mã trạng thái quốc gia", choices=NationalStatus.choices)
    outcome = models.CharField(
        "kết quả giải quyết", max_length=10, choices=Outcome.choices, blank=True, default=""
    )

    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    clock_started_at = models.DateTimeField(
        "bắt đầu tính thời hạn",
        null=True,
        blank=True,
        help_text="Tiếp nhận, hoặc nhận đủ bổ sung khi tính lại từ đầu.",
    )
    transfer_at = models.DateTimeField("chuyển xử lý lúc", null=True, blank=True)
    original_due_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    finished_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True, help_text="Từ chối, rút, dừng.")
    timeliness = models.CharField("đúng hạn", max_length=10, choices=Timeliness.choices, blank=True)

    current_step = models.ForeignKey(
        "DossierStep",
        verbose_name="bước hiện tại",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    holder_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan đang giữ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_dossiers",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ đang xử lý",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_dossiers",
    )

    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    supplement_flagged = models.BooleanField(
        "yêu cầu bổ sung lần hai", default=False, help_text="Chỉ số quốc gia tính hồ sơ này là trễ hạn."
    )
    extension_count = models.PositiveSmallIntegerField("số lần gia hạn", default=0)
    fee_due_vnd = models.PositiveBigIntegerField("số tiền phải nộp", null=True, blank=True)
    collected_by = models.CharField("người nhận kết quả", max_length=200, blank=True)
    postal_tracking = models.CharField("mã bưu gửi", max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # SHA-256 of the reception's input, kept with the key: a retry has the same, another request
    # reusing the key does not (services.intake.intake_fingerprint). Empty for rows without key.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        constraints = [
            models.CheckConstraint(condition=models.Q(extension_count__lte=1), name="dossier_one_extension"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="dossier_idempotency_key",
            ),
        ]
        indexes = [
            # The inbox: open dossiers of an agency by due time (partial: closed ones never match).
            # Covering (PostgreSQL): the page's ids and the bucket counts are read from the index
            # alone, never from the wide rows, which lie scattered over the table (one heap page
            # per dossier: 8,400 pages for 10,000 open dossiers in bench/inbox.py).
            # The holder and the current step too: an officer's own page finds the unassigned
            # dossiers of his agencies (``_mine_q``) from the index alone. The state too: the
            # "to finish" bucket is the approved state (status 4, as processing); without it every
            # count read each row from the table (bench/inbox.py, 10,000 open dossiers of one
            # commune among 1,000,000: the counts took 26 ms, 15 ms with it).
            models.Index(
                fields=["holder_agency", "due_at"],
                condition=_OPEN_DOSSIER,
                include=["id", "status_code", "state", "holder", "current_step"],
                name="dossier_open_by_agency_due",
            ),
            # An officer's own page (``_mine_q``) is a set of ids (a UNION of what he holds and
            # what waits for his role): its counts and its page read those dossiers' bucket
            # columns by id from this small index of open dossiers alone, not from the rows
            # (bench/inbox.py, a leader's 3,000: the counts took 36 ms, 21 ms with it; the page's
            # list 26 ms, 16 ms).
            models.Index(
                fields=["id"],
                condition=_OPEN_DOSSIER,
                include=["due_at", "status_code", "state", "holder", "current_step"],
                name="dossier_open_by_id",
            ),
            # An officer's own inbox.
            models.Index(
                fields=["holder", "due_at"],
                condition=_OPEN_DOSSIER,
                include=["id", "status_code"],
                name="dossier_open_by_holder_due",
            ),
            # Counter "today" pages and reports by receiving agency and day.
            models.Index(fields=["receiving_agency", "received_at"], name="dossier_received"),
            models.Index(fields=["handling_agency", "state", "due_at"], name="dossier_handling_state_due"),
            models.Index(fields=["citizen_id"], name="dossier_citizen_id"),
            # "Hồ sơ của tôi" of an organisation whose identity was verified.
            models.Index(fields=["tax_code"], condition=~models.Q(tax_code=""), name="dossier_tax_code"),
            # The counter's online inbox: dossiers submitted online, waiting for reception, oldest first.
            models.Index(
                fields=["receiving_agency", "submitted_at"],
                condition=models.Q(state="submitted"),
                name="dossier_online_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def clock_running(self) -> bool:
        return self.state in self.CLOCK_RUNNING_STATES


class DailySequence(models.Model):
    """The last dossier number given by an agency on a day: the NNNN of the dossier code.

    Incremented inside the transaction that creates the dossier, under a row lock, so numbers
    are unique and gapless per agency per day (a rolled-back reception gives its number back).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} #{self.last_number}"


class DossierDocument(models.Model):
    class CopyKind(models.TextChoices):
        ORIGINAL = "original", "Bản chính"
        CERTIFIED_COPY = "certified_copy", "Bản sao có chứng thực"
        PHOTOCOPY = "photocopy", "Bản sao / bản chụp"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requirement_code = models.CharField("mã thành phần", max_length=20, blank=True)
    name = models.TextField("tên giấy tờ")
    copy_kind = models.CharField("loại bản", max_length=20, choices=CopyKind.choices)
    count = models.PositiveSmallIntegerField("số lượng", default=1)
    digitised = models.BooleanField("đã số hóa", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "giấy tờ trong hồ sơ"
        verbose_name_plural = "giấy tờ trong hồ sơ"
        ordering = ["dossier", "order", "pk"]

    def __str__(self) -> str:
        return self.name[:80]


# Where the dossiers' files are stored in the default storage (manage.py files_cleanup looks there).
DOSSIER_FILES_PREFIX = "dossiers"


def dossier_file_path(instance: "DossierFile", filename: str) -> str:
    # Stored under a random name: the original file name is kept in the row, never trusted.
    return f"{DOSSIER_FILES_PREFIX}/{instance.document.dossier.uid}/{uuid.uuid4().hex}"


class DossierFile(models.Model):
    document = models.ForeignKey(DossierDocument, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("tệp", upload_to=dossier_file_path)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("loại tệp", max_length=50)
    size = models.PositiveIntegerField("kích thước (byte)")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"

    def __str__(self) -> str:
        return self.original_name


class DossierStep(models.Model):
    """One hand-over: who gave, who received, when, by when, and how it ended (Mẫu 06 row)."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", "Tiếp nhận"
        PROCESS = "process", "Xử lý"
        SUPPLEMENT = "supplement", "Chờ bổ sung"
        PAYMENT = "payment", "Chờ nộp phí, lệ phí"
        RETURN = "return", "Trả kết quả"

    # Indexed by "dossier_step_seq" (dossier, seq).
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps", db_index=False)
    seq = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.PROCESS)
    template_order = models.PositiveSmallIntegerField("bước trong quy trình", null=True, blank=True)
    name = models.CharField("tên bước", max_length=300)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("vai trò", max_length=20, blank=True)
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="bên giao",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="bên nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("nhận lúc")
    due_at = models.DateTimeField("hạn xử lý", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    timeliness = models.CharField("đúng hạn", max_length=10, choices=Timeliness.choices, blank=True)
    ended_by = models.CharField("kết thúc bằng", max_length=30, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "phiếu kiểm soát quá trình"
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_step_seq")]
        indexes = [
            # The steps not finished (the current ones), with their role: an officer's own page
            # reads the role of his agencies' unassigned steps here, not from the table that
            # keeps every step ever taken (partial: a small index that stays in memory).
            models.Index(
                fields=["id"],
                condition=models.Q(finished_at__isnull=True),
                include=["role"],
                name="dossierstep_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.seq} {self.name}"


class DossierPause(models.Model):
    """A stretch when the clock does not run (or after which it restarts): supplement, payment."""

    class Reason(models.TextChoices):
        SUPPLEMENT = "supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ"
        PAYMENT = "payment", "Chờ thực hiện nghĩa vụ tài chính"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("lý do", max_length=20, choices=Reason.choices)
    # Supplement requests (Mẫu 02): [{"name": ..., "reason": ...}] — what is missing and why.
    items = models.JSONField("nội dung yêu cầu", default=list, blank=True)
    note = models.TextField("ghi chú", blank=True)
    started_at = models.DateTimeField("bắt đầu")
    ended_at = models.DateTimeField("kết thúc", null=True, blank=True)
    policy = models.CharField("cách tính thời hạn", max_length=10, blank=True, help_text="restart hoặc pause")
    # The state the dossier goes back to when the pause ends (processing, received, approved…).
    resume_state = models.CharField("trạng thái khi tiếp tục", max_length=20, blank=True)
    # The applicant sent the supplement online; the officer still receives it (the clock resumes then).
    supplied_online_at = models.DateTimeField("bổ sung trực tuyến lúc", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "tạm dừng tính thời hạn"
        verbose_name_plural = "tạm dừng tính thời hạn"
        ordering = ["dossier", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_at:%d/%m/%Y}"


class DossierExtension(models.Model):
    """Apology and extension (Mẫu 04): at most one per dossier, before the appointment."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="extension")
    reason = models.TextField("lý do")
    previous_due_at = models.DateTimeField("hẹn trả cũ")
    new_due_at = models.DateTimeField("hẹn trả mới")
    created_at = models.DateTimeField("lập lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "văn bản xin lỗi và hẹn lại"
        verbose_name_plural = "văn bản xin lỗi và hẹn lại"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.new_due_at:%d/%m/%Y}"


class DossierEvent(models.Model):
    """The dossier's own dated history (statuses, refusals, stops, comments): what the timeline,
    the tracking page and the forms read. The tamper-evident copy is the audit log."""

    class Kind(models.TextChoices):
        STATUS = "status", "Chuyển trạng thái"
        COMMENT = "comment", "Ý kiến"

    # Indexed by "dossier_event_at" (dossier, at).
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    action = models.CharField("hành động", max_length=40)
    state = models.CharField("trạng thái sau", max_length=20, blank=True)
    status_code = models.PositiveSmallIntegerField("mã trạng thái", null=True, blank=True)
    at = models.DateTimeField("lúc")
    # Indexed by "dossier_event_actor_at" (actor, at).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("nội dung", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "diễn biến hồ sơ"
        verbose_name_plural = "diễn biến hồ sơ"
        ordering = ["dossier", "at", "pk"]
        indexes = [
            models.Index(fields=["dossier", "at"], name="dossier_event_at"),
            # What an officer has just done (the counter tablet asks which dossier he has just
            # returned, motcua/feedback/devices.py): his latest events, not all of them.
            models.Index(fields=["actor", "at"], name="dossier_event_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


# Consignments (issue 12 §3) and the national sync's cursor (issue 13 §4), in their own module.
from motcua.dossiers.models_post import Consignment, ConsignmentStatus, SyncCursor  # noqa: E402, F401
