"""motcua/lib/counters.py: counts per subject in fixed windows, atomic, shared through the cache."""

import gc
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from motcua.lib import counters
from motcua.lib.counters import WindowCounter, incr_counters, start_incr_counters

NOW = datetime(2026, 3, 2, 3, 4, 30, tzinfo=UTC)  # 10:04:30 in Hà Nội
TEN_MINUTES = WindowCounter("test-counter", 600)


@pytest.fixture(params=["suite", "redis"])
def backend(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_counts_add_up_and_start_again_in_the_next_window(backend):
    with time_machine.travel(NOW, tick=False) as clock:
        assert incr_counters({(TEN_MINUTES, "a"): 1}) == [1]
        assert incr_counters({(TEN_MINUTES, "a"): 1, (TEN_MINUTES, "b"): 1}) == [2, 1]
        assert incr_counters({(TEN_MINUTES, "a"): -1}) == [1]
        assert TEN_MINUTES.ends_at() == datetime(2026, 3, 2, 3, 10, tzinfo=UTC)
        clock.shift(timedelta(minutes=6))  # 10:10:30: a new window
        assert incr_counters({(TEN_MINUTES, "a"): 0}) == [0]


def test_first_time_is_true_once_per_window(backend):
    with time_machine.travel(NOW, tick=False) as clock:
        assert [TEN_MINUTES.first_time("a", "audited") for _ in range(3)] == [True, False, False]
        clock.shift(timedelta(minutes=10))
        assert TEN_MINUTES.first_time("a", "audited") is True


def test_on_redis_a_counter_expires_after_its_window(redis_cache):
    with time_machine.travel(NOW, tick=False):
        incr_counters({(TEN_MINUTES, "a"): 1})
        key = redis_cache.make_key(TEN_MINUTES.key("a"))
    ttl = redis_cache._cache.get_client(key).ttl(key)
    assert 600 < ttl <= 600 + counters.GRACE_SECONDS
    assert redis_cache.get(TEN_MINUTES.key("a", NOW)) == 1  # a plain integer Django reads back


def test_a_delta_of_zero_reads_a_count_and_makes_no_counter(backend, settings):
    from django.core.cache import cache

    with time_machine.travel(NOW, tick=False):
        assert incr_counters({(TEN_MINUTES, "a"): 0}) == [0]
        assert not cache.has_key(TEN_MINUTES.key("a"))
        incr_counters({(TEN_MINUTES, "a"): 3})
        assert incr_counters({(TEN_MINUTES, "a"): 0, (TEN_MINUTES, "b"): 0}) == [3, 0]
        assert not cache.has_key(TEN_MINUTES.key("b"))


def test_a_count_begun_early_is_read_when_needed_and_holds_its_connection_till_then(redis_cache):
    pool = redis_cache._cache.get_client(None, write=True).connection_pool
    with time_machine.travel(NOW, tick=False):
        incr_counters({(TEN_MINUTES, "a"): 1})  # the script known
        read = start_incr_counters({(TEN_MINUTES, "a"): 1, (TEN_MINUTES, "b"): 5})
        assert len(pool._in_use_connections) == 1
        # Other commands meanwhile go through another connection and get their own answers.
        assert redis_cache.get(TEN_MINUTES.key("a")) in (1, 2)
        assert read() == [2, 5]
        assert not pool._in_use_connections
        assert incr_counters({(TEN_MINUTES, "a"): 0, (TEN_MINUTES, "b"): 0}) == [2, 5]


def test_counts_hold_when_redis_has_forgotten_the_script(redis_cache, caplog):
    with time_machine.travel(NOW, tick=False):
        assert incr_counters({(TEN_MINUTES, "a"): 1}) == [1]
        redis_cache._cache.get_client(None, write=True).script_flush()  # as after a restart
        assert incr_counters({(TEN_MINUTES, "a"): 1}) == [2]
        assert incr_counters({(TEN_MINUTES, "a"): 1}) == [3]
    assert "không trả lời" not in caplog.text  # counted in Redis, not each process on its own


def test_counting_keeps_nothing_per_call_in_a_worker(redis_cache):
    # Django hands out a new Redis client for every call; a worker answers millions of lookups.
    import redis

    def clients() -> int:
        gc.collect()
        return sum(isinstance(o, redis.Redis) for o in gc.get_objects())

    with time_machine.travel(NOW, tick=False):
        incr_counters({(TEN_MINUTES, "a"): 1})
        before = clients()
        for _ in range(50):
            incr_counters({(TEN_MINUTES, "a"): 1, (TEN_MINUTES, "b"): 0})
        assert clients() <= before
        assert incr_counters({(TEN_MINUTES, "a"): 0}) == [51]


def test_with_redis_down_each_process_counts_on_its_own(caplog):
    dead = {"default": {"BACKEND": "motcua.lib.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    counters.local_cache.clear()
    try:
        with override_settings(CACHES=dead), time_machine.travel(NOW, tick=False):
            assert [incr_counters({(TEN_MINUTES, "a"): 1})[0] for _ in range(3)] == [1, 2, 3]
            assert [TEN_MINUTES.first_time("a", "x") for _ in range(2)] == [True, False]
    finally:
        counters.local_cache.clear()
    assert "Bộ nhớ đệm dùng chung không trả lời" in caplog.text
