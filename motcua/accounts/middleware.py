"""The staff second factor, enforced on every request (``motcua.accounts.otp``).

An officer whose roles call for it, signed in with the password but not yet through the TOTP step
in this session, reaches only that step (and signing out): pages redirect there with ``next``;
the session-authenticated API answers 403 in the API's error shape. A request carrying a bearer
token (``Authorization``) is the API token's, not the session's: it is let through.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from motcua.accounts.otp import staff_otp_required

OPEN_URL_NAMES = ("accounts:otp_verify", "accounts:otp_enrol", "accounts:logout")
OTP_MESSAGE = (
    "Tài khoản này cần xác thực hai bước. Vui lòng đăng nhập trên trang và nhập mã từ ứng dụng xác thực."
)


class StaffOtpMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.STAFF_OTP_REQUIRED and request.user.is_authenticated and not _verified(request):
            open_paths = {reverse(name) for name in OPEN_URL_NAMES}
            path = request.path
            if (
                path not in open_paths
                and not path.startswith(settings.STATIC_URL)
                and staff_otp_required(request.user)
            ):
                if path.startswith("/api/"):
                    if "HTTP_AUTHORIZATION" not in request.META:
                        return JsonResponse(
                            {"code": "otp_required", "message": OTP_MESSAGE, "details": {}}, status=403
                        )
                else:
                    target = (
                        reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
                    )
                    return HttpResponseRedirect(target)
        return self.get_response(request)


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())
