"""The JSON API under /api/v1/: one NinjaAPI, each app adds its router (``<app>/api.py``).

Every error answers ``{"code": "...", "message": "...", "details": {...}}`` with a 4xx status;
messages are in Vietnamese because they are shown to officers and citizens as they are.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.lib.errors import DomainError

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="Hệ thống thông tin giải quyết thủ tục hành chính — API v1",
    urls_namespace="api",
)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message, exc.details), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("query", "body", "path", "form")]
        fields[".".join(loc) or "request"] = err.get("msg", "không hợp lệ")
    return api.create_response(
        request,
        error_body("invalid_input", "Dữ liệu gửi lên không hợp lệ: " + ", ".join(fields), {"fields": fields}),
        status=400,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "Không tìm thấy."), status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthenticated", "Cần đăng nhập."), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


def _register_routers() -> None:
    from motcua.catalog.api import router as catalog_router
    from motcua.dossiers.api import router as dossiers_router
    from motcua.org.api import router as org_router
    from motcua.workcalendar.api import router as calendar_router

    api.add_router("/calendar", calendar_router)
    api.add_router("/", catalog_router)
    api.add_router("/", org_router)
    api.add_router("/", dossiers_router)


_register_routers()
