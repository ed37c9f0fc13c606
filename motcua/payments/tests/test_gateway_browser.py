"""End to end through the stand-in gateway over real HTTP: the citizen pays in Chromium (redirect →
the gateway's page → IPN → the return page says paid), and the IPNs a gateway or an attacker might
send — replayed, forged, one đồng off, unknown — reach the live server the way VNPay's do."""

import re
from urllib.request import urlopen

import pytest
from django.test import Client
from django.utils import timezone

from conftest import axe_violations, screenshot
from motcua.accounts.models import Profile
from motcua.audit.models import AuditEvent
from motcua.dossiers.models import DossierEvent
from motcua.payments.gateways.vnpay import sign
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.testing.world import build_world, gateway_payment, payment_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _look(page, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        screenshot(page, f"vnpay-{name}-{width}")


def test_a_citizen_pays_through_the_gateway_and_comes_back_to_a_paid_dossier(
    live_server, page, vnpay_standin
):
    world = build_world()
    request = payment_request(world, amount_vnd=125_000)
    # The applicant signed in with the national identity: counter dossiers with her ID are hers.
    Profile.objects.create(user=world.citizen, citizen_id="001190012345", identity_verified_at=timezone.now())
    vnpay_standin.ipn_url = f"{live_server.url}/thanh-toan/vnpay/ipn"
    _sign_in(page.context, live_server, world.citizen)

    page.goto(f"{live_server.url}/ho-so-cua-toi/{request.dossier.code}/thanh-toan/")
    page.get_by_role("button", name=re.compile("qua VNPay")).click()
    page.wait_for_url(
        re.compile(re.escape(vnpay_standin.url) + r"/paymentv2/vpcpay\.html\?.*vnp_SecureHash=")
    )
    assert page.get_by_text("125.000 đ").is_visible()
    _look(page, "standin-page")

    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/thanh-toan/vnpay/ket-qua\?"))
    assert page.get_by_role("status").inner_text().startswith("Đã nộp thành công 125.000 đ")
    _look(page, "paid")

    payment = Payment.objects.get(request=request)
    assert (payment.state, payment.paid_online, payment.method) == ("success", 2, "gateway")
    assert PaymentRequest.objects.get(pk=request.pk).state == PaymentRequest.State.PAID
    assert vnpay_standin.transactions[payment.txn_ref].ipn_replies == [
        {"RspCode": "00", "Message": "Confirm Success"}
    ]
    event = DossierEvent.objects.get(dossier=request.dossier, action="record-payment")
    assert event.data == {"method": "gateway", "amount_vnd": 125_000, "paid_online": 2}


def _open(url: str) -> None:
    """The citizen's browser reaching the gateway's page (the stand-in records the order)."""
    with urlopen(url, timeout=5):  # noqa: S310 — the stand-in on loopback
        pass


def _delivered(standin, payment, params):
    """An IPN delivered to the live server as the gateway delivers it (GET, its headers): the answer."""
    return standin.send_ipn(standin.transactions[payment.txn_ref], params)


def test_replayed_forged_one_dong_off_and_unknown_ipns_are_answered_and_record_nothing_more(
    live_server, vnpay_standin
):
    world = build_world()
    vnpay_standin.ipn_url = f"{live_server.url}/thanh-toan/vnpay/ipn"
    payment, url = gateway_payment(world, amount_vnd=50_000)
    _open(url)
    result = vnpay_standin.choose(payment.txn_ref, "success")
    assert vnpay_standin.transactions[payment.txn_ref].ipn_replies[-1]["RspCode"] == "00"

    assert _delivered(vnpay_standin, payment, result)["RspCode"] == "02"  # replayed: already confirmed

    other, other_url = gateway_payment(world, amount_vnd=50_000)
    _open(other_url)  # the citizen is on the gateway's page: `other` is pending
    genuine = {**result, "vnp_TxnRef": other.txn_ref}
    genuine["vnp_SecureHash"] = sign(vnpay_standin.secret, genuine)

    forged = {**genuine, "vnp_Amount": "5000100"}  # changed in transit, signature kept
    assert _delivered(vnpay_standin, other, forged) == {"RspCode": "97", "Message": "Invalid signature"}
    assert AuditEvent.objects.filter(action="payment.bad_signature", object_id=other.txn_ref).count() == 1

    one_dong = {**genuine, "vnp_Amount": "5000100"}
    one_dong["vnp_SecureHash"] = sign(vnpay_standin.secret, one_dong)  # signed, but 50.001 đ
    assert _delivered(vnpay_standin, other, one_dong) == {"RspCode": "04", "Message": "invalid amount"}
    assert AuditEvent.objects.filter(action="payment.wrong_amount").count() == 1

    unknown = {**genuine, "vnp_TxnRef": "261206FFFFFFFFFF"}
    unknown["vnp_SecureHash"] = sign(vnpay_standin.secret, unknown)
    assert _delivered(vnpay_standin, other, unknown)["RspCode"] == "01"

    other.refresh_from_db()
    assert other.state == Payment.State.STARTED
    assert Payment.objects.filter(state=Payment.State.SUCCESS).count() == 1
    assert DossierEvent.objects.filter(action="record-payment").count() == 1

    assert _delivered(vnpay_standin, other, genuine)["RspCode"] == "00"  # the genuine one still counts
    other.refresh_from_db()
    assert other.state == Payment.State.SUCCESS
