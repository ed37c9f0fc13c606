"""Stand-ins on loopback for the providers outside the machine, each speaking its protocol: a real
SMTP server (aiosmtpd) that keeps what it accepts, and an HTTP server that answers as an SMS
gateway or Zalo's ZNS API does — 2xx, 4xx with an error body, 5xx, or too slowly (a timeout).
Used by the tests and by bench/outbox.py."""

import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class RecordingHandler:
    """Accepts every mail except to addresses listed in ``refuse`` (code and text per address),
    and keeps each accepted one; ``message_ids`` counts deliveries per Message-ID."""

    def __init__(self) -> None:
        self.refuse: dict[str, str] = {}
        self.messages: list[Any] = []
        self.message_ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.content if isinstance(envelope.content, bytes) else b"")
        with self.lock:
            self.messages.append(parsed)
            self.message_ids[parsed.get("Message-ID", "")] += 1
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[str]:
        """Deliveries per Message-ID so far (a copy: the server's thread keeps adding)."""
        with self.lock:
            return Counter(self.message_ids)


def free_port() -> int:
    """A port free on loopback now (aiosmtpd's controller needs one before it starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpStandIn:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> "SmtpStandIn":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def mailers(self) -> dict[str, Any]:
        """MAILERS for Django's SMTP backend pointed at this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: {"id": "gw-1"})
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a timeout)


class HttpStandIn:
    """Answers each POST with the next queued Reply (the default one when none is queued) and
    records the request: path, headers (names in lower case), decoded JSON body."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.queue: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — the name http.server calls
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                stand_in.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": body,
                    }
                )
                reply = stand_in.queue.pop(0) if stand_in.queue else stand_in.default
                if reply.delay:
                    time.sleep(reply.delay)
                data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HttpStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"
