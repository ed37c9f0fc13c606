"""motcua/lib/cache.py: on Redis, clearing the cache deletes only the keys under its own prefix."""

import uuid

from motcua.lib.cache import RedisCache


def _cache(url: str, prefix: str) -> RedisCache:
    return RedisCache(url, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 0.5}})


def test_clear_deletes_its_own_keys_and_leaves_another_prefixs_keys(redis_url):
    run = uuid.uuid4().hex[:8]
    mine, theirs = _cache(redis_url, f"t-{run}-mine"), _cache(redis_url, f"t-{run}-theirs")
    try:
        mine.set_many({f"k{n}": n for n in range(1200)})  # more than one SCAN/UNLINK batch
        theirs.set("k1", "kept")
        mine.clear()
        assert mine.get_many([f"k{n}" for n in range(1200)]) == {}
        assert theirs.get("k1") == "kept"
    finally:
        mine.clear()
        theirs.clear()


def test_a_prefix_with_glob_characters_matches_only_itself(redis_url):
    run = uuid.uuid4().hex[:8]
    star, plain = _cache(redis_url, f"t-{run}-*"), _cache(redis_url, f"t-{run}-a")
    try:
        star.set("k", 1)
        plain.set("k", 2)
        star.clear()
        assert (star.get("k"), plain.get("k")) == (None, 2)
    finally:
        star.clear()
        plain.clear()


def test_the_suite_cache_under_make_test_is_redis_with_a_prefix_per_process(settings):
    # Under `make test` (REDIS_URL set) the whole suite runs on Redis; by hand, on local memory.
    conf = settings.CACHES["default"]
    if conf["BACKEND"] == "motcua.lib.cache.RedisCache":
        assert conf["KEY_PREFIX"].startswith("motcua-test-")
