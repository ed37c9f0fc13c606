"""The IPN (``GET /thanh-toan/vnpay/ipn``) and the return page, with parameters signed by the VNPay
stand-in (motcua/payments/testing): the protocol's answers, worked through."""

import signal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.payments.gateways import get_gateway
from motcua.payments.gateways.vnpay import signed_params
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.services import payment_confirm, payment_settle, payment_start_gateway
from motcua.payments.tests.conftest import FEE_VND

IPN = "/thanh-toan/vnpay/ipn"


@pytest.fixture
def started(asked, world, vnpay_standin):
    """A gateway payment the stand-in knows (as if the citizen's browser had been sent there)."""
    payment, url = payment_start_gateway(
        citizen=world.citizen,
        request=asked,
        client_ip="203.0.113.7",
        return_url="http://testserver/thanh-toan/vnpay/ket-qua",
    )
    vnpay_standin.register(dict(parse_qsl(urlsplit(url).query)))
    return payment


def test_a_signed_success_answers_00_and_the_dossier_is_paid(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "success")
    response = client.get(IPN, params)
    assert response.status_code == 200
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    started.refresh_from_db()
    assert started.state == "success" and started.gateway_transaction_no == params["vnp_TransactionNo"]
    assert Dossier.objects.get(pk=started.request.dossier_id).state == Dossier.State.PROCESSING
    assert "sessionid" not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_brings_the_success_onto_the_dossier(client, started, vnpay_standin, settings):
    """As deployed: the IPN answers, then queues the settling; ``manage.py db_worker`` does it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    params = vnpay_standin.choose(started.txn_ref, "success")
    assert client.get(IPN, params).json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert Payment.objects.get(pk=started.pk).settled_at is None  # the gateway did not wait for it
    assert Dossier.objects.get(pk=started.request.dossier_id).state == Dossier.State.PAYMENT
    [queued] = DBTaskResult.objects.filter(task_path="motcua.payments.tasks.settle_payment")
    assert queued.args_kwargs["args"] == [started.pk, "127.0.0.1"]
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:  # the worker installs its own
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    payment = Payment.objects.select_related("receipt").get(pk=started.pk)
    assert payment.settled_at is not None and payment.receipt.number == 1
    assert Dossier.objects.get(pk=started.request.dossier_id).state == Dossier.State.PROCESSING
    assert DossierEvent.objects.filter(action="record-payment").count() == 1
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value is True


def test_a_replayed_ipn_answers_02(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "success")
    assert client.get(IPN, params).json()["RspCode"] == "00"
    assert client.get(IPN, params).json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert DossierEvent.objects.filter(action="record-payment").count() == 1


def test_one_dong_less_signed_correctly_answers_04_and_nothing_is_paid(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "success")
    params.pop("vnp_SecureHash")
    params["vnp_Amount"] = str((FEE_VND - 1) * 100)
    response = client.get(IPN, signed_params(vnpay_standin.secret, params))
    assert response.json() == {"RspCode": "04", "Message": "invalid amount"}
    assert PaymentRequest.objects.get().state == "open"
    assert Payment.objects.get(pk=started.pk).state == "started"
    assert AuditEvent.objects.filter(action="payment.wrong_amount").count() == 1


def test_a_tampered_amount_or_forged_signature_answers_97_and_is_audited(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "success")
    tampered = {**params, "vnp_Amount": str(FEE_VND * 100 - 100)}
    assert client.get(IPN, tampered).json() == {"RspCode": "97", "Message": "Invalid signature"}
    forged = signed_params("not-our-secret", {k: v for k, v in params.items() if k != "vnp_SecureHash"})
    assert client.get(IPN, forged, REMOTE_ADDR="198.51.100.66").json()["RspCode"] == "97"
    assert Payment.objects.get(pk=started.pk).state == "started"
    audits = AuditEvent.objects.filter(action="payment.bad_signature").order_by("pk")
    assert [a.object_id for a in audits] == [started.txn_ref, started.txn_ref]
    assert audits[1].ip_address == "198.51.100.66"


def test_an_unknown_order_answers_01_and_a_failure_then_success_ends_paid(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "failed")
    assert client.get(IPN, params).json()["RspCode"] == "00"
    assert Payment.objects.get(pk=started.pk).state == "failed"
    other = {k: v for k, v in params.items() if k != "vnp_SecureHash"} | {"vnp_TxnRef": "260302FFFFFFFFFF"}
    assert client.get(IPN, signed_params(vnpay_standin.secret, other)).json()["RspCode"] == "01"
    success = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    success |= {"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"}
    assert client.get(IPN, signed_params(vnpay_standin.secret, success)).json()["RspCode"] == "00"
    assert Payment.objects.get(pk=started.pk).state == "success"


def test_success_needs_both_codes_00(client, started, vnpay_standin):
    params = vnpay_standin.choose(started.txn_ref, "success")
    half = {k: v for k, v in params.items() if k != "vnp_SecureHash"} | {"vnp_TransactionStatus": "02"}
    assert client.get(IPN, signed_params(vnpay_standin.secret, half)).json()["RspCode"] == "00"
    assert Payment.objects.get(pk=started.pk).state == "failed"


def test_the_ipn_takes_only_get_and_never_answers_html(client, started):
    response = client.post(IPN, {})
    assert response.status_code == 405
    assert client.get(IPN).json()["RspCode"] == "97"


def test_the_return_page_only_displays(client, started, vnpay_standin, world):
    params = vnpay_standin.choose(started.txn_ref, "success")
    client.force_login(world.citizen)
    page = client.get("/thanh-toan/vnpay/ket-qua", params)
    assert page.status_code == 200
    assert "Đang chờ cổng thanh toán xác nhận" in page.content.decode()
    assert Payment.objects.get(pk=started.pk).state == "started"  # the IPN decides, not the browser
    client.get(IPN, params)
    done = client.get("/thanh-toan/vnpay/ket-qua", params).content.decode()
    assert f"Đã nộp thành công {FEE_VND:,}".replace(",", ".") in done
    assert "Biên lai điện tử số 0000001" in done


def test_the_return_page_follows_a_success_until_its_receipt_is_issued(client, started, vnpay_standin, world):
    params = vnpay_standin.choose(started.txn_ref, "success")
    client.force_login(world.citizen)
    waiting = client.get("/thanh-toan/vnpay/ket-qua", params).content.decode()
    assert 'hx-trigger="every 3s"' in waiting  # it asks again while the gateway has not answered
    notice = get_gateway().parse_notice(params)
    assert payment_confirm(notice=notice).settle  # the gateway's word, not yet on the dossier
    settling = client.get("/thanh-toan/vnpay/ket-qua", params).content.decode()
    assert "Đã nộp thành công" in settling and "Biên lai điện tử đang được lập" in settling
    assert 'hx-trigger="every 3s"' in settling and "Tải biên lai điện tử (PDF)" not in settling
    payment_settle(started)
    done = client.get("/thanh-toan/vnpay/ket-qua", params, HTTP_HX_REQUEST="true").content.decode()
    assert "Biên lai điện tử số 0000001" in done and "Tải biên lai điện tử (PDF)" in done
    assert (
        "hx-trigger" not in done.split('id="trang-thai-thanh-toan"')[1].split(">")[0]
    )  # final: no more asking


def test_the_return_page_of_another_citizens_payment_shows_nothing(
    client, started, vnpay_standin, django_user_model
):
    params = vnpay_standin.choose(started.txn_ref, "success")
    stranger = django_user_model.objects.create_user(username="nguoi_la", password="x-" * 10, kind="citizen")
    client.force_login(stranger)
    page = client.get("/thanh-toan/vnpay/ket-qua", params)
    assert page.status_code == 404
    assert started.request.dossier.code not in page.content.decode()
