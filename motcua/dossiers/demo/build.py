"""The entry points: ``build_demo_dossiers`` draws each dossier (site, procedure, moment,
applicant, documents, plan), lives it up to ``now``, makes sure every state appears, and writes
them all in one transaction; ``demo_dossiers_exist`` tells whether it already ran."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.demo.applicants import draw_organisation, draw_person
from motcua.dossiers.demo.clock import DAY
from motcua.dossiers.demo.context import Context, pick
from motcua.dossiers.demo.life import Life
from motcua.dossiers.demo.plan import draw_plan
from motcua.dossiers.demo.writing import DEMO_KEY_PREFIX, number, write
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services.intake import CATALOGUE_CHANNEL
from motcua.org.demo import DemoOrg, refuse_outside_development, say
from motcua.workcalendar.calendar import moment_at_position, working_position

DAYS_BACK = 183
RECENT_SHARE, RECENT_DAYS = 0.25, 20  # a quarter of the dossiers came in the last 20 working days
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
    State.FINISHED: (20, 60),
    State.STOPPED: (30, 80),
}


def _one(ctx: Context, rng: random.Random, now: datetime, start: datetime, force: str | None = None) -> Life:
    site = ctx.sites[pick(rng, ctx.site_cum)]
    procedure, local_time = site.offerings[pick(rng, site.weights)]
    proc = ctx.procs[procedure.pk]
    life = Life(ctx, rng, now, site, proc, local_time)
    cal = life.cal_r
    end_pos = working_position(cal, now)
    if force in FORCE_WINDOW_DAYS:
        low, high = FORCE_WINDOW_DAYS[force]
        created = moment_at_position(cal, int(end_pos - rng.uniform(low, high) * DAY))
    elif force is not None:
        created = moment_at_position(cal, int(end_pos - rng.uniform(0.5, 40) * DAY))
    elif rng.random() < RECENT_SHARE:
        # Busier lately (more services online, the end-of-year rush): more open dossiers to show.
        created = moment_at_position(cal, int(end_pos - rng.uniform(0, RECENT_DAYS) * DAY))
    else:
        created = moment_at_position(cal, int(rng.uniform(working_position(cal, start), end_pos)))
    if created >= now:
        created = moment_at_position(cal, end_pos - 300)
    person = draw_organisation(rng, site, ctx) if rng.random() < 0.1 else draw_person(rng, site, ctx)
    life.collector = person.pop("collector")
    life.d.update(person)
    documents = []
    for order, doc in enumerate(proc.documents, start=1):
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


def demo_dossiers_exist() -> bool:
    return Dossier.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).exists()


def build_demo_dossiers(
    *, org: DemoOrg, count: int = 2000, seed: int = 2026, now: datetime | None = None, stdout=None
) -> dict:
    """Create about ``count`` demo dossiers received over the six months before ``now``.

    Returns a summary: ``{"created", "skipped", "states": {state: n}, "late_rate": {agency code:
    share of finished dossiers that were late}}``. Does nothing (``skipped``: True) when demo
    dossiers already exist.
    """
    refuse_outside_development()
    if demo_dossiers_exist():
        say(stdout, "Hồ sơ mẫu: đã có, không tạo thêm.")
        return {"created": 0, "skipped": True, "states": {}, "late_rate": {}}
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(seed)
    ctx = Context(org, rng)
    if not ctx.sites:
        say(stdout, "Hồ sơ mẫu: chưa có thủ tục nào được cơ quan mẫu giải quyết, bỏ qua.")
        return {"created": 0, "skipped": True, "states": {}, "late_rate": {}}
    start = now - timedelta(days=DAYS_BACK)
    lives = [_one(ctx, rng, now, start) for _ in range(count)]
    # Every state at least a few times (a small count may miss the short-lived ones).
    minimum = max(2, count // 200)
    for state in FORCEABLE:
        have = sum(1 for lf in lives if lf.d["state"] == state)
        for _ in range(minimum - have):
            for _attempt in range(400):
                life = _one(ctx, rng, now, start, force=state)
                if life.d["state"] == state:
                    break
            else:
                continue
            # Replace a dossier of the most common state, to keep the count.
            common = max(FORCEABLE, key=lambda s: sum(1 for lf in lives if lf.d["state"] == s))
            victims = [i for i, lf in enumerate(lives) if lf.d["state"] == common]
            lives[victims[rng.randrange(len(victims))]] = life
    with transaction.atomic():
        if demo_dossiers_exist():  # lost a race with another loader
            return {"created": 0, "skipped": True, "states": {}, "late_rate": {}}
        sequences = number(lives)
        write(lives, sequences, seed)
    states: dict[str, int] = defaultdict(int)
    for life in lives:
        states[life.d["state"]] += 1
    late_rate: dict[str, float] = {}
    per_agency: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for life in lives:
        if life.d["timeliness"]:
            per_agency[life.site.handling.code][0] += life.d["timeliness"] == "late"
            per_agency[life.site.handling.code][1] += 1
    for code, (late, total) in sorted(per_agency.items()):
        late_rate[code] = round(late / total, 3) if total else 0.0
    say(
        stdout,
        f"Hồ sơ mẫu: {len(lives)} hồ sơ trong {DAYS_BACK} ngày qua — "
        + ", ".join(
            f"{Dossier.State(s).label}: {n}" for s, n in sorted(states.items(), key=lambda kv: -kv[1])
        )
        + ".",
    )
    return {"created": len(lives), "skipped": False, "states": dict(states), "late_rate": late_rate}


def documents_for_channel_rows(rows: list[dict], channel: int) -> list[dict]:
    """The drawn document rows that apply to a dossier submitted through ``channel``."""
    wanted = CATALOGUE_CHANNEL[Dossier.Channel(channel)]
    return [row for row in rows if row["requirement"].applies_to(wanted)]
