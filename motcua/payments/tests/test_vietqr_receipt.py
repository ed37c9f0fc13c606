"""The VietQR code read back from its picture (zxing-cpp), field by field and its CRC; the
e-receipt PDF's text (pypdf) and its number series."""

import binascii
import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from conftest import SCREENSHOTS
from motcua.dossiers.models import Dossier
from motcua.payments import vietqr
from motcua.payments.receipts import amount_in_words, receipt_pdf
from motcua.payments.services import payment_record_counter

ACCOUNT = vietqr.Account(bin="970436", number="0011001234567", holder="UBND XA AN BINH")


def read_back(png: bytes) -> str:
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def test_the_vietqr_payload_reads_back_with_every_field_and_a_valid_crc():
    text = read_back(
        vietqr.qr_png(
            vietqr.payload(ACCOUNT, amount_vnd=150_000, content="000.01.31.H99-260302-0001 Nguyễn Thị Hoa")
        )
    )
    fields = vietqr.parse(text)
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert (fields["00"], fields["01"], fields["53"], fields["54"], fields["58"]) == (
        "01",
        "12",
        "704",
        "150000",
        "VN",
    )
    merchant = vietqr.parse(fields["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert vietqr.parse(merchant["01"]) == {"00": "970436", "01": "0011001234567"}
    assert vietqr.parse(fields["62"]) == {"08": "000.01.31.H99-260302-0001 NGUYEN THI HOA"}
    # CRC-16/CCITT-FALSE over everything up to and including "6304".
    assert text[-8:-4] == "6304"
    assert fields["63"] == f"{binascii.crc_hqx(text[:-4].encode(), 0xFFFF):04X}"


def test_the_crc_is_the_standard_check_value():
    # CRC-16/CCITT-FALSE of "123456789" is 0x29B1 (the catalogue's check value).
    assert vietqr.crc16("123456789") == "29B1"


def test_a_bad_bin_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        vietqr.payload(vietqr.Account("9704", "1", "X"), amount_vnd=1, content="x")


def test_accounts_per_agency_with_a_default(settings):
    settings.PAYMENT_ACCOUNTS = "*=970415:111:KHO BAC,000.00.31.H99=970436:222:UBND XA A"
    assert vietqr.account_for("000.00.31.H99").number == "222"
    assert vietqr.account_for("000.00.99.H99").number == "111"


def test_the_amount_in_words():
    assert amount_in_words(100_000) == "Một trăm nghìn đồng"
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"


def test_the_receipt_pdf_carries_the_fields_of_a_receipt(world, frozen, asked):
    d = Dossier.objects.get(pk=asked.dossier_id)
    payment = payment_record_counter(
        actor=world.receptionist,
        request=asked,
        method="cash",
        receipt_number="BL-77",
        expected_version=d.version,
    )
    pdf = receipt_pdf(payment.receipt)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Ký hiệu mẫu biên lai: 01BLP0-001",
        "Ký hiệu biên lai: BL-26E",
        "Số: 0000001",
        "Ngày 02 tháng 03 năm 2026",
        d.handling_agency.name.upper(),
        "Tên người nộp tiền: Nguyễn Thị Hoa",
        "Lệ phí đăng ký",
        "100.000 đ",
        "Một trăm nghìn đồng",
        "Tiền mặt tại quầy",
        d.code,
    ):
        assert expected in text, expected
    # Made electronically but not signed (README, "What was verified"): it does not say it is.
    assert "Biên lai được lập điện tử" in text and "Ký điện tử" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    # Kept to look at (pdftoppm -r 110 -png var/screenshots/payments-receipt.pdf …).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "payments-receipt.pdf").write_bytes(pdf)
