"""Lighthouse scores of the citizen pages (issue 11 §4; not part of ``make test``): accessibility
≥ 95 and performance ≥ 90 on each page in PAGES, the median of 3 runs, Lighthouse's mobile profile.

Run from the repository root (after ``make install``, whose ``npm ci`` installs lighthouse 12.2.3):
    .venv/bin/python bench/lighthouse.py [--runs 3] [--only /thu-tuc/,/tra-cuu/] [--reuse-db NAME]
Servers: BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432) and BENCH_REDIS
(redis://127.0.0.1:6379/9; keys under this run's own prefix, deleted at the end).

Set-up (not measured): a throwaway PostgreSQL database (``bench_lighthouse_<pid>``, dropped at the
end), migrated, the demo loaded (``demo_load`` with DEBUG=1, so the catalogue is real-sized), the
static files collected as deploying does (hashed names, compressed copies); gunicorn as the
README deploys it (4 sync workers, --timeout 60, access log; DEBUG off, PostgreSQL, Redis) on
127.0.0.1. Pages that need a signed-in citizen get a session made with Django's SessionStore
(sent as the ``sessionid`` cookie), as bench/province_day.py does for its leaders.

Measurement: the ``lighthouse`` CLI against Debian's Chromium (CHROME_PATH=/usr/bin/chromium,
``--headless=new --no-sandbox --disable-gpu --disable-background-networking``), its default mobile
form factor and emulation with simulated throttling; categories accessibility and performance
(the bar) and best-practices and SEO (printed for information). A page answered by a form POST
(the tracking answer) is measured as a Lighthouse user-flow navigation (bench/lighthouse_flow.mjs:
the form opened, filled, and the navigation its submit button causes measured). Runs are
interleaved (round 1 of every page, then round 2, ...), and each round also measures a trivial
static page served on loopback by Python's http.server: the reference for what the machine
itself costs (the machine is shared; performance also counts CPU tasks). The load average is
printed beside each round.

Ends with one line ``target met: yes|no — …``; exit status 1 when not met.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support import production

ROOT = production.ROOT


@dataclass
class Page:
    """One page measured. ``path`` may hold ``{procedure}`` / ``{dossier}`` (filled from the
    demo). ``citizen``: sent with a signed-in citizen's session cookie. ``form``: the page is the
    answer to this form, POSTed from ``path`` (field name → value, with the same placeholders)."""

    label: str
    path: str
    citizen: bool = False
    form: dict[str, str] = field(default_factory=dict)
    bar: bool = True  # counted in "target met"


# The pages (issue 11 §4: catalogue, procedure, submission, "my dossiers", tracking).
PAGES = [
    Page("trang chủ", "/"),
    Page("danh mục thủ tục", "/thu-tuc/"),
    Page("trang thủ tục", "/thu-tuc/{procedure}/"),
    Page("tra cứu (mẫu trống)", "/tra-cuu/"),
    Page("tra cứu (kết quả)", "/tra-cuu/?ma={dossier}", form={"#pin": "{pin}"}),
    # The citizen portal (motcua/portal), signed in as the demo's citizen: the online submission
    # (its start page and its longest step, the documents to upload) and "Hồ sơ của tôi".
    Page("nộp trực tuyến (bắt đầu)", "/nop-truc-tuyen/{online_procedure}/", citizen=True),
    Page("nộp trực tuyến (giấy tờ)", "/ho-so-cua-toi/nhap/{draft}/giay-to/", citizen=True),
    Page("hồ sơ của tôi", "/ho-so-cua-toi/", citizen=True),
    Page("hồ sơ của tôi (chi tiết)", "/ho-so-cua-toi/{mine}/", citizen=True),
]
ACCESSIBILITY_BAR, PERFORMANCE_BAR = 95, 90
CATEGORIES = ["accessibility", "performance", "best-practices", "seo"]
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
FLOW = ROOT / "bench" / "lighthouse_flow.mjs"
REFERENCE = "trang tĩnh (tham chiếu)"
REFERENCE_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Trang tĩnh tham chiếu của phép đo Lighthouse.">
<link rel="icon" href="data:,">
<title>Trang tham chiếu</title></head>
<body><main><h1>Trang tham chiếu</h1><p>Một trang tĩnh, không có CSS hay JavaScript.</p></main>
</body></html>
"""

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--runs", type=int, default=3, help="runs per page (the median is scored)")
parser.add_argument("--only", default="", help="comma-separated paths (as in PAGES) to measure")
parser.add_argument("--reuse-db", default="", help="a database with the demo already loaded (kept)")
parser.add_argument("--keep-reports", default="", help="a directory to keep the JSON reports in")
args = parser.parse_args()

HOST = production.HOST
RUN = production.configure("lighthouse", db_name=args.reuse_db or None, keep=bool(args.reuse_db), hosts=HOST)


def say(text: str) -> None:
    print(text, flush=True)


def prepare(pages: list[Page]) -> dict[str, str]:
    """The demo in a throwaway database; the values the page paths need and a citizen's session."""
    production.demo_database(RUN)

    import django

    django.setup()
    from django.db import connections
    from django.db.models import Count

    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier

    # The procedure page with the most required documents: the longest page a citizen reads.
    procedure = (
        Procedure.objects.filter(active=True).annotate(n=Count("documents")).order_by("-n", "code").first()
    )
    dossier = Dossier.objects.exclude(pin="").order_by("-received_at").first()
    if procedure is None or dossier is None:
        raise SystemExit("the demo has no active procedure or no dossier")
    values = {"procedure": procedure.code, "dossier": dossier.code, "pin": dossier.pin}
    if any(page.citizen for page in pages):
        values.update(citizen_values())
    connections.close_all()
    return values


def citizen_values() -> dict[str, str]:
    """A demo citizen's session, a draft of theirs at its documents step (for the online procedure
    with the most documents) and one of their dossiers."""
    from django.db.models import Count

    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier
    from motcua.portal import services as portal_services
    from motcua.portal.wizard import ONLINE_LEVELS

    session, citizen = citizen_session()
    online = (
        Procedure.objects.filter(active=True, online_level__in=ONLINE_LEVELS)
        .annotate(n=Count("documents"))
        .order_by("-n", "code")
        .first()
    )
    mine = Dossier.objects.filter(owner=citizen).order_by("-submitted_at").first()
    if online is None or mine is None:
        raise SystemExit("the demo has no online procedure or no dossier of its citizen")
    draft = portal_services.draft_start(owner=citizen, procedure=online)
    return {"session": session, "online_procedure": online.code, "draft": str(draft.uid), "mine": mine.code}


def citizen_session():
    """A signed-in session for a citizen of the demo (one is made when the demo has none), and
    the citizen."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    citizen = User.objects.filter(kind=User.Kind.CITIZEN, is_active=True).order_by("pk").first()
    if citizen is None:
        citizen = User.objects.create_user(
            username="lighthouse_citizen", kind=User.Kind.CITIZEN, full_name="Nguyễn Thị Đo Thử"
        )
    return production.signed_in_session(citizen), citizen


def start_reference() -> tuple[ThreadingHTTPServer, int]:
    """A trivial static page on loopback (Python's http.server, in a thread of this process)."""
    folder = Path(RUN.tmp) / "reference"
    folder.mkdir()
    (folder / "index.html").write_text(REFERENCE_HTML, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 — the standard library's signature
            pass

    server = ThreadingHTTPServer((HOST, 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def run_lighthouse(url: str, report: Path, cookie: str = "", form: dict[str, str] | None = None) -> dict:
    """One Lighthouse run; the category scores (0-100) and the metrics of the report."""
    env = {**os.environ, "CHROME_PATH": CHROME}
    if form:
        config = {"url": url, "form": form, "chrome": CHROME, "flags": CHROME_FLAGS,
                  "categories": CATEGORIES, "cookie": cookie, "output": str(report)}  # fmt: skip
        cmd = ["node", str(FLOW), json.dumps(config)]
    else:
        cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={' '.join(CHROME_FLAGS)}"]  # fmt: skip
        if cookie:
            cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode or not report.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    lhr = json.loads(report.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        raise SystemExit(f"lighthouse on {url}: {lhr['runtimeError']}")
    final = lhr.get("finalDisplayedUrl") or lhr.get("finalUrl", "")
    status = next(
        (r.get("statusCode") for r in lhr["audits"]["network-requests"]["details"]["items"]
         if r.get("url") == final), None,
    )  # fmt: skip
    if status not in (200, None):
        raise SystemExit(f"{url} answered {status} to Lighthouse")
    scores = {c: round((lhr["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    metrics = {
        a: lhr["audits"][a].get("numericValue", 0)
        for a in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                  "cumulative-layout-shift", "speed-index")
    }  # fmt: skip
    failed = sorted(
        a["id"] for c in ("accessibility", "performance")
        for ref in lhr["categories"][c]["auditRefs"] if ref["weight"] > 0
        for a in [lhr["audits"][ref["id"]]] if a["score"] is not None and a["score"] < 0.9
    )  # fmt: skip
    return {"scores": scores, "metrics": metrics, "failed": failed}


def main() -> int:
    wanted = {p for p in args.only.split(",") if p}
    pages = [p for p in PAGES if not wanted or p.path in wanted]
    server = reference = None
    results: dict[str, list[dict]] = {}
    loads: list[str] = []
    try:
        say(f"set-up: database {RUN.db_name}, demo, static files (not measured) …")
        values = prepare(pages)
        port = production.free_port()
        server = production.start_gunicorn(RUN, port)
        production.wait_healthy(RUN, port, server)
        reference, ref_port = start_reference()
        base = f"http://{HOST}:{port}"
        targets = [(REFERENCE, f"http://{HOST}:{ref_port}/", "", None, False)]
        for page in pages:
            cookie = f"sessionid={values['session']}" if page.citizen else ""
            form = {k: v.format(**values) for k, v in page.form.items()} or None
            targets.append((page.label, base + page.path.format(**values), cookie, form, page.bar))
        keep = Path(args.keep_reports) if args.keep_reports else Path(RUN.tmp)
        keep.mkdir(parents=True, exist_ok=True)
        for run in range(1, args.runs + 1):
            for n, (label, url, cookie, form, _) in enumerate(targets):
                result = run_lighthouse(url, keep / f"run{run}-page{n}.json", cookie, form)
                results.setdefault(label, []).append(result)
            load = production.load()
            loads.append(load)
            say(f"round {run}/{args.runs} done; load {load}")
    finally:
        if server is not None:
            production.stop_process(server)
        if reference is not None:
            reference.shutdown()

    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout.strip()
    say(
        f"conditions: lighthouse {version}, {chromium}, mobile form factor, simulated throttling; "
        "gunicorn as deployed (4 sync workers), DEBUG off, PostgreSQL, Redis, demo data; "
        f"{os.cpu_count()} CPUs; load after each round: {' | '.join(loads)}"
    )
    header = f"{'page':26} {'a11y':>5} {'perf':>5} {'b-p':>5} {'seo':>5}"
    say(header + "   FCP ms  LCP ms  TBT ms   CLS   runs perf")
    medians: dict[str, dict[str, float]] = {}
    for label, runs in results.items():
        med = {c: statistics.median(r["scores"][c] for r in runs) for c in CATEGORIES}
        metric = {m: statistics.median(r["metrics"][m] for r in runs) for m in runs[0]["metrics"]}
        medians[label] = med
        each = "/".join(str(r["scores"]["performance"]) for r in runs)
        say(
            f"{label:26} {med['accessibility']:5.0f} {med['performance']:5.0f} "
            f"{med['best-practices']:5.0f} {med['seo']:5.0f}   {metric['first-contentful-paint']:6.0f}  "
            f"{metric['largest-contentful-paint']:6.0f}  {metric['total-blocking-time']:6.0f}  "
            f"{metric['cumulative-layout-shift']:.3f}   {each}"
        )
        failing = sorted({a for r in runs for a in r["failed"]})
        if failing:
            say(f"{'':26} audits below 0.9 in some run: {', '.join(failing)}")
    barred = [t[0] for t in targets if t[4]]
    short = [
        label for label in barred
        if medians[label]["accessibility"] < ACCESSIBILITY_BAR
        or medians[label]["performance"] < PERFORMANCE_BAR
    ]  # fmt: skip
    figures = "; ".join(
        f"{label} a11y {medians[label]['accessibility']:.0f} perf {medians[label]['performance']:.0f}"
        for label in barred
    )
    ref = medians[REFERENCE]
    figures += (
        f" (bars: a11y ≥ {ACCESSIBILITY_BAR}, perf ≥ {PERFORMANCE_BAR}, median of {args.runs}); "
        f"reference static page perf {ref['performance']:.0f}; load {loads[-1] if loads else '?'}"
    )
    if short:
        figures += f"; short: {', '.join(short)}"
    say(f"target met: {'no' if short else 'yes'} — {figures}")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(RUN.finish(main))
