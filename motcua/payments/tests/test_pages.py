"""The officer's page (/thu-phi/<code>/) and the citizen's (/ho-so-cua-toi/<code>/thanh-toan/):
who sees what, the forms with their Vietnamese errors, the inbox's overdue requests."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.tests.conftest import online_processing, vn_time


def staff_url(code: str, tail: str = "") -> str:
    return f"/thu-phi/{code}/{tail}"


def test_the_holder_asks_with_a_reduction_and_its_ground(client, world, frozen):
    d = online_processing(world)
    client.force_login(world.specialist)
    page = client.get(staff_url(d.code)).content.decode()
    assert "Lệ phí đăng ký: <strong>100.000 đ</strong>" in page
    missing_ground = client.post(
        staff_url(d.code, "yeu-cau/"), {"version": d.version, "reduction_0": "50000"}
    )
    assert missing_ground.status_code == 400
    assert "Ghi căn cứ miễn, giảm của khoản “Lệ phí đăng ký”" in missing_ground.content.decode()
    bad_number = client.post(staff_url(d.code, "yeu-cau/"), {"version": d.version, "reduction_0": "năm chục"})
    assert "Nhập số tiền bằng chữ số (đồng), ví dụ 50000." in bad_number.content.decode()
    done = client.post(
        staff_url(d.code, "yeu-cau/"),
        {"version": d.version, "reduction_0": "50000", "ground_0": "Hộ nghèo", "due_by": "2026-03-10"},
    )
    assert done.status_code == 302
    req = PaymentRequest.objects.get()
    assert (req.total_vnd, req.lines[0]["ground"]) == (50_000, "Hộ nghèo")
    assert req.due_by == vn_time(2026, 3, 10, 23, 59) + timedelta(seconds=59)


def test_a_stale_page_is_told_to_reload(client, world, frozen):
    d = online_processing(world)
    client.force_login(world.specialist)
    response = client.post(staff_url(d.code, "yeu-cau/"), {"version": d.version - 1})
    assert response.status_code == 409
    assert "Vui lòng tải lại trang" in response.content.decode()
    assert not PaymentRequest.objects.exists()


def test_an_officer_of_another_commune_gets_the_404_page(client, world, frozen, asked):
    client.force_login(world.outsider)
    assert client.get(staff_url(asked.dossier.code)).status_code == 404


def test_the_counter_takes_cash_and_the_receipt_downloads(client, world, frozen, asked):
    d = Dossier.objects.get(pk=asked.dossier_id)
    client.force_login(world.receptionist)
    page = client.get(staff_url(d.code)).content.decode()
    assert "Ghi nhận đã nộp 100.000 đ" in page and "<svg" in page  # the VietQR for a transfer
    empty = client.post(
        staff_url(d.code, "thu/"), {"version": d.version, "method": "cash", "receipt_number": ""}
    )
    assert (
        empty.status_code == 400
        and "Vui lòng nhập số biên lai hoặc số hóa đơn thẻ." in empty.content.decode()
    )
    done = client.post(
        staff_url(d.code, "thu/"), {"version": d.version, "method": "cash", "receipt_number": "BL-5"}
    )
    assert done.status_code == 302
    after = client.get(staff_url(d.code)).content.decode()
    assert "Đã ghi nhận nộp 100.000 đ, hình thức: Tiền mặt tại quầy; biên lai số 0000001." in after
    pdf = client.get(staff_url(d.code, "bien-lai-1.pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_citizen_sees_the_ways_to_pay_and_is_sent_to_the_gateway(
    client, world, frozen, asked, vnpay_standin
):
    client.force_login(world.citizen)
    listed = client.get("/ho-so-cua-toi/").content.decode()  # "Cần làm" leads to the payment page
    pay_page = f"/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/"
    pay_link = f'<a href="{pay_page}"><strong>Nộp phí, lệ phí</strong></a>'
    assert pay_link in listed
    detail = client.get(f"/ho-so-cua-toi/{asked.dossier.code}/").content.decode()
    assert f'href="/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/"' in detail
    page = client.get(f"/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/").content.decode()
    for text in ("Số tiền phải nộp", "Thanh toán 100.000 đ qua VNPay", "Chuyển khoản bằng mã VietQR", "<svg"):
        assert text in page
    response = client.post(f"/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}" == vnpay_standin.url
    params = dict(parse_qsl(url.query))
    payment = Payment.objects.get()
    assert (params["vnp_TxnRef"], params["vnp_Amount"]) == (payment.txn_ref, "10000000")
    assert params["vnp_ReturnUrl"] == "http://testserver/thanh-toan/vnpay/ket-qua"
    assert vnpay_standin.check_order(params) is None  # the stand-in accepts the signed order


def test_another_citizen_cannot_see_or_pay(client, world, frozen, asked, django_user_model):
    stranger = django_user_model.objects.create_user(
        username="nguoi_khac", password="x-" * 10, kind="citizen"
    )
    client.force_login(stranger)
    assert client.get(f"/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/").status_code == 404
    assert client.post(f"/ho-so-cua-toi/{asked.dossier.code}/thanh-toan/").status_code == 404
    assert not Payment.objects.exists()


def test_an_unpaid_request_past_its_date_shows_in_the_inbox_with_its_lateness(client, world, frozen, asked):
    client.force_login(world.specialist)
    frozen.shift(asked.due_by - asked.requested_at + timedelta(days=2, hours=3))
    page = client.get("/xu-ly/", {"scope": "agency", "bucket": "payment"}).content.decode()
    assert asked.dossier.code in page
    assert "Chưa nộp phí, quá hạn 2 ngày 3 giờ" in page
