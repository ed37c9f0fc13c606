"""Inbox benchmark (PostgreSQL + Redis, as production runs): a commune officer's whole inbox page
with 100 and with 10,000 open dossiers, in a province of 1,000,000.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, user postgres, trust; Redis at
127.0.0.1:6379):
    .venv/bin/python bench/inbox.py [--keep] [--rounds 200]
(other servers: BENCH_POSTGRES, BENCH_REDIS; see bench/support/production.py)

It creates its own database (``motcua_bench_inbox``), migrates it and builds a province (the test
organisation of ``motcua.org.testing`` plus twenty more communes), a birth-registration
procedure with its documents, fees and a four-step process, offered by every commune. One
dossier is received through the real service (``dossier_receive``, as the counter does): its
``procedure_snapshot`` (steps, fees, times — what a reception copies) is the snapshot of every
loaded row, so rows have production's width. Then 1,000,000 dossiers are loaded in bulk on the
server (``INSERT … SELECT … FROM generate_series``) **interleaved on disk as receptions across
communes make them**: row ``g`` goes to the commune a fixed permutation of ``g`` picks, so the
open dossiers of one commune are spread over the whole table, not stored side by side. Commune A
holds 100 open dossiers, commune B 10,000, each with many closed ones (returned, refused,
withdrawn …); the rest is spread over twenty other communes, mostly closed. Every dossier has
its current step (what the inbox's buckets and the holder rule read): an open one waits at the
appraisal step (unassigned when received: the leader distributes it; held by the commune's
specialist in processing — half of them —, supplement and payment), at the leader's approval
step (the other half in processing) or at the counter's result step (approved); a closed one
ends on the finished return step. Then ``VACUUM ANALYZE`` (what autovacuum does to a table
loaded once).

A page is **the whole back-office inbox view** through Django's test client, signed in, with
every query it makes (menu, session, agencies, procedures, the list, the counts, the paginator,
the calendars) and its template rendered; DEBUG off, the cache on Redis. Three pages an officer
opens, each for commune A and commune B: the menu's ``/xu-ly/`` (his own dossiers) of the
specialist and of the leader, and the agency tab (``/xu-ly/?scope=agency&agency=…``). After a
warm-up, each page is timed ``--rounds`` times (interleaved), p50/p95 printed, the SQL queries of
one page counted and the slowest of them explained.
Target, for each page: p95 on commune B ≤ 2 × p95 on commune A, and the same number of
queries. The database is dropped at the end unless ``--keep``. Ends with one line
``target met: yes|no — …``; exit status 1 when not met.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import date

from support import production

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--db", default="motcua_bench_inbox")
parser.add_argument("--total", type=int, default=1_000_000)
parser.add_argument("--rounds", type=int, default=200)
parser.add_argument("--warmup", type=int, default=20)
parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it if loaded)")
args = parser.parse_args()

RUN = production.configure(
    "inbox", db_name=args.db, keep=args.keep, hosts="testserver,localhost", env={"AXES_ENABLED": "0"}
)

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.selectors import inbox_counts
from motcua.org import services as org_services
from motcua.org.models import Agency, Membership
from motcua.org.testing import build_org_tree, make_staff

SMALL, LARGE = 100, 10_000
SMALL_CLOSED, LARGE_CLOSED = 20_000, 100_000
OTHER_COMMUNES = 20
OTHER_OPEN_SHARE = 0.04
# Row g of the load is segment position (g × STRIDE) mod total: a permutation (STRIDE is a prime
# that divides no total used here), so each commune's dossiers are spread over the whole table.
STRIDE = 7919
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


def build_catalogue(tree, communes: list[Agency]):
    """A birth registration as a province publishes it: documents, fees, a four-step process,
    offered by every commune; and the receptionist of commune A."""
    from motcua.catalog import services as catalog

    field = catalog.field_get_or_create(name="Hộ tịch", managing_ministry="Bộ Tư pháp")
    procedure = catalog.procedure_create(
        actor=None, code="1.001193", name="Thủ tục đăng ký khai sinh", field=field, level="commune",
        processing_time=3, time_unit="working_days",
        fees=[
            {"amount_vnd": 0, "text": "Miễn lệ phí đăng ký khai sinh đúng hạn"},
            {"amount_vnd": 8000, "text": "Lệ phí cấp bản sao trích lục khai sinh: 8.000 đồng/bản"},
        ],
        documents=[
            {"code": "TP01", "name": "Tờ khai đăng ký khai sinh theo mẫu", "original_count": 1,
             "mandatory": True},
            {"code": "TP02", "name": "Giấy chứng sinh hoặc văn bản của người làm chứng", "original_count": 1,
             "mandatory": True},
            {"code": "TP03", "name": "Giấy tờ tùy thân của người đi đăng ký", "photocopy_count": 1,
             "mandatory": True},
            {"code": "TP04", "name": "Giấy chứng nhận kết hôn của cha mẹ (nếu có)", "photocopy_count": 1,
             "mandatory": False},
        ],
        results=[{"code": "KQ1", "name": "Giấy khai sinh (bản chính)"}],
    )  # fmt: skip
    for agency in communes:
        catalog.offering_create(agency=agency, procedure=procedure, actor=None)
    catalog.process_template_save(
        procedure=procedure, actor=None,
        steps=[
            {"name": "Tiếp nhận, kiểm tra hồ sơ", "performer": "receiving_role", "role": "receptionist",
             "budget_hours": 4},
            {"name": "Thẩm định, trình ký", "performer": "handling_role", "role": "specialist",
             "budget_hours": 8},
            {"name": "Phê duyệt, ký giấy khai sinh", "performer": "handling_role", "role": "leader",
             "budget_hours": 8},
            {"name": "Trả kết quả", "performer": "receiving_role", "role": "receptionist", "budget_hours": 4},
        ],
    )  # fmt: skip
    receptionist = make_staff("letan_a", tree.commune_a, Membership.Role.RECEPTIONIST, full_name="Lê Thị Tân")
    return procedure, receptionist


def received_snapshot(receptionist) -> dict:
    """The procedure snapshot of one dossier received through the service, as the counter does."""
    from motcua.dossiers.services import ApplicantData, DocumentInput, IntakeData, dossier_receive

    data = IntakeData(
        procedure="1.001193", receiving_agency="000.01.31.H99", channel=1, result_delivery="counter",
        applicant=ApplicantData(
            kind="person", name="Nguyễn Thị Hoa", citizen_id="001190012345", date_of_birth=date(1990, 5, 17),
            phone="0912345678", email="hoa@example.vn", address="Thôn Đông, xã An Bình",
        ),
        documents=[DocumentInput("TP01", "original", 1), DocumentInput("TP02", "original", 1),
                   DocumentInput("TP03", "photocopy", 1)],
    )  # fmt: skip
    dossier = dossier_receive(actor=receptionist, data=data, idempotency_key=uuid.uuid4().hex)
    return Dossier.objects.get(pk=dossier.pk).procedure_snapshot


def insert_all(
    cursor, *, segments: list[dict], total: int, procedure_id: int, snapshot: dict, now_sql: str, base: int
):
    """Every dossier in one INSERT … SELECT on the server, in the order receptions would store
    them: row ``g`` is position ``k = g × STRIDE mod total`` of the concatenated segments, so
    neighbours on disk belong to different communes. Open ones are due from 3 working days ago to
    10 days ahead (some late); closed ones were received over the past year. Codes are unique per
    receiving agency. Dossier ``base + g + 1`` has its current step under the same id
    (``insert_steps``) and, when an officer works on it, its holder: the segment's specialist
    for dossiers in processing (half of them), waiting for a supplement or a payment."""
    bounds, starts, cases = [], 0, {}
    for seg in segments:
        bounds.append((starts, starts + seg["count"], seg))
        starts += seg["count"]
    assert starts == total, (starts, total)

    def pick(expr_of) -> str:
        whens = " ".join(f"WHEN k < {end} THEN {expr_of(start, seg)}" for start, end, seg in bounds)
        return f"CASE {whens} END"

    cases["state"] = pick(lambda s, seg: f"({_array(seg['states'])})[1 + ((k - {s}) % {len(seg['states'])})]")
    cases["i"] = pick(lambda s, seg: f"k - {s}")
    cases["receiving"] = pick(lambda s, seg: seg["receiving"])
    cases["handling"] = pick(lambda s, seg: seg["handling"])
    cases["holder"] = pick(lambda s, seg: seg["holder"])
    cases["prefix"] = pick(lambda s, seg: seg["prefix"])
    cases["offset"] = pick(lambda s, seg: str(seg["offset"]))
    cases["specialist"] = pick(lambda s, seg: seg.get("specialist", "NULL"))
    columns = """
            id, current_step_id, holder_id, uid, code, pin, version, procedure_id, procedure_snapshot,
            rules_version,
            receiving_agency_id, handling_agency_id, applicant_kind, applicant_name, citizen_id,
            tax_code, representative, phone, email, address, channel, result_delivery, state,
            status_code, outcome, created_at, received_at, clock_started_at, original_due_at,
            due_at, finished_at, returned_at, closed_at, timeliness, holder_agency_id,
            supplement_count, supplement_flagged, extension_count, collected_by, postal_tracking,
            idempotency_fingerprint"""
    more_columns, more_values, defaults = production.unlisted_columns(Dossier, columns)
    sql = f"""
        INSERT INTO dossiers_dossier ({columns}{more_columns})
        SELECT
            {base} + g + 1, {base} + g + 1,
            CASE WHEN c.state IN ('supplement', 'payment') OR (c.state = 'processing' AND g % 2 = 0)
                 THEN c.specialist END,
            gen_random_uuid(),
            c.prefix || '-' || to_char(date '2026-11-20' - (c.seq / 9000), 'YYMMDD') || '-'
                || lpad(((c.seq % 9000) + 1)::text, 4, '0'),
            upper(substr(md5(g::text), 1, 6)), 1, {procedure_id}, %s::jsonb, 'nd118-2025',
            c.receiving, c.handling, 'person',
            'Nguyễn Thị Phương Anh ' || g, lpad((8000000000 + g)::text, 12, '0'),
            '', '', '09' || lpad((g % 100000000)::text, 8, '0'), 'nguoidan' || g || '@example.vn',
            'Số ' || (g % 300) || ', tổ dân phố ' || (g % 40) || ', thôn Đông Hòa, xã An Bình, tỉnh Thử',
            1 + (g % 3 = 0)::int, 'counter', c.state, {STATE_STATUS_SQL.format(state="c.state")}, '',
            r.received, r.received, r.received, r.due, r.due,
            CASE WHEN c.state IN ('finished', 'returned') THEN r.received + interval '3 days' END,
            CASE WHEN c.state = 'returned' THEN r.received + interval '4 days' END,
            CASE WHEN c.state IN ('refused', 'withdrawn', 'stopped') THEN r.received + interval '1 day' END,
            CASE WHEN c.state IN ('finished', 'returned')
                 THEN (ARRAY['early', 'on_time', 'late'])[1 + (g % 3)] ELSE '' END,
            c.holder, (c.state = 'supplement')::int, false, 0, '', '', md5(g::text) || md5((g + 1)::text)
            {more_values}
        FROM generate_series(0, {total - 1}) AS g
        CROSS JOIN LATERAL (SELECT ((g::bigint * {STRIDE}) % {total})::int AS k) AS p
        CROSS JOIN LATERAL (
            SELECT {cases["state"]} AS state, {cases["i"]} + {cases["offset"]} AS seq,
                   {cases["receiving"]} AS receiving, {cases["handling"]} AS handling,
                   {cases["holder"]} AS holder, {cases["prefix"]} AS prefix,
                   {cases["specialist"]}::bigint AS specialist
        ) AS c
        CROSS JOIN LATERAL (
            SELECT
                CASE WHEN c.state = ANY({_array(OPEN)})
                     THEN {now_sql} - interval '10 days' + (g % 1000) * interval '15 minutes'
                     ELSE {now_sql} - interval '365 days' + (g % 36000) * interval '14 minutes'
                END AS received,
                CASE WHEN c.state = ANY({_array(OPEN)})
                     THEN {now_sql} - interval '3 days' + ((g::bigint * 7919) % 10000) * interval '2 minutes'
                     ELSE {now_sql} - interval '360 days' + (g % 36000) * interval '14 minutes' END AS due
        ) AS r
    """  # noqa: S608 — every interpolated value is generated here, none comes from outside
    # Parameters: the snapshot, then the defaults of the columns not listed.
    sql = sql.replace("%", "%%").replace("%%s", "%s")
    cursor.execute(sql, [json.dumps(snapshot, ensure_ascii=False), *defaults])


# The process's four steps (build_catalogue): where an open dossier waits, as the holder rule and
# the inbox's buckets read it: (seq, kind, name, role).
STEPS = {
    2: ("process", "Thẩm định, trình ký", "specialist"),
    3: ("process", "Phê duyệt, ký giấy khai sinh", "leader"),
    4: ("return", "Trả kết quả", "receptionist"),
}


def insert_steps(cursor, *, base: int) -> None:
    """The current step of every loaded dossier (id = the dossier's): received → the appraisal
    step, unassigned (the leader distributes it); processing → appraisal held by the specialist,
    or (unheld) the leader's approval step; supplement, payment → appraisal, held; approved →
    the result to finish at the counter; closed → the return step, finished."""
    seq = (
        "CASE WHEN d.state IN ('received', 'supplement', 'payment') THEN 2 "
        "WHEN d.state = 'processing' THEN CASE WHEN d.holder_id IS NULL THEN 3 ELSE 2 END ELSE 4 END"
    )

    def of_step(index: int) -> str:
        return "CASE s.seq " + " ".join(f"WHEN {n} THEN '{v[index]}'" for n, v in STEPS.items()) + " END"

    columns = """
            id, dossier_id, seq, kind, template_order, name, agency_id, role, giver_id, receiver_id,
            started_at, due_at, finished_at, timeliness, ended_by, note"""
    more_columns, more_values, defaults = production.unlisted_columns(DossierStep, columns)
    cursor.execute(
        f"""
        INSERT INTO dossiers_dossierstep ({columns}{more_columns})
        SELECT
            d.id, d.id, s.seq, {of_step(0)}, s.seq, {of_step(1)},
            CASE WHEN s.seq = 4 THEN d.receiving_agency_id ELSE d.handling_agency_id END, {of_step(2)},
            NULL, d.holder_id, d.received_at + interval '2 hours', d.due_at,
            CASE WHEN d.state = ANY({_array(OPEN)}) THEN NULL
                 ELSE coalesce(d.returned_at, d.closed_at, d.finished_at) END,
            CASE WHEN d.state = ANY({_array(OPEN)}) THEN '' ELSE 'on_time' END, '', ''
            {more_values}
        FROM dossiers_dossier d CROSS JOIN LATERAL (SELECT {seq} AS seq) s
        WHERE d.id > {base}
        """,  # noqa: S608 — every interpolated value is generated here
        defaults,
    )
    for table in ("dossiers_dossier", "dossiers_dossierstep"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def load(now, tree, others: list[Agency], procedure, snapshot: dict, specialists: dict[int, int]) -> None:
    a = b = tree  # the two communes of the test organisation
    n = len(others)
    ids = ", ".join(str(x.pk) for x in others)
    codes = ", ".join(f"'{x.code}'" for x in others)
    rest = args.total - SMALL - SMALL_CLOSED - LARGE - LARGE_CLOSED
    open_every = round(1 / OTHER_OPEN_SHARE)
    other_states = OPEN + CLOSED * ((open_every - 1) * len(OPEN) // len(CLOSED))
    other_agency = f"(ARRAY[{ids}])[1 + (g % {n})]"
    segments = [
        # Open: held by the commune's People's Committee (processing there).
        {"count": SMALL, "states": OPEN, "receiving": str(a.one_stop_a.pk), "handling": str(a.commune_a.pk),
         "holder": str(a.commune_a.pk), "prefix": f"'{a.one_stop_a.code}'", "offset": 100,
         "specialist": str(specialists[a.commune_a.pk])},
        # Closed: kept by the one-stop unit that returned (or refused) them.
        {"count": SMALL_CLOSED, "states": CLOSED, "receiving": str(a.one_stop_a.pk),
         "handling": str(a.commune_a.pk), "holder": str(a.one_stop_a.pk), "prefix": f"'{a.one_stop_a.code}'",
         "offset": 100 + SMALL},
        {"count": LARGE, "states": OPEN, "receiving": str(b.one_stop_b.pk), "handling": str(b.commune_b.pk),
         "holder": str(b.commune_b.pk), "prefix": f"'{b.one_stop_b.code}'", "offset": 0,
         "specialist": str(specialists[b.commune_b.pk])},
        {"count": LARGE_CLOSED, "states": CLOSED, "receiving": str(b.one_stop_b.pk),
         "handling": str(b.commune_b.pk), "holder": str(b.one_stop_b.pk), "prefix": f"'{b.one_stop_b.code}'",
         "offset": LARGE},
        {"count": rest, "states": other_states, "receiving": other_agency, "handling": other_agency,
         "holder": other_agency, "prefix": f"(ARRAY[{codes}])[1 + (g % {n})]", "offset": 0},
    ]  # fmt: skip
    now_sql = f"'{now.isoformat()}'::timestamptz"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk load as a DBA would: foreign-key triggers off for this transaction (the rows are
        # consistent by construction) and the secondary indexes built once afterwards.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.tablename IN ('dossiers_dossier', 'dossiers_dossierstep') "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # Ids after those of the dossier received through the service and of its steps.
        cursor.execute(
            "SELECT greatest((SELECT max(id) FROM dossiers_dossier), "
            "(SELECT max(id) FROM dossiers_dossierstep))"
        )
        base = cursor.fetchone()[0] or 0
        insert_all(
            cursor, segments=segments, total=args.total, procedure_id=procedure.pk, snapshot=snapshot,
            now_sql=now_sql, base=base,
        )  # fmt: skip
        insert_steps(cursor, base=base)
        loaded = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
    say(
        f"Nạp {args.total:_} hồ sơ (và bước hiện tại của mỗi hồ sơ) xen kẽ giữa {n + 2} xã: "
        f"{loaded - started:.1f} s; dựng lại {len(indexes)} "
        f"chỉ mục: {time.perf_counter() - loaded:.1f} s".replace("_", ".")
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("VACUUM ANALYZE dossiers_dossierstep")
        cursor.execute("ANALYZE")
        say(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def explain_slowest(queries: list[dict]) -> None:
    """EXPLAIN ANALYZE of the page's three slowest statements (as captured, literal SQL)."""
    slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    with connection.cursor() as cursor:
        for q in slowest:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = "\n    ".join(r[0] for r in cursor.fetchall())
            say(f"  {float(q['time']) * 1000:.2f} ms: {q['sql'][:160]}…\n    {plan}")


def main() -> int:
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest, as deployed
    now = timezone.now()
    if not Dossier.objects.exists():
        tree = build_org_tree()
        others = [
            org_services.agency_create(
                code=f"000.00.{40 + i}.H99", parent=tree.province, name=f"Ủy ban nhân dân xã Thử {i + 1}",
                kind=Agency.Kind.PEOPLES_COMMITTEE,
            )
            for i in range(OTHER_COMMUNES)
        ]  # fmt: skip
        procedure, receptionist = build_catalogue(tree, [tree.commune_a, tree.commune_b, *others])
        snapshot = received_snapshot(receptionist)
        say(
            f"Ảnh chụp thủ tục của một hồ sơ tiếp nhận qua dịch vụ: "
            f"{len(json.dumps(snapshot, ensure_ascii=False))} ký tự "
            f"({len(snapshot.get('steps', []))} bước, {len(snapshot.get('fees', []))} khoản phí)"
        )
        specialists = {}
        for suffix, commune in (("a", tree.commune_a), ("b", tree.commune_b)):
            specialists[commune.pk] = make_staff(f"canbo_{suffix}", commune, Membership.Role.SPECIALIST).pk
            make_staff(f"lanhdao_{suffix}", commune, Membership.Role.LEADER)
        load(now, tree, others, procedure, snapshot, specialists)
    else:
        say("Dùng lại cơ sở dữ liệu đã nạp (--keep).")
    small, large = Agency.objects.get(code="000.00.31.H99"), Agency.objects.get(code="000.00.32.H99")
    User = get_user_model()
    total = Dossier.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(pg_column_size(d.*))::int, "
            "pg_size_pretty(pg_total_relation_size('dossiers_dossier')) "
            "FROM (SELECT * FROM dossiers_dossier TABLESAMPLE SYSTEM (1)) d"
        )
        width, size = cursor.fetchone()
        cursor.execute(
            "SELECT count(DISTINCT (ctid::text::point)[0]) FROM dossiers_dossier "
            "WHERE holder_agency_id = %s AND state = ANY(%s)",
            [large.pk, OPEN],
        )
        pages_large = cursor.fetchone()[0]
    say(
        f"Tổng số hồ sơ trong tỉnh: {total:_}; dòng trung bình {width} byte, bảng {size}; 10.000 hồ sơ "
        f"đang xử lý của xã B nằm trên {pages_large:_} trang đĩa".replace("_", ".")
    )

    # The pages an officer opens: the menu's "Xử lý hồ sơ" (/xu-ly/: his own dossiers, "mine" —
    # the specialist's held ones; the leader's to assign and to approve) and the agency's tab.
    pages = [
        ("agency", "tab “Của cơ quan” (chuyên viên)", "canbo", "/xu-ly/?scope=agency&agency={code}"),
        ("specialist", "/xu-ly/ của chuyên viên", "canbo", "/xu-ly/"),
        ("leader", "/xu-ly/ của lãnh đạo", "lanhdao", "/xu-ly/"),
    ]
    suffix = {small.pk: "a", large.pk: "b"}
    clients = {}
    results = {}
    for key, label, who, url_pattern in pages:
        for agency in (small, large):
            user = User.objects.get(username=f"{who}_{suffix[agency.pk]}")
            client = Client()
            client.force_login(user)
            session = client.session
            production.pass_second_factor(session, user)
            session.save()
            url = url_pattern.format(code=agency.code)
            clients[key, agency.pk] = (client, url)
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            # The figures the page shows, read through the selector it uses (the test client keeps
            # no context outside a test run, and instrumenting templates would slow every page).
            scope = "agency" if key == "agency" else "mine"
            counts = inbox_counts(user, scope=scope, agency=agency if scope == "agency" else None)
            results[key, agency.pk] = {"counts": counts, "queries": ctx.captured_queries, "t": []}
            say(f"{label}, {agency.code}: {counts} — trang {len(response.content):_} byte, "
                f"{len(ctx.captured_queries)} truy vấn SQL".replace("_", "."))  # fmt: skip
    for _ in range(args.warmup):
        for client, url in clients.values():
            client.get(url)
    for _ in range(args.rounds):
        for key, (client, url) in clients.items():
            started = time.perf_counter()
            response = client.get(url)
            results[key]["t"].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200

    load_avg = production.load()
    verdicts = []
    ok = True
    for key, label, _, _ in pages:
        small_r, large_r = results[key, small.pk], results[key, large.pk]
        say(f"{label} — các truy vấn chậm nhất của trang (xã B), với kế hoạch:")
        explain_slowest(large_r["queries"])
        for name, r in (("xã A", small_r), ("xã B", large_r)):
            per_query = sum(float(q["time"]) for q in r["queries"]) * 1000
            say(
                f"  {name}: {r['counts']['all']:_} hồ sơ trên trang, p50 {statistics.median(r['t']):.2f} ms, "
                f"p95 {pct(r['t'], 95):.2f} ms, {len(r['queries'])} truy vấn ({per_query:.1f} ms trong SQL "
                f"ở lần đếm)".replace("_", ".")
            )
        p95_small, p95_large = pct(small_r["t"], 95), pct(large_r["t"], 95)
        ratio = p95_large / p95_small
        same = len(small_r["queries"]) == len(large_r["queries"])
        # Agency tab: commune A's 100 open dossiers and B's 10,000; an officer's own page: some
        # on A's, a hundred times as many on B's.
        listed = (
            small_r["counts"]["all"] >= SMALL and large_r["counts"]["all"] == LARGE
            if key == "agency"
            else 0 < small_r["counts"]["all"] and large_r["counts"]["all"] >= 50 * small_r["counts"]["all"]
        )
        ok = ok and ratio <= 2.0 and same and listed
        verdicts.append(
            f"{key} p95 {p95_large:.1f} ms at {large_r['counts']['all']:,} vs {p95_small:.1f} ms at "
            f"{small_r['counts']['all']:,} (×{ratio:.2f}{'' if ratio <= 2 else ' > 2'}), "
            f"{len(large_r['queries'])}{'' if same else ' vs ' + str(len(small_r['queries']))} queries"
        )
    say(
        f"Điều kiện: PostgreSQL {connection.pg_version // 10000}, Redis {RUN.redis_url}, DEBUG tắt, "
        f"{os.cpu_count()} CPU, tải {load_avg}; {args.rounds} lượt mỗi trang"
    )
    figures = (
        f"whole inbox pages (target p95 ratio ≤ 2, same queries): {'; '.join(verdicts)}; "
        f"{total:,} dossiers of {width} bytes interleaved; load {load_avg}"
    )
    print(f"target met: {'yes' if ok else 'no'} — {figures}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(RUN.finish(main))
