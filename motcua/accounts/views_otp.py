"""The staff second factor's pages: enrol an authenticator (QR code), then its code after the
password (``motcua.accounts.otp``; ``motcua.accounts.middleware`` sends officers here)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from motcua.accounts import otp
from motcua.accounts.forms import OtpTokenForm
from motcua.accounts.models import User
from motcua.lib.errors import InvalidInput


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


def _with_next(name: str, target: str) -> str:
    url = reverse(name)
    return url if target == "/" else f"{url}?{urlencode({'next': target})}"


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    target = _next(request)
    if _is_verified(request):
        return redirect(target)
    if otp.confirmed_device(user) is None:
        return redirect(_with_next("accounts:otp_enrol", target))
    form = OtpTokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.staff_otp_verify(request=request, user=user, token=form.cleaned_data["token"])
            except InvalidInput as exc:
                form.add_error("token", exc.message)
                status = 400
            else:
                return redirect(target)
        else:
            status = 400
    return render(request, "accounts/otp_verify.html", {"form": form, "next": target}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: only while the account has none (or this session already passed
    the second factor), so that a stolen password cannot add its own."""
    user = request.user
    assert isinstance(user, User)
    target = _next(request)
    if otp.confirmed_device(user) is not None and not _is_verified(request):
        return redirect(_with_next("accounts:otp_verify", target))
    device = otp.enrolment_device(user)
    form = OtpTokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.staff_otp_enrol(
                    request=request, user=user, device=device, token=form.cleaned_data["token"]
                )
            except InvalidInput as exc:
                form.add_error("token", exc.message)
                status = 400
            else:
                return redirect(target)
        else:
            status = 400
    uri = otp.otpauth_uri(device)
    context = {"form": form, "next": target, "qr_svg": otp.qr_svg(uri), "secret": otp.secret_base32(device)}
    return render(request, "accounts/otp_enrol.html", context, status=status)
