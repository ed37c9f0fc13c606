"""What a simulated life writes: the dossier's fields, its step rows (the control slip), pauses,
extension and dated events, as the services write them; and the bookkeeping every phase uses
(events and transitions, opening and ending steps, the clock's target, the cut at ``now``)."""

from __future__ import annotations

import random
from datetime import datetime

from motcua.audit.services import jsonable
from motcua.catalog.models import ProcessStep
from motcua.dossiers.demo.context import Context, Proc, Site
from motcua.dossiers.demo.plan import Plan
from motcua.dossiers.models import Dossier, DossierStep
from motcua.org.models import Agency, Membership
from motcua.workcalendar.calendar import add_working_hours, add_working_time, classify, moment_at_position

State = Dossier.State
Role = Membership.Role

SUPPLEMENT_REASONS = [
    "Bản sao chưa được chứng thực",
    "Thiếu chữ ký của người yêu cầu",
    "Thông tin không khớp với thẻ Căn cước",
    "Bản chụp không rõ, không đọc được",
    "Giấy tờ đã hết thời hạn sử dụng",
    "Thiếu trang 2 của giấy tờ",
]


class Cut(Exception):  # noqa: N818 — control flow: the simulation reached "now"
    pass


class Record:
    """One dossier's rows as its life writes them, and the bookkeeping of its phases."""

    # Set when the life runs (``plan``), at reception (the clock) and by the builder.
    plan: Plan
    clock_pos: int  # working position the clock (re)started at
    window: int  # working seconds from the clock's start to the appointment
    shift: float  # working seconds the clock was paused since
    ext_at: datetime  # when an extension is asked for, if the plan has one
    created_at: datetime  # when the life starts (submitted online or at the counter)
    collector: str
    documents: list[dict]
    snapshot: dict

    def __init__(self, ctx: Context, rng: random.Random, now: datetime, site: Site, proc: Proc, local_time):
        self.ctx, self.rng, self.now, self.site, self.proc = ctx, rng, now, site, proc
        self.cal_r = ctx.calendar(site.receiving)
        self.cal_h = ctx.calendar(site.handling)
        procedure = proc.procedure
        self.local_time = local_time
        amount = local_time or procedure.processing_time
        assert amount is not None  # the context keeps only procedures with a time (has_time)
        self.amount: int = amount
        self.unit = procedure.time_unit
        self.rule = procedure.counting_rule
        budgets = [float(s.budget_hours) for s in proc.steps]
        total = sum(budgets) or 1.0
        self.cum_share = []
        acc = 0.0
        for b in budgets:
            acc += b
            self.cum_share.append(acc / total)
        self.d: dict = {
            "procedure": procedure,
            "receiving_agency": site.receiving,
            "handling_agency": site.handling,
            "state": "",
            "version": 1,
            "supplement_count": 0,
            "supplement_flagged": False,
            "extension_count": 0,
            "outcome": "",
            "timeliness": "",
            "holder_agency": site.receiving,
            "holder": None,
            "procedure_snapshot": {},
            "rules_version": "",
        }
        self.steps: list[dict] = []
        self.pauses: list[dict] = []
        self.events: list[dict] = []
        self.extension: dict | None = None
        # The counter officer who receives it (one of the receiving agency's receptionists) does
        # the counter's actions on it; the leader of the handling agency stops or extends it.
        self.receptionist = rng.choice(ctx.officers(site.receiving, Role.RECEPTIONIST))
        self.leader = ctx.officer(site.handling, Role.LEADER)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _when(self, t: datetime) -> datetime:
        if t > self.now:
            raise Cut
        return t

    def _event(self, t, action, actor, agency, note="", data=None) -> None:
        self.events.append(
            {
                "action": action,
                "state": self.d["state"],
                "status_code": self.d["status_code"],
                "at": t,
                "actor": actor,
                "agency": agency,
                "note": note,
                "data": jsonable(data or {}),
            }
        )

    def _create(self, t, state, action, actor, agency, note="", data=None) -> None:
        """A new dossier (version 1) and its first event."""
        self.d["state"] = state
        self.d["status_code"] = int(Dossier.STATUS_OF_STATE[state])
        self._event(t, action, actor, agency, note, data)

    def _change(self, t, action, actor, agency, note="", data=None, **changes) -> None:
        """A transition on an existing dossier: ``services.frame.finish`` (version + 1)."""
        for name, value in changes.items():
            self.d[name] = value
            if name == "state":
                self.d["status_code"] = int(Dossier.STATUS_OF_STATE[value])
        self.d["version"] += 1
        self._event(t, action, actor, agency, note, data)

    def _agency_of(self, step: ProcessStep) -> Agency:
        return self.ctx.step_agency(step, self.site.receiving, self.site.handling)

    def _open_step(self, t, index, giver, receiver, kind=DossierStep.Kind.PROCESS) -> dict:
        template = self.proc.steps[index]
        step = {
            "seq": len(self.steps) + 1,
            "kind": kind,
            "template_order": template.order,
            "name": template.name,
            "agency": self._agency_of(template),
            "role": template.role,
            "giver": giver,
            "receiver": receiver,
            "started_at": t,
            "due_at": add_working_hours(self.cal_h, t, template.budget_hours),
            "finished_at": None,
            "timeliness": "",
            "ended_by": "",
            "note": "",
        }
        self.steps.append(step)
        return step

    def _end_step(self, t, ended_by, note="") -> None:
        if not self.steps or self.steps[-1]["finished_at"] is not None:
            return
        step = self.steps[-1]
        step["finished_at"] = t
        step["timeliness"] = classify(t, step["due_at"]) if step["due_at"] else ""
        step["ended_by"] = ended_by
        if note:
            step["note"] = (step["note"] + "\n" + note).strip()

    def _end_pauses(self, t) -> None:
        for pause in self.pauses:
            if pause["ended_at"] is None:
                pause["ended_at"] = t

    def _due_from(self, start: datetime) -> datetime:
        return add_working_time(self.cal_h, start, self.amount, self.unit, rule=self.rule).due_at

    def _target(self, share: float) -> datetime:
        position = self.clock_pos + self.plan.ratio * self.window * share + self.shift
        return moment_at_position(self.cal_h, int(position))

    def _staff(self, index: int):
        """The officer a step is assigned to when the dossier is forwarded to it: one with the
        step's role at the step's agency (the context keeps only procedures where there is one)."""
        template = self.proc.steps[index]
        return self.rng.choice(self.ctx.officers(self._agency_of(template), template.role))

    def _items(self) -> list[dict]:
        documents = self.proc.documents or []
        k = min(len(documents), self.rng.choice([1, 1, 2]))
        picked = self.rng.sample(documents, k=k) if documents else []
        names = [d.name.split("\n")[0][:200] for d in picked] or ["Đơn (tờ khai) đề nghị"]
        return [{"name": n, "reason": self.rng.choice(SUPPLEMENT_REASONS)} for n in names]

    def _pause(self, t, reason, items, by, policy, resume_state) -> dict:
        return {
            "reason": reason,
            "items": items,
            "note": "",
            "started_at": t,
            "ended_at": None,
            "policy": policy,
            "resume_state": resume_state,
            "requested_by": by,
        }
