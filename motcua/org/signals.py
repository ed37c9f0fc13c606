"""Signals the organisation sends for writes that Django's own model signals do not see, and the
receivers that keep the per-process copies of memberships honest whatever saved them."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# Sent after agencies were changed by a bulk update (a subtree moved: every path in it rewritten).
# Apps that keep copies of agencies (the catalogue's intake reference) drop them.
agencies_changed = Signal()


def _memberships_changed(sender: Any, **kwargs: Any) -> None:
    from motcua.org.selectors import MENU_ROLES

    MENU_ROLES.changed()  # every process reads its menus again


def connect() -> None:
    """A membership saved or deleted anywhere (the admin, a loader, a test), not only through the
    services: the menus kept per process are read again."""
    from motcua.org.models import Membership

    post_save.connect(_memberships_changed, sender=Membership, dispatch_uid="org-membership-save")
    post_delete.connect(_memberships_changed, sender=Membership, dispatch_uid="org-membership-delete")
