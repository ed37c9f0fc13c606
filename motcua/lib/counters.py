"""Counters in fixed time windows, shared by every process through Django's cache (Redis).

Used by the throttles (public tracking, sign-in): "at most N failures per subject per window".
A window is a fixed slice of time (10-minute windows start at :00, :10, …), numbered from the
clock (``timezone.now()``, which tests freeze); its number is part of the key, so a new window
starts from zero without relying on the cache's expiry, and a key expires a little after its
window ends.

Counting is atomic, never read-then-write, so that two processes counting at once are both
counted: on Redis one round trip (``SET key 0 EX ttl NX`` then ``INCRBY`` for each counter, in one
Lua script: ``motcua.lib.cache.RedisCache.incr_in_window``), which ``start_incr_counters`` sends
before the caller needs its answer; on another backend the cache's own ``add`` then ``incr``.

If the shared cache cannot be reached (Redis down), each process counts on its own, in local
memory, until it answers again: the limits then hold per process, not across them — looser, but
a throttle still, and the application keeps answering. The failure is logged.
"""

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

logger = logging.getLogger(__name__)

# Keys live this long after their window ends (clock differences between servers).
GRACE_SECONDS = 60

# Each process's own counters while the shared cache does not answer.
local_cache = LocMemCache("motcua-counters-fallback", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 20000}})


def _incr_generic(backend: BaseCache, changes: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    counts = {}
    for key, (delta, timeout) in changes.items():
        if not delta:
            counts[key] = backend.get(key, 0)
            continue
        backend.add(key, 0, timeout=timeout)
        try:
            counts[key] = backend.incr(key, delta)
        except ValueError:  # expired between add and incr: a new count
            backend.set(key, delta, timeout=timeout)
            counts[key] = delta
    return counts


def _counted_locally(changes: Mapping[str, tuple[int, int]], exc: Exception) -> dict[str, int]:
    logger.warning("Bộ nhớ đệm dùng chung không trả lời (%s): đếm riêng trong tiến trình này.", exc)
    return _incr_generic(local_cache, changes)


def start_incr(changes: Mapping[str, tuple[int, int]]) -> Callable[[], dict[str, int]]:
    """``incr``, begun now: the function returned gives the new counts and must be called once.
    On Redis the counting is sent at once and its answer read then, so that the caller works
    while Redis counts; elsewhere it is done at once."""
    try:
        send = getattr(cache, "send_incr_in_window", None)
        if send is None:
            counts = _incr_generic(cache, changes)
            return lambda: counts
        answer = send(changes)
    except Exception as exc:  # any backend error: connection refused, timeout, …
        counts = _counted_locally(changes, exc)
        return lambda: counts

    def read() -> dict[str, int]:
        try:
            return answer()
        except Exception as exc:
            return _counted_locally(changes, exc)

    return read


def incr(changes: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    """Add each ``(delta, timeout)`` to the counter under its key, atomically; the new counts. A
    counter that did not exist starts from 0 and expires ``timeout`` seconds after it was made (a
    delta of 0 reads it and makes nothing)."""
    return start_incr(changes)()


def first(key: str, timeout: int) -> bool:
    """True for exactly one caller per key (until it expires): "this happened for the first time"."""
    try:
        return bool(cache.add(key, 1, timeout=timeout))
    except Exception as exc:
        logger.warning("Bộ nhớ đệm dùng chung không trả lời (%s): ghi nhận trong tiến trình này.", exc)
        return bool(local_cache.add(key, 1, timeout=timeout))


def digest(subject: str) -> str:
    """A short, cache-safe stand-in for a subject (an address, a dossier code, a user name)."""
    return hashlib.blake2b(subject.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class WindowCounter:
    """Counts per subject in fixed windows of ``window_seconds``, under ``name``."""

    name: str
    window_seconds: int

    def window(self, now: datetime | None = None) -> int:
        return int((now or timezone.now()).timestamp()) // self.window_seconds

    def ends_at(self, now: datetime | None = None) -> datetime:
        """When the current window ends (and its counts start again from zero)."""
        return datetime.fromtimestamp((self.window(now) + 1) * self.window_seconds, tz=UTC)

    def key(self, subject: str, now: datetime | None = None) -> str:
        return f"{self.name}:{self.window(now)}:{digest(subject)}"

    @property
    def timeout(self) -> int:
        return self.window_seconds + GRACE_SECONDS

    def first_time(self, subject: str, what: str, now: datetime | None = None) -> bool:
        """True once per subject, window and ``what`` (e.g. to record a throttle in the audit log)."""
        return first(f"{self.key(subject, now)}:{what}", self.timeout)


def start_incr_counters(
    changes: Mapping[tuple[WindowCounter, str], int], now: datetime | None = None
) -> Callable[[], list[int]]:
    """``incr_counters``, begun now (``start_incr``): the function returned gives the new counts
    and must be called once."""
    now = now or timezone.now()
    keyed = {(counter, subject): counter.key(subject, now) for counter, subject in changes}
    read = start_incr({keyed[(c, s)]: (delta, c.timeout) for (c, s), delta in changes.items()})
    return lambda: [counts[keyed[pair]] for counts in (read(),) for pair in changes]


def incr_counters(changes: Mapping[tuple[WindowCounter, str], int], now: datetime | None = None) -> list[int]:
    """Add to several counters at once (one round trip on Redis): ``{(counter, subject): delta}``;
    the new counts, in the order of ``changes``."""
    return start_incr_counters(changes, now)()
