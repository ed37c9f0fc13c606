"""Intake benchmark (PostgreSQL + Redis): dossiers received per second through the service layer,
against the physical floor of the same writes measured in the same run.

Run from the repository root:  .venv/bin/python bench/intake.py
Servers:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 and
BENCH_REDIS=redis://127.0.0.1:6379/9 (the defaults; keys under a prefix of this run's own, deleted
at the end; the set-up common to the benchmarks is bench/support/production.py). Size: BENCH_N (500).
Database: BENCH_DB (default ``bench_intake_<pid>``, so that two runs never share one), created
and dropped by the run.

It migrates its database, builds a province, a procedure with four documents, an offering and a
four-step process through the services, then times N receptions through ``dossier_receive`` as
the counter makes them — each with its own ``Idempotency-Key`` (the counter form always sends
one), the cache on Redis as in production — everything a reception does: the idempotency check,
the code (daily sequence), the PIN, the appointment on the working calendar, the procedure
snapshot, the documents, the first step, the dossier event, the audit event on the agency's
chain and the outbox rows.

The floor is the same rows a reception writes, as plain statements in one transaction per
reception on the same connection: the writing statements of one real reception are recorded
with their parameters and replayed into copies of their tables (same columns, defaults and
indexes, unique ones made plain so that a replay does not collide; no foreign keys or
triggers) — its new rows as plain INSERTs, and the existing rows it changes (the day's
sequence, the agency's audit chain head) as a plain UPDATE of each, on copies holding those
rows. Both are measured in alternating rounds, so load and the disk's sync speed weigh on
both alike. It also counts the SQL statements one reception issues.
Targets: rate ratio ≥ 0.08 and at most 12 statements.
Ends with one line "target met: yes|no — …", exit status 1 when not met.
"""

import os
import re
import sys
import time
import uuid
from datetime import date

from support import production

N = int(os.environ.get("BENCH_N", "500"))
TARGET_RATIO = 0.08
TARGET_STATEMENTS = 12

RUN = production.configure("intake", db_name=os.environ.get("BENCH_DB") or None, env={"AXES_ENABLED": "0"})
PG_DB, REDIS_URL, KEY_PREFIX = RUN.db_name, RUN.redis_url, RUN.key_prefix

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def build():
    from motcua.catalog import services as catalog
    from motcua.org.models import Membership
    from motcua.org.testing import build_org_tree, make_staff

    tree = build_org_tree()
    receptionist = make_staff(
        "bench_le_tan", tree.commune_a, Membership.Role.RECEPTIONIST, full_name="Lê Thị Tân"
    )
    field = catalog.field_get_or_create(name="Hộ tịch", managing_ministry="Bộ Tư pháp")
    procedure = catalog.procedure_create(
        actor=None,
        code="9.900001",
        name="Thủ tục đăng ký kết hôn",
        field=field,
        level="commune",
        processing_time=5,
        time_unit="working_days",
        fees=[{"amount_vnd": 0, "text": "Miễn lệ phí"}],
        documents=[
            {"code": "TP01", "name": "Tờ khai đăng ký kết hôn", "original_count": 1, "mandatory": True},
            {
                "code": "TP02",
                "name": "Giấy xác nhận tình trạng hôn nhân",
                "original_count": 1,
                "mandatory": True,
            },
            {"code": "TP03", "name": "Giấy tờ tùy thân", "photocopy_count": 1, "mandatory": True},
            {"code": "TP04", "name": "Giấy tờ khác", "photocopy_count": 1, "mandatory": False},
        ],
        results=[{"code": "KQ1", "name": "Giấy chứng nhận kết hôn"}],
    )
    catalog.offering_create(agency=tree.commune_a, procedure=procedure, actor=None)
    catalog.process_template_save(
        procedure=procedure,
        actor=None,
        steps=[
            {"name": "Tiếp nhận", "performer": "receiving_role", "role": "receptionist", "budget_hours": 4},
            {"name": "Thẩm định", "performer": "handling_role", "role": "specialist", "budget_hours": 24},
            {"name": "Phê duyệt", "performer": "handling_role", "role": "leader", "budget_hours": 8},
            {"name": "Trả kết quả", "performer": "receiving_role", "role": "receptionist", "budget_hours": 4},
        ],
    )
    return tree, receptionist


def intake_data():
    from motcua.dossiers.services import ApplicantData, DocumentInput, IntakeData

    return IntakeData(
        procedure="9.900001",
        receiving_agency="000.01.31.H99",
        channel=1,
        result_delivery="counter",
        applicant=ApplicantData(
            kind="person",
            name="Nguyễn Thị Hoa",
            citizen_id="001190012345",
            date_of_birth=date(1990, 5, 17),
            phone="0912345678",
            email="hoa@example.vn",
            address="Thôn Đông, xã An Bình",
        ),
        documents=[
            DocumentInput("TP01", "original", 1),
            DocumentInput("TP02", "original", 1),
            DocumentInput("TP03", "photocopy", 2),
        ],
    )


class Recorder:
    """Keeps the statements (SQL and parameters) that write rows, as a block of code sends them."""

    def __init__(self):
        self.statements: list[tuple[str, list]] = []

    def __call__(self, execute, sql, params, many, context):
        if re.search(r"\b(INSERT INTO|UPDATE)\b", sql, re.IGNORECASE) and not many:
            self.statements.append((sql, list(params or [])))
        return execute(sql, params, many, context)


# One INSERT of new rows, plain or as a data-modifying CTE: every value a parameter.
INSERT = re.compile(
    r'INSERT INTO "(?P<table>[^"]+)" \((?P<columns>[^)]*)\) '
    r"VALUES (?P<values>\(%s(?:, %s)*\)(?:, \(%s(?:, %s)*\))*)"
)
# The writes to rows that exist: an upsert whose row exists after the day's first reception (the
# day's sequence) and a plain UPDATE of one row (the agency's audit chain head).
UPSERT = re.compile(
    r'INSERT INTO "(?P<table>[^"]+)" \((?P<columns>[^)]*)\) VALUES \((?P<values>[^)]*)\) '
    r"ON CONFLICT \((?P<keys>[^)]*)\) DO UPDATE SET (?P<set>.+?)(?= RETURNING|\)|$)"
)
UPDATE = re.compile(r'UPDATE "(?P<table>[^"]+)" SET (?P<set>.+?) WHERE (?P<where>[^)]+?)(?=\)|$)')


class FloorTables:
    """Copies of the reception's tables for the floor: columns, defaults, identity and the same
    indexes, none unique (replaying the same rows must not collide); no foreign keys or
    triggers. A table whose existing rows are updated is copied with its rows."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.made: set[str] = set()

    def copy(self, table: str, *, with_rows: bool = False) -> str:
        copy = f"bench_floor_{table}"
        if table in self.made:
            return copy
        self.made.add(table)
        cursor = self.cursor
        cursor.execute(
            f'CREATE TABLE "{copy}" (LIKE "{table}" '
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED)"
        )
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        for name, definition in cursor.fetchall():
            _, _, tail = definition.partition(" ON ")
            tail = re.sub(r'^(ONLY )?(public\.)?"?[^ "]+"? ', f'"{copy}" ', tail, count=1)
            cursor.execute(f'CREATE INDEX "bf_{name}" ON {tail}')
        if with_rows:
            cursor.execute(f'INSERT INTO "{copy}" SELECT * FROM "{table}"')
        return copy


def floor_statements(cursor, statements):
    """The rows the recorded statements write, as plain statements into copies of their tables
    (``FloorTables``): the new rows as INSERTs, one a table as the reception groups them, and
    each existing row the reception changes (the day's sequence, the chain head) as a plain
    UPDATE of that row. Each item: (sql, params, table, rows, kind)."""
    tables = FloorTables(cursor)
    replay = []
    for sql, params in statements:
        for match in INSERT.finditer(sql):
            table = match["table"]
            copy = tables.copy(table)
            offset = sql[: match.start()].count("%s")
            count = match.group(0).count("%s")
            rows = match["values"].count("(")
            replay.append(
                (
                    f'INSERT INTO "{copy}" ({match["columns"]}) VALUES {match["values"]}',
                    params[offset : offset + count],
                    table,
                    rows,
                    "insert",
                )
            )
        for match in UPSERT.finditer(sql):
            table = match["table"]
            copy = tables.copy(table, with_rows=True)
            columns = [c.strip().strip('"') for c in match["columns"].split(",")]
            values = [v.strip() for v in match["values"].split(",")]
            offset = sql[: match.start()].count("%s")
            given, n = {}, 0
            for column, value in zip(columns, values, strict=True):
                if value == "%s":
                    given[column] = params[offset + n]
                    n += 1
            keys = [k.strip().strip('"') for k in match["keys"].split(",")]
            assignment = match["set"].replace(f'"{table}".', f'"{copy}".')
            where = " AND ".join(f'"{k}" = %s' for k in keys)
            replay.append(
                (
                    f'UPDATE "{copy}" SET {assignment} WHERE {where}',
                    [given[k] for k in keys],
                    table,
                    1,
                    "update",
                )
            )
        for match in UPDATE.finditer(sql):
            table = match["table"]
            copy = tables.copy(table, with_rows=True)
            offset = sql[: match.start()].count("%s")
            count = match.group(0).count("%s")
            replay.append(
                (
                    f'UPDATE "{copy}" SET {match["set"]} WHERE {match["where"]}',
                    params[offset : offset + count],
                    table,
                    1,
                    "update",
                )
            )
    return replay


def main() -> int:
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_receive

    call_command("migrate", verbosity=0)
    _, receptionist = build()
    data = intake_data()

    def receive():
        return dossier_receive(actor=receptionist, data=data, idempotency_key=uuid.uuid4().hex)

    for _ in range(5):  # warm-up: caches, the chain head, the day's sequence row
        receive()

    recorder = Recorder()
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(recorder):
        receive()
    statements = len(ctx.captured_queries)
    with connection.cursor() as cursor:
        replay = floor_statements(cursor, recorder.statements)
    inserts = [r for r in replay if r[4] == "insert"]
    updates = [r for r in replay if r[4] == "update"]
    if not inserts:
        raise SystemExit("no INSERT recognised in one reception: the floor cannot be built")
    rows = sum(r for _, _, _, r, _ in inserts)
    written = ", ".join(f"{table} {r}" for _, _, table, r, _ in inserts)
    changed = ", ".join(table for _, _, table, _, _ in updates) or "none"

    def floor():
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params, _, _, _ in replay:
                cursor.execute(sql, params)

    with transaction.atomic(), connection.cursor() as cursor:  # each statement writes its rows
        for sql, params, table, rows_written, _ in replay:
            cursor.execute(sql, params)
            if cursor.rowcount != rows_written:
                raise SystemExit(
                    f"the floor's {sql[:60]}… wrote {cursor.rowcount} rows of {table}, not {rows_written}"
                )
    for sql, _, _, _, _ in updates:
        print(f"  floor UPDATE: {sql}")

    sync_sql, sync_params, _, _, _ = min(inserts, key=lambda r: r[3])

    def one_row_commit():  # the disk's sync speed, for the reader: a transaction of one row
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sync_sql, sync_params)

    for _ in range(5):
        floor()
        one_row_commit()

    # Both measured in alternating rounds, so that a busy machine weighs on both alike.
    rounds = 10
    service_seconds = floor_seconds = sync_seconds = 0.0
    done = 0
    for r in range(rounds):
        n = N // rounds + (1 if r < N % rounds else 0)
        start = time.perf_counter()
        for _ in range(n):
            receive()
        service_seconds += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(n):
            floor()
        floor_seconds += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(n):
            one_row_commit()
        sync_seconds += time.perf_counter() - start
        done += n
    service_rate = done / service_seconds
    floor_rate = done / floor_seconds
    ratio = service_rate / floor_rate
    sync_ms = sync_seconds / done * 1000
    received = Dossier.objects.count()

    load = production.load()
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database {PG_DB}; Redis {REDIS_URL} "
        f"(prefix {KEY_PREFIX}); {os.cpu_count()} CPUs, load {load}"
    )
    print(f"receptions via dossier_receive:  {done} in {service_seconds:.2f} s = {service_rate:.1f}/s")
    print(f"floor, the same writes per txn: {done} in {floor_seconds:.2f} s = {floor_rate:.1f}/s")
    print(
        f"  rows a reception writes: {rows} new ({written}) and {len(updates)} existing ({changed}): "
        f"{len(inserts)} plain INSERTs and {len(updates)} plain UPDATEs in one transaction"
    )
    print(
        f"one-row transaction (the disk's sync speed): {sync_ms:.2f} ms; per reception "
        f"{service_seconds / done * 1000:.2f} ms, floor {floor_seconds / done * 1000:.2f} ms"
    )
    print(f"ratio: {ratio:.3f} (target ≥ {TARGET_RATIO})")
    print(f"SQL statements in one reception: {statements} (target ≤ {TARGET_STATEMENTS})")
    for q in ctx.captured_queries:
        print(f"  {q['sql'][:110]}")
    print(f"dossiers in the database: {received}")
    met = ratio >= TARGET_RATIO and statements <= TARGET_STATEMENTS
    figures = (
        f"{service_rate:.1f} receptions/s vs {floor_rate:.1f}/s for the same rows as plain statements, "
        f"ratio {ratio:.3f} ({'≥' if ratio >= TARGET_RATIO else '<'} {TARGET_RATIO}), {statements} "
        f"statements per reception ({'≤' if statements <= TARGET_STATEMENTS else '>'} "
        f"{TARGET_STATEMENTS}); one-row commit {sync_ms:.2f} ms; load {load}"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(RUN.finish(main))
