"""One row per periodic job: when it runs next and who holds it while it runs (the lease that
keeps two scheduler processes from running the same job)."""

from django.db import models


class JobLease(models.Model):
    name = models.CharField("việc", max_length=60, primary_key=True)
    next_run_at = models.DateTimeField("lần chạy tới")
    # While a scheduler runs the job: which one, and until when its hold lasts (a process that
    # died holding it loses it then).
    locked_by = models.CharField("tiến trình đang chạy", max_length=120, blank=True)
    locked_until = models.DateTimeField("giữ đến", null=True, blank=True)
    last_started_at = models.DateTimeField("lần chạy gần nhất", null=True, blank=True)
    last_finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    last_result = models.TextField("kết quả", blank=True)
    last_error = models.TextField("lỗi", blank=True)

    class Meta:
        verbose_name = "việc định kỳ"
        verbose_name_plural = "việc định kỳ"

    def __str__(self) -> str:
        return self.name
