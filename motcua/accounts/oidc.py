"""Sign-in through the national identity (VNeID through the national portal): the protocol side.

OpenID Connect, authorization code flow, by authlib's Django client: PKCE (S256), ``state`` and
``nonce`` (both random, kept in the session), ``acr_values`` from ``settings.OIDC_ACR_VALUES``
(``LoA1``, what deployed clients send), and the ID token checked by authlib: its signature against
the issuer's JWKS, ``iss`` against ``settings.OIDC_ISSUER``, ``aud`` against our client id, its
expiry and our ``nonce``. A sign-in started more than ``settings.OIDC_STATE_MAX_AGE`` seconds ago
is refused (authlib keeps its state data in the session without looking at its age).

Everything that goes wrong ends in :class:`SignInRefused` with a reason (``REASONS``, what the
refusal page says); nothing is created before the ID token has passed every check. The accounts
side (who the person is in motcua) is ``motcua.accounts.oidc_services``; the pages are
``motcua.accounts.oidc_views``. Unset ``OIDC_ISSUER`` or ``OIDC_CLIENT_ID``: not offered at all.
"""

import functools
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from joserfc import errors as jose_errors

CLIENT_NAME = "national_identity"
# Sign-ins started in this session and not yet finished: {state: {"started": epoch, "next": url}}.
PENDING_KEY = "motcua_oidc_pending"
PENDING_MAX = 5  # a few tabs at once; the oldest is forgotten beyond that
# The ID token of the national sign-in: the "id_token_hint" of RP-initiated logout.
ID_TOKEN_KEY = "motcua_oidc_id_token"  # noqa: S105 — a session key, not a secret
METADATA_MAX_AGE = 3600  # seconds: the discovery document (and the JWKS with it) is read again hourly


# Why a national sign-in was refused: (HTTP status, what the page says).
REASONS: dict[str, tuple[int, str]] = {
    "state": (
        400,
        "Yêu cầu đăng nhập này không khớp với lần đăng nhập nào đang chờ trên trình duyệt này "
        "(có thể đã được dùng, hoặc được mở từ một liên kết lạ).",
    ),
    "state_expired": (
        400,
        "Lần đăng nhập này đã quá thời gian cho phép kể từ khi bắt đầu.",
    ),
    "denied": (
        400,
        "Bạn đã hủy đăng nhập, hoặc hệ thống định danh điện tử không đồng ý cho đăng nhập.",
    ),
    "provider_error": (
        502,
        "Hệ thống định danh điện tử trả về lỗi khi xác nhận đăng nhập.",
    ),
    "unreachable": (
        502,
        "Hiện không kết nối được với hệ thống định danh điện tử.",
    ),
    "signature": (
        400,
        "Thông tin xác thực nhận được không có chữ ký hợp lệ của hệ thống định danh điện tử.",
    ),
    "nonce": (
        400,
        "Thông tin xác thực nhận được không thuộc về lần đăng nhập này.",
    ),
    "issuer": (
        400,
        "Thông tin xác thực nhận được không do hệ thống định danh điện tử mà Cổng tin cậy cấp.",
    ),
    "audience": (
        400,
        "Thông tin xác thực nhận được được cấp cho một ứng dụng khác, không phải Cổng này.",
    ),
    "expired_token": (
        400,
        "Thông tin xác thực nhận được đã hết hạn.",
    ),
    "token": (
        400,
        "Thông tin xác thực nhận được không hợp lệ.",
    ),
    "claims": (
        400,
        "Hệ thống định danh điện tử không gửi mã định danh của người đăng nhập.",
    ),
    "staff": (
        403,
        "Tài khoản cán bộ, công chức không đăng nhập bằng định danh điện tử. Vui lòng đăng nhập "
        "bằng tên đăng nhập và mật khẩu do cơ quan cấp.",
    ),
    "inactive": (
        403,
        "Tài khoản gắn với định danh này đang bị khóa. Vui lòng liên hệ bộ phận một cửa để được hỗ trợ.",
    ),
}


class SignInRefused(Exception):
    """A national sign-in that must not go on; ``reason`` is a key of ``REASONS``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)

    @property
    def status(self) -> int:
        return REASONS[self.reason][0]

    @property
    def message(self) -> str:
        return REASONS[self.reason][1]


@dataclass(frozen=True)
class VerifiedSignIn:
    """What the provider vouched for, after every check: its issuer, the ID token and its claims."""

    issuer: str
    claims: dict[str, Any]
    id_token: str
    acr: str


def enabled() -> bool:
    """Whether the national sign-in is offered (its issuer and client are configured)."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


def _discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or (
        settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    )


@functools.lru_cache(maxsize=4)
def _cached_client(
    discovery_url: str, client_id: str, client_secret: str, scope: str, timeout: int, epoch: int
) -> DjangoOAuth2App:
    oauth = OAuth()
    return oauth.register(
        name=CLIENT_NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=discovery_url,
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "default_timeout": timeout},
    )


def client() -> DjangoOAuth2App:
    """The configured OpenID Connect client (its discovery document cached for an hour)."""
    return _cached_client(
        _discovery_url(),
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT,
        int(time.time() // METADATA_MAX_AGE),
    )


def begin(request: HttpRequest, *, redirect_uri: str, next_url: str) -> HttpResponseRedirect:
    """Send the browser to the provider: a fresh state, nonce and PKCE verifier, kept in the session."""
    app = client()
    try:
        extra = {"acr_values": settings.OIDC_ACR_VALUES} if settings.OIDC_ACR_VALUES else {}
        found = app.create_authorization_url(redirect_uri, ui_locales="vi", **extra)
    except requests.RequestException as exc:
        raise SignInRefused("unreachable", str(exc)) from exc
    app.save_authorize_data(request, redirect_uri=redirect_uri, **found)
    pending = dict(request.session.get(PENDING_KEY) or {})
    pending[found["state"]] = {"started": time.time(), "next": next_url}
    request.session[PENDING_KEY] = dict(
        sorted(pending.items(), key=lambda item: item[1]["started"])[-PENDING_MAX:]
    )
    return HttpResponseRedirect(found["url"])


def _take_pending(request: HttpRequest, state: str) -> dict[str, Any] | None:
    pending = dict(request.session.get(PENDING_KEY) or {})
    found = pending.pop(state, None) if state else None
    request.session[PENDING_KEY] = pending
    return found


def _claim_reason(error: jose_errors.ClaimError) -> str:
    if isinstance(error, jose_errors.ExpiredTokenError) or error.claim in ("exp", "iat", "nbf"):
        return "expired_token"
    return {"iss": "issuer", "aud": "audience", "azp": "audience", "nonce": "nonce"}.get(error.claim, "token")


def finish(request: HttpRequest) -> tuple[VerifiedSignIn, str]:
    """The provider sent the browser back: check everything, return what it vouched for and where
    to go next. Raises :class:`SignInRefused` (the state is used up either way)."""
    state = request.GET.get("state", "")
    pending = _take_pending(request, state)
    app = client()
    if request.GET.get("error"):
        app.framework.clear_state_data(request.session, state)
        raise SignInRefused("denied", request.GET.get("error", "")[:100])
    if pending is None:
        app.framework.clear_state_data(request.session, state)
        raise SignInRefused("state")
    if time.time() - pending["started"] > settings.OIDC_STATE_MAX_AGE:
        app.framework.clear_state_data(request.session, state)
        raise SignInRefused("state_expired")
    try:
        token = app.authorize_access_token(
            request,
            claims_options={"iss": {"essential": True, "values": [settings.OIDC_ISSUER]}},
            leeway=settings.OIDC_LEEWAY,
        )
    except MismatchingStateError as exc:
        raise SignInRefused("state") from exc
    except OAuthError as exc:
        raise SignInRefused("provider_error", str(exc)[:200]) from exc
    except requests.RequestException as exc:
        raise SignInRefused("unreachable", str(exc)[:200]) from exc
    except jose_errors.ClaimError as exc:
        raise SignInRefused(_claim_reason(exc), str(exc)[:200]) from exc
    except (jose_errors.JoseError, ValueError) as exc:
        # A forged or corrupted token: bad signature, unknown key, not a JWT at all.
        raise SignInRefused("signature", f"{type(exc).__name__}: {exc}"[:200]) from exc
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub") or not token.get("id_token"):
        raise SignInRefused("claims")
    verified = VerifiedSignIn(
        issuer=settings.OIDC_ISSUER,
        claims=claims,
        id_token=token["id_token"],
        acr=str(claims.get("acr") or ""),
    )
    return verified, pending["next"]


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so that the provider's session ends too (RP-initiated logout), or
    None when the provider publishes no end-session endpoint or cannot be reached."""
    try:
        return client().create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token
        )["url"]
    except (requests.RequestException, RuntimeError):
        return None
