"""Pages of a local account: sign up with a phone number (then its SMS code), and a forgotten
password reset by SMS code. The rules are in ``motcua.accounts.registration``; a page only
translates its form into a service call and shows the service's Vietnamese message."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.accounts import registration, signin, signin_methods
from motcua.accounts.forms import CodeForm, RegisterForm, ResetCompleteForm, ResetStartForm
from motcua.accounts.models import PhoneCode
from motcua.audit.services import audit_record
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, NotFound

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _show_error(form, exc: DomainError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _status(exc: DomainError, request: HttpRequest) -> int:
    if isinstance(exc, registration.Throttled):
        request.META["motcua.retry_after"] = exc.retry_after
    return exc.status if exc.status in (400, 409, 429) else 400


def _retry_after(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page refused by a throttle (429) says when to come back (``Retry-After``, seconds)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 429 and "motcua.retry_after" in request.META:
            response["Retry-After"] = str(request.META["motcua.retry_after"])
        return response

    return wrapped


def _masked(phone: str) -> str:
    return f"{phone[:3]}•••{phone[-3:]}" if len(phone) > 6 else phone


def _pending(ref: str, purpose: str) -> PhoneCode | None:
    try:
        return registration.phone_code_pending(ref, purpose)
    except NotFound:
        return None


def _resend_wait(row: PhoneCode) -> int:
    return max(0, int((registration.resend_available_at(row) - timezone.now()).total_seconds()))


@_retry_after
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = registration.RegistrationData(
                kind=form.cleaned_data["kind"],
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
            )
            try:
                row = registration.registration_start(data=data, ip=client_ip(request))
            except DomainError as exc:
                _show_error(form, exc)
                status = _status(exc, request)
            else:
                return redirect("accounts:register_verify", ref=row.pk)
        else:
            status = 400
    return render(request, "accounts/register.html", {"form": form}, status=status)


def _code_page(
    request: HttpRequest, row: PhoneCode | None, form, template: str, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "row": row,
        "phone": _masked(row.phone) if row else "",
        "wait": _resend_wait(row) if row else 0,
        "minutes": settings.PHONE_CODE_MINUTES,
    }
    return render(request, template, context, status=status)


@_retry_after
@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest, ref: str) -> HttpResponse:
    row = _pending(ref, PhoneCode.Purpose.REGISTER)
    template = "accounts/register_verify.html"
    if row is None:
        return _code_page(request, None, CodeForm(), template, status=404)
    if request.method == "GET":
        return _code_page(request, row, CodeForm(), template)
    form = CodeForm(request.POST)
    form.is_valid()
    ip = client_ip(request)
    try:
        if "resend" in request.POST:
            row = registration.phone_code_resend(row=row, ip=ip)
            messages.success(request, "Đã gửi lại mã xác thực mới. Mã cũ không còn dùng được.")
            return redirect("accounts:register_verify", ref=row.pk)
        user = registration.registration_complete(row=row, code=form.cleaned_data.get("code", ""), ip=ip)
    except DomainError as exc:
        _show_error(form, exc)
        fresh = _pending(ref, PhoneCode.Purpose.REGISTER)
        return _code_page(request, fresh, form, template, status=_status(exc, request) if fresh else 404)
    login(request, user, backend=MODEL_BACKEND)
    request.session[signin_methods.SESSION_KEY] = signin_methods.PASSWORD
    audit_record(action="accounts.sign_in", actor=user, obj=user, ip=ip)
    messages.success(
        request, "Đăng ký thành công. Vui lòng bổ sung thông tin tài khoản để điền sẵn vào các tờ khai."
    )
    response = redirect("accounts:profile")
    signin.remember_device(request, response, user.get_username())
    return response


@_retry_after
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = registration.password_reset_start(
                    phone=form.cleaned_data["phone"], ip=client_ip(request)
                )
            except DomainError as exc:
                _show_error(form, exc)
                status = _status(exc, request)
            else:
                return redirect("accounts:password_reset_verify", ref=row.pk)
        else:
            status = 400
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@_retry_after
@require_http_methods(["GET", "POST"])
def password_reset_verify(request: HttpRequest, ref: str) -> HttpResponse:
    row = _pending(ref, PhoneCode.Purpose.RESET)
    template = "accounts/password_reset_verify.html"
    if row is None:
        return _code_page(request, None, ResetCompleteForm(), template, status=404)
    if request.method == "GET":
        return _code_page(request, row, ResetCompleteForm(), template)
    ip = client_ip(request)
    if "resend" in request.POST:
        try:
            registration.phone_code_resend(row=row, ip=ip)
        except DomainError as exc:
            form = ResetCompleteForm()
            _show_error(form, exc)
            return _code_page(request, row, form, template, status=_status(exc, request))
        messages.success(request, "Nếu số điện thoại có tài khoản, mã xác thực mới đã được gửi đến số đó.")
        return redirect("accounts:password_reset_verify", ref=row.pk)
    form = ResetCompleteForm(request.POST)
    if not form.is_valid():
        return _code_page(request, row, form, template, status=400)
    try:
        registration.password_reset_complete(
            row=row, code=form.cleaned_data["code"], password=form.cleaned_data["password"], ip=ip
        )
    except DomainError as exc:
        _show_error(form, exc)
        fresh = _pending(ref, PhoneCode.Purpose.RESET)
        return _code_page(request, fresh, form, template, status=_status(exc, request) if fresh else 404)
    messages.success(request, "Đã đặt lại mật khẩu. Vui lòng đăng nhập bằng số điện thoại và mật khẩu mới.")
    return redirect("accounts:login")
