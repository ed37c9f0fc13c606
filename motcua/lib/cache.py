"""The shared cache (Redis): Django's RedisCache, whose ``clear()`` keeps to its own key prefix.

Django's ``RedisCache.clear()`` empties the whole Redis database (FLUSHDB). With ``KEY_PREFIX``
set (``CACHE_KEY_PREFIX``), this one deletes only the keys under that prefix, so that several
sites (a province's staging and production servers) or the parallel workers of the test suite
can share one Redis database without one emptying the others' keys. Nothing in the application
calls ``clear()``; the tests do, around every test.
"""

import re

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
