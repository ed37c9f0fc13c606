"""Signing in: what guards it besides django-axes, and what is recorded.

Two limits, so that neither an attacker nor a shared address can lock an officer out for long:

1. **Per user name and address** (django-axes, ``AXES_LOCKOUT_PARAMETERS``): after
   ``AXES_FAILURE_LIMIT`` (5) wrong passwords for one user name from one client address
   (``motcua.lib.clients.client_ip``: behind the reverse proxy, the real client's), that pair is
   locked for ``AXES_COOLOFF_MINUTES`` (15). The same officer at another address is not.
2. **Per account, from every address together** (this module): guessing one account's password
   from many addresses meets ``SIGNIN_ACCOUNT_LIMIT`` (20) failures per
   ``SIGNIN_ACCOUNT_WINDOW_MINUTES`` (15-minute fixed windows, counted atomically in the shared
   cache). Beyond it, until the window ends, the account can be signed in to only from a device
   that has signed in to it before (the "device cookie" of OWASP's guidance on slowing down
   online guessing: a signed cookie naming the accounts signed in to from this browser, set at
   each successful sign-in through the sign-in page); from any other device the attempt is
   refused at once with 429 and a message that says until when, without trying the password
   and without counting as a failure. So the attacker's guesses stop; the officer at their usual
   computer is not affected at all; on a new device they wait at most one window, and only while
   the guessing goes on. Unknown user names are counted and refused the same way, so the limit
   tells nothing about which accounts exist.

Recorded in the audit log: each sign-in through the sign-in page ("accounts.sign_in",
``motcua.accounts.views``), the first lock-out of a user name
and address by axes in a cool-off ("accounts.locked_out"), the first pause of an account in a
window ("accounts.signin_paused"), each with the client's address.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.lib.clients import client_ip
from motcua.lib.counters import WindowCounter, incr_counters

DEVICE_COOKIE = "motcua_thiet_bi"
DEVICE_SALT = "motcua.accounts.signin.device"
DEVICE_MAX_AGE = 180 * 24 * 3600  # seconds: a device unused for half a year is new again
DEVICE_MAX_ACCOUNTS = 10  # a shared counter computer remembers its last ten accounts
PAUSED_MESSAGE = (
    "Tài khoản này vừa bị nhập sai mật khẩu nhiều lần từ nhiều nơi. Để bảo vệ tài khoản, đến "
    "{until} chỉ có thể đăng nhập trên thiết bị đã từng đăng nhập tài khoản này. Vui lòng thử "
    "lại sau thời điểm đó, hoặc liên hệ quản trị hệ thống của cơ quan nếu cần hỗ trợ."
)


def _account_failures() -> WindowCounter:
    return WindowCounter("signin-fail-user", settings.SIGNIN_ACCOUNT_WINDOW_MINUTES * 60)


def _clock(moment: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def known_accounts(request: HttpRequest) -> list[str]:
    """The user names this browser has signed in to (its device cookie), newest first."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        names = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is a known device for ``username``."""
    names = [username, *(n for n in known_accounts(request) if n != username)][:DEVICE_MAX_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names, salt=DEVICE_SALT, compress=True),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def paused_until(request: HttpRequest, username: str) -> datetime | None:
    """When sign-in to ``username`` from this device may be tried again, or None: it may now."""
    limit = settings.SIGNIN_ACCOUNT_LIMIT
    if not username or limit <= 0 or username in known_accounts(request):
        return None
    counter = _account_failures()
    now = timezone.now()
    (failures,) = incr_counters({(counter, username): 0}, now)  # an atomic read
    return counter.ends_at(now) if failures >= limit else None


def paused_message(until: datetime) -> str:
    return PAUSED_MESSAGE.format(until=_clock(until))


def record_failure(request: HttpRequest | None, username: str) -> None:
    """A wrong password for ``username`` (django.contrib.auth's ``user_login_failed``). Attempts
    axes refused without checking the password are not counted: they guessed nothing."""
    if not username or request is None or getattr(request, "axes_locked_out", False):
        return
    counter = _account_failures()
    now = timezone.now()
    (failures,) = incr_counters({(counter, username): 1}, now)
    if failures >= settings.SIGNIN_ACCOUNT_LIMIT and counter.first_time(username, "audited", now):
        user = get_user_model().objects.filter(username=username).first()
        audit_record(
            action="accounts.signin_paused",
            obj=user,
            object_type="" if user else "accounts.username",
            object_repr="" if user else username[:300],
            ip=client_ip(request),
            extra={
                "username": username,
                "failures": failures,
                "window_minutes": counter.window_seconds // 60,
                "until": counter.ends_at(now),
            },
        )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record_failure(request, str(credentials.get("username") or ""))


def on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    """axes locked a user name at an address (sent again for every attempt while it lasts)."""
    cooloff = WindowCounter("signin-locked", max(60, int(settings.AXES_COOLOFF_TIME * 3600)))
    if not cooloff.first_time(f"{username}|{ip_address}", "audited"):
        return
    user = get_user_model().objects.filter(username=username or "").first()
    audit_record(
        action="accounts.locked_out",
        obj=user,
        object_type="" if user else "accounts.username",
        object_repr="" if user else (username or "")[:300],
        ip=ip_address,
        extra={"username": username, "failures": settings.AXES_FAILURE_LIMIT},
    )
