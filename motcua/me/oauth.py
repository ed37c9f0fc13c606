"""motcua as the OAuth 2.0 authorisation server of the mobile app (django-oauth-toolkit).

The library does the protocol (authorization code, PKCE, tokens, revocation, introspection);
this module adds motcua's rules to it:

- only a citizen's or an organisation's account may let an app act for it: a staff account
  (or one made inactive) is refused, on the authorisation page and again when a code is
  exchanged or a token refreshed;
- the pages speak Vietnamese, in the site's layout (``templates/oauth2_provider/``);
- how the citizen had signed in when they allowed the app (national identity or not) is kept
  for that authorisation's tokens (``AppSignin``), so that a dossier the app submits records a
  national-identity sign-in only when there was one (indicator 4.5).
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView

from motcua.accounts.models import User
from motcua.accounts.signin_methods import signed_in_with_national_identity
from motcua.me.models import AppSignin

# Carried from the authorisation page to the grant (its ``claims``), then to the tokens' family.
NATIONAL_IDENTITY_CLAIM = "motcua_national_identity"

STAFF_REFUSED = (
    "Tài khoản cán bộ, công chức không dùng được cho ứng dụng của công dân. Hãy đăng xuất rồi "
    "đăng nhập bằng tài khoản công dân hoặc tổ chức."
)

# What the authorisation page says for the errors it cannot send back to the app (RFC 6749
# §4.1.2.1: an unknown app or a redirect address it did not register).
ERROR_MESSAGES = {  # by oauthlib's error class: they all say "invalid_request"
    "InvalidClientIdError": "Ứng dụng này chưa được đăng ký với hệ thống.",
    "MissingClientIdError": "Yêu cầu thiếu mã ứng dụng (client_id).",
    "InvalidRedirectURIError": "Địa chỉ quay về của ứng dụng không hợp lệ.",
    "MissingRedirectURIError": "Yêu cầu thiếu địa chỉ quay về của ứng dụng.",
    "MismatchingRedirectURIError": "Địa chỉ quay về không khớp với địa chỉ ứng dụng đã đăng ký.",
}
ERROR_DEFAULT = "Không thể cấp quyền cho ứng dụng với yêu cầu này."


def csp_source(uri: str) -> str:
    """A CSP source for a redirect address: its origin (https://app.example) or, for an app's
    own scheme (vn.motcua.app:/callback), the scheme."""
    parts = urlsplit(uri)
    if parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


def may_authorise_apps(user: Any) -> bool:
    """Whether ``user`` may let an app act for them: an active citizen or organisation account."""
    return bool(
        user is not None
        and user.is_active
        and getattr(user, "kind", None) in (User.Kind.CITIZEN, User.Kind.ORGANISATION)
    )


class AuthorizeView(AuthorizationView):
    """DOT's authorisation page (``/o/authorize/``): sign-in first (LOGIN_URL, any way the
    citizen has), then "allow this app?"; staff accounts are refused with a page of their own."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not may_authorise_apps(request.user):
            return render(request, "oauth2_provider/refused.html", {"reason": STAFF_REFUSED}, status=403)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        # oauthlib sets each credential on its request: the validator reads it (below).
        credentials = {**credentials, NATIONAL_IDENTITY_CLAIM: signed_in_with_national_identity(request)}
        return super().create_authorization_response(request, scopes, credentials, allow)

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        # DOT renders its errors (those it may not send back to the app) with this template.
        error = context.get("error")
        if error is not None:
            context = {**context, "error_message": ERROR_MESSAGES.get(type(error).__name__, ERROR_DEFAULT)}
        response: HttpResponse = super().render_to_response(context, **response_kwargs)
        redirect_uri = context.get("redirect_uri")
        if error is None and redirect_uri:
            # The form's answer redirects to the app; the browser holds a form's redirects to the
            # site's form-action too, so this page allows the app's own (registered, checked
            # by DOT before the page is shown) address as well.
            csp: dict[str, Any] = dict(settings.SECURE_CSP)
            csp["form-action"] = [*csp.get("form-action", [CSP.SELF]), csp_source(redirect_uri)]
            response._csp_config = csp  # type: ignore[attr-defined]  # read by Django's CSP middleware
        return response


class Validator(OAuth2Validator):
    """DOT's validator; a code or a refresh token of an account that may no longer authorise
    apps (made staff, deactivated) is refused at the token endpoint (``invalid_grant``), and the
    sign-in method travels from the authorisation to the tokens."""

    def save_authorization_code(
        self, client_id: str, code: Any, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        # Set here, from the session, whatever the app may have sent as ``claims``.
        claims = request.claims if isinstance(request.claims, dict) else {}
        request.claims = {
            **claims,
            NATIONAL_IDENTITY_CLAIM: bool(getattr(request, NATIONAL_IDENTITY_CLAIM, False)),
        }
        super().save_authorization_code(client_id, code, request, *args, **kwargs)

    def _create_refresh_token(
        self, request: Any, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        if previous_refresh_token is None:  # a code exchanged: a new family of tokens
            claims = request.claims if isinstance(request.claims, dict) else {}
            AppSignin.objects.create(
                token_family=refresh_token.token_family,
                national_identity=bool(claims.get(NATIONAL_IDENTITY_CLAIM)),
            )
        return refresh_token

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid: bool = super().validate_code(client_id, code, client, request, *args, **kwargs)
        return valid and may_authorise_apps(request.user)

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid: bool = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        return valid and may_authorise_apps(request.user)
