"""Inbox benchmark: a commune officer's inbox page with 100 and with 10,000 open dossiers.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, user postgres, trust):
    .venv/bin/python bench/inbox.py [--keep] [--rounds 200] [--server postgres://postgres@127.0.0.1:5432]

It creates its own database (``motcua_bench_inbox``), migrates it, builds a province (the test
organisation of ``motcua.org.testing`` plus twenty more communes), and loads 1,000,000
dossiers in bulk on the server (``INSERT … SELECT … FROM generate_series``, not through the
services): commune A holds 100 open dossiers, commune B 10,000, each with many closed ones
(returned, refused, withdrawn …); the rest is spread over the other communes, mostly closed.
Then ``ANALYZE``. A page is what the back-office inbox does: ``dossiers_inbox(user,
scope="agency", agency=…, bucket="all", sort="due_at")`` first page of 20 plus
``inbox_counts(…)``, both evaluated. After a warm-up, each page is timed ``--rounds`` times
per agency (interleaved), p50/p95 printed, and the SQL queries of one page counted
(``CaptureQueriesContext``). Target: p95 at 10,000 ≤ 2 × p95 at 100, and the same number of
queries. The database is dropped at the end unless ``--keep``. Ends with one line
``target met: yes|no — …``; exit status 1 when not met.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument(
    "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
)
parser.add_argument("--db", default="motcua_bench_inbox")
parser.add_argument("--total", type=int, default=1_000_000)
parser.add_argument("--rounds", type=int, default=200)
parser.add_argument("--warmup", type=int, default=20)
parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it if loaded)")
args = parser.parse_args()

import psycopg

SERVER = args.server.rstrip("/")
DB = args.db
with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
    if exists and not args.keep:
        admin.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
        exists = None
    if not exists:
        admin.execute(f'CREATE DATABASE "{DB}"')

os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ["DEBUG"] = "1"
os.environ["AXES_ENABLED"] = "0"
os.environ["DB_CONN_MAX_AGE"] = "0"

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.catalog.models import Field, Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_inbox, inbox_counts
from motcua.org import services as org_services
from motcua.org.models import Agency, Membership
from motcua.org.testing import build_org_tree, make_staff

SMALL, LARGE = 100, 10_000
SMALL_CLOSED, LARGE_CLOSED = 20_000, 100_000
OTHER_COMMUNES = 20
OTHER_OPEN_SHARE = 0.04
PAGE = 20
OPEN = ["received", "processing", "supplement", "payment", "approved"]
CLOSED = [
    "returned",
    "returned",
    "returned",
    "returned",
    "returned",
    "returned",
    "refused",
    "withdrawn",
    "stopped",
    "finished",
]
STATUS = {
    "submitted": 1, "received": 2, "refused": 3, "processing": 4, "supplement": 5, "payment": 6,
    "withdrawn": 7, "stopped": 8, "finished": 9, "returned": 10, "approved": 4, "intake_supplement": 5,
}  # fmt: skip
assert all(Dossier.STATUS_OF_STATE[s] == n for s, n in STATUS.items())


def say(text: str) -> None:
    print(text, flush=True)


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


STATE_STATUS_SQL = "CASE {state} " + " ".join(f"WHEN '{s}' THEN {n}" for s, n in STATUS.items()) + " END"


def insert_segment(
    cursor, *, count: int, receiving: Agency, handling: Agency, holder_sql: str, states: list[str],
    offset: int, procedure_id: int, now_sql: str, agency_sql: str | None = None,
    receiving_code_sql: str | None = None,
) -> None:  # fmt: skip
    """``count`` dossiers in one INSERT … SELECT on the server. Row ``g`` gets state
    ``states[g % len]``; open ones are due from 3 working days ago to 10 days ahead (some late),
    closed ones were received over the past year. Codes are unique per receiving agency."""
    state = f"({_array(states)})[1 + (g % {len(states)})]"
    receiving_id = agency_sql or str(receiving.pk)
    handling_id = agency_sql or str(handling.pk)
    code_prefix = receiving_code_sql or f"'{receiving.code}'"
    seq = f"(g + {offset})"
    sql = f"""
        INSERT INTO dossiers_dossier (
            uid, code, pin, version, procedure_id, procedure_snapshot, rules_version,
            receiving_agency_id, handling_agency_id, applicant_kind, applicant_name, citizen_id,
            tax_code, representative, phone, email, address, channel, result_delivery, state,
            status_code, outcome, created_at, received_at, clock_started_at, original_due_at,
            due_at, finished_at, returned_at, closed_at, timeliness, holder_agency_id,
            supplement_count, supplement_flagged, extension_count, collected_by, postal_tracking
        )
        SELECT
            gen_random_uuid(),
            {code_prefix} || '-' || to_char(date '2026-11-20' - ({seq} / 9000), 'YYMMDD') || '-'
                || lpad((({seq} % 9000) + 1)::text, 4, '0'),
            upper(substr(md5(g::text), 1, 6)), 1, {procedure_id}, '{{}}'::jsonb, 'nd118-2025',
            {receiving_id}, {handling_id}, 'person',
            'Nguyễn Văn ' || g, lpad((8000000000 + g)::text, 12, '0'),
            '', '', '09' || lpad((g % 100000000)::text, 8, '0'), '', 'Thôn ' || (g % 50) || ', xã Thử',
            1 + (g % 3 = 0)::int, 'counter', s.state, {STATE_STATUS_SQL.format(state="s.state")}, '',
            r.received, r.received, r.received, r.due, r.due,
            CASE WHEN s.state IN ('finished', 'returned') THEN r.received + interval '3 days' END,
            CASE WHEN s.state = 'returned' THEN r.received + interval '4 days' END,
            CASE WHEN s.state IN ('refused', 'withdrawn', 'stopped') THEN r.received + interval '1 day' END,
            CASE WHEN s.state IN ('finished', 'returned')
                 THEN (ARRAY['early', 'on_time', 'late'])[1 + (g % 3)] ELSE '' END,
            {holder_sql}, (s.state = 'supplement')::int, false, 0, '', ''
        FROM generate_series(1, {count}) AS g
        CROSS JOIN LATERAL (SELECT {state} AS state) AS s
        CROSS JOIN LATERAL (
            SELECT
                CASE WHEN s.state = ANY({_array(OPEN)})
                     THEN {now_sql} - interval '10 days' + (g % 1000) * interval '15 minutes'
                     ELSE {now_sql} - interval '365 days' + (g % 36000) * interval '14 minutes'
                END AS received,
                CASE WHEN s.state = ANY({_array(OPEN)})
                     THEN {now_sql} - interval '3 days' + ((g::bigint * 7919) % 10000) * interval '2 minutes'
                     ELSE {now_sql} - interval '360 days' + (g % 36000) * interval '14 minutes' END AS due
        ) AS r
    """  # noqa: S608 — every interpolated value is generated here, none comes from outside
    cursor.execute(sql)


def load(now) -> tuple[Agency, Agency]:
    tree = build_org_tree()
    others = []
    for i in range(OTHER_COMMUNES):
        committee = org_services.agency_create(
            code=f"000.00.{40 + i}.H99", parent=tree.province, name=f"Ủy ban nhân dân xã Thử {i + 1}",
            kind=Agency.Kind.PEOPLES_COMMITTEE,
        )  # fmt: skip
        others.append(committee)
    field = Field.objects.create(code="ho-tich-bench", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field=field, level=Procedure.Level.COMMUNE,
        processing_time=3, time_unit=Procedure.TimeUnit.WORKING_DAYS,
    )  # fmt: skip
    now_sql = f"'{now.isoformat()}'::timestamptz"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk load as a DBA would: foreign-key triggers off for this transaction (the rows are
        # consistent by construction) and the secondary indexes built once afterwards.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'dossiers_dossier' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for agency, one_stop, open_count, closed_count in (
            (tree.commune_a, tree.one_stop_a, SMALL, SMALL_CLOSED),
            (tree.commune_b, tree.one_stop_b, LARGE, LARGE_CLOSED),
        ):
            # Open: held by the commune's People's Committee (processing there).
            insert_segment(
                cursor, count=open_count, receiving=one_stop, handling=agency, holder_sql=str(agency.pk),
                states=OPEN, offset=0, procedure_id=procedure.pk, now_sql=now_sql,
            )  # fmt: skip
            # Closed: kept by the one-stop unit that returned (or refused) them.
            insert_segment(
                cursor, count=closed_count, receiving=one_stop, handling=agency, holder_sql=str(one_stop.pk),
                states=CLOSED, offset=open_count, procedure_id=procedure.pk, now_sql=now_sql,
            )  # fmt: skip
        rest = args.total - SMALL - SMALL_CLOSED - LARGE - LARGE_CLOSED
        ids = ", ".join(str(a.pk) for a in others)
        codes = ", ".join(f"'{a.code}'" for a in others)
        n = len(others)
        open_every = round(1 / OTHER_OPEN_SHARE)
        states = OPEN + CLOSED * ((open_every - 1) * len(OPEN) // len(CLOSED))
        insert_segment(
            cursor, count=rest, receiving=others[0], handling=others[0],
            holder_sql=f"(ARRAY[{ids}])[1 + (g % {n})]", states=states, offset=0,
            procedure_id=procedure.pk, now_sql=now_sql,
            agency_sql=f"(ARRAY[{ids}])[1 + (g % {n})]",
            receiving_code_sql=f"(ARRAY[{codes}])[1 + (g % {n})]",
        )  # fmt: skip
        loaded = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
    say(
        f"Nạp {args.total:_} hồ sơ: {loaded - started:.1f} s; dựng lại {len(indexes)} chỉ mục: "
        f"{time.perf_counter() - loaded:.1f} s".replace("_", ".")
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        say(f"ANALYZE: {time.perf_counter() - started:.1f} s")
    make_staff("canbo_a", tree.commune_a, Membership.Role.SPECIALIST)
    make_staff("canbo_b", tree.commune_b, Membership.Role.SPECIALIST)
    return tree.commune_a, tree.commune_b


def page(user, agency) -> tuple[list, dict]:
    rows = list(dossiers_inbox(user, scope="agency", agency=agency, bucket="all", sort="due_at")[:PAGE])
    counts = inbox_counts(user, scope="agency", agency=agency)
    return rows, counts


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    now = timezone.now()
    if not Dossier.objects.exists():
        small, large = load(now)
    else:
        small, large = Agency.objects.get(code="000.00.31.H99"), Agency.objects.get(code="000.00.32.H99")
        say("Dùng lại cơ sở dữ liệu đã nạp (--keep).")
    User = get_user_model()
    users = {small.pk: User.objects.get(username="canbo_a"), large.pk: User.objects.get(username="canbo_b")}
    total = Dossier.objects.count()
    say(f"Tổng số hồ sơ trong tỉnh: {total:_}".replace("_", "."))

    results = {}
    for agency in (small, large):
        rows, counts = page(users[agency.pk], agency)
        with CaptureQueriesContext(connection) as ctx:
            page(users[agency.pk], agency)
        results[agency.pk] = {
            "counts": counts,
            "rows": len(rows),
            "queries": len(ctx.captured_queries),
            "t": [],
            "list": [],
            "count": [],
        }
        say(
            f"{agency.code}: {counts} — trang đầu {len(rows)} hồ sơ, {len(ctx.captured_queries)} truy vấn SQL"
        )
    for _ in range(args.warmup):
        for agency in (small, large):
            page(users[agency.pk], agency)
    for _ in range(args.rounds):
        for agency in (small, large):
            user, r = users[agency.pk], results[agency.pk]
            started = time.perf_counter()
            list(dossiers_inbox(user, scope="agency", agency=agency, bucket="all", sort="due_at")[:PAGE])
            middle = time.perf_counter()
            inbox_counts(user, scope="agency", agency=agency)
            ended = time.perf_counter()
            r["t"].append((ended - started) * 1000)
            r["list"].append((middle - started) * 1000)
            r["count"].append((ended - middle) * 1000)

    # The plans, for whoever reads the figures.
    with connection.cursor() as cursor:
        qs = dossiers_inbox(users[large.pk], scope="agency", agency=large, bucket="all", sort="due_at")[:PAGE]
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        say("Kế hoạch trang đầu (10.000):\n  " + "\n  ".join(r[0] for r in cursor.fetchall()))

    small_r, large_r = results[small.pk], results[large.pk]
    for label, r in (("100", small_r), ("10.000", large_r)):
        say(
            f"{label:>6} hồ sơ đang xử lý: p50 {statistics.median(r['t']):.2f} ms, "
            f"p95 {pct(r['t'], 95):.2f} ms, {r['queries']} truy vấn, all={r['counts']['all']} "
            f"(danh sách p50 {statistics.median(r['list']):.2f} / p95 {pct(r['list'], 95):.2f} ms, "
            f"đếm p50 {statistics.median(r['count']):.2f} / p95 {pct(r['count'], 95):.2f} ms)"
        )
    p95_small, p95_large = pct(small_r["t"], 95), pct(large_r["t"], 95)
    ratio = p95_large / p95_small
    ok = (
        ratio <= 2.0
        and small_r["queries"] == large_r["queries"]
        and small_r["counts"]["all"] == SMALL
        and large_r["counts"]["all"] == LARGE
    )
    figures = (
        f"p95 {p95_large:.2f} ms at 10,000 open vs {p95_small:.2f} ms at 100 "
        f"(ratio {ratio:.2f}, target ≤ 2), "
        f"queries {large_r['queries']} vs {small_r['queries']}, {total:,} dossiers in the province"
    )
    print(f"target met: {'yes' if ok else 'no'} — {figures}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        status = main()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    sys.exit(status)
