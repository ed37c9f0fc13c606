"""The staff second factor: a TOTP authenticator (django-otp and its TOTP plugin).

Required (``STAFF_OTP_REQUIRED``, on whenever DEBUG is off) for superusers and for officers who
hold an active membership in one of ``STAFF_OTP_ROLES`` (by default leader, centre director,
administrator). After the password, such an officer is sent to one step
(``motcua.accounts.middleware``): enrol an authenticator (a QR code drawn here, on the server)
when they have none, else type its 6-digit code. A lost phone is recovered by an administrator
(``staff_otp_reset``: the admin's action or ``manage.py staff_otp_reset``), after which the
officer enrols again. API bearer tokens are not concerned: an integration has no phone.

django-otp itself keeps the device's key, refuses a code used twice, and slows down wrong codes
(each failure doubles the wait before the next try is compared).
"""

import base64
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import AnyUser, User
from motcua.audit.services import audit_record
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput
from motcua.org.models import Membership

DEVICE_NAME = "Ứng dụng xác thực"


def staff_otp_applies(user: AnyUser) -> bool:
    """Whether ``user``'s roles call for the second factor (whatever the setting says)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind != User.Kind.STAFF:
        return False
    return Membership.objects.filter(user=user, active=True, role__in=settings.STAFF_OTP_ROLES).exists()


def staff_otp_required(user: AnyUser) -> bool:
    """Whether ``user`` must pass the second factor now (the setting on and their roles call for it)."""
    return bool(settings.STAFF_OTP_REQUIRED) and staff_otp_applies(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The device being enrolled (not yet confirmed): the same one on every visit until it is."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def otpauth_uri(device: TOTPDevice) -> str:
    """``otpauth://totp/…`` with the issuer (OTP_TOTP_ISSUER) and the user name: what the QR holds."""
    return str(device.config_url)


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an SVG document drawn here (no external service sees the secret)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _token(value: str) -> str:
    token = "".join((value or "").split())
    if not token.isdigit() or len(token) != 6:
        raise InvalidInput(
            "Nhập mã gồm 6 chữ số hiển thị trên ứng dụng xác thực.", details={"field": "token"}
        )
    return token


def staff_otp_enrol(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code it shows; the session is verified."""
    token = _token(token)
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput("Thiết bị không hợp lệ. Vui lòng tải lại trang.")
    if not device.verify_token(token):
        raise InvalidInput(
            "Mã không đúng. Kiểm tra giờ trên điện thoại và nhập mã đang hiển thị.",
            details={"field": "token"},
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        audit_record(action="accounts.otp_enrol", actor=user, obj=user, ip=client_ip(request))
    otp_login(request, device)
    return device


def staff_otp_verify(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    """Check the code of the user's authenticator after the password; the session is verified."""
    token = _token(token)
    device = confirmed_device(user)
    if device is None:
        raise InvalidInput("Tài khoản chưa đăng ký ứng dụng xác thực.")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise InvalidInput(
            "Bạn đã nhập sai nhiều lần. Vui lòng chờ ít phút rồi thử lại.",
            code="throttled",
            details={"field": "token"},
        )
    if not device.verify_token(token):
        audit_record(action="accounts.otp_failed", actor=user, obj=user, ip=client_ip(request))
        raise InvalidInput("Mã xác thực không đúng hoặc đã được dùng.", details={"field": "token"})
    otp_login(request, device)
    audit_record(action="accounts.otp_verified", actor=user, obj=user, ip=client_ip(request))
    return device


def staff_otp_reset(*, user: User, actor: AnyUser | None = None, ip: str | None = None) -> int:
    """An administrator's recovery: remove the user's authenticators (they enrol a new one at their
    next sign-in). Returns how many were removed."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(action="accounts.otp_reset", actor=actor, obj=user, extra={"devices": removed}, ip=ip)
    return removed


@dataclass
class Enrolment:
    username: str
    secret: str
    uri: str


def staff_otp_demo_enrolments() -> list[Enrolment]:
    """The demo's accounts that need the second factor, each with a confirmed device (made once),
    so that the demo can print what an authenticator app needs (``manage.py demo_load``)."""
    users = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                kind=User.Kind.STAFF, memberships__active=True, memberships__role__in=settings.STAFF_OTP_ROLES
            )
        )
        .distinct()
        .order_by("username")
    )
    enrolments = []
    for user in users:
        device = confirmed_device(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        enrolments.append(Enrolment(user.username, secret_base32(device), otpauth_uri(device)))
    return enrolments
