"""The entry points: ``build_demo_dossiers`` draws each dossier (site, procedure, moment,
applicant, documents, plan), lives it up to ``now``, makes sure every state appears, and writes
them all in one transaction; ``demo_dossiers_exist`` tells whether it already ran."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.demo.applicants import draw_applicant
from motcua.dossiers.demo.clock import DAY
from motcua.dossiers.demo.context import Context, Desk, pick
from motcua.dossiers.demo.life import Life
from motcua.dossiers.demo.plan import draw_plan
from motcua.dossiers.demo.report import report
from motcua.dossiers.demo.writing import DEMO_KEY_PREFIX, number, write
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services.intake import CATALOGUE_CHANNEL
from motcua.org.demo import DemoOrg, refuse_outside_development, say
from motcua.workcalendar.calendar import VN_TZ, moment_at_position, working_position

# Six weeks of dossiers at a real day's volume (about 6,500): enough for every procedure's
# appointment to pass and for late rates to show, small enough for `make run` to start quickly.
DAYS_BACK = 42
MORNING = 1.3  # a morning session draws more people than an afternoon one, hour for hour
PIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

State = Dossier.State

# The states every demo shows a few dossiers in: forced when the draw missed them.
FORCEABLE = [
    State.SUBMITTED,
    State.REFUSED,
    State.INTAKE_SUPPLEMENT,
    State.RECEIVED,
    State.PROCESSING,
    State.SUPPLEMENT,
    State.PAYMENT,
    State.APPROVED,
    State.WITHDRAWN,
    State.STOPPED,
    State.FINISHED,
    State.RETURNED,
]

# Working time before ``now`` a forced dossier is created in, so that it is still in that state.
FORCE_WINDOW_DAYS: dict[str, tuple[float, float]] = {
    State.SUBMITTED: (0.05, 0.8),
    State.RECEIVED: (0.0, 0.3),
    State.PROCESSING: (1, 4),
    State.SUPPLEMENT: (2, 8),
    State.PAYMENT: (2, 10),
    State.APPROVED: (1, 12),
    State.FINISHED: (10, 30),
    State.STOPPED: (20, 35),
}


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def arrivals(ctx: Context, rng: random.Random, desk: Desk, first: date, now: datetime) -> list[datetime]:
    """When people hand in dossiers at ``desk`` from ``first`` to ``now``: each day it opens, a
    number drawn in its range for a full working day (in proportion on a shorter day, such as a
    Saturday morning), spread over its opening sessions, mornings busier. Today's stop at ``now``:
    a day in progress."""
    out: list[datetime] = []
    day = first
    while day <= now.astimezone(VN_TZ).date():
        sessions = [(_seconds(s), _seconds(e)) for s, e in ctx.opening(desk.receiving, day)]
        if sessions:
            open_seconds = sum(e - s for s, e in sessions)
            count = round(rng.randint(*desk.day) * min(1.0, open_seconds / DAY))
            weights = [(e - s) * (MORNING if s < 12 * 3600 else 1.0) for s, e in sessions]
            midnight = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
            for _ in range(count):
                s, e = rng.choices(sessions, weights=weights)[0]
                at = midnight + timedelta(seconds=int(rng.uniform(s, e)))
                if at < now:
                    out.append(at)
        day += timedelta(days=1)
    return sorted(out)


def _one(ctx: Context, rng: random.Random, now: datetime, desk: Desk, created: datetime, force=None) -> Life:
    site = desk.sites[pick(rng, desk.cum)]
    procedure, local_time = site.offerings[pick(rng, site.weights)]
    proc = ctx.procs[procedure.pk]
    life = Life(ctx, rng, now, site, proc, local_time)
    person = draw_applicant(rng, site, ctx, procedure)
    life.collector = person.pop("collector")
    life.d.update(person)
    documents = []
    # A procedure listing alternative cases ("trường hợp", kept as the document's condition):
    # the applicant is in one of them, and hands in its papers beside the ones every case needs.
    cases = sorted({doc.condition for doc in proc.documents if doc.condition})
    case = rng.choice(cases) if cases else ""
    for order, doc in enumerate(proc.documents, start=1):
        if doc.condition and doc.condition != case:
            continue
        if not doc.mandatory and rng.random() < 0.6:
            continue
        if doc.original_count:
            kind, count = DossierDocument.CopyKind.ORIGINAL, doc.original_count
        elif doc.certified_copy_count:
            kind, count = DossierDocument.CopyKind.CERTIFIED_COPY, doc.certified_copy_count
        else:
            kind, count = DossierDocument.CopyKind.PHOTOCOPY, doc.photocopy_count or 1
        documents.append(
            # A requirement with alternatives: the usual paper (Giấy chứng sinh) was handed in.
            {"requirement": doc, "requirement_code": doc.code,
             "name": doc.alternatives[0] if doc.alternatives else doc.name, "copy_kind": kind,
             "count": count, "order": order}
        )  # fmt: skip
    life.documents = documents
    life.d["pin"] = "".join(rng.choice(PIN_ALPHABET) for _ in range(6))
    plan = draw_plan(rng, site, proc, force)
    # Only the documents of the dossier's channel: no e-form in a counter dossier (issue 9.1).
    life.documents = documents_for_channel_rows(documents, plan.channel)
    amount = life.amount
    if plan.channel == Dossier.Channel.ONLINE and procedure.online_time:
        amount = life.amount = min(amount, procedure.online_time)
    life.snapshot = {**proc.snapshot_base, "time": amount, "local_time": local_time}
    life.run(plan, created)
    return life


def _forced(ctx: Context, rng: random.Random, now: datetime, start: datetime, state: str) -> Life | None:
    """A dossier that is in ``state`` at ``now`` (None when 400 draws missed it)."""
    desks = ctx.desks
    for _attempt in range(400):
        desk = rng.choices(desks, weights=[sum(d.day) for d in desks])[0]
        cal = ctx.calendar(desk.receiving)
        end_pos = working_position(cal, now)
        low, high = FORCE_WINDOW_DAYS.get(state, (0.5, 30))
        created = max(start, moment_at_position(cal, int(end_pos - rng.uniform(low, high) * DAY)))
        if created >= now:
            created = moment_at_position(cal, end_pos - 300)
        life = _one(ctx, rng, now, desk, created, force=state)
        if life.d["state"] == state:
            return life
    return None


def _day(life: Life) -> tuple[int, date]:
    return life.site.receiving.pk, life.created_at.astimezone(VN_TZ).date()


def demo_dossiers_exist() -> bool:
    return Dossier.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).exists()


def build_demo_dossiers(
    *, org: DemoOrg, days: int = DAYS_BACK, seed: int = 2026, now: datetime | None = None, stdout=None
) -> dict:
    """Create the demo dossiers handed in over the ``days`` calendar days before ``now``, at each
    receiving agency's daily volume (``Context``), and print what its staff would look at.

    Returns a summary: ``{"created", "skipped", "states": {state: n}, "late_rate": {agency code:
    share of finished dossiers that were late}}``. Does nothing (``skipped``: True) when demo
    dossiers already exist.
    """
    refuse_outside_development()
    skipped = {"created": 0, "skipped": True, "states": {}, "late_rate": {}}
    if demo_dossiers_exist():
        say(stdout, "Hồ sơ mẫu: đã có, không tạo thêm.")
        return skipped
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(seed)
    ctx = Context(org, rng)
    if not ctx.desks:
        say(stdout, "Hồ sơ mẫu: chưa có thủ tục nào được cơ quan mẫu giải quyết, bỏ qua.")
        return skipped
    first = (now - timedelta(days=days)).astimezone(VN_TZ).date()
    start = datetime(first.year, first.month, first.day, tzinfo=VN_TZ)
    lives = [
        _one(ctx, rng, now, desk, created)
        for desk in ctx.desks
        for created in arrivals(ctx, rng, desk, first, now)
    ]
    # Every state at least a few times (the short-lived ones may be missed): a forced dossier
    # takes the place of one handed in at the same desk on the same day, so the day's count stays.
    minimum = max(2, len(lives) // 1000)
    for state in FORCEABLE:
        for _ in range(minimum - sum(1 for lf in lives if lf.d["state"] == state)):
            life = _forced(ctx, rng, now, start, state)
            if life is None:
                continue
            counts = Counter(lf.d["state"] for lf in lives)
            same_day = [
                i for i, lf in enumerate(lives) if _day(lf) == _day(life) and counts[lf.d["state"]] > minimum
            ]
            if same_day:
                common = max(same_day, key=lambda i: counts[lives[i].d["state"]])
                victims = [i for i in same_day if lives[i].d["state"] == lives[common].d["state"]]
                lives[victims[rng.randrange(len(victims))]] = life
            else:
                lives.append(life)
    with transaction.atomic():
        if demo_dossiers_exist():  # lost a race with another loader
            return skipped
        sequences = number(lives)
        write(lives, sequences, seed)
    summary = report(ctx, lives, now, days, stdout)
    return {"created": len(lives), "skipped": False, **summary}


def documents_for_channel_rows(rows: list[dict], channel: int) -> list[dict]:
    """The drawn document rows that apply to a dossier submitted through ``channel``."""
    wanted = CATALOGUE_CHANNEL[Dossier.Channel(channel)]
    return [row for row in rows if row["requirement"].applies_to(wanted)]
