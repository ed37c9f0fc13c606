"""Concurrency on PostgreSQL: twenty copies of one IPN at once record exactly one payment, one
receipt, one event; an IPN and a counter officer at once, one payment. (SQLite serialises every
writer, so these prove nothing there.)"""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test import Client

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.testing.concurrency import run_together
from motcua.dossiers.tests.conftest import build_world
from motcua.payments.models import Payment, Receipt
from motcua.payments.services import payment_record_counter, payment_request_create, payment_start_gateway
from motcua.payments.tests.conftest import online_processing, priced

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections (CI runs the suite on PostgreSQL)",
    ),
]


def started(world, standin):
    priced(world)
    d = online_processing(world)
    req = payment_request_create(actor=world.specialist, dossier=d, expected_version=d.version)
    payment, url = payment_start_gateway(
        citizen=world.citizen, request=req, client_ip="203.0.113.7", return_url="http://x/"
    )
    standin.register(dict(parse_qsl(urlsplit(url).query)))
    return req, payment


def test_twenty_simultaneous_copies_of_one_ipn_record_one_payment(vnpay_standin):
    world = build_world()
    _, payment = started(world, vnpay_standin)
    params = vnpay_standin.choose(payment.txn_ref, "success")
    results, errors = run_together(
        [lambda: Client().get("/thanh-toan/vnpay/ipn", params).json() for _ in range(20)]
    )
    assert errors == [None] * 20
    codes = sorted(r["RspCode"] for r in results)
    assert codes == ["00"] + ["02"] * 19
    assert Payment.objects.filter(state="success").count() == 1
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(action="record-payment").count() == 1


def test_the_gateway_and_the_counter_at_once_record_one_payment(vnpay_standin):
    world = build_world()
    req, payment = started(world, vnpay_standin)
    params = vnpay_standin.choose(payment.txn_ref, "success")
    version = Dossier.objects.get(pk=req.dossier_id).version
    results, errors = run_together(
        [
            lambda: Client().get("/thanh-toan/vnpay/ipn", params).json(),
            lambda: payment_record_counter(
                actor=world.receptionist,
                request=req.pk,
                method="cash",
                receipt_number="BL-1",
                expected_version=version,
            ),
        ]
    )
    assert Payment.objects.filter(state="success").count() == 1
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(action="record-payment").count() == 1
    # Whoever lost was told: the counter by an error, the gateway by "02" with its payment to refund.
    if errors[1] is None:
        assert results[0]["RspCode"] == "02" and Payment.objects.get(pk=payment.pk).state == "error"
    else:
        assert results[0]["RspCode"] == "00"
