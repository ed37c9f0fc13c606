"""Cache invalidation for writes that bypass the admin (demo loaders, scripts, tests).

The admin calls ``services.calendar_changed`` itself; these receivers are the safety net for a
row saved or deleted anywhere else, so that no process keeps computing with stale hours.
They only invalidate a cache: no business logic lives here.
"""

from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from motcua.workcalendar.models import CalendarDay, WorkSchedule, WorkSession
from motcua.workcalendar.services import calendar_changed


def _changed(sender: type[Model], **kwargs: Any) -> None:
    calendar_changed()


def connect() -> None:
    for model in (WorkSchedule, WorkSession, CalendarDay):
        post_save.connect(_changed, sender=model, dispatch_uid=f"workcalendar-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"workcalendar-delete-{model.__name__}")
