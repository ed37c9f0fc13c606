"""Processing a received dossier: reception (appointment, transfer moment, the first step), the
hand-overs through the steps of the process template (with their setbacks), the decision
(approval or rejection), the finished result and its return at the counter, by post or online."""

from __future__ import annotations

from datetime import datetime

from motcua.catalog.models import ProcessStep
from motcua.dossiers.demo.clock import DAY, HOUR, plus
from motcua.dossiers.demo.context import Context
from motcua.dossiers.demo.setbacks import Setbacks
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.services import RULES_VERSION
from motcua.workcalendar.calendar import classify, moment_at_position, transfer_moment, working_position

State = Dossier.State

REJECT_REASONS = [
    "Hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả thẩm định: nội dung đề nghị không phù hợp quy hoạch.",
]


class Processing(Setbacks):
    """From reception to the returned result."""

    def _receive(self, t: datetime, *, existing: bool) -> None:
        plan, rng, steps = self.plan, self.rng, self.proc.steps
        receptionist, receiving = self.receptionist, self.site.receiving
        due = self._due_from(t)
        first_agency = self._agency_of(steps[0])
        holder = receptionist if first_agency == receiving else None
        kind = (
            DossierStep.Kind.RECEPTION
            if steps[0].performer == ProcessStep.Performer.RECEIVING_ROLE
            else DossierStep.Kind.PROCESS
        )
        self._open_step(t, 0, None, holder, kind)
        changes = {
            "state": State.RECEIVED,
            "procedure_snapshot": self.snapshot,
            "rules_version": RULES_VERSION,
            "received_at": t,
            "clock_started_at": t,
            "transfer_at": transfer_moment(self.cal_r, t),
            "original_due_at": due,
            "due_at": due,
            "holder_agency": first_agency,
            "holder": holder,
        }
        if existing:
            self._change(t, "receive", receptionist, receiving, **changes)
        else:
            self.d.update(changes)
            self._create(t, State.RECEIVED, "receive", receptionist, receiving)
        self.clock_pos = working_position(self.cal_h, t)
        self.window = max(HOUR, working_position(self.cal_h, due) - self.clock_pos)
        self.shift = 0.0
        if plan.extend:
            self.ext_at = moment_at_position(
                self.cal_h, int(working_position(self.cal_h, due) - rng.uniform(1.05, 2.0) * DAY)
            )

        last_process = max(i for i in range(len(steps)) if Context.is_process(steps, i))
        first_process = min(i for i in range(len(steps)) if Context.is_process(steps, i))
        index = 0
        t_step = t
        while True:
            step = self.steps[-1]
            actor = step["receiver"]
            if index == 0 and kind == DossierStep.Kind.RECEPTION:
                # Forwarded at the transfer moment (after the 15:00 cut-off: next morning).
                end = plus(self.cal_r, self.d["transfer_at"], rng.uniform(0.05, 0.6) * HOUR)
                end = min(end, max(self._target(self.cum_share[0]), plus(self.cal_r, t_step, 600)))
            else:
                if index == first_process:
                    if not self._troubles(t_step):
                        return
                end = max(
                    self._target(self.cum_share[index]), plus(self.cal_h, t_step, rng.uniform(0.3, 2) * HOUR)
                )
                end = self._maybe_extend(end, self.cum_share[index])
                if index == first_process and plan.payment and index < last_process:
                    end = self._payment(end, actor)
            self._when(end)
            if index == last_process:
                break
            receiver = self._staff(index + 1)
            self._end_step(end, "forward")
            new = self._open_step(end, index + 1, actor, receiver)
            self._change(
                end, "forward", actor, step["agency"],
                data={"step": new["seq"], "step_name": new["name"], "to_agency": new["agency"].pk},
                state=State.PROCESSING, holder_agency=new["agency"], holder=receiver,
            )  # fmt: skip
            index += 1
            t_step = end
        # The decision, at the end of the last processing step.
        agency = self.steps[-1]["agency"]
        if plan.reject:
            reason = rng.choice(REJECT_REASONS)
            self._end_step(end, "reject", reason)
            self._change(
                end, "reject", actor, agency, reason,
                state=State.FINISHED, outcome=Dossier.Outcome.REJECTED,
                holder_agency=self.site.receiving, holder=None,
                finished_at=end, timeliness=classify(end, self.d["due_at"]),
            )  # fmt: skip
            self._return(end)
            return
        self._end_step(end, "approve")
        changes = {"state": State.APPROVED, "outcome": Dossier.Outcome.APPROVED}
        if index + 1 < len(steps):
            new = self._open_step(end, index + 1, actor, None)
            changes.update(holder_agency=new["agency"], holder=None)
        self._change(end, "approve", actor, agency, **changes)
        # The result is issued and handed to the counter: finished (status 9).
        done = max(self._target(1.0), plus(self.cal_h, end, rng.uniform(0.2, 1.5) * HOUR))
        self._when(done)
        self._end_step(done, "finish")
        self._change(
            done, "finish", self.receptionist, self.site.receiving,
            state=State.FINISHED, holder_agency=self.site.receiving,
            finished_at=done, timeliness=classify(done, self.d["due_at"]),
        )  # fmt: skip
        self._return(done)

    def _return(self, done: datetime) -> None:
        plan, rng = self.plan, self.rng
        if plan.never_collect:
            return
        collected_by = postal_tracking = ""
        if plan.delivery == Dossier.ResultDelivery.ONLINE:
            back = plus(self.cal_r, done, rng.uniform(0.05, 0.5) * HOUR)
        elif plan.delivery == Dossier.ResultDelivery.POST:
            back = plus(self.cal_r, done, rng.uniform(0.2, 1.0) * DAY)
            postal_tracking = f"EB{rng.randint(0, 999999999):09d}VN"
        else:
            back = plus(self.cal_r, done, plan.collect_days * DAY)
            collected_by = self.collector
        self._when(back)
        self._change(
            back, "return-result", self.receptionist, self.site.receiving,
            data={"collected_by": collected_by, "postal_tracking": postal_tracking},
            state=State.RETURNED, returned_at=back, collected_by=collected_by,
            postal_tracking=postal_tracking, holder=None,
        )  # fmt: skip
