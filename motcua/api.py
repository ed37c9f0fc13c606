"""The JSON API under /api/v1/: one NinjaAPI, each app adds its router (``<app>/api.py``).

Every error answers ``{"code": "...", "message": "...", "details": {...}}`` with a 4xx or 5xx
status; messages are in Vietnamese because they are shown to officers and citizens as they are.
That holds for what ninja and Django answer on their own too:

- a body that is not JSON, or not a JSON object: 400 ``invalid_json``;
- input that does not match an operation's schema: 400 ``invalid_input``, one Vietnamese
  message per field in ``details.fields``;
- a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many fields): 413 ``body_too_large``;
- a path under /api/ that no operation serves: 404 ``not_found`` (``unknown_route``, the last
  pattern of ``motcua/urls.py``);
- a method the path does not serve: 405 ``method_not_allowed`` with the ``Allow`` header;
- a session request without its CSRF token: 403 (``motcua/error_pages.py``);
- a server error: 500 ``server_error`` (``motcua/error_pages.py``).
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, URLResolver
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from motcua.lib.apischema import ERROR_STATUSES
from motcua.lib.errors import DomainError

CSRF_MESSAGE = (
    "Phiên làm việc đã hết hạn hoặc thiếu mã bảo vệ (CSRF): hãy tải lại trang rồi thử lại. "
    "Chương trình gọi API nên dùng header Authorization: Bearer <mã truy cập>."
)


class NotAJsonObject(ValueError):
    pass


class JsonObjectParser(Parser):
    """Bodies are JSON objects: a list, a string or a number at the top is bad input, said as
    such (ninja would otherwise report every field of the schema as missing)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAJsonObject(type(data).__name__)
        return data


class MotcuaAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _errors_as_json(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Each documented error status says what it means here, in Vietnamese.
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) in ERROR_STATUSES:
                        response["description"] = ERROR_STATUSES[int(status)]
        return schema


api = MotcuaAPI(
    title="motcua API",
    version="1",
    description="Hệ thống thông tin giải quyết thủ tục hành chính — API v1",
    urls_namespace="api",
    parser=JsonObjectParser(),
)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, details), status=status)


def _errors_as_json(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps a view of the API's URL patterns: ninja answers a method that no operation of the
    path serves with a plain-text 405, and its root page (/api/v1/) raises Http404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return unknown_route(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(m.strip() for m in response["Allow"].split(","))
            answer = error_response(
                request,
                405,
                "method_not_allowed",
                f"Địa chỉ này không nhận phương thức {request.method}; dùng {', '.join(allowed)}.",
                {"method": request.method, "allowed": allowed},
            )
            answer["Allow"] = ", ".join(allowed)
            return answer
        return response

    return wrapper


@csrf_exempt
def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/ that no operation serves (/api/v1/khong-co, /api/v2/…)."""
    return error_response(
        request,
        404,
        "not_found",
        f"Không có địa chỉ API “{request.path}”. Danh sách các thao tác: /api/v1/docs.",
        {"path": request.path},
    )


# -- what the operations and ninja raise ------------------------------------------------------


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


# pydantic's error types, said in Vietnamese; ``{…}`` are taken from the error's context.
FIELD_MESSAGES = {
    "missing": "là bắt buộc",
    "string_type": "phải là một chuỗi ký tự",
    "string_too_short": "phải có ít nhất {min_length} ký tự",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_pattern_mismatch": "không đúng định dạng",
    "string_unicode": "phải là văn bản Unicode hợp lệ",
    "int_type": "phải là một số nguyên",
    "int_parsing": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên",
    "int_parsing_size": "là một số quá lớn",
    "float_type": "phải là một số",
    "float_parsing": "phải là một số",
    "finite_number": "phải là một số hữu hạn",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "phải là một trong {expected}",
    "enum": "phải là một trong {expected}",
    "date_type": "phải là một ngày (YYYY-MM-DD)",
    "date_parsing": "phải là một ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "phải là một ngày (YYYY-MM-DD)",
    "date_from_datetime_inexact": "phải là một ngày, không kèm giờ",
    "datetime_type": "phải là một thời điểm ISO 8601, ví dụ 2026-03-02T09:00:00+07:00",
    "datetime_parsing": "phải là một thời điểm ISO 8601, ví dụ 2026-03-02T09:00:00+07:00",
    "datetime_from_date_parsing": "phải là một thời điểm ISO 8601, ví dụ 2026-03-02T09:00:00+07:00",
    "list_type": "phải là một danh sách",
    "too_short": "phải có ít nhất {min_length} phần tử",
    "too_long": "có nhiều quá {max_length} phần tử",
    "dict_type": "phải là một đối tượng JSON",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "union_tag_invalid": "loại “{tag}” không hợp lệ: dùng một trong {expected_tags}",
    "union_tag_not_found": "thiếu trường phân loại “{discriminator}”",
    "uuid_type": "phải là một UUID",
    "uuid_parsing": "phải là một UUID",
    "extra_forbidden": "không có trường này",
    "json_invalid": "không phải JSON hợp lệ",
}
FIELD_MESSAGE_DEFAULT = "không hợp lệ"
# Where ninja says the value came from: the first item of an error's location.
SOURCES = {"query", "path", "body", "form", "file", "header", "cookie"}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        # A body parameter's errors are located under its name ("body", "payload"…) first.
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    return ".".join(parts) or "request"


def _field_message(error: dict[str, Any]) -> str:
    template = FIELD_MESSAGES.get(error.get("type", ""), FIELD_MESSAGE_DEFAULT)
    # pydantic lists choices as "'counter', 'post' or 'online'": counter, post, online.
    context = {k: str(v).replace(" or ", ", ").replace("'", "") for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return FIELD_MESSAGE_DEFAULT


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), _field_message(error))
    described = "; ".join(f"{name} {message}" for name, message in fields.items())
    return error_response(
        request, 400, "invalid_input", f"Dữ liệu gửi lên không hợp lệ: {described}.", {"fields": fields}
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Không tìm thấy.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "Cần đăng nhập.")


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = f" sau {exc.wait} giây" if exc.wait else " sau ít phút"
    details = {"retry_after": exc.wait} if exc.wait else {}
    return error_response(
        request, 429, "throttled", f"Bạn gửi quá nhiều yêu cầu; hãy thử lại{wait}.", details
    )


STATUS_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    409: "Hồ sơ đã thay đổi hoặc không ở trạng thái cho phép thao tác này.",
    413: "Dữ liệu gửi lên quá lớn.",
    429: "Bạn gửi quá nhiều yêu cầu; hãy thử lại sau ít phút.",
}


def csrf_error_response(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A session request that changes something came without its CSRF token. The code stays
    the generic "error" that integrators have seen since the API started."""
    return error_response(request, 403, "error", CSRF_MESSAGE, {"reason": "csrf", "csrf": reason})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, NotAJsonObject):
        return error_response(
            request, 400, "invalid_json", "Thân yêu cầu phải là một đối tượng JSON ({…}).", {}
        )
    if exc.status_code == 400 and isinstance(cause, ValueError):
        # ninja could not read the body: not JSON (or not UTF-8).
        position = {}
        if isinstance(cause, json.JSONDecodeError):
            position = {"line": cause.lineno, "column": cause.colno}
        return error_response(
            request,
            400,
            "invalid_json",
            "Thân yêu cầu không phải JSON hợp lệ (gửi kèm Content-Type: application/json).",
            position,
        )
    if exc.status_code == 403 and exc.message == "CSRF check Failed":
        return csrf_error_response(request, getattr(request, "csrf_failure_reason", ""))
    # ninja's own messages are English ("Forbidden", "Unauthorized"): say the status instead.
    message = STATUS_MESSAGES.get(exc.status_code, "Không xử lý được yêu cầu.")
    return error_response(request, exc.status_code, "error", message)


def body_too_large_message() -> str:
    return f"Dữ liệu gửi lên quá lớn: tối đa {filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}."


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request,
        413,
        "body_too_large",
        body_too_large_message(),
        {"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many_fields(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(request, 413, "body_too_large", "Dữ liệu gửi lên có quá nhiều trường hoặc tệp.")


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # The code RequestGuardMiddleware (motcua/lib/request_guard.py) answers before any view.
    return error_response(
        request, 400, "unreadable_body", "Không đọc được dữ liệu biểu mẫu (multipart/form-data)."
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(request, 400, "bad_request", "Yêu cầu không hợp lệ.")


def _register_routers() -> None:
    from motcua.catalog.api import router as catalog_router
    from motcua.dossiers.api import router as dossiers_router
    from motcua.feedback.api import router as feedback_router
    from motcua.me.api import router as me_router
    from motcua.org.api import router as org_router
    from motcua.payments.api import router as payments_router
    from motcua.workcalendar.api import router as calendar_router

    api.add_router("/calendar", calendar_router)
    api.add_router("/", catalog_router)
    api.add_router("/", org_router)
    api.add_router("/", dossiers_router)
    api.add_router("/", feedback_router)  # ratings (motcua/feedback)
    api.add_router("/", payments_router)  # issue 12: /dossiers/{code}/payment…
    api.add_router("/me", me_router)  # the citizen's API for the mobile app (motcua/me/)


_register_routers()
