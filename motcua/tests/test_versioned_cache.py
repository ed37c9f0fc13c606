"""motcua/lib/versioned.py: values kept per process until the data behind them changes."""

import pytest
from django.db import transaction

from motcua.lib import versioned
from motcua.lib.versioned import VersionedCache

pytestmark = pytest.mark.django_db  # changed() also acts after commit


def _counting():
    built = []

    def build():
        built.append(len(built) + 1)
        return built[-1]

    return built, build


def test_a_value_is_built_once_and_kept_until_changed():
    kept = VersionedCache("test:versioned")
    built, build = _counting()
    assert [kept.get("a", build), kept.get("a", build)] == [1, 1]
    kept.changed()
    assert kept.get("a", build) == 2
    assert built == [1, 2]


def test_another_process_sees_the_change_through_the_shared_version():
    # Two caches on one key stand for two processes sharing Django's cache (Redis in production).
    here, there = VersionedCache("test:shared"), VersionedCache("test:shared")
    built, build = _counting()
    assert there.get("x", build) == 1
    here.changed()
    assert there.get("x", build) == 2


@pytest.mark.django_db(transaction=True)
def test_the_version_is_replaced_again_after_commit():
    kept = VersionedCache("test:commit")
    versions = [kept.version()]
    with transaction.atomic():
        kept.changed()
        versions.append(kept.version())
    versions.append(kept.version())
    assert len(set(versions)) == 3  # a copy rebuilt before the commit is not kept after it


def test_without_a_signal_a_value_is_rebuilt_after_max_age(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(versioned.time, "monotonic", lambda: clock[0])
    kept = VersionedCache("test:age", max_age=60)
    built, build = _counting()
    assert kept.get("k", build) == 1
    clock[0] += 59
    assert kept.get("k", build) == 1
    clock[0] += 2
    assert kept.get("k", build) == 2


def test_the_number_of_values_kept_is_bounded():
    kept = VersionedCache("test:bound", max_items=2)
    built, build = _counting()
    for name in "abc":
        kept.get(name, build)
    assert kept.get("a", build) == 4  # "a" was dropped when "c" came in


def test_without_the_shared_cache_values_are_rebuilt_and_nothing_fails(monkeypatch, caplog):
    from django.core.cache import cache

    kept = VersionedCache("test:down")
    built, build = _counting()
    assert kept.get("k", build) == 1

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis: connection refused")

    for name in ("get", "add", "set"):
        monkeypatch.setattr(cache, name, unreachable)
    assert [kept.get("k", build), kept.get("k", build)] == [2, 3]  # never a possibly stale copy
    kept.changed()  # logged, not raised
    assert "Bộ nhớ đệm dùng chung không trả lời" in caplog.text


def test_a_recheck_window_spares_the_shared_cache_and_sees_another_process_change_after_it():
    import time_machine

    with time_machine.travel(1_800_000_000, tick=False) as traveller:
        here = VersionedCache("test:recheck", recheck_seconds=60)
        built, build = _counting()
        assert here.get("k", build) == 1
        # Another process changes the data: the shared version moves, nothing tells this one.
        from django.core.cache import cache

        cache.set("test:recheck", "changed elsewhere", None)
        traveller.shift(59)
        assert here.get("k", build) == 1  # trusted for the minute, no round trip
        traveller.shift(2)
        assert here.get("k", build) == 2  # asked again after it
        # A change made in this process is seen at once, by every kept value on the key.
        there = VersionedCache("test:recheck", recheck_seconds=60)
        assert there.get("k", build) == 3
        here.changed()
        assert [here.get("k", build), there.get("k", build)] == [4, 5]
