"""Domain errors raised by services and selectors.

Every interface turns them into its own shape: pages show ``message`` (Vietnamese) next to the
form, the API answers ``{"code", "message", "details"}`` with ``status``.
"""

from typing import Any


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The object changed since it was read, or the action is not allowed in its state."""

    status = 409
    code = "conflict"


class Unprocessable(DomainError):
    """Well formed, but not something that can be done as asked (e.g. an Idempotency-Key sent
    again with another request than the one it was first used for)."""

    status = 422
    code = "unprocessable"
