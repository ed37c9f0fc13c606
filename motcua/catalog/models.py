"""The procedure catalogue: fields, procedures and what they need, offerings and process templates.

Values imported from a published source keep its holes: an unknown value stays empty (``None``)
and the procedure is marked ``incomplete`` with the gaps listed in ``missing`` (Vietnamese
labels). An incomplete procedure cannot be offered until someone completes it
(``services.procedure_complete``). Values filled by the demo are listed in ``demo_values``.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from motcua.org.models import Agency, Membership

# 8 working hours make one working day (domain.md).
HOURS_PER_WORKING_DAY = 8


class Field(models.Model):
    """A field (lĩnh vực) of procedures. No source publishes field codes: ours are slugs of the name."""

    code = models.SlugField("mã lĩnh vực", max_length=100, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=300)
    managing_ministry = models.CharField("bộ, ngành quản lý", max_length=200, blank=True)
    counters = models.ManyToManyField(
        "org.Counter", verbose_name="quầy tiếp nhận", related_name="fields", blank=True
    )

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure (TTHC) with its national code."""

    class Level(models.TextChoices):
        COMMUNE = "commune", "Cấp xã"
        PROVINCE = "province", "Cấp tỉnh"
        MINISTRY = "ministry", "Cấp bộ"
        OTHER = "other", "Cơ quan khác"

    class TimeUnit(models.TextChoices):
        WORKING_DAYS = "working_days", "ngày làm việc"
        WORKING_HOURS = "working_hours", "giờ làm việc"
        DAYS = "days", "ngày"
        MONTHS = "months", "tháng"

    class CountingRule(models.TextChoices):
        # The workcalendar's ``rule``: the earliest moment n working hours have elapsed, or the
        # close of the n-th working day.
        ELAPSED = "elapsed", "Tính đủ số giờ làm việc"
        END_OF_DAY = "end_of_day", "Đến hết ngày làm việc cuối cùng"

    class SupplementPolicy(models.TextChoices):
        RESTART = "restart", "Tính lại từ đầu khi nhận đủ hồ sơ bổ sung"
        PAUSE = "pause", "Tạm dừng, tính tiếp khi nhận đủ hồ sơ bổ sung"

    class PaymentTiming(models.TextChoices):
        # Issue 12 §1: "at submission" asks an online applicant to pay when the dossier is
        # received (motcua.payments.services.request_at_reception); "after appraisal" leaves the
        # request to the officer who appraised it.
        SUBMISSION = "submission", "Khi nộp hồ sơ"
        APPRAISAL = "appraisal", "Sau khi thẩm định"

    class OnlineLevel(models.TextChoices):
        FULL = "full", "Trực tuyến toàn trình"
        PARTIAL = "partial", "Trực tuyến một phần"
        NONE = "none", "Không có dịch vụ trực tuyến"

    code = models.CharField(
        "mã thủ tục", max_length=30, unique=True, help_text="Mã TTHC quốc gia, ví dụ 1.001193."
    )
    name = models.CharField("tên thủ tục", max_length=500)
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField("cấp thực hiện", max_length=10, choices=Level.choices)
    levels = models.JSONField("các cấp thực hiện", default=list, blank=True)
    applicants = models.TextField("đối tượng thực hiện", blank=True)
    agency_kind = models.CharField(
        "loại cơ quan thực hiện", max_length=30, choices=Agency.Kind.choices, blank=True
    )
    competent_agency = models.TextField("cơ quan có thẩm quyền", blank=True)
    executing_agency = models.TextField("cơ quan thực hiện", blank=True)
    processing_time = models.PositiveIntegerField(
        "thời hạn giải quyết", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    time_unit = models.CharField("đơn vị thời hạn", max_length=20, choices=TimeUnit.choices, blank=True)
    online_time = models.PositiveIntegerField(
        "thời hạn khi nộp trực tuyến",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Cùng đơn vị với thời hạn giải quyết; để trống nếu như nộp trực tiếp.",
    )
    counting_rule = models.CharField(
        "cách tính hạn", max_length=20, choices=CountingRule.choices, default=CountingRule.ELAPSED
    )
    supplement_policy = models.CharField(
        "khi bổ sung hồ sơ",
        max_length=10,
        choices=SupplementPolicy.choices,
        default=SupplementPolicy.RESTART,
    )
    online_level = models.CharField(
        "mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices, blank=True
    )
    postal_allowed = models.BooleanField("nhận qua bưu chính", null=True, blank=True)
    payment_timing = models.CharField(
        "thời điểm nộp phí, lệ phí",
        max_length=12,
        choices=PaymentTiming.choices,
        default=PaymentTiming.APPRAISAL,
    )
    requirements = models.TextField("yêu cầu, điều kiện", blank=True)
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    publishing_decision = models.CharField("quyết định công bố", max_length=100, blank=True)
    procedure_type = models.CharField("loại thủ tục", max_length=200, blank=True)
    effective_from = models.DateField("hiệu lực từ", null=True, blank=True)
    effective_to = models.DateField("hiệu lực đến", null=True, blank=True)
    active = models.BooleanField("đang áp dụng", default=True)
    incomplete = models.BooleanField("thiếu thông tin", default=False, db_index=True)
    missing = models.JSONField("thông tin còn thiếu", default=list, blank=True)
    demo_values = models.JSONField(
        "giá trị minh họa",
        default=list,
        blank=True,
        help_text="Các trường do dữ liệu mẫu điền thay cho giá trị nguồn còn thiếu.",
    )
    source = models.JSONField("nguồn dữ liệu", default=dict, blank=True)
    # Folded name ("dang ky khai sinh"): the sort key of lists ("Đ" sorts with "d"), and
    # phrase matches rank first in search results.
    name_folded = models.CharField(max_length=500, editable=False, default="")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["name_folded", "code"]
        indexes = [
            # The catalogue lists procedures by name, a page at a time. Deliberately no index
            # on ``active``: a search must be driven by its token postings (see selectors).
            models.Index(fields=["name_folded", "code"], name="procedure_sort"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processing_time__isnull=True) | models.Q(processing_time__gte=1),
                name="procedure_time_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(online_time__isnull=True) | models.Q(online_time__gte=1),
                name="procedure_online_time_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="procedure_effective_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def has_time(self) -> bool:
        return bool(self.processing_time and self.time_unit)

    def time_in_working_hours(self, amount: int | None = None) -> Decimal | None:
        """The working hours that ``amount`` (default: the processing time) stands for.

        working_days × 8 and working_hours as they are. Calendar days and months have no fixed
        number of working hours (it depends on the start date and the holidays), so process
        budgets use the *least* working time such a period contains in an ordinary week: in n
        consecutive days, 5 per whole week plus the rest beyond a weekend (n = 7q + r →
        5q + max(0, r − 2) working days, at least 1 since a period ending on a day off rolls to
        the next working day); a month counts as 28 days (February, the shortest).
        """
        amount = self.processing_time if amount is None else amount
        if not amount or not self.time_unit:
            return None
        return Decimal(working_hours_in(amount, self.time_unit))


def working_hours_in(amount: int, unit: str) -> int:
    """See ``Procedure.time_in_working_hours``."""
    if unit == Procedure.TimeUnit.WORKING_HOURS:
        return amount
    if unit == Procedure.TimeUnit.WORKING_DAYS:
        return amount * HOURS_PER_WORKING_DAY
    days = amount * 28 if unit == Procedure.TimeUnit.MONTHS else amount
    weeks, rest = divmod(days, 7)
    # A period ending on a day off rolls to the close of the next working day (Civil Code
    # art. 148), so it always holds at least one working day.
    return max(1, weeks * 5 + max(0, rest - 2)) * HOURS_PER_WORKING_DAY


class ProcedureToken(models.Model):
    """One folded word of a procedure's name or code: the search index.

    Search intersects the postings of the query's words, starting from the rarest
    (``SearchTerm.procedure_count``) so that its cost follows the size of the answer,
    not the size of the catalogue. Kept by ``services.procedure_reindex``.
    """

    token = models.CharField(max_length=60)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="tokens")

    class Meta:
        verbose_name = "từ khóa tìm kiếm"
        verbose_name_plural = "từ khóa tìm kiếm"
        constraints = [
            models.UniqueConstraint(fields=["token", "procedure"], name="procedure_token_unique"),
        ]
        indexes = [
            # Probing "does procedure p contain token t (or a token starting with t)".
            models.Index(fields=["procedure", "token"], name="procedure_token_probe"),
        ]

    def __str__(self) -> str:
        return self.token


class SearchTerm(models.Model):
    """How many procedures contain a token: lets search start from the rarest word."""

    term = models.CharField(max_length=60, unique=True)
    procedure_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "thống kê từ khóa"
        verbose_name_plural = "thống kê từ khóa"

    def __str__(self) -> str:
        return f"{self.term} ({self.procedure_count})"


class Channel(models.TextChoices):
    ALL = "", "Mọi hình thức"
    COUNTER = "counter", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    POST = "post", "Dịch vụ bưu chính"


# How a sentence names each channel: "chỉ khi nộp trực tiếp hoặc qua bưu chính".
CHANNEL_PHRASES = {Channel.COUNTER: "trực tiếp", Channel.ONLINE: "trực tuyến", Channel.POST: "qua bưu chính"}


def channels_phrase(channels) -> str:
    """ "trực tiếp hoặc qua bưu chính" for ["counter", "post"]; "mọi hình thức" for none."""
    wanted = set(channels or ())
    return " hoặc ".join(p for c, p in CHANNEL_PHRASES.items() if c in wanted) or "mọi hình thức"


class Fee(models.Model):
    """A charge (phí) or fee (lệ phí) as published. ``amount_vnd`` None: not a known VND amount."""

    class Kind(models.TextChoices):
        # Law 97/2015/QH13 on Fees and Charges: "phí" is a charge, "lệ phí" a fee.
        CHARGE = "charge", "Phí"
        FEE = "fee", "Lệ phí"

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="fees"
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, blank=True)
    description = models.TextField("mô tả", blank=True)
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)", null=True, blank=True)
    currency = models.CharField("đơn vị tiền", max_length=10, default="VND", blank=True)
    text = models.CharField("mức thu (như công bố)", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    collected_by = models.CharField("cơ quan thu", max_length=300, blank=True)
    channel = models.CharField("hình thức nộp", max_length=10, choices=Channel.choices, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["procedure", "order", "pk"]

    def __str__(self) -> str:
        return self.text or "Phí, lệ phí"

    @property
    def is_free(self) -> bool:
        return self.amount_vnd == 0


class RequiredDocument(models.Model):
    """A dossier component (thành phần hồ sơ). ``code`` (TP01, TP02 …) is stable within the procedure.

    Counts are None when the source gave an implausible number (see ``importing``).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="documents"
    )
    code = models.CharField("mã thành phần", max_length=20)
    name = models.TextField("tên giấy tờ")
    original_count = models.PositiveSmallIntegerField("số bản chính", null=True, blank=True, default=0)
    certified_copy_count = models.PositiveSmallIntegerField(
        "số bản sao có chứng thực", null=True, blank=True, default=0
    )
    photocopy_count = models.PositiveSmallIntegerField("số bản sao", null=True, blank=True, default=0)
    mandatory = models.BooleanField("bắt buộc", default=True)
    condition = models.TextField("trường hợp áp dụng", blank=True)
    present_only = models.BooleanField(
        "chỉ xuất trình", default=False, help_text="Giấy tờ xuất trình để đối chiếu, không nộp."
    )
    template = models.FileField("mẫu đơn, tờ khai", upload_to="catalog/forms/", blank=True)
    template_name = models.CharField("tên mẫu", max_length=300, blank=True)
    # Where the document applies (``Channel`` values: counter, online, post); empty: every channel.
    # The interactive e-form exists only online, the paper declaration only at the counter and
    # by post, an ID paper shown "khi làm thủ tục trực tiếp" only at the counter (channels.py).
    channels = models.JSONField(
        "hình thức nộp áp dụng",
        default=list,
        blank=True,
        help_text="Để trống: áp dụng cho mọi hình thức nộp (trực tiếp, trực tuyến, bưu chính).",
    )
    # A requirement any one of several papers satisfies ("Giấy chứng sinh; trường hợp không có
    # Giấy chứng sinh thì …", "Một trong các giấy tờ sau: …"): their names, the usual one first.
    alternatives = models.JSONField(
        "các giấy tờ thay thế nhau",
        default=list,
        blank=True,
        help_text="Mỗi giấy tờ một dòng; nộp một trong số đó là đủ. Để trống nếu không có.",
    )
    # This document may be handed in instead of another requirement of the procedure (its code).
    alternative_of = models.CharField(
        "thay thế cho thành phần",
        max_length=20,
        blank=True,
        help_text="Mã thành phần hồ sơ mà giấy tờ này có thể thay thế, ví dụ TP02.",
    )
    classification_note = models.TextField("cách phân loại", blank=True)
    classified_manually = models.BooleanField(
        "phân loại thủ công",
        default=False,
        help_text="Hình thức nộp và giấy tờ thay thế do cán bộ sửa: nhập lại danh mục không ghi đè.",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="required_document_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:80]}"

    def applies_to(self, channel: str) -> bool:
        """Whether the document is asked for a dossier submitted through ``channel``."""
        return not self.channels or channel in self.channels

    @property
    def channels_text(self) -> str:
        """ "trực tiếp hoặc qua bưu chính"; "mọi hình thức" when it applies to every channel."""
        return channels_phrase(self.channels)

    @property
    def is_alternative(self) -> bool:
        return bool(self.alternative_of)


class ResultDocument(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="results"
    )
    code = models.CharField("mã kết quả", max_length=40, blank=True)
    name = models.TextField("tên kết quả")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "kết quả thực hiện"
        verbose_name_plural = "kết quả thực hiện"
        ordering = ["procedure", "order", "pk"]

    def __str__(self) -> str:
        return self.name[:100]


class LegalBasis(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="legal_bases"
    )
    number = models.CharField("số, ký hiệu", max_length=60)
    title = models.TextField("trích yếu", blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "căn cứ pháp lý"
        verbose_name_plural = "căn cứ pháp lý"
        ordering = ["procedure", "order", "pk"]

    def __str__(self) -> str:
        return self.number


class Offering(models.Model):
    """An agency handles a procedure, possibly in a shorter local time (same unit as the procedure)."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="offerings"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="offerings"
    )
    local_time = models.PositiveIntegerField(
        "thời hạn tại địa phương",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Thời hạn rút ngắn của tỉnh, cùng đơn vị với thời hạn của thủ tục.",
    )
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "thủ tục cơ quan giải quyết"
        verbose_name_plural = "thủ tục cơ quan giải quyết"
        ordering = ["agency", "procedure"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure"], name="offering_unique"),
            models.CheckConstraint(
                condition=models.Q(local_time__isnull=True) | models.Q(local_time__gte=1),
                name="offering_local_time_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.procedure.code}"


class ProcessTemplate(models.Model):
    """The ordered steps a dossier of the procedure goes through. ``agency``: an agency's variant."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="process_templates"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan (quy trình riêng)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="process_templates",
    )
    name = models.CharField("tên quy trình", max_length=300)
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["procedure", "agency", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(agency__isnull=True, active=True),
                name="process_template_one_default",
            ),
            models.UniqueConstraint(
                fields=["procedure", "agency"],
                condition=models.Q(agency__isnull=False, active=True),
                name="process_template_one_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    class Performer(models.TextChoices):
        RECEIVING_ROLE = "receiving_role", "Vai trò tại cơ quan tiếp nhận"
        HANDLING_ROLE = "handling_role", "Vai trò tại cơ quan giải quyết"
        NAMED_AGENCY = "named_agency", "Cơ quan phối hợp (liên thông)"

    template = models.ForeignKey(
        ProcessTemplate, verbose_name="quy trình", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=300)
    performer = models.CharField("người thực hiện", max_length=20, choices=Performer.choices)
    role = models.CharField("vai trò", max_length=20, choices=Membership.Role.choices, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_steps",
    )
    budget_hours = models.DecimalField(
        "thời gian (giờ làm việc)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="process_step_order_unique"),
            models.CheckConstraint(
                condition=models.Q(budget_hours__gt=0), name="process_step_budget_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(performer="named_agency") | models.Q(agency__isnull=False),
                name="process_step_named_agency_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
