"""The `vnpay_standin` pytest fixture (registered in the root conftest.py)."""

import pytest

from motcua.payments.testing.vnpay_standin import VNPayStandIn

TEST_SECRET = "motcua-test-vnpay-secret-0123456789"  # noqa: S105 — the stand-in's, not a real one


@pytest.fixture
def vnpay_standin(settings):
    """The VNPay stand-in on a free loopback port, motcua's VNPAY_* settings pointed at it. Its
    IPN URL is empty: a test with a live server sets `vnpay_standin.ipn_url` to
    f"{live_server.url}/thanh-toan/vnpay/ipn"."""
    with VNPayStandIn(secret=TEST_SECRET) as standin:
        for name, value in standin.settings_values().items():
            setattr(settings, name, value)
        yield standin
