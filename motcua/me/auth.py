"""Who calls ``/api/v1/me/…``: the citizen an access token of motcua's authorisation server was
issued to (django-oauth-toolkit, ``/o/token/``), never a staff API key nor a session.

- no ``Authorization: Bearer`` header: 401 ``unauthenticated`` (ninja, ``motcua/api.py``);
- a token that is unknown, expired or revoked: 401 ``invalid_token``;
- a staff API key (``manage.py create_api_token``): 403 ``staff_token`` — it is a real key, but
  not for this API (and an app's token opens none of the staff operations: their auth,
  ``motcua/accounts/auth.py``, knows only API keys and sessions);
- a valid token without the scope the operation needs: 403 ``insufficient_scope``;
- a token of an account that may no longer authorise apps (made staff, deactivated): 403.
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from motcua.accounts.models import User
from motcua.accounts.services import api_token_authenticate
from motcua.lib.errors import DomainError, Forbidden
from motcua.me.oauth import may_authorise_apps

READ = "dossiers:read"
WRITE = "dossiers:write"
SCOPE_NAMES = {READ: "xem hồ sơ", WRITE: "nộp, bổ sung, rút hồ sơ"}


class InvalidToken(DomainError):
    status = 401
    code = "invalid_token"


class AppToken(HttpBearer):
    """``Authorization: Bearer <access token>`` issued by motcua's OAuth server to an app,
    carrying ``scope``."""

    openapi_description = (
        "Mã truy cập OAuth 2.0 do motcua cấp cho ứng dụng di động: authorization code + PKCE "
        "(S256) tại /o/authorize/ và /o/token/, phạm vi dossiers:read (xem) và dossiers:write "
        "(nộp, bổ sung, rút). Không dùng mã API của cán bộ."
    )

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid or oauth_request is None:
            if api_token_authenticate(token.strip()) is not None:
                raise Forbidden(
                    "Mã API của cán bộ không dùng được cho API của công dân (/api/v1/me/): ứng dụng "
                    "phải xin mã truy cập qua /o/authorize/.",
                    code="staff_token",
                )
            raise InvalidToken(
                "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi: hãy đăng nhập lại trong ứng dụng."
            )
        access_token: Any = oauth_request.access_token
        user: User = access_token.user
        if not may_authorise_apps(user):
            raise Forbidden("Tài khoản này không dùng được cho ứng dụng của công dân.", code="not_citizen")
        if not access_token.allow_scopes([self.scope]):
            raise Forbidden(
                f"Mã truy cập không có quyền {SCOPE_NAMES[self.scope]} (phạm vi {self.scope}): hãy "
                "đăng nhập lại trong ứng dụng và cho phép quyền này.",
                code="insufficient_scope",
                details={"required_scope": self.scope},
            )
        # The services and the audit read request.user (the actor and where it came from).
        request.user = user
        request.app_token = access_token  # type: ignore[attr-defined]  # read by motcua/me/api.py
        return user


# AppToken's OpenAPI name is its class name; both instances are one security scheme.
app_read = AppToken(READ)
app_write = AppToken(WRITE)
