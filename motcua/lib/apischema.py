"""What every API router declares the same way: the error schema, the error statuses an
operation can answer, and enumerations.

The OpenAPI description at ``/api/v1/openapi.json`` is a contract with integrators: every status
an operation can answer is listed with its schema (errors with ``ErrorOut``), and every value
that comes from a fixed list is declared as an enumeration (``motcua/tests/test_openapi.py``).
"""

from collections.abc import Iterable
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field
from pydantic.fields import FieldInfo


class ErrorOut(Schema):
    """Every error of the API: a stable code for programs, a Vietnamese message for people."""

    code: str = Field(description="Mã lỗi ổn định, để chương trình xử lý", examples=["not_found"])
    message: str = Field(description="Thông báo bằng tiếng Việt, hiển thị được cho người dùng")
    details: dict[str, Any] = Field(description="Chi tiết (trường sai, giới hạn…), có thể rỗng")


# What each error status means in this API (the OpenAPI description of the status).
ERROR_STATUSES = {
    400: "Dữ liệu gửi lên không hợp lệ (JSON hỏng, tham số sai, thiếu trường)",
    401: "Chưa đăng nhập hoặc mã truy cập (token) không hợp lệ",
    403: "Không có quyền (ngoài phạm vi được giao, hoặc thiếu mã CSRF khi dùng phiên đăng nhập)",
    404: "Không tìm thấy",
    409: "Trạng thái hồ sơ không cho phép thao tác này, hoặc hồ sơ đã thay đổi (phiên bản cũ)",
    413: "Dữ liệu gửi lên vượt quá giới hạn",
    422: "Yêu cầu đúng dạng nhưng không thực hiện được (ví dụ Idempotency-Key đã dùng cho nội dung khác)",
    429: "Gửi quá nhiều yêu cầu, hãy thử lại sau",
}

# The statuses every operation can answer: bad input and an unknown object; those that need a
# signed-in user add 401 and 403; those that take a body add 413.
PUBLIC_READ = (400, 404)
STAFF_READ = (400, 401, 403, 404)
STAFF_WRITE = (400, 401, 403, 404, 409, 413)


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries for these error statuses, each answered with ``ErrorOut``."""
    unknown = set(statuses) - set(ERROR_STATUSES)
    if unknown:
        raise ValueError(f"Undocumented error status: {sorted(unknown)}")
    return dict.fromkeys(sorted(statuses), ErrorOut)


# ``?page=``: empty or a positive whole number (``motcua/lib/paging.py`` says which is wrong).
Page = Annotated[
    str,
    Field(description="Số trang, từ 1; trống: trang 1", json_schema_extra={"pattern": "^([1-9][0-9]*)?$"}),
]


def one_of(values: Iterable[str | int], *, description: str | None = None) -> Any:
    """A field (or a query/path parameter) whose OpenAPI schema is an enumeration of ``values``.

    For values the operation or its selector checks itself, with a Vietnamese message naming
    the parameter, and for outputs built from a model's choices: the type stays ``str``/``int``,
    the description lists the values. Inputs that pydantic checks use ``Literal`` instead.
    """
    info: FieldInfo = Field(description=description, json_schema_extra={"enum": list(values)})
    return info
