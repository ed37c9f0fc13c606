"""Satisfaction (issue 13 §1): ratings of a dossier (Circular 01/2018 arts. 12–15, Decree 61
arts. 27–31) and the periodic survey (SIPAS-style, Ministry of Home Affairs).

The questions are versioned data (``questionnaires.py`` reads ``data/*.json``); a rating or a
survey answer keeps the version it was given under. Writes go through ``services.py``; reads
(and the rule that officers see aggregates of at least five ratings only) through ``selectors.py``.
"""

from django.conf import settings
from django.db import models

from motcua.catalog.models import Procedure
from motcua.org.models import Agency, Counter


class CounterDevice(models.Model):
    """A tablet at a counter on which citizens rate the dossier just served there (Decree 61
    art. 29: "electronic evaluation devices at the one-stop unit").

    It signs in with its own token, never an officer's session: an administrator or the centre
    director issues it (a one-time pairing code, shown once), the tablet enters the code and gets
    a long random token as a cookie. Only the SHA-256 of the code and of the token are stored."""

    counter = models.ForeignKey(Counter, verbose_name="quầy", on_delete=models.CASCADE, related_name="+")
    label = models.CharField("tên thiết bị", max_length=100, blank=True)
    pairing_hash = models.CharField(max_length=64, blank=True, default="")
    pairing_expires_at = models.DateTimeField("mã ghép hết hạn lúc", null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, default="")
    # The officer working at the counter now (set by the officer, or by whoever issued the device):
    # the device shows the dossier this officer has just returned, refused or guided.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ đang làm việc tại quầy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("cấp lúc")
    paired_at = models.DateTimeField("ghép lúc", null=True, blank=True)
    last_seen_at = models.DateTimeField("hoạt động gần nhất", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thiết bị đánh giá tại quầy"
        verbose_name_plural = "thiết bị đánh giá tại quầy"
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"], condition=~models.Q(token_hash=""), name="counter_device_token"
            ),
            models.UniqueConstraint(
                fields=["pairing_hash"], condition=~models.Q(pairing_hash=""), name="counter_device_pairing"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Thiết bị {self.pk}"


class Rating(models.Model):
    """One citizen's rating of one dossier on one channel (Circular 01/2018 art. 12: the form is
    handed out with Mẫu 01, 02 and 03, on the portal and on devices at the counter).

    At most one per dossier and channel; where several channels rated one dossier, the latest
    counts for Decision 766 indicator 5.4 (``selectors.latest_rating_per_dossier``). The officer
    rated never sees who rated (Decree 61 art. 27): only aggregates of five ratings or more."""

    class Channel(models.TextChoices):
        COUNTER = "counter", "Thiết bị tại quầy"
        ONLINE = "online", "Trực tuyến"
        PAPER = "paper", "Phiếu giấy"

    class Source(models.TextChoices):
        DEVICE = "device", "Máy tính bảng tại quầy"
        TRACKING = "tracking", "Trang tra cứu hồ sơ"
        MY_DOSSIERS = "my_dossiers", "Hồ sơ của tôi"
        MESSAGE_LINK = "message_link", "Đường dẫn trong tin nhắn"
        API = "api", "Ứng dụng (API)"
        PAPER_FORM = "paper_form", "Phiếu giấy do cán bộ nhập"

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        related_name="ratings",
        db_index=False,
    )
    channel = models.CharField("kênh đánh giá", max_length=10, choices=Channel.choices)
    source = models.CharField("nguồn", max_length=20, choices=Source.choices)
    # Copied from the dossier when rated, so that reports group ratings without joining dossiers.
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    counter = models.ForeignKey(
        Counter, verbose_name="quầy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The officer who served the citizen (received, returned, refused or guided): the one rated.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ được đánh giá",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    satisfied = models.BooleanField("hài lòng")
    answers = models.JSONField("câu trả lời", default=dict, blank=True)
    questionnaire_version = models.CharField("phiên bản phiếu", max_length=40)
    comment = models.TextField("ý kiến khác", blank=True)
    created_at = models.DateTimeField("đánh giá lúc")
    # A paper form: the officer who typed it in (never the one rated, see services).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An unsatisfied rating waits in the head of unit's inbox until handled.
    handled_at = models.DateTimeField("đã xử lý lúc", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.TextField("kết quả xử lý", blank=True)

    class Meta:
        verbose_name = "đánh giá hồ sơ"
        verbose_name_plural = "đánh giá hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "channel"], name="rating_one_per_dossier_channel"),
        ]
        indexes = [
            # Reports read ratings in id order from where they stopped (rating_rows(since_id=…)).
            models.Index(fields=["agency", "created_at"], name="rating_agency_at"),
            # The head of unit's inbox: unsatisfied ratings not handled yet.
            models.Index(
                fields=["agency", "created_at"],
                condition=models.Q(satisfied=False, handled_at__isnull=True),
                name="rating_unsatisfied_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.channel} {'hài lòng' if self.satisfied else 'không hài lòng'}"


class SurveyRound(models.Model):
    """One round of the periodic survey: a questionnaire version, a sample of closed dossiers
    drawn at random (reproducible from ``seed``), invitations, anonymous answers."""

    name = models.CharField("tên đợt khảo sát", max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name="phạm vi (cơ quan)", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire_version = models.CharField("phiên bản phiếu", max_length=40)
    closed_from = models.DateField("hồ sơ kết thúc từ ngày")
    closed_until = models.DateField("đến ngày")
    sample_size = models.PositiveIntegerField("cỡ mẫu")
    seed = models.BigIntegerField("hạt giống chọn mẫu")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc")

    class Meta:
        verbose_name = "đợt khảo sát"
        verbose_name_plural = "đợt khảo sát"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_until__gte=models.F("closed_from")), name="survey_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyInvitation(models.Model):
    """An invitation to answer, by web or SMS link (a signed single-use token) or on paper.

    The dossier is kept only until the invitation is used: answering clears it, so no answer can
    be traced back to a dossier or a person. The date of use is kept to the day only."""

    class Channel(models.TextChoices):
        WEB = "web", "Đường dẫn trên Cổng"
        SMS = "sms", "Đường dẫn qua tin nhắn SMS"
        PAPER = "paper", "Phiếu giấy"

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField("kênh mời", max_length=10, choices=Channel.choices)
    nonce = models.CharField(max_length=32, unique=True)
    sent_on = models.DateField("ngày gửi", null=True, blank=True)
    used_on = models.DateField("ngày trả lời", null=True, blank=True)

    class Meta:
        verbose_name = "lời mời khảo sát"
        verbose_name_plural = "lời mời khảo sát"

    def __str__(self) -> str:
        return f"{self.round_id} {self.channel} {'đã dùng' if self.used_on else 'chưa dùng'}"


class SurveyResponse(models.Model):
    """One anonymous answer: the round, the channel and the answers, nothing that leads to a
    person (no invitation, no dossier, the day only)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField("kênh", max_length=10, choices=SurveyInvitation.Channel.choices)
    answers = models.JSONField("câu trả lời", default=dict)
    answered_on = models.DateField("ngày trả lời")

    class Meta:
        verbose_name = "phiếu khảo sát đã trả lời"
        verbose_name_plural = "phiếu khảo sát đã trả lời"

    def __str__(self) -> str:
        return f"{self.round_id} {self.answered_on:%d/%m/%Y}"
