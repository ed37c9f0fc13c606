"""The polling job asks the gateway (the stand-in, over HTTP: querydr) about gateway payments it
was never told about, and applies the answer through the IPN's own path, or expires them."""

from datetime import timedelta
from urllib.request import urlopen

import pytest
import time_machine

from motcua.audit.models import AuditEvent
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import MONDAY_8AM
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.polling import poll_unfinished_payments
from motcua.payments.services import payments_expire
from motcua.payments.testing.world import build_world, gateway_payment
from motcua.scheduler.services import registered_jobs

pytestmark = pytest.mark.django_db
State = Payment.State


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock):
    return build_world()


def _visit(url: str) -> None:
    """The citizen's browser reaching the gateway's page (the stand-in records the order)."""
    with urlopen(url, timeout=5) as reply:  # noqa: S310 — the stand-in on loopback
        assert reply.status == 200


def _later(clock, minutes: int) -> None:
    clock.move_to(MONDAY_8AM + timedelta(minutes=minutes))


def test_a_payment_whose_ipn_was_lost_is_confirmed_by_the_query(world, clock, vnpay_standin):
    payment, url = gateway_payment(world)
    _visit(url)
    vnpay_standin.choose(payment.txn_ref, "success")  # no IPN URL: the notice never arrives
    _later(clock, 10)
    assert poll_unfinished_payments() == {}  # too recent to ask about
    assert vnpay_standin.queries == []

    _later(clock, 16)
    assert poll_unfinished_payments() == {"confirmed_00": 1}
    payment.refresh_from_db()
    assert payment.state == State.SUCCESS
    assert payment.gateway_transaction_no == vnpay_standin.transactions[payment.txn_ref].transaction_no
    assert payment.request.state == PaymentRequest.State.PAID
    event = DossierEvent.objects.get(dossier=payment.request.dossier, action="record-payment")
    assert event.data == {"method": "gateway", "amount_vnd": 125_000, "paid_online": 2}

    _later(clock, 21)
    assert poll_unfinished_payments() == {}  # nothing left to ask about
    assert len(vnpay_standin.queries) == 1


def test_a_payment_failed_at_the_gateway_is_recorded_failed(world, clock, vnpay_standin):
    payment, url = gateway_payment(world)
    _visit(url)
    vnpay_standin.choose(payment.txn_ref, "failed")
    _later(clock, 16)
    assert poll_unfinished_payments() == {"confirmed_00": 1}
    payment.refresh_from_db()
    assert (payment.state, payment.request.state) == (State.FAILED, PaymentRequest.State.OPEN)


def test_an_attempt_the_gateway_never_saw_expires_after_90_minutes(world, clock, vnpay_standin):
    payment, _ = gateway_payment(world)  # the citizen closed the page before reaching the gateway
    _later(clock, 30)
    assert poll_unfinished_payments() == {"unknown": 1}
    payment.refresh_from_db()
    assert payment.state == State.STARTED
    _later(clock, 89)
    assert poll_unfinished_payments() == {"unknown": 1}
    _later(clock, 90)
    assert poll_unfinished_payments() == {"expired": 1}
    payment.refresh_from_db()
    assert payment.state == State.EXPIRED


def test_an_attempt_left_on_the_gateways_page_expires_after_90_minutes(world, clock, vnpay_standin):
    payment, url = gateway_payment(world)
    _visit(url)
    _later(clock, 45)
    assert poll_unfinished_payments() == {"pending": 1}
    _later(clock, 91)
    assert poll_unfinished_payments() == {"expired": 1}


def test_a_success_the_gateway_recorded_before_our_expiry_still_wins(world, clock, vnpay_standin):
    payment, url = gateway_payment(world)
    _visit(url)
    _later(clock, 89)
    vnpay_standin.choose(payment.txn_ref, "success")  # at 89 minutes; its IPN is lost
    _later(clock, 90)
    assert payments_expire() == 1  # the expiry job ran first
    payment.refresh_from_db()
    assert payment.state == State.EXPIRED
    _later(clock, 92)
    assert poll_unfinished_payments() == {"confirmed_00": 1}
    payment.refresh_from_db()
    assert payment.state == State.SUCCESS
    _later(clock, 90 + 16)
    assert poll_unfinished_payments() == {}  # out of the window: not asked again


def test_a_gateway_that_does_not_answer_changes_nothing(world, clock, vnpay_standin, settings):
    payment, _ = gateway_payment(world)
    settings.VNPAY_API_URL = "http://127.0.0.1:9/merchant_webapi/api/transaction"
    _later(clock, 95)
    assert poll_unfinished_payments() == {"unreachable": 1}
    payment.refresh_from_db()
    assert payment.state == State.STARTED  # payments_expire will expire it; a later success still wins


def test_an_answer_not_signed_with_our_secret_is_refused_and_audited(world, clock, vnpay_standin):
    payment, url = gateway_payment(world)
    _visit(url)
    vnpay_standin.choose(payment.txn_ref, "success")
    vnpay_standin.secret = "someone-elses-secret"  # the "gateway" now signs with another key
    _later(clock, 16)
    assert poll_unfinished_payments() == {"bad_signature": 1}
    payment.refresh_from_db()
    assert payment.state == State.STARTED
    assert AuditEvent.objects.filter(action="payment.query_bad_signature").count() == 1


def test_the_job_is_registered_with_the_scheduler():
    assert "payments-poll" in {job.name for job in registered_jobs()}
