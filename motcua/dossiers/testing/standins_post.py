"""Stand-ins on loopback for the two services outside the machine this part talks to, each
speaking the protocol its adapter speaks: the postal operator (motcua/dossiers/postal_adapters.py)
and the national portal (motcua/notifications/channels/national_portal.py). Each can be told to
fail (``fail_next``: the next requests answer that HTTP status). Used by the tests; a demo can
start them with ``python -m motcua.dossiers.testing.standins_post`` (README)."""

import itertools
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    """A threaded HTTP server on loopback whose handler calls ``self.answer``."""

    def __init__(self, port: int = 0) -> None:
        self.lock = threading.Lock()
        self.failures: list[int] = []
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                with owner.lock:
                    owner.requests.append(
                        {"method": method, "path": self.path, "headers": headers, "raw": raw}
                    )
                    failure = owner.failures.pop(0) if owner.failures else None
                if failure:
                    status, body = failure, {"error": "stand-in failure"}
                else:
                    status, body = owner.answer(method, self.path, headers, raw)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        raise NotImplementedError

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.failures.extend(statuses)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


class PostalStandIn(_Server):
    """The postal operator: creates consignments (one per Idempotency-Key: a repeat gets the same
    number), and tells each one's statuses; ``advance(number, status, at, note)`` plays the
    postman."""

    def __init__(self, port: int = 0, token: str = "post-token") -> None:  # noqa: S107 — a stand-in's
        super().__init__(port)
        self.token = token
        self.by_key: dict[str, str] = {}
        self.consignments: dict[str, dict[str, Any]] = {}
        self.serial = itertools.count(100000001)

    def answer(self, method, path, headers, raw):
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorised"}
        if method == "POST" and path == "/consignments":
            key = headers.get("idempotency-key", "")
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return 400, {"error": "not JSON"}
            if not key or not (body.get("recipient") or {}).get("address"):
                return 400, {"error": "missing idempotency key or recipient address"}
            with self.lock:
                if key in self.by_key:
                    number = self.by_key[key]
                    return 200, {"number": number, "status": "created", "at": self.consignments[number]["at"]}
                number = f"EB{next(self.serial)}VN"
                now = datetime.now(UTC).isoformat()
                self.by_key[key] = number
                self.consignments[number] = {
                    "request": body,
                    "at": now,
                    "events": [{"status": "created", "at": now, "note": "Nhận tại bưu cục"}],
                }
            return 201, {"number": number, "status": "created", "at": now}
        if method == "GET" and path.startswith("/consignments/"):
            number = path.removeprefix("/consignments/")
            with self.lock:
                found = self.consignments.get(number)
                if found is None:
                    return 404, {"error": "unknown consignment"}
                events = list(found["events"])
            return 200, {"number": number, "status": events[-1]["status"], "events": events}
        return 404, {"error": "no such endpoint"}

    def add(self, number: str, at: datetime) -> None:
        """A consignment the post office created at its counter (the officer typed its number)."""
        with self.lock:
            self.consignments[number] = {
                "request": {},
                "at": at.isoformat(),
                "events": [{"status": "created", "at": at.isoformat(), "note": ""}],
            }

    def advance(self, number: str, status: str, at: datetime, note: str = "") -> None:
        with self.lock:
            self.consignments[number]["events"].append({"status": status, "at": at.isoformat(), "note": note})

    def created(self) -> int:
        """Consignments created (each Idempotency-Key once)."""
        with self.lock:
            return len(self.by_key)


class NationalPortalStandIn(_Server):
    """The national portal: records every payload it receives, takes each Idempotency-Key once
    (a repeat answers 409, as a portal that already has it would), fails on demand."""

    def __init__(self, port: int = 0, token: str = "portal-token") -> None:  # noqa: S107 — a stand-in's
        super().__init__(port)
        self.token = token
        self.taken: dict[str, bytes] = {}

    def answer(self, method, path, headers, raw):
        if method != "POST":
            return 405, {"error": "POST only"}
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorised"}
        key = headers.get("idempotency-key", "")
        try:
            json.loads(raw)
        except ValueError:
            return 400, {"error": "not JSON"}
        with self.lock:
            if key in self.taken:
                return 409, {"error": "already received", "key": key}
            self.taken[key] = raw
        return 200, {"id": f"dvcqg-{len(self.taken)}"}

    def payloads(self) -> list[dict[str, Any]]:
        """What the portal took, in order (one per key)."""
        with self.lock:
            return [json.loads(raw) for raw in self.taken.values()]


if __name__ == "__main__":  # pragma: no cover — the demo's stand-ins, in the foreground
    import sys
    import time

    post_port, portal_port = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else (8026, 8027)))
    with PostalStandIn(post_port) as post, NationalPortalStandIn(portal_port) as portal:
        print(f"POSTAL_API_URL={post.url} POSTAL_API_TOKEN={post.token}")
        print(f"NATIONAL_PORTAL_URL={portal.url} NATIONAL_PORTAL_TOKEN={portal.token}")
        while True:
            time.sleep(3600)
