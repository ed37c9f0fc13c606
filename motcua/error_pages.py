"""What the site answers when a request fails before or outside a view: 400, 403, 404, 500 and
the CSRF failure (``handler400`` … in ``motcua/urls.py``, ``CSRF_FAILURE_VIEW`` in settings).

Pages get a Vietnamese page in the site's layout (``templates/400.html`` …); paths under /api/
get the API's error shape ``{"code", "message", "details"}`` (``motcua/api.py``), never HTML.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from motcua import api
from motcua.context_processors import site_words

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _page(
    request: HttpRequest | None, template: str, status: int, context: dict | None = None
) -> HttpResponse:
    body = loader.get_template(template).render(context or {}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, and 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django raises it as a 400)."""
    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    if _is_api(request):
        if too_large:
            return api.error_response(
                request,
                413,
                "body_too_large",
                api.body_too_large_message(),
                {"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            )
        return api.error_response(request, 400, "bad_request", "Yêu cầu không hợp lệ.")
    if too_large:
        context = {"too_large": True, "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        return _page(request, "400.html", 413, context)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return api.error_response(request, 403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")
    # The views raise PermissionDenied with a Vietnamese sentence saying why; Django's own
    # (the admin's) carry none.
    return _page(request, "403.html", 403, {"reason": str(exception)})


def _site() -> dict[str, str]:
    """What the layout's header needs, from settings alone."""
    return site_words()


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return api.unknown_route(request)
    # Rendered without the request, so the same for every request: a dossier outside one's
    # jurisdiction answers byte for byte as a code that does not exist (no CSRF token, no user
    # menu that could differ). The exception's text is not shown: it may name a model or a query.
    return _page(None, "404.html", 404, _site())


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api.error_response(
            request, 500, "server_error", "Máy chủ gặp lỗi khi xử lý yêu cầu. Xin thử lại sau ít phút."
        )
    # Rendered without the request: no context processor (no database query, no session) runs
    # while the site is failing. The layout's header needs only the site's names.
    try:
        return _page(None, "500.html", 500, _site())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(
            "<!doctype html><html lang=vi><meta charset=utf-8><title>Lỗi máy chủ</title>"
            "<h1>Lỗi máy chủ</h1><p>Xin thử lại sau ít phút.</p></html>",
            status=500,
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form (or a session API request) came without a valid CSRF token: usually a page left
    open past the session, or opened before signing in or out in another tab."""
    if _is_api(request):
        # ninja asks Django's middleware itself, then raises its own error (motcua/api.py).
        request.csrf_failure_reason = reason  # type: ignore[attr-defined]
        return api.csrf_error_response(request, reason)
    return _page(request, "403_csrf.html", 403, {"reason": reason})
