"""The national sign-in's pages: start (to the provider), return (from it), and signing out.

A refusal is a page in the site's layout saying what happened and what to do, with the HTTP
status of ``motcua.accounts.oidc.REASONS``; it is in the audit log; nothing is created.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.accounts import oidc, signin_methods
from motcua.accounts.oidc_services import national_identity_sign_in, record_refusal
from motcua.lib.clients import client_ip

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _redirect_uri(request: HttpRequest) -> str:
    return settings.OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("accounts:oidc_callback"))


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refused(request: HttpRequest, refusal: oidc.SignInRefused) -> HttpResponse:
    record_refusal(refusal=refusal, ip=client_ip(request))
    return render(
        request,
        "accounts/oidc_refused.html",
        {"refusal": refusal, "max_age_minutes": settings.OIDC_STATE_MAX_AGE // 60},
        status=refusal.status,
    )


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """ "Đăng nhập bằng tài khoản định danh điện tử (VNeID)": off to the provider."""
    if not oidc.enabled():
        raise Http404("Chưa cấu hình đăng nhập bằng định danh điện tử.")
    next_url = _safe_next(request, request.GET.get("next", ""))
    try:
        return oidc.begin(request, redirect_uri=_redirect_uri(request), next_url=next_url)
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error) and our state."""
    if not oidc.enabled():
        raise Http404("Chưa cấu hình đăng nhập bằng định danh điện tử.")
    ip = client_ip(request)
    try:
        verified, next_url = oidc.finish(request)
        user = national_identity_sign_in(verified=verified, ip=ip)
    except oidc.SignInRefused as refusal:
        return _refused(request, refusal)
    login(request, user, backend=MODEL_BACKEND)
    request.session[signin_methods.SESSION_KEY] = signin_methods.NATIONAL_IDENTITY
    request.session[oidc.ID_TOKEN_KEY] = verified.id_token
    return HttpResponseRedirect(_safe_next(request, next_url))


class SignOutView(auth_views.LogoutView):
    """Signing out of motcua; after a national sign-in, the provider's session ends too
    (RP-initiated logout: its end-session endpoint with id_token_hint and post_logout_redirect_uri).

    The way there is a page that goes on by itself (meta refresh, and a link), not a redirect: the
    sign-out is a form, and the site's Content-Security-Policy (``form-action 'self'``) rightly
    stops a form's redirect chain from leaving the site."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = ""
        if signin_methods.signed_in_with_national_identity(request):
            id_token = request.session.get(oidc.ID_TOKEN_KEY, "")
        response = super().post(request, *args, **kwargs)
        if id_token and oidc.enabled():
            back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL or "/"))
            url = oidc.logout_url(id_token=id_token, post_logout_redirect_uri=back)
            if url:
                return render(request, "accounts/oidc_signed_out.html", {"end_session_url": url})
        return response
