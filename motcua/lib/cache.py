"""The shared cache (Redis): Django's RedisCache, whose ``clear()`` keeps to its own key prefix,
with atomic counters in one round trip (``incr_in_window``, used by motcua/lib/counters.py).

Django's ``RedisCache.clear()`` empties the whole Redis database (FLUSHDB). With ``KEY_PREFIX``
set (``CACHE_KEY_PREFIX``), this one deletes only the keys under that prefix, so that several
sites (a province's staging and production servers) or the parallel workers of the test suite
can share one Redis database without one emptying the others' keys. Nothing in the application
calls ``clear()``; the tests do, around every test.
"""

import re
from collections.abc import Mapping

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

# Redis' glob patterns give a meaning to these characters; a prefix containing one is escaped.
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")
_BATCH = 500


class RedisCache(DjangoRedisCache):
    def clear(self) -> None:
        if not self.key_prefix:
            super().clear()
            return
        # Django's default KEY_FUNCTION makes "<prefix>:<version>:<key>".
        pattern = _GLOB_SPECIAL.sub(r"\\\1", self.key_prefix) + ":*"
        client = self._cache.get_client(None, write=True)
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_BATCH):
            batch.append(key)
            if len(batch) >= _BATCH:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)

    def incr_in_window(self, changes: Mapping[str, tuple[int, int]]) -> dict[str, int]:
        """Add each ``(delta, timeout)`` to the counter under its key; the new counts. One round
        trip, one MULTI/EXEC transaction: a missing counter is made at 0 with its expiry
        (``SET NX EX``), then ``INCRBY``, so that no two processes ever read the same count and
        a counter never lives without an expiry. (Django's ``incr`` checks that the key exists,
        then increments: two round trips, and a key that expires in between is made again
        without one.) Counters are stored as Redis integers, which ``get()`` reads back."""
        client = self._cache.get_client(None, write=True)
        keys = {name: self.make_and_validate_key(name) for name in changes}
        pipe = client.pipeline(transaction=True)
        for name, (delta, timeout) in changes.items():
            pipe.set(keys[name], 0, ex=timeout, nx=True)
            pipe.incrby(keys[name], delta)
        results = pipe.execute()
        return {name: int(results[2 * n + 1]) for n, name in enumerate(changes)}
