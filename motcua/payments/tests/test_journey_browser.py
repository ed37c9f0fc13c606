"""Issue 12 §4, end to end in Debian's Chromium against a live server, after the merge of payments,
the gateway, signing and post:

1. the specialist asks for payment on an online dossier of the citizen's; she pays it through the
   VNPay stand-in on loopback (redirect → the stand-in's page → its IPN to our live server → the
   return page says paid); the leader approves with the result PDF (his key signs it), the counter
   finishes it (the agency's seal signs it); the signed e-result is in "Hồ sơ của tôi", she
   downloads it (pdfsig: two valid signatures of the test CA) and verifies it at /xac-thuc/;
2. a second dossier is paid by a VietQR transfer: the citizen's page shows the code (read back from
   the browser's picture), the counter officer confirms the transfer in the browser.

axe-core on every page visited (no serious or critical violation); the pay page, the return page,
the e-result in "Hồ sơ của tôi" and the verification answer at 390 and 1280 px (var/screenshots/).
Time is not frozen: the stand-in stamps its transactions with the real clock and the live server
checks them against its own.
"""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from conftest import axe_violations, screenshot
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import build_world
from motcua.payments import vietqr
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.services import payment_request_create
from motcua.payments.tests.conftest import online_processing, priced
from motcua.signing import signatures
from motcua.signing.models import EResult
from motcua.signing.tests import conftest as signing
from motcua.signing.tests.test_journey_browser import approved_by_browser, finished_by_browser, sign_in
from motcua.workcalendar.calendar import VN_TZ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The signing tests' fixtures, used here by name: the test CA, the agency's leader and seal keys
# registered through the service, an NSS database trusting the CA (for pdfsig).
test_pki, signing_world, nss_db = signing.test_pki, signing.signing_world, signing.nss_db
LEADER = "Trịnh Văn Lãnh"  # the dossier tests' leader of commune A


def look(page, name: str) -> None:
    """axe-core and no sideways scrolling at 390 and 1280 px, a screenshot at each (looked at)."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{name} at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} at {width} px"
        screenshot(page, f"journey12-{name}-{width}")


def as_user(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page.context, live_server, user)


def test_paid_through_the_gateway_approved_signed_downloaded_and_verified(
    signing_world, nss_db, vnpay_standin, live_server, page, tmp_path
):
    sw = signing_world
    base = live_server.url
    priced(sw.world)
    dossier = online_processing(sw.world)  # submitted online by the citizen, received, at the specialist
    vnpay_standin.ipn_url = f"{base}/thanh-toan/vnpay/ipn"

    # The specialist who holds the dossier asks for the fee from its payment page.
    as_user(page, live_server, sw.specialist)
    page.goto(f"{base}/thu-phi/{dossier.code}/")
    assert axe_violations(page) == [], "staff payment page"
    page.get_by_role("button", name="Gửi yêu cầu nộp phí, lệ phí").click()
    page.get_by_text(f"Đã yêu cầu nộp 100.000 đ cho hồ sơ {dossier.code}.").wait_for()
    assert axe_violations(page) == [], "staff payment page, asked"
    request = PaymentRequest.objects.get(dossier=dossier)
    assert (request.state, request.total_vnd) == (PaymentRequest.State.OPEN, 100_000)

    # The citizen: her dossier → the pay page → VNPay's (stand-in) page → paid → back to us.
    as_user(page, live_server, sw.citizen)
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    assert axe_violations(page) == [], "citizen dossier page, payment asked"
    page.get_by_role("link", name="Nộp phí, lệ phí").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/thanh-toan/")
    look(page, "pay")
    page.get_by_role("button", name="Thanh toán 100.000 đ qua VNPay").click()
    page.wait_for_url(re.compile(re.escape(vnpay_standin.url) + r"/paymentv2/vpcpay\.html\?"))
    assert page.get_by_text("100.000 đ").is_visible()
    assert axe_violations(page) == [], "stand-in gateway page"
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/thanh-toan/vnpay/ket-qua\?"))
    status = page.get_by_role("status").inner_text()
    assert status.startswith(f"Đã nộp thành công 100.000 đ cho hồ sơ {dossier.code}."), status
    look(page, "paid")

    payment = Payment.objects.get(request=request)
    assert (payment.state, payment.method, payment.paid_online) == ("success", "gateway", 2)
    assert vnpay_standin.transactions[payment.txn_ref].ipn_replies == [
        {"RspCode": "00", "Message": "Confirm Success"}
    ]
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.PROCESSING  # back with the specialist, paid

    # The specialist sends it on to the leader; the leader approves with the result PDF (his key
    # signs it) and the counter finishes it (the agency's seal signs it), in the browser.
    dossier = services.dossier_forward(
        actor=sw.specialist, dossier=dossier, expected_version=dossier.version, officer=sw.leader
    )
    attached = tmp_path / "giay-chung-nhan-ket-hon.pdf"
    attached.write_bytes(signing.result_pdf_bytes())
    page.context.clear_cookies()
    approved_by_browser(page, live_server, sw.leader, dossier, attached)
    assert axe_violations(page) == [], "back office, approved"
    finished_by_browser(page, live_server, sw.receptionist, dossier)
    assert axe_violations(page) == [], "back office, finished"
    result = EResult.objects.get(dossier=dossier)
    assert result.issued_at is not None and result.seal_id == sw.seal.pk

    # "Hồ sơ của tôi": the dossier is there with its e-result; she downloads it.
    as_user(page, live_server, sw.citizen)
    page.goto(f"{base}/ho-so-cua-toi/")
    assert page.locator(".mine-table tr", has_text=dossier.code).count() == 1
    assert axe_violations(page) == [], "Hồ sơ của tôi"
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    section = page.get_by_role("region", name="Kết quả điện tử")
    link = section.get_by_role(
        "link", name=re.compile(r"^Tải về .*\(mã " + re.escape(result.code) + r", PDF\)$")
    )
    section.scroll_into_view_if_needed()
    look(page, "e-result")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{result.code}.pdf" and saved.read_bytes().startswith(b"%PDF-")
    report = signing.pdfsig(saved, nss_db)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert f"Signer Certificate Common Name: {LEADER}" in report, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 2, report
    assert signatures.verify(saved.read_bytes()).verdict == "valid"

    # /xac-thuc/ with the downloaded file: valid, signed by whom, when.
    section.get_by_role("link", name="Xác thực kết quả điện tử").click()
    page.wait_for_url("**/xac-thuc/")
    assert axe_violations(page) == [], "verification page"
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(saved))
    page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    page.get_by_role("status").filter(has_text="Văn bản hợp lệ").wait_for()
    answer = page.get_by_role("region", name="Kết quả kiểm tra")
    signers = answer.locator(".signature-list > li")
    assert signers.count() == 2
    assert LEADER in signers.nth(0).inner_text()
    assert sw.tree.commune_a.name in signers.nth(1).inner_text()
    issued_on = result.issued_at.astimezone(VN_TZ).strftime("%d/%m/%Y")  # signed the same day
    for i in range(2):
        when = signers.nth(i).locator("time").inner_text()
        assert re.fullmatch(r"\d\d:\d\d ngày " + re.escape(issued_on), when), when
    assert answer.get_by_text(result.code).is_visible()
    look(page, "verified")


def qr_text(figure) -> str:
    """The text of the VietQR code the browser drew (its picture, read back by zxing-cpp)."""
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(figure.screenshot())))
    return found.text


def test_a_second_dossier_paid_by_vietqr_transfer_confirmed_by_the_officer(live_server, page):
    world = build_world()
    priced(world)
    first = online_processing(world)
    dossier = online_processing(world)  # her second dossier
    payment_request_create(actor=world.specialist, dossier=first, expected_version=first.version)
    payment_request_create(actor=world.specialist, dossier=dossier, expected_version=dossier.version)
    base = live_server.url

    # The citizen sees the VietQR code of the second dossier: the agency's account, 100.000 đ, the
    # dossier's code in the content.
    as_user(page, live_server, world.citizen)
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/thanh-toan/")
    figure = page.get_by_role(
        "img", name=re.compile(r"^Mã VietQR chuyển khoản 100\.000 đ vào tài khoản \d+$")
    )
    account = figure.get_attribute("aria-label").rsplit(" ", 1)[1]
    figure.scroll_into_view_if_needed()
    fields = vietqr.parse(qr_text(figure))
    assert fields["54"] == "100000" and fields["53"] == "704"
    assert account in fields["38"]
    assert dossier.code in vietqr.parse(fields["62"])["08"]
    assert axe_violations(page) == [], "pay page with the VietQR code"

    # The officer at the counter sees the money on the account and confirms the transfer.
    as_user(page, live_server, world.receptionist)
    page.goto(f"{base}/thu-phi/{dossier.code}/")
    page.get_by_label("Chuyển khoản (đã thấy tiền về tài khoản)").check()
    page.get_by_label("Số biên lai, hóa đơn thẻ hoặc mã giao dịch ngân hàng").fill("FT26340998877")
    page.get_by_role("button", name="Ghi nhận đã nộp 100.000 đ").click()
    page.get_by_text("Đã ghi nhận nộp 100.000 đ, hình thức: Chuyển khoản (VietQR)").wait_for()
    assert axe_violations(page) == [], "staff payment page, transfer confirmed"

    payment = Payment.objects.get(request__dossier=dossier)
    assert (payment.method, payment.receipt_number, payment.state) == ("transfer", "FT26340998877", "success")
    assert PaymentRequest.objects.get(dossier=dossier).state == PaymentRequest.State.PAID
    assert PaymentRequest.objects.get(dossier=first).state == PaymentRequest.State.OPEN  # the other untouched

    # The citizen's page now says paid, with the transfer listed.
    as_user(page, live_server, world.citizen)
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/thanh-toan/")
    assert page.get_by_role("button", name=re.compile("qua VNPay")).count() == 0
    paid = page.get_by_role("region", name="Các lần thanh toán").inner_text()
    assert "Chuyển khoản (VietQR)" in paid and "100.000 đ" in paid, paid
    assert axe_violations(page) == [], "pay page, paid by transfer"
    screenshot(page, "journey12-transfer-paid-1280")
