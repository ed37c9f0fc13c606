"""Setbacks of a dossier being processed: supplement requests (restart or pause of the clock as
the procedure says, a second request flagged), silence after a request ending in a stop,
withdrawal and stop, the apology and extension (once, at least a working day before the
appointment), and the wait for a payment (the clock paused)."""

from __future__ import annotations

from datetime import datetime

from motcua.catalog.models import Procedure
from motcua.dossiers.demo.clock import DAY, HOUR, plus, shift
from motcua.dossiers.demo.record import Record
from motcua.dossiers.models import Dossier
from motcua.workcalendar.calendar import add_working_hours, moment_at_position, working_position

State = Dossier.State

STOP_REASONS = [
    "Quá thời hạn bổ sung hồ sơ mà người nộp không bổ sung theo yêu cầu.",
    "Có tranh chấp liên quan đang được cơ quan có thẩm quyền giải quyết.",
]
WITHDRAW_REASONS = [
    "Người nộp đề nghị rút hồ sơ để điều chỉnh nội dung đề nghị.",
    "Người nộp không còn nhu cầu giải quyết.",
]
EXTENSION_REASONS = [
    "Cần xác minh thêm thông tin với cơ quan có liên quan.",
    "Hồ sơ phải lấy ý kiến của cơ quan phối hợp, chưa nhận được văn bản trả lời.",
    "Cán bộ thụ lý nghỉ ốm đột xuất, đang phân công người thay.",
]


class Setbacks(Record):
    """The phases that interrupt, end or extend the processing of a dossier."""

    def _troubles(self, t: datetime) -> bool:
        """Supplements, withdrawal and stop during the first processing step. False: it ended."""
        plan, rng = self.plan, self.rng
        step = self.steps[-1]
        for request in range(plan.supplement):
            asked = self._when(plus(self.cal_h, t, rng.uniform(2, 20) * HOUR))
            officer = step["receiver"]
            items = self._items()
            policy = self.proc.procedure.supplement_policy or Procedure.SupplementPolicy.RESTART
            late_request = (
                working_position(self.cal_h, asked) - working_position(self.cal_h, self.d["received_at"])
                > 3 * DAY
            )
            pause = self._pause(asked, "supplement", items, officer, policy, self.d["state"])
            self.pauses.append(pause)
            count = self.d["supplement_count"] + 1
            changes = {"state": State.SUPPLEMENT, "supplement_count": count}
            if count >= 2:
                changes["supplement_flagged"] = True
            self._change(
                asked, "request-supplement", officer, step["agency"],
                data={"items": items, "policy": policy, "late_request": late_request, "count": count},
                **changes,
            )  # fmt: skip
            if plan.supplement_never and request == plan.supplement - 1:
                if plan.stop_after_silence and self.leader is not None:
                    # Stopped by the handling agency's leader (only a leader may stop).
                    stopped = self._when(plus(self.cal_h, asked, rng.uniform(12, 20) * DAY))
                    self._close(stopped, "stop", State.STOPPED, self.leader, STOP_REASONS[0])
                return False
            back = self._when(plus(self.cal_r, asked, rng.uniform(0.5, 8) * DAY))
            pause["ended_at"] = back
            changes = {"state": pause["resume_state"] or State.PROCESSING}
            if policy == Procedure.SupplementPolicy.PAUSE:
                paused = working_position(self.cal_h, back) - working_position(self.cal_h, asked)
                self.shift += paused
                changes["due_at"] = shift(self.cal_h, self.d["due_at"], paused)
                step["due_at"] = shift(self.cal_h, step["due_at"], paused)
            else:
                changes["due_at"] = self._due_from(back)
                changes["clock_started_at"] = back
                template = next(x for x in self.proc.steps if x.order == step["template_order"])
                step["due_at"] = add_working_hours(self.cal_h, back, template.budget_hours)
                self.clock_pos = working_position(self.cal_h, back)
                self.window = max(HOUR, working_position(self.cal_h, changes["due_at"]) - self.clock_pos)
                self.shift = 0.0
            self._change(
                back, "receive-supplement", self.receptionist, self.site.receiving,
                data={"policy": policy}, **changes,
            )  # fmt: skip
            t = back
        if plan.withdraw or (plan.stop and self.leader is not None):
            gap = max(
                HOUR,
                working_position(self.cal_h, self._target(self.cum_share[-1]))
                - working_position(self.cal_h, t),
            )
            at = self._when(plus(self.cal_h, t, rng.uniform(0.1, 0.6) * gap))
            if plan.withdraw:  # the applicant asks at the counter
                self._close(at, "withdraw", State.WITHDRAWN, self.receptionist, rng.choice(WITHDRAW_REASONS))
            else:
                self._close(at, "stop", State.STOPPED, self.leader, STOP_REASONS[1])
            return False
        return True

    def _close(self, t, action, state, actor, reason) -> None:
        self._end_step(t, action, reason)
        self._end_pauses(t)
        agency = self.steps[-1]["agency"] if self.steps else self.site.receiving
        self._change(t, action, actor, agency, reason, state=state, closed_at=t, holder=None)

    def _maybe_extend(self, end: datetime, share: float) -> datetime:
        """Apology and extension, at least a working day before the appointment, once."""
        plan = self.plan
        if not plan.extend or self.d["extension_count"] or self.d["supplement_count"] or self.leader is None:
            return end
        at = self.ext_at
        step = self.steps[-1]
        if at >= end or at <= step["started_at"]:
            return end
        self._when(at)
        previous = self.d["due_at"]
        days = max(1, round(self.window / DAY * self.rng.uniform(0.3, 0.6)))
        new_due = moment_at_position(self.cal_h, working_position(self.cal_h, previous) + days * DAY)
        reason = self.rng.choice(EXTENSION_REASONS)
        officer = self.leader  # the leader of the handling agency signs the apology and extension
        self.extension = {
            "reason": reason,
            "previous_due_at": previous,
            "new_due_at": new_due,
            "created_at": at,
            "created_by": officer,
        }
        self._change(
            at, "extend", officer, self.site.handling, reason,
            data={"previous_due_at": previous, "new_due_at": new_due},
            due_at=new_due, extension_count=1,
        )  # fmt: skip
        # Most extended dossiers then keep the new appointment: finish within it.
        if self.rng.random() < 0.7:
            finish = working_position(self.cal_h, previous) + self.rng.uniform(0.1, 0.8) * (days * DAY)
            self.plan.ratio = (finish - self.clock_pos - self.shift) / self.window
            return max(min(end, self._target(share)), plus(self.cal_h, at, 600))
        return end

    def _payment(self, asked: datetime, officer) -> datetime:
        """Payment requested at the end of appraisal; the clock pauses until it is recorded."""
        rng = self.rng
        self._when(asked)
        step = self.steps[-1]
        amount = rng.choice([50_000, 100_000, 250_000, 500_000, 1_250_000, 3_600_000])
        pause = self._pause(asked, "payment", [], officer, Procedure.SupplementPolicy.PAUSE, self.d["state"])
        self.pauses.append(pause)
        self._change(
            asked, "request-payment", officer, step["agency"], data={"amount_vnd": amount},
            state=State.PAYMENT, fee_due_vnd=amount,
        )  # fmt: skip
        paid = self._when(plus(self.cal_h, asked, rng.uniform(0.3, 4) * DAY))
        pause["ended_at"] = paid
        paused = working_position(self.cal_h, paid) - working_position(self.cal_h, asked)
        self.shift += paused
        step["due_at"] = shift(self.cal_h, step["due_at"], paused)
        self._change(
            paid, "record-payment", officer, step["agency"],
            state=pause["resume_state"] or State.PROCESSING,
            due_at=shift(self.cal_h, self.d["due_at"], paused),
        )  # fmt: skip
        return plus(self.cal_h, paid, rng.uniform(0.2, 2) * HOUR)
