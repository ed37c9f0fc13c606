"""Intake benchmark (PostgreSQL): dossiers received per second through the service layer.

Run from the repository root:  .venv/bin/python bench/intake.py
Server:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 (the default). Size: BENCH_N (500).

It creates its own database (``motcua_bench_intake``, dropped at the end), migrates it, builds a
province, a procedure with four documents, an offering and a four-step process through the
services, then times N receptions through ``dossier_receive`` — everything a reception does:
the code (daily sequence), the PIN, the appointment on the working calendar, the procedure
snapshot, the documents, the first step, the dossier event, the audit event on the agency's
chain and the outbox rows — against plain single-row INSERTs (autocommit, one transaction
each, like a reception) into a scratch table on the same connection. It also counts the SQL
statements one reception issues. Targets: rate ratio ≥ 0.06 and at most 15 statements.
Ends with one line "target met: yes|no — …", exit status 1 when not met.
"""

import os
import secrets
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "motcua_bench_intake"
N = int(os.environ.get("BENCH_N", "500"))
INSERTS = int(os.environ.get("BENCH_INSERTS", "5000"))
TARGET_RATIO = 0.06
TARGET_STATEMENTS = 15

import psycopg

with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
    admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{PG_DB}"')

os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
# DEBUG off: Django does not keep every query in memory while timing.
os.environ["DEBUG"] = "0"
os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ["ALLOWED_HOSTS"] = "localhost"
os.environ["AXES_ENABLED"] = "0"

import django

django.setup()

from django.core.management import call_command
from django.db import connection, connections
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


def main() -> int:
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_receive

    call_command("migrate", verbosity=0)
    _, receptionist = build()
    data = intake_data()
    for _ in range(5):  # warm-up: caches, the chain head, the day's sequence row
        dossier_receive(actor=receptionist, data=data)

    with CaptureQueriesContext(connection) as ctx:
        dossier_receive(actor=receptionist, data=data)
    statements = len(ctx.captured_queries)

    # Both measured in alternating rounds, so that a busy machine weighs on both alike.
    rounds = 10
    service_seconds = insert_seconds = 0.0
    done_service = done_inserts = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, code varchar(60), name varchar(300), "
            "n integer, at timestamptz)"
        )
    for r in range(rounds):
        n = N // rounds + (1 if r < N % rounds else 0)
        start = time.perf_counter()
        for _ in range(n):
            dossier_receive(actor=receptionist, data=data)
        service_seconds += time.perf_counter() - start
        done_service += n
        m = INSERTS // rounds + (1 if r < INSERTS % rounds else 0)
        with connection.cursor() as cursor:
            start = time.perf_counter()
            for i in range(m):
                cursor.execute(
                    "INSERT INTO bench_scratch (code, name, n, at) VALUES (%s, %s, %s, now())",
                    [f"C-{done_inserts + i}", "Nguyễn Thị Hoa", i],
                )
            insert_seconds += time.perf_counter() - start
        done_inserts += m
    service_rate = done_service / service_seconds
    insert_rate = done_inserts / insert_seconds
    ratio = service_rate / insert_rate
    received = Dossier.objects.count()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database {PG_DB}; {os.cpu_count()} CPUs, load {load}"
    )
    print(f"receptions via dossier_receive: {done_service} in {service_seconds:.2f} s = {service_rate:.1f}/s")
    print(f"plain single-row INSERTs:       {done_inserts} in {insert_seconds:.2f} s = {insert_rate:.1f}/s")
    print(f"ratio: {ratio:.3f} (target ≥ {TARGET_RATIO})")
    print(f"SQL statements in one reception: {statements} (target ≤ {TARGET_STATEMENTS})")
    for q in ctx.captured_queries:
        print(f"  {q['sql'][:110]}")
    print(f"dossiers in the database: {received}")
    met = ratio >= TARGET_RATIO and statements <= TARGET_STATEMENTS
    figures = (
        f"{service_rate:.1f} receptions/s vs {insert_rate:.1f} inserts/s, ratio {ratio:.3f} "
        f"(≥ {TARGET_RATIO}), {statements} statements per reception (≤ {TARGET_STATEMENTS})"
    )
    print(f"target met: {'yes' if met else 'no'} — {figures}")
    return 0 if met else 1


if __name__ == "__main__":
    try:
        status = main()
    finally:
        connections.close_all()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    sys.exit(status)
