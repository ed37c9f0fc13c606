"""Refuse, at the boundary, requests whose data the application cannot store or read.

``RequestGuardMiddleware`` answers 400 before any view or database query runs when:

- the path, a query parameter, a cookie, a header, a form field (name or value) or a string (key
  or value) of a JSON body holds the NUL character (U+0000). PostgreSQL refuses
  NUL in text, so without this check every lookup or write of such a value failed with a 500;
  no field of this system has a use for it (NUL bytes inside uploaded files are their content,
  not checked here);
- a ``multipart/form-data`` body cannot be parsed (no or bad ``boundary``).

Under ``/api/`` the answer is the API's error body ``{"code", "message", "details"}``; elsewhere
a page saying in Vietnamese what was wrong. A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
is not read here: the view reports it as it would without this middleware.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

NUL = "\x00"
API_PREFIX = "/api/"
WHERE = {
    "path": "Địa chỉ trang",
    "query": "Tham số “{}” trên địa chỉ trang",
    "cookie": "Cookie “{}”",
    "header": "Tiêu đề “{}” của yêu cầu",
    "form": "Trường “{}” của biểu mẫu",
    "json": "Trường “{}” của dữ liệu JSON",
}


class RefusedRequest(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any]):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def _shown(name: str) -> str:
    """A parameter's name fit to be shown: NUL made visible, at most 100 characters."""
    return name.replace(NUL, "\\x00")[:100]


def _refuse_nul(where: str, name: str = "") -> RefusedRequest:
    label = WHERE[where].format(_shown(name))
    return RefusedRequest(
        "invalid_character",
        f"{label} chứa ký tự NUL (mã 0), một ký tự không được phép. Yêu cầu không được xử lý; "
        "hãy kiểm tra lại dữ liệu rồi gửi lại.",
        {"where": where, "field": _shown(name)} if name else {"where": where},
    )


def _check_pairs(where: str, pairs: Iterable[tuple[str, Any]]) -> None:
    # Every request passes here with some twenty names and values: plain loops, nothing built.
    for name, values in pairs:
        if NUL in name:
            raise _refuse_nul(where, name)
        if isinstance(values, str):
            if NUL in values:
                raise _refuse_nul(where, name)
        elif isinstance(values, list):
            for value in values:
                if isinstance(value, str) and NUL in value:
                    raise _refuse_nul(where, name)


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """(dotted path, string) for every key and string value of a JSON document, without
    recursion (a deeply nested body must not exhaust the stack here)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                yield path, str(key)
                stack.append((path, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))


def _body_fits(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is None or length <= limit


def check_request(request: HttpRequest) -> None:
    """Raise ``RefusedRequest`` for a request this system cannot store or read (module doc)."""
    if NUL in request.path:
        raise _refuse_nul("path")
    _check_pairs("query", request.GET.lists())
    _check_pairs("cookie", request.COOKIES.items())
    _check_pairs(
        "header",
        (
            (key.removeprefix("HTTP_"), value)
            for key, value in request.META.items()
            if key.startswith("HTTP_")
        ),
    )
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        if content_type != "multipart/form-data" and not _body_fits(request):
            return
        try:
            form = request.POST
        except MultiPartParserError:
            raise RefusedRequest(
                "unreadable_body",
                "Không đọc được dữ liệu gửi lên: nội dung dạng multipart/form-data thiếu hoặc sai "
                "ranh giới (boundary) giữa các phần. Yêu cầu không được xử lý.",
                {"content_type": content_type},
            ) from None
        _check_pairs("form", form.lists())  # uploaded files' names: Django drops NUL itself
    elif content_type == "application/json" or content_type.endswith("+json"):
        if not _body_fits(request):
            return
        try:
            document = json.loads(request.body)
        except (ValueError, RecursionError):
            return  # not JSON: the API says so itself
        for where, text in _json_strings(document):
            if NUL in text:
                raise _refuse_nul("json", where)


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except RefusedRequest as refused:
            return refused_response(request, refused)
        return self.get_response(request)


def refused_response(request: HttpRequest, refused: RefusedRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        body = {"code": refused.code, "message": refused.message, "details": refused.details}
        return JsonResponse(body, status=400)
    return render(request, "request_refused.html", {"message": refused.message}, status=400)
