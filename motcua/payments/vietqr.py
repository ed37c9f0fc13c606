"""The VietQR code of a bank transfer: the NAPAS payload (EMVCo Merchant-Presented QR) naming
the collecting agency's account, the amount and the transfer's content, and its picture.

The payload is a sequence of TLV fields (two-digit id, two-digit length, value), ending with the
CRC field ``63`` whose value is the CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of
everything before it, the "6304" included, in four upper-case hex digits:

    00 "01"                    payload format indicator
    01 "12"                    point of initiation: dynamic (one amount, one payment)
    38 …                       merchant account (NAPAS):
        00 "A000000727"          NAPAS's application id
        01 …                     beneficiary: 00 bank BIN (6 digits), 01 account number
        02 "QRIBFTTA"            service: transfer to an account
    53 "704"                   currency: đồng
    54 "150000"                amount
    58 "VN"                    country
    62 … 08 "<content>"        additional data: purpose of the transfer (ASCII)
    63 "ABCD"                  CRC

The accounts come from ``settings.PAYMENT_ACCOUNTS`` ("*=BIN:account:holder,<agency code>=…").
"""

from __future__ import annotations

import binascii
import io
import re
import unicodedata
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
MAX_CONTENT = 50


@dataclass(frozen=True)
class Account:
    bin: str  # the bank's 6-digit NAPAS BIN (970415 VietinBank, 970436 Vietcombank …)
    number: str
    holder: str


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"EMVCo tag must be two digits: {tag!r}")
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data`` as four upper-case hex digits."""
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def transfer_content(text: str) -> str:
    """What a bank accepts in the transfer's content: ASCII letters, digits, spaces, dots and
    dashes, without Vietnamese marks ("Hồ sơ" → "Ho so"), at most ``MAX_CONTENT`` characters."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    ascii_text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    kept = re.sub(r"[^A-Z0-9 .\-]", " ", ascii_text.upper())
    return " ".join(kept.split())[:MAX_CONTENT].strip()


def payload(account: Account, *, amount_vnd: int, content: str) -> str:
    """The VietQR payload of a transfer of ``amount_vnd`` to ``account`` with ``content``."""
    if not (account.bin.isdigit() and len(account.bin) == 6):
        raise ImproperlyConfigured(f"PAYMENT_ACCOUNTS: mã BIN ngân hàng phải gồm 6 chữ số ({account.bin!r}).")
    beneficiary = tlv("00", account.bin) + tlv("01", account.number)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(amount_vnd))
        + tlv("58", "VN")
        + tlv("62", tlv("08", transfer_content(content)))
        + "6304"
    )
    return body + crc16(body)


def parse(text: str) -> dict[str, str]:
    """The top-level fields of an EMVCo payload ({tag: value}); nested fields parse the same way."""
    fields, i = {}, 0
    while i < len(text):
        tag, length = text[i : i + 2], int(text[i + 2 : i + 4])
        fields[tag] = text[i + 4 : i + 4 + length]
        i += 4 + length
    return fields


def accounts() -> dict[str, Account]:
    found = {}
    for item in str(settings.PAYMENT_ACCOUNTS).split(","):
        if not item.strip():
            continue
        key, _, value = item.partition("=")
        parts = value.split(":", 2)
        if len(parts) != 3:
            raise ImproperlyConfigured(
                "PAYMENT_ACCOUNTS: mỗi mục có dạng <mã cơ quan>=<BIN>:<số tài khoản>:<chủ tài khoản>."
            )
        found[key.strip()] = Account(*(p.strip() for p in parts))
    return found


def account_for(agency_code: str) -> Account | None:
    known = accounts()
    return known.get(agency_code) or known.get("*")


def _qr(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    _qr(data).make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
