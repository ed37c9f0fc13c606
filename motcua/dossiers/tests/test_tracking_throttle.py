"""The public tracking throttle (motcua/dossiers/tracking.py): 10 failures per address per 10
minutes, 30 failures per dossier code per hour, counted atomically in the shared cache, both
recorded in the audit log. Under `make test` the cache is Redis; the tests marked so run on
Redis whatever the suite's cache is."""

import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.test import override_settings

from motcua.audit.models import AuditEvent
from motcua.dossiers import tracking
from motcua.dossiers.tests.api_data import MONDAY_9AM, build_world, receive
from motcua.dossiers.tracking import (
    ADDRESS_THROTTLED_MESSAGE,
    CODE_THROTTLED_MESSAGE,
    NOT_FOUND_MESSAGE,
    Throttled,
)
from motcua.lib import counters

CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')
# Well formed, and no dossier has it.
UNKNOWN_CODE = "000.01.31.H99-260302-9999"
# 10:00 in Hà Nội: a window of 10 minutes and one of an hour both start here.
TEN_AM = MONDAY_9AM + timedelta(hours=1)
DEAD_REDIS = {
    "default": {
        "BACKEND": "motcua.lib.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def dossier(db):
    world = build_world()
    with time_machine.travel(MONDAY_9AM, tick=False):
        return receive(world)


def _wrong(dossier) -> str:
    return "AAAAAA" if dossier.pin != "AAAAAA" else "BBBBBB"


def _page(client, code, pin, address):
    return client.post("/tra-cuu/", {"ma": code, "pin": pin}, REMOTE_ADDR=address)


# -- per address ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["suite", "redis"])
def test_concurrent_failures_from_one_address_are_counted_exactly(request, backend):
    """Fifteen wrong lookups at once from one address: exactly ten are answered, five refused."""
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    start = threading.Barrier(15)
    outcomes: list[str] = []

    def look_up():
        start.wait()
        try:
            found = tracking.track("X-1", "WRONG1", ip="203.0.113.9")
            outcomes.append("answered" if found is None else "hit")
        except Throttled:
            outcomes.append("refused")

    with (
        time_machine.travel(TEN_AM, tick=False),
        mock.patch.object(tracking, "find", return_value=None),
        mock.patch.object(tracking, "audit_record") as audited,
    ):
        threads = [threading.Thread(target=look_up) for _ in range(15)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["answered"] * 10 + ["refused"] * 5
    assert [c.kwargs["action"] for c in audited.call_args_list] == ["tracking.throttled_address"]


def test_the_refusal_says_until_when_without_blaming_the_reader(client, dossier):
    with time_machine.travel(TEN_AM + timedelta(minutes=3), tick=False):
        for _ in range(10):
            assert _page(client, dossier.code, _wrong(dossier), "203.0.113.7").status_code == 404
        refused = _page(client, dossier.code, dossier.pin, "203.0.113.7")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert ADDRESS_THROTTLED_MESSAGE.format(minutes=7, until="10:10") in text
    assert "Có quá nhiều lượt tra cứu không thành công từ địa chỉ mạng này" in text
    assert "vui lòng thử lại sau 7 phút (từ 10:10)" in text
    assert "nhiều người dùng chung một mạng" in text
    # It does not say the reader made the attempts, nor that they typed anything wrong.
    for blame in ("Bạn đã", "bạn đang dùng", "bạn nhập", "nhập sai"):
        assert blame not in text
    assert refused["Retry-After"] == "420"


def test_successful_lookups_are_not_counted(client, dossier):
    with time_machine.travel(TEN_AM, tick=False):
        for _ in range(9):
            _page(client, dossier.code, _wrong(dossier), "203.0.113.8")
        for _ in range(20):
            assert _page(client, dossier.code, dossier.pin, "203.0.113.8").status_code == 200
        assert _page(client, dossier.code, _wrong(dossier), "203.0.113.8").status_code == 404
        assert _page(client, dossier.code, dossier.pin, "203.0.113.8").status_code == 429


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_successful_lookup_reads_the_counts_and_writes_none(request, dossier, via):
    redis_cache = request.getfixturevalue("redis_cache")
    client = request.getfixturevalue("client")
    address = "203.0.113.9"
    keys = [tracking.ADDRESS_FAILURES.key(address, TEN_AM), tracking.CODE_FAILURES.key(dossier.code, TEN_AM)]
    with time_machine.travel(TEN_AM, tick=False):
        if via == "page":
            response = _page(client, dossier.code, dossier.pin, address)
        else:
            body = {"code": dossier.code, "pin": dossier.pin}
            response = client.post(
                "/api/v1/tracking", body, content_type="application/json", REMOTE_ADDR=address
            )
        assert response.status_code == 200
        assert [redis_cache.has_key(key) for key in keys] == [False, False]  # nothing made in Redis
        _page(client, dossier.code, _wrong(dossier), address)
        assert [redis_cache.get(key) for key in keys] == [1, 1]


def test_a_throttled_address_is_recorded_once_in_the_audit_log_with_its_address(client, dossier):
    with time_machine.travel(TEN_AM, tick=False):
        for _ in range(14):
            _page(client, dossier.code, _wrong(dossier), "203.0.113.10")
    events = list(AuditEvent.objects.filter(action="tracking.throttled_address"))
    assert len(events) == 1
    assert events[0].ip_address == "203.0.113.10"
    assert events[0].extra["failures"] == 10 and events[0].extra["window_minutes"] == 10
    assert events[0].extra["until"].startswith("2026-03-02T03:10:00")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_forwarded_address_has_its_own_count(client, dossier):
    def via_proxy(pin, address):
        return client.post(
            "/tra-cuu/",
            {"ma": dossier.code, "pin": pin},
            REMOTE_ADDR="127.0.0.1",
            headers={"X-Forwarded-For": address},
        )

    with time_machine.travel(TEN_AM, tick=False):
        for _ in range(10):
            assert via_proxy(_wrong(dossier), "198.51.100.2").status_code == 404
        assert via_proxy(dossier.pin, "198.51.100.2").status_code == 429
        # The proxy's own address is not what is counted: another client still gets answers.
        assert via_proxy(dossier.pin, "198.51.100.3").status_code == 200
        # A client that writes the header itself is still known by the address nginx appended.
        assert via_proxy(dossier.pin, "198.51.100.3, 198.51.100.2").status_code == 429
    assert AuditEvent.objects.get(action="tracking.throttled_address").ip_address == "198.51.100.2"


# -- per code ---------------------------------------------------------------------------------


def _guess_from_many_addresses(client, code, pin, failures):
    """``failures`` wrong lookups of one code, three from each address (under the per-address limit)."""
    for n in range(failures):
        response = _page(client, code, pin, f"198.51.100.{n // 3 + 1}")
        assert response.status_code == 404, n


def test_thirty_failures_on_one_code_from_many_addresses_pause_that_code_for_everyone(client, dossier):
    with time_machine.travel(TEN_AM + timedelta(minutes=20), tick=False):
        _guess_from_many_addresses(client, dossier.code, _wrong(dossier), 30)
        # The citizen, from an address that never failed, with the right PIN: paused until 11:00.
        paused = _page(client, dossier.code, dossier.pin, "192.0.2.50")
        assert paused.status_code == 429
        text = paused.content.decode()
        assert CODE_THROTTLED_MESSAGE.format(minutes=40, until="11:00") in text
        assert "cho hồ sơ này, từ nhiều nơi khác nhau" in text
        assert "vui lòng thử lại sau 40 phút (từ 11:00)" in text
        for blame in ("Bạn đã", "bạn nhập", "nhập sai"):
            assert blame not in text
        # The API answers the same.
        api = client.post(
            "/api/v1/tracking",
            {"code": dossier.code, "pin": dossier.pin},
            content_type="application/json",
            REMOTE_ADDR="192.0.2.51",
        )
        assert api.status_code == 429
        assert api.json()["message"] == CODE_THROTTLED_MESSAGE.format(minutes=40, until="11:00")
        assert api.json()["details"] == {"retry_after": 2400} and api["Retry-After"] == "2400"
        # The refusal was not counted against the citizen's address: other codes still answer.
        for _ in range(10):
            assert _page(client, UNKNOWN_CODE, "AAAAAA", "192.0.2.50").status_code == 404
    with time_machine.travel(TEN_AM + timedelta(hours=1), tick=False):
        assert _page(client, dossier.code, dossier.pin, "192.0.2.50").status_code == 200


def test_an_unknown_code_is_paused_exactly_like_a_real_one(client, dossier):
    unknown = dossier.code[:-4] + "9999"
    with time_machine.travel(TEN_AM, tick=False):
        _guess_from_many_addresses(client, dossier.code, _wrong(dossier), 30)
        _guess_from_many_addresses(client, unknown, _wrong(dossier), 30)
        real = _page(client, dossier.code, dossier.pin, "192.0.2.60")
        made_up = _page(client, unknown, dossier.pin, "192.0.2.60")
    assert real.status_code == made_up.status_code == 429

    def page(response, code):
        return CSRF.sub("", response.content.decode()).replace(code, "X")

    assert page(real, dossier.code) == page(made_up, unknown)


def test_a_paused_code_is_recorded_once_in_the_dossiers_audit_history(client, dossier):
    with time_machine.travel(TEN_AM, tick=False):
        _guess_from_many_addresses(client, dossier.code, _wrong(dossier), 30)
        for n in range(5):
            _page(client, dossier.code, dossier.pin, f"192.0.2.{70 + n}")
        _guess_from_many_addresses(client, UNKNOWN_CODE, _wrong(dossier), 30)
        assert _page(client, UNKNOWN_CODE, _wrong(dossier), "192.0.2.80").status_code == 429
    paused = list(AuditEvent.objects.filter(action="tracking.throttled_code").order_by("id"))
    assert len(paused) == 2
    assert (paused[0].object_type, paused[0].object_id) == ("dossiers.dossier", str(dossier.pk))
    assert paused[0].ip_address == "192.0.2.70"
    assert paused[0].extra["code"] == dossier.code and paused[0].extra["failures"] == 30
    assert (paused[1].object_type, paused[1].object_id) == ("tracking.code", UNKNOWN_CODE)


def test_the_code_limit_is_counted_exactly_under_concurrency(redis_cache):
    start = threading.Barrier(40)
    outcomes: list[str] = []

    def look_up(n):
        start.wait()
        try:
            tracking.track("X-2", "WRONG1", ip=f"198.51.100.{n}")
        except Throttled as exc:
            outcomes.append(exc.reason)
        else:
            outcomes.append("answered")

    with (
        time_machine.travel(TEN_AM, tick=False),
        mock.patch.object(tracking, "find", return_value=None),
        mock.patch.object(tracking, "audit_record"),
        mock.patch.object(tracking.Dossier.objects, "filter"),
    ):
        threads = [threading.Thread(target=look_up, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["answered"] * 30 + ["code"] * 10


# -- without Redis ----------------------------------------------------------------------------


def test_with_redis_down_lookups_answer_and_each_process_still_throttles(client, dossier):
    counters.local_cache.clear()
    try:
        with override_settings(CACHES=DEAD_REDIS), time_machine.travel(TEN_AM, tick=False):
            assert _page(client, dossier.code, dossier.pin, "203.0.113.20").status_code == 200
            for _ in range(10):
                response = _page(client, dossier.code, _wrong(dossier), "203.0.113.20")
                assert response.status_code == 404
                assert NOT_FOUND_MESSAGE in response.content.decode()
            assert _page(client, dossier.code, dossier.pin, "203.0.113.20").status_code == 429
            assert _page(client, dossier.code, dossier.pin, "203.0.113.21").status_code == 200
    finally:
        counters.local_cache.clear()
