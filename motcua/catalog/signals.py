"""Cache invalidation for catalogue rows written outside the services (the admin's inlines,
scripts, tests): the services call ``catalog_changed`` themselves; these receivers are the
safety net so that no process receives dossiers against a stale procedure, offering, process,
agency or opening hours. They only invalidate a cache: no business logic lives here.
"""

from django.db.models.signals import post_delete, post_save

from motcua.catalog.models import (
    Fee,
    Field,
    Offering,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
)
from motcua.catalog.services import catalog_changed
from motcua.org.models import Agency
from motcua.org.signals import agencies_changed
from motcua.workcalendar.models import WorkSchedule


def _changed(sender, **kwargs) -> None:
    catalog_changed()


def connect() -> None:
    for model in (
        Field,
        Procedure,
        RequiredDocument,
        Fee,
        Offering,
        ProcessTemplate,
        ProcessStep,
        Agency,
        WorkSchedule,
    ):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-delete-{model.__name__}")
    agencies_changed.connect(_changed, dispatch_uid="catalog-agencies-changed")
