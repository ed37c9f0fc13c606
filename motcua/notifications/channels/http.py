"""A JSON POST to a provider, and what its answer means for the message (SMS gateway, Zalo)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from motcua.notifications.channels.base import Outcome, Result


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the decoded JSON, or the text when it is not JSON


def post_json(
    url: str, payload: dict[str, Any] | bytes, *, headers: dict[str, str], timeout: float
) -> Answer | Result:
    """POST ``payload`` (or a body already encoded, sent byte for byte); the provider's answer,
    or the failed attempt's Result when none came (timeout, refused connection: temporary) or
    the answer was an HTTP error (4xx permanent, 5xx temporary, as GOV.UK Notify treats its
    providers)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    return _exchange(url, body, headers=headers, timeout=timeout, method="POST")


def get_json(url: str, *, headers: dict[str, str], timeout: float) -> Answer | Result:
    """GET ``url``: the answer, or the failed attempt's Result (as ``post_json``)."""
    return _exchange(url, None, headers=headers, timeout=timeout, method="GET")


def _exchange(
    url: str, body: bytes | None, *, headers: dict[str, str], timeout: float, method: str
) -> Answer | Result:
    sent = {"Accept": "application/json", **headers}
    if body is not None:
        sent["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=body, headers=sent, method=method)  # noqa: S310 — a setting
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, _decode(response.read()))
    except urllib.error.HTTPError as exc:
        detail = _decode(exc.read())
        outcome = Outcome.PERMANENT if 400 <= exc.code < 500 else Outcome.TEMPORARY
        return Result(outcome, error=f"HTTP {exc.code}: {_short(detail)}")
    except TimeoutError:
        return Result(Outcome.TEMPORARY, error=f"Hết thời gian chờ ({timeout:g} giây).")
    except (urllib.error.URLError, OSError) as exc:
        return Result(Outcome.TEMPORARY, error=f"Không kết nối được: {getattr(exc, 'reason', exc)}")


def _decode(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _short(detail: Any) -> str:
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    return text[:500]
