"""Writes for the working calendar.

Reference data (opening hours, days off) is edited through the admin, which audits every
change (``AuditedAdmin``); what this module owns is the cache invalidation that must follow.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "workcalendar:version"


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def calendar_changed() -> None:
    """Tell every process that opening hours or days off changed.

    The version in Django's cache is replaced at once (this process, and readers inside this
    transaction, see the change) and again after commit, so that a process that rebuilt its
    calendar from not-yet-committed data in between does not keep that stale copy.
    """
    _bump()
    transaction.on_commit(_bump)
