"""API authentication: ``Authorization: Bearer <token>`` (an ApiToken) or the signed-in session.

Used as ``auth=API_AUTH`` on the API's operations. A request with neither gets 401 in the error
shape (``motcua.api``). Session requests that change things must carry the CSRF token, as pages
do; bearer requests need none (they carry no ambient credential).
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from motcua.accounts.models import AnyUser, User
from motcua.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """A live (not revoked) ApiToken of an active user, looked up by its SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip())
        if user is None:
            return None
        # The services and the audit read request.user (the actor and where it came from).
        request.user = user
        return user


class SessionUserAuth(APIKeyCookie):
    """The user signed in through the pages (Django's session cookie)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Anonymous requests are simply not authenticated by this scheme (401, not a CSRF 403).
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> AnyUser | None:
        user = request.user
        if key and user.is_authenticated and user.is_active:
            return user
        return None


api_token_auth = ApiTokenAuth()
session_auth = SessionUserAuth()
# Bearer first: an integration's token wins over a stray session cookie, and avoids the CSRF check.
API_AUTH = [api_token_auth, session_auth]
