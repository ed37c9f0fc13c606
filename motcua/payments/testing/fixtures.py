"""The `vnpay_standin` pytest fixture (registered in the root conftest.py)."""

import threading
from collections.abc import Callable

import pytest

from motcua.lib import afterwards
from motcua.payments.testing.vnpay_standin import VNPayStandIn
from motcua.payments.views import gateway

TEST_SECRET = "motcua-test-vnpay-secret-0123456789"  # noqa: S105 — the stand-in's, not a real one


class WorkAfterAnswers:
    """The work the IPN leaves for after its answer (the settling, `lib.afterwards`), counted: a
    live server runs it in its own thread while the test goes on. `wait()` returns once none is
    left, so a test reads the settled dossier, and its database is emptied, only after it."""

    def __init__(self) -> None:
        self.pending = 0
        self.done = threading.Condition()

    def after_response(self, response, work: Callable[[], object]):
        with self.done:
            self.pending += 1

        def run() -> None:
            try:
                work()
            finally:
                with self.done:
                    self.pending -= 1
                    self.done.notify_all()

        return afterwards.after_response(response, run)

    def wait(self) -> None:
        with self.done:
            assert self.done.wait_for(lambda: self.pending == 0, timeout=30), "work after the IPN"


@pytest.fixture
def vnpay_standin(settings, monkeypatch):
    """The VNPay stand-in on a free loopback port, motcua's VNPAY_* settings pointed at it. Its
    IPN URL is empty: a test with a live server sets `vnpay_standin.ipn_url` to
    f"{live_server.url}/thanh-toan/vnpay/ipn". The stand-in goes on (sends the customer back, or
    returns the IPN's answer to the test) once the live server has finished what it does after
    answering, as a gateway does a moment later."""
    work = WorkAfterAnswers()
    monkeypatch.setattr(gateway, "after_response", work.after_response)
    with VNPayStandIn(secret=TEST_SECRET, after_ipn=work.wait) as standin:
        for name, value in standin.settings_values().items():
            setattr(settings, name, value)
        yield standin
    work.wait()
