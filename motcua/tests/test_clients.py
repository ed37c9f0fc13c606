"""motcua/lib/clients.py: the client's address, through TRUSTED_PROXY_COUNT reverse proxies."""

import pytest
from django.test import RequestFactory, override_settings

from motcua.lib.clients import client_ip

PROXY = "127.0.0.1"


def _request(forwarded: str | None = None, remote: str = PROXY):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_a_request_there_is_no_address():
    assert client_ip(None) is None


def test_by_default_the_forwarded_header_is_ignored_since_any_client_can_write_it():
    assert client_ip(_request("203.0.113.5", remote="198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),  # what nginx writes for a client that sent no header
        ("127.0.0.2", "127.0.0.2"),
        # A client that writes the header itself: nginx appends the real address, which wins.
        ("1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("1.2.3.4,203.0.113.5", "203.0.113.5"),
        ("not-an-address, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.1, 192.168.1.1, 203.0.113.5", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_one_proxy_the_client_is_the_last_forwarded_address(forwarded, expected):
    assert client_ip(_request(forwarded)) == expected


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_the_second_address_from_the_right():
    # The client wrote 1.2.3.4; the load balancer appended the client; nginx the load balancer.
    assert client_ip(_request("1.2.3.4, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_request_that_did_not_come_through_the_proxy_is_known_by_its_own_address():
    assert client_ip(_request(None, remote="198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("", remote="198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_too_few_forwarded_addresses_fall_back_to_the_connecting_address():
    assert client_ip(_request("203.0.113.5", remote="10.0.0.2")) == "10.0.0.2"


def test_the_sign_in_lock_out_asks_the_same_helper():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "motcua.lib.clients.client_ip"


def test_a_malformed_proxy_count_refuses_to_start():
    from motcua.tests.test_settings import _start

    for value in ("-1", "one"):
        result = _start({"TRUSTED_PROXY_COUNT": value})
        assert result.returncode != 0
        assert "TRUSTED_PROXY_COUNT" in result.stderr
