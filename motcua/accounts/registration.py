"""Local accounts for citizens and organisations without the national identity: sign up with a
phone number and a password, the number proved by a one-time code sent by SMS; a forgotten
password reset by such a code too.

- The account's user name is the phone number in its national form (``0912345678``); it signs in
  on the ordinary sign-in page (``motcua.accounts.views``), guarded by django-axes like any other.
- The code (6 digits) is kept only as an HMAC (``PhoneCode``), expires after
  ``PHONE_CODE_MINUTES``, allows ``PHONE_CODE_MAX_TRIES`` tries, and may be sent again after
  ``PHONE_CODE_RESEND_SECONDS`` (a new code; the old one no longer works).
- Messages are throttled per number and per client address (``PHONE_CODE_PER_PHONE_LIMIT``,
  ``PHONE_CODE_PER_ADDRESS_LIMIT`` per ``PHONE_CODE_WINDOW_MINUTES``), counted in the shared
  cache so that every process counts together (``motcua.lib.counters``).
- Nothing here tells a visitor whether a number has an account: signing up with a number that
  has one sends that number a message saying so (instead of a code), and a reset asked for a
  number without an account goes to the same page, where no code will ever match.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from motcua.accounts.models import PhoneCode, Profile, User
from motcua.audit.services import audit_record
from motcua.lib.counters import WindowCounter, incr_counters
from motcua.lib.errors import Conflict, DomainError, InvalidInput, NotFound
from motcua.lib.identifiers import clean_phone
from motcua.notifications.services import outbox_enqueue_to

CODE_DIGITS = 6
HMAC_SALT = "motcua.accounts.phone_code"
UNKNOWN_ADDRESS = "unknown"
LOCAL_KINDS = (User.Kind.CITIZEN, User.Kind.ORGANISATION)

# Written with diacritics; the SMS channel strips them where the gateway asks (notifications).
REGISTER_SMS = (
    "{site}: mã xác thực đăng ký tài khoản của bạn là {code}, có hiệu lực {minutes} phút. "
    "Không cung cấp mã này cho bất kỳ ai."
)
REGISTER_EXISTS_SMS = (
    "{site}: số điện thoại này đã có tài khoản. Nếu quên mật khẩu, hãy chọn “Quên mật khẩu” ở trang "
    "đăng nhập. Nếu bạn không yêu cầu, hãy bỏ qua tin nhắn này."
)
RESET_SMS = (
    "{site}: mã đặt lại mật khẩu của bạn là {code}, có hiệu lực {minutes} phút. "
    "Không cung cấp mã này cho bất kỳ ai."
)
GONE_MESSAGE = "Yêu cầu xác thực không tồn tại hoặc đã hết hiệu lực. Vui lòng bắt đầu lại."


class Throttled(DomainError):
    """Too many messages or tries: ``retry_after`` seconds until it may be tried again."""

    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


@dataclass
class RegistrationData:
    kind: str
    full_name: str
    phone: str
    password: str


def _per_phone() -> WindowCounter:
    return WindowCounter("phonecode-phone", settings.PHONE_CODE_WINDOW_MINUTES * 60)


def _per_address() -> WindowCounter:
    return WindowCounter("phonecode-ip", settings.PHONE_CODE_WINDOW_MINUTES * 60)


def _code_hash(row: PhoneCode, code: str) -> str:
    return salted_hmac(HMAC_SALT, f"{row.pk}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _wait_text(seconds: int) -> str:
    if seconds <= 60:
        return f"{seconds} giây"
    return f"{(seconds + 59) // 60} phút"


def _take_send(phone: str, ip: str | None, now: datetime) -> None:
    """Count one message to ``phone`` asked from ``ip``; Throttled (and not counted) beyond a limit."""
    address = ip or UNKNOWN_ADDRESS
    by_phone, by_address = _per_phone(), _per_address()
    n_phone, n_address = incr_counters({(by_phone, phone): 1, (by_address, address): 1}, now)
    if n_phone <= settings.PHONE_CODE_PER_PHONE_LIMIT and n_address <= settings.PHONE_CODE_PER_ADDRESS_LIMIT:
        return
    incr_counters({(by_phone, phone): -1, (by_address, address): -1}, now)
    until = by_phone.ends_at(now)
    retry_after = max(1, int((until - now).total_seconds()))
    if n_phone > settings.PHONE_CODE_PER_PHONE_LIMIT:
        message = (
            "Số điện thoại này đã được gửi quá nhiều mã xác thực. "
            f"Vui lòng thử lại sau {_wait_text(retry_after)}."
        )
        subject = ("phone", phone)
    else:
        message = (
            "Có quá nhiều yêu cầu gửi mã từ địa chỉ mạng này. "
            f"Vui lòng thử lại sau {_wait_text(retry_after)}."
        )
        subject = ("address", address)
    counter = by_phone if subject[0] == "phone" else by_address
    if counter.first_time(subject[1], "audited", now):
        audit_record(
            action="accounts.phone_code_throttled",
            ip=ip,
            extra={"by": subject[0], "phone": phone, "until": until},
        )
    raise Throttled(message, retry_after=retry_after)


def _send(row: PhoneCode, code: str | None) -> None:
    """Queue the SMS of ``row`` (in the caller's transaction): its code, or for a sign-up with a
    number that has an account, the message saying so. A reset for an unknown number sends nothing."""
    site = settings.MOTCUA_SITE_NAME
    minutes = settings.PHONE_CODE_MINUTES
    if row.purpose == PhoneCode.Purpose.REGISTER:
        if code is None:
            body, event = REGISTER_EXISTS_SMS.format(site=site), "accounts.register_exists"
        else:
            body, event = REGISTER_SMS.format(site=site, code=code, minutes=minutes), "accounts.register_code"
    elif code is not None:
        body, event = RESET_SMS.format(site=site, code=code, minutes=minutes), "accounts.reset_code"
    else:
        return
    outbox_enqueue_to(channel="sms", recipient=row.phone, event=event, body=body)


def _required_phone(value: str) -> str:
    phone = clean_phone(value)
    if not phone:
        raise InvalidInput("Nhập số điện thoại.", code="required", details={"field": "phone"})
    return phone


def _start(
    *, purpose: str, phone: str, user: User | None, payload: dict, sendable: bool, ip: str | None
) -> PhoneCode:
    now = timezone.now()
    _take_send(phone, ip, now)
    row = PhoneCode(
        purpose=purpose,
        phone=phone,
        user=user,
        payload=payload,
        sent_at=now,
        expires_at=now + timedelta(minutes=settings.PHONE_CODE_MINUTES),
    )
    code = _new_code() if sendable else None
    # A row that can never be proved keeps an empty hash: no HMAC equals it.
    row.code_hash = _code_hash(row, code) if code is not None else ""
    with transaction.atomic():
        row.save(force_insert=True)
        _send(row, code)
        audit_record(
            action=f"accounts.{purpose}_code_sent",
            obj=user,
            object_type="" if user else "accounts.phone",
            object_repr="" if user else phone,
            ip=ip,
            extra={"phone": phone, "request": str(row.pk), "code_sent": code is not None},
        )
    return row


def registration_start(*, data: RegistrationData, ip: str | None = None) -> PhoneCode:
    """Check what a visitor typed to sign up and send the number its code; the account is made
    when the code comes back (``registration_complete``)."""
    if data.kind not in LOCAL_KINDS:
        raise InvalidInput("Chọn loại tài khoản: cá nhân hoặc tổ chức.", details={"field": "kind"})
    name = " ".join((data.full_name or "").split())
    if not name:
        label = "tên tổ chức" if data.kind == User.Kind.ORGANISATION else "họ và tên"
        raise InvalidInput(f"Nhập {label}.", code="required", details={"field": "full_name"})
    if len(name) > 200:
        raise InvalidInput("Tên quá dài (tối đa 200 ký tự).", details={"field": "full_name"})
    try:
        phone = _required_phone(data.phone)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code=exc.code, details={"field": "phone"}) from None
    try:
        validate_password(data.password, User(username=phone, full_name=name, phone=phone))
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), code="password_invalid", details={"field": "password"}
        ) from None
    exists = User.objects.filter(username=phone).exists()
    payload = {"kind": data.kind, "full_name": name, "password": make_password(data.password)}
    return _start(
        purpose=PhoneCode.Purpose.REGISTER,
        phone=phone,
        user=None,
        payload=payload,
        sendable=not exists,
        ip=ip,
    )


def password_reset_start(*, phone: str, ip: str | None = None) -> PhoneCode:
    """Send a reset code to the number of a local account (none for a number without one)."""
    try:
        phone = _required_phone(phone)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code=exc.code, details={"field": "phone"}) from None
    user = User.objects.filter(username=phone, kind__in=LOCAL_KINDS, is_active=True).first()
    return _start(
        purpose=PhoneCode.Purpose.RESET, phone=phone, user=user, payload={}, sendable=user is not None, ip=ip
    )


def phone_code_pending(ref: str, purpose: str) -> PhoneCode:
    """The request ``ref`` (its UUID) for ``purpose``, still open; NotFound otherwise."""
    row = PhoneCode.objects.filter(pk=ref, purpose=purpose, used_at__isnull=True).first()
    if row is None:
        raise NotFound(GONE_MESSAGE, code="phone_code_gone")
    return row


def resend_available_at(row: PhoneCode) -> datetime:
    return row.sent_at + timedelta(seconds=settings.PHONE_CODE_RESEND_SECONDS)


def phone_code_resend(*, row: PhoneCode, ip: str | None = None) -> PhoneCode:
    """A new code for the same request (the old one stops working), after the cool-down."""
    now = timezone.now()
    if row.used_at is not None:
        raise NotFound(GONE_MESSAGE, code="phone_code_gone")
    ready = resend_available_at(row)
    if now < ready:
        wait = max(1, int((ready - now).total_seconds()))
        raise Throttled(f"Vui lòng chờ {_wait_text(wait)} nữa rồi bấm gửi lại mã.", retry_after=wait)
    _take_send(row.phone, ip, now)
    sendable = row.code_hash != ""
    code = _new_code() if sendable else None
    with transaction.atomic():
        # Conditional on the last sending: two clicks at once send one new code, not two.
        changed = PhoneCode.objects.filter(pk=row.pk, sent_at=row.sent_at, used_at__isnull=True).update(
            code_hash=_code_hash(row, code) if code is not None else "",
            sent_at=now,
            sends=F("sends") + 1,
            tries=0,
            expires_at=now + timedelta(minutes=settings.PHONE_CODE_MINUTES),
        )
        if not changed:
            raise Throttled("Mã vừa được gửi lại. Vui lòng kiểm tra tin nhắn.", retry_after=1)
        row.refresh_from_db()
        _send(row, code)
    return row


def _try_code(row: PhoneCode, code: str) -> None:
    """Compare ``code`` with the request's; each try is counted first, in one conditional UPDATE,
    so that tries sent at once are all counted and none beyond the limit is compared."""
    code = "".join((code or "").split())
    if not code:
        raise InvalidInput(
            "Nhập mã xác thực đã gửi đến số điện thoại.", code="required", details={"field": "code"}
        )
    now = timezone.now()
    taken = PhoneCode.objects.filter(
        pk=row.pk, used_at__isnull=True, tries__lt=settings.PHONE_CODE_MAX_TRIES, expires_at__gt=now
    ).update(tries=F("tries") + 1)
    row.refresh_from_db()
    if not taken:
        if row.used_at is not None:
            raise NotFound(GONE_MESSAGE, code="phone_code_gone")
        if row.expires_at <= now:
            raise InvalidInput(
                "Mã xác thực đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới.",
                code="code_expired",
                details={"field": "code"},
            )
        raise InvalidInput(
            "Bạn đã nhập sai mã quá số lần cho phép. Vui lòng bấm “Gửi lại mã” để nhận mã mới.",
            code="code_locked",
            details={"field": "code"},
        )
    if not row.code_hash or not constant_time_compare(_code_hash(row, code), row.code_hash):
        left = max(0, settings.PHONE_CODE_MAX_TRIES - row.tries)
        raise InvalidInput(
            f"Mã xác thực không đúng. Bạn còn {left} lần thử."
            if left
            else "Mã xác thực không đúng. Vui lòng bấm “Gửi lại mã” để nhận mã mới.",
            code="code_wrong",
            details={"field": "code", "tries_left": left},
        )


def _consume(row: PhoneCode, now: datetime) -> None:
    """Mark the request used, once (inside the caller's transaction)."""
    # The sign-up's password hash is not kept beyond this: it now lives on the account only.
    if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now, payload={}):
        raise NotFound(GONE_MESSAGE, code="phone_code_gone")


def registration_complete(*, row: PhoneCode, code: str, ip: str | None = None) -> User:
    """The code of a sign-up came back: make the account (its number proved) and its profile."""
    if row.purpose != PhoneCode.Purpose.REGISTER:
        raise NotFound(GONE_MESSAGE, code="phone_code_gone")
    _try_code(row, code)
    now = timezone.now()
    payload = row.payload
    try:
        with transaction.atomic():
            _consume(row, now)
            user = User(
                username=row.phone,
                phone=row.phone,
                full_name=payload["full_name"],
                kind=payload["kind"],
                password=payload["password"],
            )
            user.save(force_insert=True)
            Profile.objects.create(
                user=user,
                phone_verified_at=now,
                organisation_name=payload["full_name"] if payload["kind"] == User.Kind.ORGANISATION else "",
                notify_channels=[Profile.Notify.SMS, Profile.Notify.IN_APP],
            )
            audit_record(
                action="accounts.register",
                actor=user,
                obj=user,
                after={"username": user.username, "kind": user.kind, "full_name": user.full_name},
                ip=ip,
            )
    except IntegrityError:
        # Someone else signed this number up between the code's sending and now.
        raise Conflict(
            "Số điện thoại này vừa được đăng ký tài khoản. Vui lòng đăng nhập hoặc chọn “Quên mật khẩu”.",
            code="phone_taken",
        ) from None
    return user


def password_reset_complete(*, row: PhoneCode, code: str, password: str, ip: str | None = None) -> User:
    """The code of a reset came back with a new password: set it, and lift axes' lock-outs."""
    if row.purpose != PhoneCode.Purpose.RESET:
        raise NotFound(GONE_MESSAGE, code="phone_code_gone")
    user = row.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), code="password_invalid", details={"field": "password"}
        ) from None
    _try_code(row, code)
    assert user is not None  # a row without an account has no code that matches
    now = timezone.now()
    with transaction.atomic():
        _consume(row, now)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action="accounts.password_reset", actor=user, obj=user, extra={"by": "sms"}, ip=ip)
    # The wrong passwords that led here no longer keep the owner out.
    from axes.utils import reset as axes_reset  # noqa: PLC0415 — axes's app registry must be ready

    axes_reset(username=user.get_username())
    return user


def phone_codes_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete requests that ended (used or expired) more than ``older_than`` ago, with what a
    sign-up kept of its password; for the periodic work (the scheduler). How many were deleted."""
    cutoff = timezone.now() - older_than
    deleted, _ = PhoneCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
