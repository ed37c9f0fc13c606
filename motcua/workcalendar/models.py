"""Working calendar data: weekly opening hours and the yearly official schedule of days off.

The arithmetic itself lives in ``calendar.py`` as pure functions over a ``WorkCalendar`` value
built from these rows (``selectors.calendar_for_schedule``), never touching the database.
"""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models


class WorkSchedule(models.Model):
    """A weekly pattern of opening sessions, plus the transfer cut-off. Agencies point at one."""

    code = models.SlugField("mã", max_length=50, unique=True)
    name = models.CharField("tên", max_length=200)
    is_default = models.BooleanField(
        "mặc định", default=False, help_text="Dùng cho cơ quan không chọn lịch riêng."
    )
    transfer_cutoff = models.TimeField(
        "giờ chuyển hồ sơ",
        default=time(15, 0),
        help_text="Hồ sơ giấy tiếp nhận sau giờ này được chuyển vào đầu giờ ngày làm việc tiếp theo.",
    )

    class Meta:
        verbose_name = "lịch làm việc hằng tuần"
        verbose_name_plural = "lịch làm việc hằng tuần"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_schedule"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_default:
            other = WorkSchedule.objects.filter(is_default=True).exclude(pk=self.pk).first()
            if other is not None:
                raise ValidationError(
                    {"is_default": f"Đã có lịch mặc định khác: “{other.name}”. Bỏ chọn lịch đó trước."}
                )


class WorkSession(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Thứ Hai"
        TUESDAY = 1, "Thứ Ba"
        WEDNESDAY = 2, "Thứ Tư"
        THURSDAY = 3, "Thứ Năm"
        FRIDAY = 4, "Thứ Sáu"
        SATURDAY = 5, "Thứ Bảy"
        SUNDAY = 6, "Chủ nhật"

    schedule = models.ForeignKey(WorkSchedule, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField("thứ", choices=Weekday.choices)
    start = models.TimeField("từ")
    end = models.TimeField("đến")

    class Meta:
        verbose_name = "buổi làm việc"
        verbose_name_plural = "buổi làm việc"
        ordering = ["weekday", "start"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "weekday", "start"], name="work_session_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="work_session_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": "Giờ kết thúc buổi làm việc phải sau giờ bắt đầu."})


class CalendarDay(models.Model):
    """One date in the official schedule that differs from the ordinary week."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Ngày lễ, Tết"
        COMPENSATORY = "compensatory", "Nghỉ bù"
        SWAPPED = "swapped", "Nghỉ hoán đổi"
        MAKE_UP = "make_up", "Làm bù"
        OTHER_OFF = "other_off", "Nghỉ khác"

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    replaces = models.DateField(
        "thay cho ngày",
        null=True,
        blank=True,
        help_text="Với ngày làm bù: ngày nghỉ được hoán đổi; làm việc theo lịch của thứ đó.",
    )
    provisional = models.BooleanField("dự kiến", default=False)
    sources = models.JSONField("nguồn", default=list, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "ngày nghỉ / làm bù"
        verbose_name_plural = "ngày nghỉ lễ và làm bù"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.MAKE_UP

    def clean(self) -> None:
        if self.kind == self.Kind.MAKE_UP:
            if self.date and self.date.weekday() < 5:
                raise ValidationError({"kind": "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật."})
            if not self.replaces:
                raise ValidationError(
                    {
                        "replaces": "Ngày làm bù phải ghi ngày nghỉ được hoán đổi "
                        "(làm việc theo lịch của thứ đó)."
                    }
                )
            if self.replaces.weekday() >= 5:
                raise ValidationError(
                    {"replaces": "Ngày được hoán đổi phải là một ngày từ thứ Hai đến thứ Sáu."}
                )
        elif self.replaces:
            raise ValidationError({"replaces": "Chỉ ngày làm bù mới thay cho một ngày khác."})
