"""The payment pages in headless Chromium, at 390 px and 1280 px, axe-core on each page (no
"serious" or "critical" violation):

- the citizen pays an online dossier through the VNPay stand-in (redirect, the stand-in's button,
  its IPN to our live server, the return page), then downloads the e-receipt;
- the counter officer confirms a VietQR transfer on another dossier, with the keyboard.

One journey per test: a browser test's database is emptied after it.
"""

import pytest

from conftest import axe_violations, screenshot
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import build_world
from motcua.dossiers.tests.test_counter_browser import sign_in
from motcua.payments.models import Payment
from motcua.payments.services import payment_request_create
from motcua.payments.tests.conftest import online_processing, priced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def asked_dossier(world) -> Dossier:
    d = online_processing(world)
    payment_request_create(actor=world.specialist, dossier=d, expected_version=d.version)
    return Dossier.objects.get(pk=d.pk)


def fits(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_the_citizen_pays_through_the_gateway_stand_in(live_server, page, vnpay_standin):
    world = build_world()
    priced(world)
    d = asked_dossier(world)
    vnpay_standin.ipn_url = f"{live_server.url}/thanh-toan/vnpay/ipn"
    sign_in(page.context, live_server, world.citizen)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/ho-so-cua-toi/{d.code}/")
    page.get_by_role("link", name="Nộp phí, lệ phí").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{d.code}/thanh-toan/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nộp phí, lệ phí"
    assert page.get_by_role(
        "img", name="Mã VietQR chuyển khoản 100.000 đ vào tài khoản 113366668888"
    ).is_visible()
    fits(page, 390)
    assert axe_violations(page) == []
    screenshot(page, "payments-citizen-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert axe_violations(page) == []
    screenshot(page, "payments-citizen-1280")

    page.get_by_role("button", name="Thanh toán 100.000 đ qua VNPay").click()
    page.wait_for_url(f"{vnpay_standin.url}/paymentv2/vpcpay.html*")
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_url("**/thanh-toan/vnpay/ket-qua?*")
    assert "Đã nộp thành công 100.000 đ" in page.content()
    payment = Payment.objects.get()
    assert payment.state == "success" and payment.paid_online == 2
    (txn,) = vnpay_standin.transactions.values()
    assert txn.ipn_replies == [{"RspCode": "00", "Message": "Confirm Success"}]
    assert axe_violations(page) == []
    screenshot(page, "payments-result-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page, 390)
    screenshot(page, "payments-result-390")

    href = page.get_by_role("link", name="Tải biên lai điện tử (PDF)").get_attribute("href")
    pdf = page.request.get(live_server.url + href)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    d.refresh_from_db()
    assert d.state == Dossier.State.PROCESSING


def test_the_counter_confirms_a_transfer_with_the_keyboard(live_server, page):
    world = build_world()
    priced(world)
    d = asked_dossier(world)
    sign_in(page.context, live_server, world.receptionist)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/thu-phi/{d.code}/")
    assert axe_violations(page) == []
    screenshot(page, "payments-staff-1280")
    # Without a reference: told, nothing recorded.
    page.get_by_role("button", name="Ghi nhận đã nộp 100.000 đ").click()
    page.wait_for_selector(".alert-error, .error")
    assert "Vui lòng chọn hình thức nộp." in page.content()
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    fits(page, 390)
    screenshot(page, "payments-staff-error-390")
    page.get_by_label("Chuyển khoản (đã thấy tiền về tài khoản)").focus()
    page.keyboard.press("Space")
    page.get_by_label("Số biên lai, hóa đơn thẻ hoặc mã giao dịch ngân hàng").focus()
    page.keyboard.type("FT26060212345")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success")
    assert (
        "Đã ghi nhận nộp 100.000 đ, hình thức: Chuyển khoản (VietQR); biên lai số 0000001." in page.content()
    )
    assert axe_violations(page) == []
    screenshot(page, "payments-staff-done-390")
    payment = Payment.objects.get()
    assert (payment.method, payment.receipt_number, payment.paid_online) == ("transfer", "FT26060212345", 0)
