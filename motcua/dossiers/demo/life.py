"""The life of one demo dossier, simulated up to ``now``: ``Life`` is built in layers, each a
module (``record`` → ``setbacks`` → ``processing`` → ``life``). Here its start: submitted online
or at the counter, then refused, sent back for a supplement at intake, or received."""

from __future__ import annotations

from datetime import datetime

from motcua.dossiers.demo.clock import DAY, HOUR, plus
from motcua.dossiers.demo.plan import Plan
from motcua.dossiers.demo.processing import Processing
from motcua.dossiers.demo.record import Cut
from motcua.dossiers.models import Dossier

State = Dossier.State

REFUSAL_REASONS = [
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không thuộc đối tượng thực hiện thủ tục.",
    "Nội dung yêu cầu đã được giải quyết trước đó, không có căn cứ giải quyết lại.",
]


class Life(Processing):
    """Simulates one dossier up to ``now``; collects the rows the services would have written
    (same states, fields, step rows, pauses, events and event names as ``motcua.dossiers.services``)."""

    def run(self, plan: Plan, created: datetime) -> None:
        self.plan = plan
        self.d["channel"] = plan.channel
        self.d["result_delivery"] = plan.delivery
        try:
            self._live(plan, created)
        except Cut:
            pass

    def _live(self, plan: Plan, t: datetime) -> None:
        receptionist, receiving = self.receptionist, self.site.receiving
        self.created_at = t
        online = plan.channel == Dossier.Channel.ONLINE
        self.d["created_by"] = None if online else receptionist
        if online:
            self.d["submitted_at"] = t
            self._create(t, State.SUBMITTED, "submit_online", None, receiving)
            t = self._when(plus(self.cal_r, t, plan.review_hours * HOUR))
        if plan.intake == "refuse":
            reason = self.rng.choice(REFUSAL_REASONS)
            if online:
                self._end_pauses(t)
                self._change(
                    t,
                    "refuse",
                    receptionist,
                    receiving,
                    reason,
                    state=State.REFUSED,
                    closed_at=t,
                    holder=None,
                )
            else:
                self.d["closed_at"] = t
                self._create(t, State.REFUSED, "refuse", receptionist, receiving, reason)
            return
        if plan.intake == "intake_supplement":
            items = self._items()
            self.pauses.append(self._pause(t, "supplement", items, receptionist, "", State.RECEIVED))
            if online:
                self._change(
                    t, "request-supplement", receptionist, receiving, data={"items": items},
                    state=State.INTAKE_SUPPLEMENT,
                )  # fmt: skip
            else:
                self._create(
                    t,
                    State.INTAKE_SUPPLEMENT,
                    "request_supplement",
                    receptionist,
                    receiving,
                    data={"items": items},
                )
            if not plan.intake_back:
                return
            # The applicant comes back with what was missing: the same dossier is received.
            t = self._when(plus(self.cal_r, t, self.rng.uniform(0.5, 6) * DAY))
            self._end_pauses(t)
            self._receive(t, existing=True)
            return
        self._receive(t, existing=online)
