"""Roll-ups: the numbers of the dashboards, counted once from the dossiers' events.

``DailyRollup`` holds, per handling agency × local day × procedure × channel, how many events of
each kind happened (received, finished early / on time / late, refused…; the rules are in
``metrics.py``); ``AgencyDayRollup`` is the same summed per agency × day (what the province
dashboard reads when no procedure, field or channel is chosen: its size is units × days, however
many dossiers there are). ``OpenSnapshot`` is what changes with the clock alone (open dossiers,
open and late), taken at the close of each working day of the handling agency's calendar.
``RatingRollup`` and ``RatingAnswerRollup`` count the citizens' ratings (``feedback``).

``RollupCursor`` records which events (and ratings) are applied: a high-water mark and the ids
below it not yet seen (a transaction that took an id and had not committed yet), updated in the
same transaction as the increments, under a row lock, so an event is never applied twice.
``DossierClock`` keeps the national portal's on-time judgement of a dossier whose clock was
restarted by a supplement (legal-facts §5.2), computed once when it finishes.
"""

from django.db import models

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency


# The roll-up tables are derived data, rebuilt every night: their foreign keys are not enforced
# by the database (a check per inserted row at commit would double the rebuild's time).
class EventCounters(models.Model):
    """How many events of each kind (``metrics.EVENT_METRICS``: one field per metric)."""

    received = models.PositiveIntegerField("tiếp nhận", default=0)
    received_online = models.PositiveIntegerField("tiếp nhận trực tuyến", default=0)
    received_postal = models.PositiveIntegerField("tiếp nhận qua bưu chính", default=0)
    received_after_guidance = models.PositiveIntegerField("tiếp nhận sau hướng dẫn bổ sung", default=0)
    digitised = models.PositiveIntegerField("tiếp nhận có thành phần số hóa", default=0)
    national_identity = models.PositiveIntegerField("nộp bằng định danh quốc gia", default=0)
    refused = models.PositiveIntegerField("từ chối tiếp nhận", default=0)
    guided = models.PositiveIntegerField("hướng dẫn bổ sung khi tiếp nhận", default=0)
    guided_again = models.PositiveIntegerField("hướng dẫn bổ sung lần hai trở lên", default=0)
    guidance_lapsed = models.PositiveIntegerField("hết hạn bổ sung, không tiếp nhận", default=0)
    supplement_requested = models.PositiveIntegerField("yêu cầu bổ sung khi xử lý", default=0)
    supplement_second = models.PositiveIntegerField("yêu cầu bổ sung lần hai trở lên", default=0)
    supplement_late_request = models.PositiveIntegerField("yêu cầu bổ sung quá 3 ngày làm việc", default=0)
    finished = models.PositiveIntegerField("đã giải quyết", default=0)
    finished_early = models.PositiveIntegerField("giải quyết trước hạn", default=0)
    finished_on_time = models.PositiveIntegerField("giải quyết đúng hạn", default=0)
    finished_late = models.PositiveIntegerField("giải quyết quá hạn", default=0)
    finished_late_online = models.PositiveIntegerField("hồ sơ trực tuyến giải quyết quá hạn", default=0)
    national_late = models.PositiveIntegerField("quá hạn theo cách tính của Cổng quốc gia", default=0)
    rejected = models.PositiveIntegerField("không giải quyết sau thẩm định", default=0)
    withdrawn = models.PositiveIntegerField("rút hồ sơ", default=0)
    stopped = models.PositiveIntegerField("dừng xử lý", default=0)
    extended = models.PositiveIntegerField("xin lỗi và hẹn lại", default=0)
    returned = models.PositiveIntegerField("đã trả kết quả", default=0)
    result_by_post = models.PositiveIntegerField("trả kết quả qua bưu chính", default=0)
    paid = models.PositiveIntegerField("đã thanh toán", default=0)
    paid_online = models.PositiveIntegerField("thanh toán trực tuyến", default=0)
    refunded = models.PositiveIntegerField("hoàn phí", default=0)
    e_result = models.PositiveIntegerField("có kết quả điện tử", default=0)
    posted = models.PositiveIntegerField("bưu gửi đã tạo", default=0)

    class Meta:
        abstract = True


class DailyRollup(EventCounters):
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField("ngày")
    procedure = models.ForeignKey(
        Procedure,
        verbose_name="thủ tục",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Dossier.Channel.choices)

    class Meta:
        verbose_name = "số liệu theo ngày"
        verbose_name_plural = "số liệu theo ngày"
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "procedure", "channel"], name="daily_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.procedure_id} kênh {self.channel}"


class AgencyDayRollup(EventCounters):
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField("ngày")

    class Meta:
        verbose_name = "số liệu theo cơ quan và ngày"
        verbose_name_plural = "số liệu theo cơ quan và ngày"
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="agency_day_rollup_key")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class OpenSnapshot(models.Model):
    """The open dossiers at the close of a working day (handling agency's calendar)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField("ngày")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Dossier.Channel.choices)
    open = models.PositiveIntegerField("đang giải quyết", default=0)
    open_paused = models.PositiveIntegerField("đang chờ bổ sung hoặc nộp phí", default=0)
    open_late = models.PositiveIntegerField("đang giải quyết, quá hạn", default=0)
    open_late_national = models.PositiveIntegerField("quá hạn theo cách tính của Cổng quốc gia", default=0)

    class Meta:
        verbose_name = "ảnh chụp hồ sơ đang giải quyết"
        verbose_name_plural = "ảnh chụp hồ sơ đang giải quyết"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "procedure", "channel"], name="open_snapshot_key"
            )
        ]
        indexes = [models.Index(fields=["day", "agency"], name="open_snapshot_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.procedure_id} kênh {self.channel}"


class SnapshotRun(models.Model):
    """One agency's snapshot of one day is taken (once: unique)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="snapshot_run_key")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class RatingRollup(models.Model):
    """Ratings per handling agency × day × procedure × rating channel (counter, online, paper…).

    ``latest_*`` count only the latest rating of each dossier (Decision 766 indicator 5.4): when
    a newer rating of a dossier arrives, the older one's ``latest_*`` count moves to the newer."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField("ngày")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    channel = models.CharField("kênh đánh giá", max_length=20)
    ratings = models.PositiveIntegerField("lượt đánh giá", default=0)
    satisfied = models.PositiveIntegerField("hài lòng", default=0)
    unsatisfied = models.PositiveIntegerField("không hài lòng", default=0)
    latest_satisfied = models.IntegerField("hài lòng (lần đánh giá cuối của hồ sơ)", default=0)
    latest_unsatisfied = models.IntegerField("không hài lòng (lần đánh giá cuối của hồ sơ)", default=0)

    class Meta:
        verbose_name = "số liệu đánh giá theo ngày"
        verbose_name_plural = "số liệu đánh giá theo ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "procedure", "channel"], name="rating_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["day", "agency"], name="rating_rollup_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.procedure_id} {self.channel}"


class RatingAnswerRollup(models.Model):
    """How many ratings gave ``answer`` to ``question`` (the questionnaire's codes)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField("ngày")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    question = models.CharField("câu hỏi", max_length=60)
    answer = models.CharField("trả lời", max_length=60)
    count = models.PositiveIntegerField("số lượt", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "procedure", "question", "answer"], name="rating_answer_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["day", "agency"], name="rating_answer_rollup_day")]

    def __str__(self) -> str:
        return f"{self.question}={self.answer}"


class LatestRating(models.Model):
    """The latest rating applied of each dossier, and where its ``latest_*`` count sits."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="+")
    rating_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    rollup = models.ForeignKey(RatingRollup, on_delete=models.CASCADE, related_name="+")
    satisfied = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.rating_id}"


class DossierClock(models.Model):
    """The national portal's on-time judgement of a finished dossier whose supplement restarted
    the clock (Decree 61 art. 19(4)): the national formula pauses instead (legal-facts §5.2)."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, primary_key=True, related_name="reports_clock"
    )
    national_due_at = models.DateTimeField("hẹn trả theo cách tính của Cổng quốc gia")
    national_late = models.BooleanField("quá hạn theo cách tính của Cổng quốc gia")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.national_due_at:%d/%m/%Y %H:%M}"


class RollupCursor(models.Model):
    """What has been applied of a stream (``events``, ``ratings``): every id ≤ ``last_id``
    except ``gaps`` (ids not seen yet: ``[[id, first seen ISO time], …]``, dropped after
    ``GAP_TTL`` — a transaction rolled back never fills its id)."""

    name = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} #{self.last_id}"
