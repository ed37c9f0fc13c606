"""Values built from reference data, kept in each process until the data changes.

Working calendars and the catalogue's intake reference are read on every reception but change
a few times a year. Each process keeps what it built; a version string in Django's cache
(shared — Redis — in production) says when to throw it away. ``changed()`` replaces the version
at once (this process, and readers inside the writing transaction, see the change) and again
after commit, so that a process that rebuilt from not-yet-committed data in between does not
keep that stale copy. Writes that call no service and send no model signal (a bulk update, SQL
typed by hand) are seen after ``max_age`` seconds at the latest, where one is set.

A reader that can bear to see a change up to a minute late (the footer of every public page, the
explanation of an appointment on the tracking page) sets ``recheck_seconds``: the version it last
read is trusted that long before the shared cache is asked again, sparing the request a round
trip. ``changed()`` in this process is seen at once by every kept value on the same key.

If the shared cache cannot be reached (Redis down), nothing is kept: every call rebuilds from
the database, slower but never stale, and the counters keep working. The failure is logged.

Kept values are shared by every caller in the process: treat them as read-only.
"""

import logging
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


# Every VersionedCache of this process by key: a change made here is seen by all of them at once.
_BY_KEY: dict[str, "weakref.WeakSet[VersionedCache]"] = {}


class VersionedCache:
    def __init__(
        self, key: str, *, max_items: int = 4096, max_age: float | None = None, recheck_seconds: float = 0
    ):
        self.key = key
        self.max_items = max_items
        self.max_age = max_age
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._version: str | None = None
        self._since = 0.0
        self._items: dict[Hashable, Any] = {}
        # The version last read from the shared cache, and when (wall clock: tests travel in time).
        self._seen: str | None = None
        self._seen_at = 0.0
        _BY_KEY.setdefault(key, weakref.WeakSet()).add(self)

    def version(self) -> str | None:
        """The shared version, or None when the shared cache cannot be reached."""
        if self.recheck_seconds and self._seen is not None:
            if 0 <= time.time() - self._seen_at < self.recheck_seconds:
                return self._seen
        try:
            version = cache.get(self.key)
            if version is None:
                cache.add(self.key, uuid.uuid4().hex, None)
                version = cache.get(self.key)
        except Exception:  # any backend error: connection refused, timeout, …
            logger.exception("Bộ nhớ đệm dùng chung không trả lời (%s): đọc lại từ cơ sở dữ liệu.", self.key)
            self._seen = None
            return None
        self._seen, self._seen_at = version, time.time()
        return version

    def recheck_now(self) -> None:
        """Ask the shared cache for the version on the next call (a change made here, tests)."""
        self._seen = None

    def get(self, name: Hashable, build: Callable[[], Any]) -> Any:
        """The value kept under ``name``, built by ``build()`` when missing or out of date."""
        version = self.version()
        if version is None:
            return build()
        now = time.monotonic()
        with self._lock:
            expired = self.max_age is not None and now - self._since > self.max_age
            if self._version != version or expired:
                self._version, self._since, self._items = version, now, {}
            if name in self._items:
                return self._items[name]
        value = build()
        with self._lock:
            if self._version == version:
                if len(self._items) >= self.max_items:
                    self._items = {}
                self._items[name] = value
        return value

    def _bump(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except Exception:  # the readers rebuild anyway while the cache is unreachable
            logger.exception("Không ghi được phiên bản %s vào bộ nhớ đệm dùng chung.", self.key)
        for kept in list(_BY_KEY.get(self.key, ())):
            kept.recheck_now()

    def changed(self) -> None:
        """The data behind the kept values changed: every process rebuilds on its next call."""
        self._bump()
        transaction.on_commit(self._bump)


def recheck_all() -> None:
    """Every kept value of this process asks the shared cache again on its next call (tests: the
    cache was emptied, a version trusted for a minute must not outlive it)."""
    for kept_on_key in list(_BY_KEY.values()):
        for kept in list(kept_on_key):
            kept.recheck_now()
