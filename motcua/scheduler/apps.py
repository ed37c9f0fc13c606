from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "motcua.scheduler"
    label = "scheduler"
    verbose_name = "Việc định kỳ"
