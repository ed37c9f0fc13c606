"""Tracking benchmark: citizen lookups per second and p95 through HTTP against the real server as
it is deployed, compared in the same run with the rate of /healthz (one SELECT 1 and a Redis ping).

Run from the repository root:  .venv/bin/python bench/tracking.py
Servers:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 and BENCH_REDIS=redis://127.0.0.1:6379/9
(the defaults). It creates its own PostgreSQL database (``bench_tracking_<pid>``, dropped at the
end) and uses Redis under a key prefix of its own (its keys deleted at the end).

It migrates, collects the static files (as deploying does), builds the test province, a
procedure and a few dossiers received through the services, then starts gunicorn as the README
deploys it (``--workers 4 --timeout 60 --access-logfile -``: sync workers, one connection per
request as from nginx; DEBUG off, AUDIT_KEY, REDIS_URL, PostgreSQL, TRUSTED_PROXY_COUNT=1) bound
to 127.0.0.1 on a free port. One client sends what nginx passes on (Host, X-Forwarded-For,
X-Forwarded-Proto: https) with the headers real clients send, in alternating rounds:
/healthz (a monitor), POST /api/v1/tracking with code and PIN in a JSON body (an integration:
Accept JSON, gzip) and the /tra-cuu/ form POSTed with code, PIN and its CSRF token (a browser:
Accept text/html, Accept-Language, Accept-Encoding, User-Agent, Origin, and the cookies the page
set when the citizen opened it from the QR code). The PIN is never in an address. Valid codes
and PINs: only failed lookups are throttled. Bounded in requests
(ROUNDS × PER_ROUND each) and in time (TIME_LIMIT seconds).
Targets: API lookups/s ≥ 0.5 × healthz requests/s, and page lookups/s ≥ 0.5 × healthz
requests/s. Ends with one line "target met: yes|no — …", exit status 1 when not met; the server
it started is stopped.
"""

import gzip
import http.client
import json
import os
import statistics
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

from support import production
from support.production import HOST

SITE = "motcua.example.gov.vn"  # the Host nginx passes on
ROUNDS = 6
PER_ROUND = 100
WARMUP = 30
TIME_LIMIT = 90.0  # seconds for the whole measurement
DOSSIERS = 5
TARGET_RATIO = 0.5

RUN = production.configure(
    "tracking",
    hosts=SITE,
    env={"CSRF_TRUSTED_ORIGINS": f"https://{SITE}", "TRUSTED_PROXY_COUNT": "1"},
)

import django

django.setup()

from django.core.management import call_command
from django.db import connections


def prepare() -> list[tuple[str, str]]:
    """Migrate and receive a few dossiers through the services; their (code, PIN)."""
    from motcua.dossiers.tests.api_data import build_world, receive

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    world = build_world()
    dossiers = [receive(world, name=f"Nguyễn Văn Thử {n}") for n in range(DOSSIERS)]
    connections.close_all()
    return [(d.code, d.pin) for d in dossiers]


# What nginx passes on (README, Deploying): the site's Host, the client's address, the scheme.
PROXY = {
    "Host": SITE,
    "X-Forwarded-For": "203.0.113.57",
    "X-Forwarded-Proto": "https",
    "Connection": "close",
}
MONITOR = {**PROXY, "User-Agent": "Blackbox-Exporter/0.25.0", "Accept": "*/*"}
INTEGRATION = {
    **PROXY,
    "User-Agent": "python-httpx/0.28.1",
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
}
BROWSER = {
    **PROXY,
    "User-Agent": (
        "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Upgrade-Insecure-Requests": "1",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-User": "?1",
}


def request(port: int, path: str, headers: dict[str, str], body: bytes | None = None):
    """One request on a connection of its own (gunicorn's sync workers close each one, and nginx
    opens one per request upstream), a POST when it has a body: (status, headers, body, seconds)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET" if body is None else "POST", path, body=body, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, response, body, time.perf_counter() - start


def timed(port: int, path: str, headers: dict[str, str], check, data: bytes | None = None) -> float:
    status, response, body, elapsed = request(port, path, headers, data)
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    if status != 200 or not check(body):
        raise SystemExit(f"unexpected answer to {path}: {status} {body[:300]!r}")
    return elapsed


def browser_cookies(port: int, code: str) -> tuple[str, str]:
    """The citizen opens /tra-cuu/?ma=<code> from the QR code on the receipt: the cookies that page
    sets, which the browser sends back with the form, and the CSRF token the form carries."""
    status, response, _, _ = request(port, f"/tra-cuu/?ma={quote(code)}", BROWSER)
    if status != 200:
        raise SystemExit(f"the tracking page answered {status}")
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    token = jar["csrftoken"].value if "csrftoken" in jar else ""
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items()), token


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


def main() -> int:
    server = None
    try:
        lookups = prepare()
        port = production.free_port()
        server = production.start_gunicorn(RUN, port, workers=4)
        production.wait_healthy(RUN, port, server, headers=MONITOR)

        api_headers = {**INTEGRATION, "Content-Type": "application/json"}
        api = [
            ("/api/v1/tracking", api_headers, json.dumps({"code": code, "pin": pin}).encode())
            for code, pin in lookups
        ]
        page = []
        cookies = []
        for code, pin in lookups:
            cookie, token = browser_cookies(port, code)
            cookies.append(cookie)
            headers = {
                **BROWSER,
                "Origin": f"https://{SITE}",
                "Referer": f"https://{SITE}/tra-cuu/?ma={quote(code)}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Mode": "navigate",
            }
            if cookie:
                headers["Cookie"] = cookie
            form = urlencode({"csrfmiddlewaretoken": token, "ma": code, "pin": pin}).encode()
            page.append(("/tra-cuu/", headers, form))
        codes = [code for code, _ in lookups]

        def tracked(body: bytes) -> bool:
            return json.loads(body)["status_code"] == 2

        def shown(body: bytes) -> bool:
            text = body.decode()
            return "tracking-status--2" in text and any(f"<strong>{c}</strong>" in text for c in codes)

        def healthy(body: bytes) -> bool:
            return json.loads(body)["status"] == "ok"

        kinds = {
            "healthz": lambda n: timed(port, "/healthz", MONITOR, healthy),
            "api": lambda n: timed(port, *api[n % len(api)][:2], tracked, api[n % len(api)][2]),
            "page": lambda n: timed(port, *page[n % len(page)][:2], shown, page[n % len(page)][2]),
        }
        for n in range(WARMUP):
            for measure in kinds.values():
                measure(n)

        times: dict[str, list[float]] = {name: [] for name in kinds}
        started = time.monotonic()
        for _ in range(ROUNDS):
            if time.monotonic() - started > TIME_LIMIT:
                break
            for name, measure in kinds.items():
                times[name].extend(measure(n) for n in range(PER_ROUND))
    finally:
        if server is not None:
            production.stop_process(server)
        RUN.close()

    load = production.load()
    rate = {name: len(values) / sum(values) for name, values in times.items()}
    tail = {name: p95(values) * 1000 for name, values in times.items()}
    ratio = {name: rate[name] / rate["healthz"] for name in ("api", "page")}
    print(
        "server: gunicorn as deployed (4 sync workers, --timeout 60, access log), DEBUG off, "
        f"PostgreSQL, Redis; one client, a connection per request, on 127.0.0.1; "
        f"{os.cpu_count()} CPUs, load {load}"
    )
    names = sorted({c.split("=")[0] for c in "; ".join(cookies).split("; ") if c})
    print(f"browser cookies sent with the page: {names}")
    print("requests measured: " + ", ".join(f"{len(v)} {k}" for k, v in times.items()))
    print(f"/healthz:   {rate['healthz']:8.1f} requests/s   p95 {tail['healthz']:6.2f} ms")
    print(f"API:        {rate['api']:8.1f} lookups/s    p95 {tail['api']:6.2f} ms   ratio {ratio['api']:.2f}")
    print(
        f"/tra-cuu/:  {rate['page']:8.1f} lookups/s    p95 {tail['page']:6.2f} ms   ratio {ratio['page']:.2f}"
    )
    met = all(r >= TARGET_RATIO for r in ratio.values())

    def part(name: str, label: str) -> str:
        sign = "≥" if ratio[name] >= TARGET_RATIO else "<"
        figures = f"{label} {rate[name]:.0f}/s (p95 {tail[name]:.1f} ms)"
        return f"{figures} ratio {ratio[name]:.2f} {sign} {TARGET_RATIO}"

    figures = (
        f"{part('api', 'API')}, {part('page', '/tra-cuu/ page')}, vs /healthz {rate['healthz']:.0f}/s "
        f"(p95 {tail['healthz']:.1f} ms); load {load}"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(RUN.finish(main))
