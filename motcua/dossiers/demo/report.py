"""What ``demo_load`` tells the people who open the demo: how many dossiers in which states, and
for each place that receives them what its staff would look at first — today's dossiers so far,
the previous working day's, the dossiers being handled and those past their appointment, and
the share of finished dossiers that were late (uneven from one commune to the next)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from motcua.dossiers.demo.context import Context
from motcua.dossiers.demo.life import Life
from motcua.dossiers.models import Dossier
from motcua.org.demo import say
from motcua.workcalendar.calendar import VN_TZ


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def report(ctx: Context, lives: list[Life], now: datetime, days: int, stdout) -> dict:
    """Print the summary to ``stdout`` and return ``{"states", "late_rate"}`` (late share of the
    finished dossiers per handling agency code)."""
    states = Counter(life.d["state"] for life in lives)
    finished: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for life in lives:
        if life.d["timeliness"]:
            finished[life.site.handling.code][0] += life.d["timeliness"] == "late"
            finished[life.site.handling.code][1] += 1
    late_rate = {code: round(late / total, 3) for code, (late, total) in sorted(finished.items())}
    say(
        stdout,
        f"Hồ sơ mẫu: {len(lives)} hồ sơ trong {days} ngày qua — "
        + ", ".join(f"{Dossier.State(s).label}: {n}" for s, n in states.most_common())
        + ".",
    )
    local_now = now.astimezone(VN_TZ)
    today = local_now.date()
    say(stdout, f"Tình hình từng nơi tiếp nhận (hôm nay {today:%d/%m/%Y}, đến {local_now:%H:%M}):")
    for desk in ctx.desks:
        mine = [life for life in lives if life.site.receiving.pk == desk.receiving.pk]
        per_day: Counter[date] = Counter(life.created_at.astimezone(VN_TZ).date() for life in mine)
        before = [day for day in per_day if day < today]
        previous = f"ngày {max(before):%d/%m}: {per_day[max(before)]}" if before else "chưa có ngày trước"
        open_ = [life for life in mine if life.d["state"] in Dossier.OPEN_STATES]
        overdue = sum(1 for life in open_ if life.d.get("due_at") and life.d["due_at"] < now)
        late = total = 0
        for life in mine:
            if life.d["timeliness"]:
                late += life.d["timeliness"] == "late"
                total += 1
        say(
            stdout,
            f"  {desk.receiving.name}: hôm nay {per_day[today]} hồ sơ ({previous}); đang giải quyết "
            f"{len(open_)}, quá hạn {overdue}; trễ hạn {_percent(late / total if total else 0)} "
            "hồ sơ đã giải quyết.",
        )
    return {"states": dict(states), "late_rate": late_rate}
