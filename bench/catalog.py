"""Catalogue search benchmark: p50/p95 over 2,000 and over 20,000 procedures, in one run.

Run from the repository root:  .venv/bin/python bench/catalog.py
On PostgreSQL:  BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/catalog.py

It builds a throw-away SQLite database, imports the 87 real procedures through the services,
then adds generated procedures in bulk (not through the services) and rebuilds the search
index in bulk. The generated names use the common words of real names ("thủ tục", "cấp",
"giấy chứng nhận", "đăng ký" …) plus made-up syllables, so that common words grow with the
catalogue while the realistic queries below keep a bounded answer (their distinctive words
belong to real procedures). A search is what the catalogue page does: procedure_search(),
count() and the first page of 20; each size is measured in 3 trials and the best p95 kept.
Target: p95 at 20,000 ≤ 2 × p95 at 2,000, with the same number of SQL queries for every
search at both sizes. Ends with one line "target met: yes|no — …", exit status 1 when not met.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="motcua-bench-catalog-")
# BENCH_POSTGRES=postgres://user@host:5432 runs the same benchmark on a throw-away PostgreSQL
# database created on that server (and dropped at the end); by default a temporary SQLite file.
PG_SERVER = os.environ.get("BENCH_POSTGRES", "").rstrip("/")
PG_DB = f"motcua_bench_catalog_{os.getpid()}"
if PG_SERVER:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{PG_DB}"')
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ["DEBUG"] = "1"
os.environ["AXES_ENABLED"] = "0"

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.importing import import_reference_data
from motcua.catalog.models import Field, Procedure, SearchTerm
from motcua.catalog.selectors import procedure_search
from motcua.catalog.services import search_index_rebuild
from motcua.lib.text import fold, tokens

SIZES = (2_000, 20_000)
ROUNDS = 15
# The machine may be busy with other work: each size is measured TRIALS times and the trial
# with the lowest p95 is kept (all trials are printed).
TRIALS = 3
PAGE = 20
QUERIES = [
    "dang ky khai sinh",
    "ĐĂNG KÝ KHAI SINH",
    "Đăng ký khai sinh",
    "đăng ký kết hôn",
    "ket h",
    "cap giay phep xay dung",
    "chứng thực bản sao",
    "thuong tru",
    "dang ky ho kinh doanh",
    "phiếu lý lịch tư pháp",
    "giay chung nhan quyen su dung dat",
    "xac nhan tinh trang hon nhan",
    "khai t",
]
COMMON = ["thu", "tuc", "dang", "ky", "cap", "giay", "chung", "nhan"]
ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Đăng ký",
    "Thay đổi",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Chấp thuận",
    "Hỗ trợ",
    "Giải quyết",
]
OBJECTS = [
    "giấy phép",
    "giấy chứng nhận",
    "chứng chỉ",
    "hồ sơ",
    "văn bản",
    "quyết định",
    "danh sách",
    "báo cáo",
    "kế hoạch",
    "phương án",
    "đề án",
]
ONSETS = [
    "b",
    "c",
    "ch",
    "d",
    "g",
    "gh",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
RHYMES = [
    "a",
    "ai",
    "ao",
    "am",
    "an",
    "ang",
    "anh",
    "ac",
    "at",
    "e",
    "eo",
    "em",
    "en",
    "et",
    "i",
    "im",
    "in",
    "it",
    "o",
    "oi",
    "om",
    "on",
    "ong",
    "op",
    "ot",
    "u",
    "ui",
    "um",
    "un",
    "ung",
    "uc",
    "ut",
]


def synthetic_vocabulary(reserved: set[str]) -> list[str]:
    """Made-up syllables that are not words of any real procedure name (nor query words)."""
    words = {o + r for o in ONSETS for r in RHYMES}
    return sorted(w for w in words if w not in reserved)


def generate(start: int, stop: int, fields: list[Field], vocabulary: list[str], rng: random.Random) -> None:
    batch = []
    for n in range(start, stop):
        words = " ".join(rng.sample(vocabulary, 2))
        prefix = "Thủ tục " if n % 2 else ""
        action = rng.choice(ACTIONS)
        name = f"{prefix}{action.lower() if prefix else action} {rng.choice(OBJECTS)} {words}"
        batch.append(
            Procedure(
                code=f"9.{n:06d}",
                name=name,
                name_folded=fold(name),
                field=rng.choice(fields),
                level=rng.choice(["commune", "province"]),
                levels=[],
                processing_time=rng.choice([1, 3, 5, 10, 15]),
                time_unit="working_days",
                source={"generated": True},
            )
        )
    Procedure.objects.bulk_create(batch, batch_size=2000)


def one_search(q: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        qs = procedure_search(q=q)
        count = qs.count()
        page = list(qs[:PAGE])
        elapsed = time.perf_counter() - t0
    assert len(page) == min(PAGE, count)
    return elapsed, len(ctx.captured_queries), count


def measure() -> dict:
    latencies: list[float] = []
    queries: dict[str, int] = {}
    results: dict[str, int] = {}
    for q in QUERIES:  # warm-up
        one_search(q)
    for _ in range(ROUNDS):
        for q in QUERIES:
            elapsed, n_queries, count = one_search(q)
            latencies.append(elapsed * 1000)
            queries[q] = n_queries
            results[q] = count
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "queries": queries,
        "results": results,
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    import_reference_data()
    real = Procedure.objects.count()
    reserved = {t for name in Procedure.objects.values_list("name", flat=True) for t in tokens(name)}
    reserved |= {t for q in QUERIES for t in tokens(q)}
    reserved |= {t for phrase in ACTIONS + OBJECTS for t in tokens(phrase)}
    vocabulary = synthetic_vocabulary(reserved)
    fields = list(Field.objects.all())
    rng = random.Random(20260701)
    figures = {}
    done = real
    for size in SIZES:
        generate(done, size, fields, vocabulary, rng)
        done = size
        search_index_rebuild()
        if PG_SERVER:
            # What autovacuum does after a bulk load: statistics and the visibility map.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        trials = [measure() for _ in range(TRIALS)]
        print(f"{size:>6} procedures, p95 of each trial: " + ", ".join(f"{t['p95']:.2f} ms" for t in trials))
        figures[size] = min(trials, key=lambda t: t["p95"])
        f = figures[size]
        f["common"] = dict(SearchTerm.objects.filter(term__in=COMMON).values_list("term", "procedure_count"))
        print(
            f"{size:>6} procedures: p50 {f['p50']:.2f} ms, p95 {f['p95']:.2f} ms, "
            f"SQL queries per search {sorted(set(f['queries'].values()))}"
        )
    small, large = figures[SIZES[0]], figures[SIZES[1]]
    print("results per query (2,000 → 20,000):")
    for q in QUERIES:
        print(
            f"  {q!r}: {small['results'][q]} → {large['results'][q]}, queries {small['queries'][q]} → "
            f"{large['queries'][q]}"
        )
    growth = ", ".join(f"{t!r} {small['common'].get(t, 0)} → {large['common'].get(t, 0)}" for t in COMMON)
    print(f"common words grow with the catalogue (procedures containing them): {growth}")
    ratio = large["p95"] / small["p95"]
    same_queries = small["queries"] == large["queries"]
    met = ratio <= 2 and same_queries
    text = (
        f"p95 {small['p95']:.2f} ms at {SIZES[0]:,} vs {large['p95']:.2f} ms at {SIZES[1]:,} "
        f"(×{ratio:.2f}, limit ×2; best of {TRIALS} trials); p50 {small['p50']:.2f} / {large['p50']:.2f} ms; "
        f"SQL queries per search {'the same' if same_queries else 'DIFFERENT'} "
        f"({max(small['queries'].values())})"
    )
    print(f"target met: {'yes' if met else 'no'} — {text}")
    return 0 if met else 1


def drop_pg_database() -> None:
    connection.close()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')


if __name__ == "__main__":
    try:
        status = main()
    finally:
        if PG_SERVER:
            drop_pg_database()
    sys.exit(status)
