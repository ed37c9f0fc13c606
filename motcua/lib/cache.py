"""The shared cache (Redis): Django's RedisCache, whose ``clear()`` keeps to its own key prefix,
with atomic counters in one round trip (``incr_in_window``, used by motcua/lib/counters.py), which
may be sent before its answer is needed (``send_incr_in_window``).

Django's ``RedisCache.clear()`` empties the whole Redis database (FLUSHDB). With ``KEY_PREFIX``
set (``CACHE_KEY_PREFIX``), this one deletes only the keys under that prefix, so that several
sites (a province's staging and production servers) or the parallel workers of the test suite
can share one Redis database without one emptying the others' keys. Nothing in the application
calls ``clear()``; the tests do, around every test.
"""

import hashlib
import re
from collections.abc import Callable, Mapping

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import NoScriptError

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
        trip, one command (a Lua script, atomic on the server): a missing counter is made at 0
        with its expiry (``SET NX EX``), then ``INCRBY``, so that no two processes ever read the
        same count and a counter never lives without an expiry; a delta of 0 only reads it. When
        every delta is 0 (a successful tracking lookup reads its two counts) the command is a
        plain ``MGET``, a twentieth of the script's time on the server.
        (Django's ``incr`` checks that the key exists, then increments: two round trips, and a key
        that expires in between is made again without one. A MULTI/EXEC transaction does the same
        in one trip but sends and parses six commands for two counters, every tracking lookup.)
        Counters are stored as Redis integers, which ``get()`` reads back."""
        return self.send_incr_in_window(changes)()

    def send_incr_in_window(self, changes: Mapping[str, tuple[int, int]]) -> Callable[[], dict[str, int]]:
        """``incr_in_window``, sent now; its answer is read by the function returned, which must be
        called once, and the caller works meanwhile (the tracking lookup queries the database
        while Redis reads the counts: the two waits overlap). The connection stays out of the pool until
        the answer is read."""
        # Django makes a new client (on the same connection pool) for every call: nothing may be
        # kept per client. A redis-py Script kept so would hold its client for ever, one more per
        # lookup in each worker.
        client = self._cache.get_client(None, write=True)
        names = list(changes)
        # The counters' own names (motcua/lib/counters.py: a name, a window, a digest): nothing for
        # Django's memcached-safety check to find, character by character, every lookup.
        keys = [self.make_key(name) for name in names]
        args: list[int] = []
        for name in names:
            delta, timeout = changes[name]
            args += [delta, timeout]
        reading = not any(delta for delta, _ in changes.values())
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            if reading:
                connection.send_command("MGET", *keys)
            else:
                connection.send_command("EVALSHA", _INCR_IN_WINDOW_SHA, len(keys), *keys, *args)
        except BaseException:
            pool.release(connection)
            raise

        def answer() -> dict[str, int]:
            try:
                counts = connection.read_response()
            except NoScriptError:  # the server forgot the script (restarted): EVAL loads it again
                counts = client.eval(_INCR_IN_WINDOW, len(keys), *keys, *args)
            except BaseException:
                connection.disconnect()  # whatever is left unread must not answer the next command
                raise
            finally:
                pool.release(connection)
            return {name: int(count or 0) for name, count in zip(names, counts, strict=True)}

        return answer


# KEYS: the counters; ARGV: delta and timeout (seconds) of each, in turn. Sent as EVALSHA, and as
# EVAL (which loads it on the server) when the server does not know it yet.
_INCR_IN_WINDOW = """
local counts = {}
for i, key in ipairs(KEYS) do
  local delta = tonumber(ARGV[2 * i - 1])
  if delta == 0 then
    counts[i] = tonumber(redis.call('GET', key) or 0)
  else
    redis.call('SET', key, 0, 'EX', tonumber(ARGV[2 * i]), 'NX')
    counts[i] = redis.call('INCRBY', key, delta)
  end
end
return counts
"""
# Redis names a script by the SHA-1 of its text (EVALSHA): a name, not a protection.
_INCR_IN_WINDOW_SHA = hashlib.sha1(_INCR_IN_WINDOW.encode(), usedforsecurity=False).hexdigest()
