"""Demo dossiers loaded by ``make run``: about 2,000 over the past six months, in every state.

Each dossier is *simulated* from its submission to now with the real working calendars: it is
received (or refused, or sent back for a supplement at intake), goes through the steps of its
procedure's default process template, may wait for a supplement (restart or pause according to
the procedure's policy; a second request is flagged) or a payment, may be extended with an
apology, withdrawn or stopped, and is approved (or rejected), finished and returned. The
simulation stops at ``now``: whatever state the dossier has reached then is its state, so old
dossiers are mostly returned and recent ones open. Each commune and department has its own
share of dossiers that overrun their appointment, so late rates are uneven (a few per cent at
some communes, a quarter at others).

The rows are written in bulk (``bulk_create`` in batches, one transaction), not through the
services, but they are the rows the services produce: dossier codes gapless per receiving
agency and day with their ``DailySequence`` rows, appointments from ``add_working_time``, one
``DossierStep`` per hand-over (the control slip), pauses, extensions and the dated
``DossierEvent`` history. No audit events are written for them (the audit chain only records
what the application did; ``manage.py audit_verify`` passes after the demo).

Deterministic for a given ``seed`` and ``now``; running it again when demo dossiers exist
changes nothing. Refused when DEBUG is off (outside tests).
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from motcua.audit.services import jsonable
from motcua.catalog.models import Offering, Procedure, ProcessStep, ProcessTemplate
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierExtension,
    DossierPause,
    DossierStep,
)
from motcua.dossiers.services import RULES_VERSION
from motcua.org.demo import DemoOrg, _refuse_outside_development, _say
from motcua.org.models import Agency, Membership
from motcua.workcalendar.calendar import (
    VN_TZ,
    add_working_hours,
    add_working_time,
    classify,
    moment_at_position,
    transfer_moment,
    working_position,
)
from motcua.workcalendar.selectors import calendar_for_schedule

DEMO_KEY_PREFIX = "demo:"  # idempotency_key of the demo dossiers: how a second run knows them
DAYS_BACK = 183
RECENT_SHARE, RECENT_DAYS = 0.25, 20  # a quarter of the dossiers came in the last 20 working days
BATCH = 500
PIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

State = Dossier.State
Role = Membership.Role
HOUR = 3600
DAY = 8 * HOUR  # one working day in working seconds

# Volume weight and share of dossiers that overrun the appointment, per commune (in the order
# of DemoOrg.communes; repeated if there are more) and per department.
COMMUNE_PROFILE = [
    (3.0, 0.03),
    (2.4, 0.08),
    (2.0, 0.05),
    (1.6, 0.25),
    (1.2, 0.12),
    (1.0, 0.04),
    (1.0, 0.18),
    (0.8, 0.06),
    (0.7, 0.30),
    (0.6, 0.10),
    (0.6, 0.03),
    (0.5, 0.15),
]
DEPARTMENT_PROFILE = [(1.6, 0.06), (1.0, 0.22), (1.2, 0.28), (0.6, 0.10)]
PROVINCE_SHARE = 0.2  # of the dossiers are province-level, received at the provincial centre

SURNAMES = [
    ("Nguyễn", 30),
    ("Trần", 8),
    ("Lê", 7),
    ("Phạm", 5),
    ("Hoàng", 5),
    ("Vũ", 3),
    ("Đỗ", 2),
    ("Bùi", 2),
    ("Đặng", 2),
    ("Ngô", 1),
    ("Dương", 1),
    ("Phan", 2),
    ("Ma", 4),
    ("Nông", 4),
    ("Hà", 3),
    ("Triệu", 2),
    ("Bàn", 2),
    ("Lý", 1),
    ("Giàng", 1),
    ("Sùng", 1),
    ("Quan", 1),
    ("Âu", 1),
]
MALE_MIDDLE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Ngọc", "Xuân", "Thanh", "Công", "Trọng"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Kim"]
MALE_GIVEN = (
    "Anh Bình Cường Dũng Đức Hải Hùng Huy Khánh Long Nam Phong Quân Sơn Thắng Toàn Trung Tuấn "
    "Việt Hiếu Kiên Lâm Mạnh Tùng Thành Hưng Lợi Chiến Quyết Tiến"
).split()
FEMALE_GIVEN = (
    "Anh Chi Dung Giang Hà Hạnh Hằng Hoa Hương Huyền Lan Liên Linh Loan Mai Ngọc Nhung Oanh "
    "Phương Quỳnh Thảo Trang Vân Yến Thủy Hiền Ngân Thơm"
).split()
VILLAGES = [
    "Nà Héc",
    "Khuổi Phầy",
    "Làng Bục",
    "Đồng Tâm",
    "Tân Lập",
    "Cầu Trắng",
    "Bản Pài",
    "Nà Lừa",
    "Thác Cái",
    "Làng Mỏ",
    "Đồng Cả",
    "Tân Thành",
    "Hợp Thành",
    "Phúc Lộc",
    "Nà Mỏ",
    "Khuôn Thê",
    "Làng Chùa",
    "Bản Khoan",
]
STREETS = [
    "Tân Trào",
    "Bình Thuận",
    "Quang Trung",
    "Lê Duẩn",
    "Trần Hưng Đạo",
    "17 Tháng 8",
    "Phan Thiết",
    "Chiến Thắng Sông Lô",
    "Nguyễn Trãi",
    "Lý Thái Tổ",
    "Nguyễn Văn Cừ",
    "Kim Bình",
]
COMPANIES = [
    "Công ty TNHH Chè Mỹ Bằng",
    "Công ty cổ phần Xây dựng Tân Trào",
    "Công ty TNHH Thương mại Sông Lô",
    "Công ty TNHH Vận tải Hàm Yên",
    "Hợp tác xã Cam sành Hàm Yên",
    "Công ty TNHH Chế biến gỗ Yên Sơn",
    "Công ty cổ phần Du lịch Na Hang",
    "Hợp tác xã Nông sản Lâm Bình",
    "Công ty TNHH Cơ khí Minh Xuân",
    "Công ty cổ phần Khoáng sản Sơn Dương",
]
# Province (birthplace registration) codes of the citizen ID: Tuyên Quang 008 and Hà Giang 002
# mostly, then neighbours.
ID_PROVINCES = [("008", 60), ("002", 20), ("015", 4), ("006", 3), ("019", 4), ("025", 4), ("001", 5)]
PHONE_PREFIXES = ["98", "97", "96", "91", "94", "88", "86", "35", "36", "39", "83"]
SUPPLEMENT_REASONS = [
    "Bản sao chưa được chứng thực",
    "Thiếu chữ ký của người yêu cầu",
    "Thông tin không khớp với thẻ Căn cước",
    "Bản chụp không rõ, không đọc được",
    "Giấy tờ đã hết thời hạn sử dụng",
    "Thiếu trang 2 của giấy tờ",
]
REFUSAL_REASONS = [
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không thuộc đối tượng thực hiện thủ tục.",
    "Nội dung yêu cầu đã được giải quyết trước đó, không có căn cứ giải quyết lại.",
]
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
REJECT_REASONS = [
    "Hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả thẩm định: nội dung đề nghị không phù hợp quy hoạch.",
]


class _Cut(Exception):  # noqa: N818 — control flow: the simulation reached "now"
    pass


# --- working-time helpers over the calendar's position index ----------------------------------


def _pos(cal, moment: datetime) -> int:
    return working_position(cal, moment)


def _at(cal, position: int) -> datetime:
    return moment_at_position(cal, position)


def _shift(cal, moment: datetime, seconds: float) -> datetime:
    """``moment`` moved by ``seconds`` of working time (as the services shift a paused clock)."""
    if seconds <= 0:
        return moment
    return _at(cal, _pos(cal, moment) + int(seconds))


def _plus(cal, moment: datetime, seconds: float) -> datetime:
    """``moment`` plus ``seconds`` of working time (from the next working moment)."""
    return _at(cal, _pos(cal, moment) + max(60, int(seconds)))


# --- the static context: agencies, procedures, staff -------------------------------------------


@dataclass
class _Site:
    receiving: Agency
    handling: Agency
    weight: float
    late: float
    offerings: list  # [(procedure, local_time)]
    weights: list  # cumulative Zipf weights over offerings
    local_name: str  # "xã Yên Sơn", for addresses
    ward: bool


@dataclass
class _Proc:
    procedure: Procedure
    steps: list[ProcessStep]
    documents: list
    snapshot_base: dict
    has_fee: bool
    online: bool


class _Context:
    def __init__(self, org: DemoOrg, rng: random.Random):
        # Who does a step: an active member with the step's role at the agency or above it
        # (membership over the subtree), the nearest first, then by user name. With the demo
        # organisation: "motcua" at the provincial centre, each commune's receptionist,
        # specialist and leader at its People's Committee (and one-stop unit), "chuyenvien" and
        # "lanhdao" at the first department; other steps stay unassigned (held by the agency),
        # as after a forward without an officer.
        self.members: list[tuple[str, int, str, bool, object]] = [
            (m.agency.path, m.agency_id, m.role, m.include_subtree, m.user)
            for m in Membership.objects.filter(active=True, user__is_active=True)
            .select_related("agency", "user")
            .order_by("user__username")
        ]
        self.staff: dict[tuple[int, str], object] = {}

        self.calendars: dict[int, object] = {}
        self.procs: dict[int, _Proc] = {}
        templates = {
            t.procedure_id: t
            for t in ProcessTemplate.objects.filter(agency__isnull=True, active=True).prefetch_related(
                "steps__agency"
            )
        }
        offerings = defaultdict(list)
        for off in (
            Offering.objects.filter(active=True, procedure__active=True, procedure__incomplete=False)
            .select_related("procedure__field")
            .prefetch_related("procedure__documents", "procedure__fees")
            .order_by("procedure__code")
        ):
            template = templates.get(off.procedure_id)
            if template is None or not off.procedure.has_time:
                continue
            steps = sorted(template.steps.all(), key=lambda s: s.order)
            if not any(self._is_process(steps, i) for i in range(len(steps))):
                continue
            if off.procedure_id not in self.procs:
                self.procs[off.procedure_id] = self._proc(off.procedure, steps)
            offerings[off.agency_id].append((off.procedure, off.local_time))

        self.sites: list[_Site] = []
        for index, commune in enumerate(org.communes):
            weight, late = COMMUNE_PROFILE[index % len(COMMUNE_PROFILE)]
            local = commune.unit.name[:1].lower() + commune.unit.name[1:]
            self._site(
                offerings,
                commune.one_stop,
                commune.committee,
                weight * (1 - PROVINCE_SHARE),
                late,
                local,
                local.startswith("phường"),
            )
        province_total = sum(w for w, _ in DEPARTMENT_PROFILE)
        commune_total = sum(COMMUNE_PROFILE[i % len(COMMUNE_PROFILE)][0] for i in range(len(org.communes)))
        for index, department in enumerate(org.departments):
            weight, late = DEPARTMENT_PROFILE[index % len(DEPARTMENT_PROFILE)]
            self._site(
                offerings,
                org.service_centre,
                department,
                weight / province_total * commune_total * PROVINCE_SHARE,
                late,
                None,
                False,
            )
        self.site_cum = []
        total = 0.0
        for site in self.sites:
            total += site.weight
            self.site_cum.append(total)
        self.commune_names = [c.unit.name[:1].lower() + c.unit.name[1:] for c in org.communes]

    @staticmethod
    def _is_process(steps, i) -> bool:
        first = i == 0 and steps[0].performer == ProcessStep.Performer.RECEIVING_ROLE and len(steps) > 1
        last = (
            i == len(steps) - 1
            and steps[i].performer == ProcessStep.Performer.RECEIVING_ROLE
            and len(steps) > 1
        )
        return not first and not last

    def _proc(self, procedure: Procedure, steps) -> _Proc:
        fees = [
            {"kind": f.kind, "amount_vnd": f.amount_vnd, "text": f.text, "description": f.description}
            for f in procedure.fees.all()
        ]
        # What services._snapshot copies at reception (time, unit, rule and policy are set per
        # dossier: the offering's local time, the online time).
        snapshot = {
            "code": procedure.code,
            "name": procedure.name,
            "procedure_time": procedure.processing_time,
            "unit": procedure.time_unit,
            "rule": procedure.counting_rule,
            "policy": procedure.supplement_policy,
            "steps": [
                {
                    "order": s.order,
                    "name": s.name,
                    "performer": s.performer,
                    "role": s.role,
                    "agency": s.agency.code if s.agency_id else None,
                    "agency_id": s.agency_id,
                    "budget_hours": str(s.budget_hours),
                }
                for s in steps
            ],
            "fees": fees,
        }
        documents = [d for d in procedure.documents.all() if not d.present_only]
        return _Proc(
            procedure=procedure,
            steps=steps,
            documents=documents,
            snapshot_base=snapshot,
            has_fee=any((f["amount_vnd"] or 0) > 0 for f in fees),
            online=procedure.online_level != Procedure.OnlineLevel.NONE,
        )

    def _site(self, offerings, receiving, handling, weight, late, local_name, ward) -> None:
        offered = offerings.get(handling.pk) or []
        if not offered:
            return
        # A few procedures make most of the volume (birth registration, certification …).
        cum, total = [], 0.0
        for rank in range(len(offered)):
            total += 1.0 / (rank + 1) ** 1.1
            cum.append(total)
        self.sites.append(_Site(receiving, handling, weight, late, offered, cum, local_name or "", ward))

    def calendar(self, agency: Agency):
        if agency.pk not in self.calendars:
            self.calendars[agency.pk] = calendar_for_schedule(agency.schedule)
        return self.calendars[agency.pk]

    def officer(self, agency: Agency, role: str):
        key = (agency.pk, role)
        if key not in self.staff:
            found = [
                (len(path), user)
                for path, agency_id, member_role, subtree, user in self.members
                if member_role == role
                and (agency_id == agency.pk or (subtree and agency.path.startswith(path)))
            ]
            self.staff[key] = max(found, key=lambda f: f[0])[1] if found else None
        return self.staff[key]


def _pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_left(cum, rng.random() * cum[-1])


def _weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


# --- applicants ------------------------------------------------------------------------------


def _person(rng: random.Random, site: _Site, ctx: _Context) -> dict:
    male = rng.random() < 0.5
    surname = _weighted(rng, SURNAMES)
    middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)
    given = rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
    name = f"{surname} {middle} {given}"
    year = rng.randint(1950, 2006)
    born = date(year, rng.randint(1, 12), rng.randint(1, 28))
    century = 0 if year < 2000 else 2
    # 12 digits: birthplace province, gender and century, year of birth, then 6 digits.
    gender_century = century + (0 if male else 1)
    citizen_id = f"{_weighted(rng, ID_PROVINCES)}{gender_century}{year % 100:02d}{rng.randint(0, 999999):06d}"
    local = site.local_name or rng.choice(ctx.commune_names)
    if local.startswith("phường"):
        address = (
            f"Số {rng.randint(1, 320)}, đường {rng.choice(STREETS)}, tổ dân phố {rng.randint(1, 24)}, "
            f"{local}, tỉnh Tuyên Quang"
        )
    else:
        address = f"Thôn {rng.choice(VILLAGES)}, {local}, tỉnh Tuyên Quang"
    phone = f"0{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}"
    return {
        "applicant_kind": Dossier.ApplicantKind.PERSON,
        "applicant_name": name,
        "citizen_id": citizen_id,
        "date_of_birth": born,
        "phone": phone,
        "email": "",
        "address": address,
        "collector": name,
    }


def _organisation(rng: random.Random, site: _Site, ctx: _Context) -> dict:
    person = _person(rng, site, ctx)
    name = rng.choice(COMPANIES)
    return {
        "applicant_kind": Dossier.ApplicantKind.ORGANISATION,
        "applicant_name": name,
        "citizen_id": "",
        "date_of_birth": None,
        "tax_code": f"5000{rng.randint(0, 999999):06d}",
        "representative": person["applicant_name"],
        "phone": person["phone"],
        "email": "",
        "address": person["address"],
        "collector": person["applicant_name"],
    }


# --- one dossier's life ----------------------------------------------------------------------


@dataclass
class _Plan:
    channel: int
    delivery: str
    intake: str  # receive | refuse | intake_supplement
    intake_back: bool  # after an intake supplement, the applicant comes back and it is received
    review_hours: float
    late: bool
    ratio: float
    supplement: int  # 0, 1 or 2 requests
    supplement_never: bool
    stop_after_silence: bool
    withdraw: bool
    stop: bool
    payment: bool
    reject: bool
    extend: bool
    never_collect: bool
    collect_days: float


class _Life:
    """Simulates one dossier up to ``now``; collects the rows the services would have written
    (same states, fields, step rows, pauses, events and event names as ``services.py``)."""

    def __init__(
        self, ctx: _Context, rng: random.Random, now: datetime, site: _Site, proc: _Proc, local_time
    ):
        self.ctx, self.rng, self.now, self.site, self.proc = ctx, rng, now, site, proc
        self.cal_r = ctx.calendar(site.receiving)
        self.cal_h = ctx.calendar(site.handling)
        procedure = proc.procedure
        self.local_time = local_time
        self.amount = local_time or procedure.processing_time
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
        self.created_at: datetime | None = None
        self.receptionist = ctx.officer(site.receiving, Role.RECEPTIONIST)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _when(self, t: datetime) -> datetime:
        if t > self.now:
            raise _Cut
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
        """A transition on an existing dossier: ``_finish`` of the services (version + 1)."""
        for name, value in changes.items():
            self.d[name] = value
            if name == "state":
                self.d["status_code"] = int(Dossier.STATUS_OF_STATE[value])
        self.d["version"] += 1
        self._event(t, action, actor, agency, note, data)

    def _agency_of(self, step: ProcessStep) -> Agency:
        if step.performer == ProcessStep.Performer.RECEIVING_ROLE:
            return self.site.receiving
        if step.performer == ProcessStep.Performer.NAMED_AGENCY and step.agency is not None:
            return step.agency
        return self.site.handling

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
        return _at(self.cal_h, position)

    def _staff(self, index: int):
        template = self.proc.steps[index]
        return self.ctx.officer(self._agency_of(template), template.role)

    # -- the life -----------------------------------------------------------------------------
    def run(self, plan: _Plan, created: datetime) -> None:
        self.plan = plan
        self.d["channel"] = plan.channel
        self.d["result_delivery"] = plan.delivery
        try:
            self._live(plan, created)
        except _Cut:
            pass

    def _live(self, plan: _Plan, t: datetime) -> None:
        receptionist, receiving = self.receptionist, self.site.receiving
        self.created_at = t
        online = plan.channel == Dossier.Channel.ONLINE
        self.d["created_by"] = None if online else receptionist
        if online:
            self.d["submitted_at"] = t
            self._create(t, State.SUBMITTED, "submit_online", None, receiving)
            t = self._when(_plus(self.cal_r, t, plan.review_hours * HOUR))
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
            t = self._when(_plus(self.cal_r, t, self.rng.uniform(0.5, 6) * DAY))
            self._end_pauses(t)
            self._receive(t, existing=True)
            return
        self._receive(t, existing=online)

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
        self.clock_pos = _pos(self.cal_h, t)
        self.window = max(HOUR, _pos(self.cal_h, due) - self.clock_pos)
        self.shift = 0.0
        if plan.extend:
            self.ext_at = _at(self.cal_h, _pos(self.cal_h, due) - rng.uniform(1.05, 2.0) * DAY)

        last_process = max(i for i in range(len(steps)) if _Context._is_process(steps, i))
        first_process = min(i for i in range(len(steps)) if _Context._is_process(steps, i))
        index = 0
        t_step = t
        while True:
            step = self.steps[-1]
            actor = step["receiver"]
            if index == 0 and kind == DossierStep.Kind.RECEPTION:
                # Forwarded at the transfer moment (after the 15:00 cut-off: next morning).
                end = _plus(self.cal_r, self.d["transfer_at"], rng.uniform(0.05, 0.6) * HOUR)
                end = min(end, max(self._target(self.cum_share[0]), _plus(self.cal_r, t_step, 600)))
            else:
                if index == first_process:
                    if not self._troubles(t_step):
                        return
                end = max(
                    self._target(self.cum_share[index]), _plus(self.cal_h, t_step, rng.uniform(0.3, 2) * HOUR)
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
        done = max(self._target(1.0), _plus(self.cal_h, end, rng.uniform(0.2, 1.5) * HOUR))
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
            back = _plus(self.cal_r, done, rng.uniform(0.05, 0.5) * HOUR)
        elif plan.delivery == Dossier.ResultDelivery.POST:
            back = _plus(self.cal_r, done, rng.uniform(0.2, 1.0) * DAY)
            postal_tracking = f"EB{rng.randint(0, 999999999):09d}VN"
        else:
            back = _plus(self.cal_r, done, plan.collect_days * DAY)
            collected_by = self.collector
        self._when(back)
        self._change(
            back, "return-result", self.receptionist, self.site.receiving,
            data={"collected_by": collected_by, "postal_tracking": postal_tracking},
            state=State.RETURNED, returned_at=back, collected_by=collected_by,
            postal_tracking=postal_tracking, holder=None,
        )  # fmt: skip

    def _troubles(self, t: datetime) -> bool:
        """Supplements, withdrawal and stop during the first processing step. False: it ended."""
        plan, rng = self.plan, self.rng
        step = self.steps[-1]
        for request in range(plan.supplement):
            asked = self._when(_plus(self.cal_h, t, rng.uniform(2, 20) * HOUR))
            officer = step["receiver"]
            items = self._items()
            policy = self.proc.procedure.supplement_policy or Procedure.SupplementPolicy.RESTART
            late_request = _pos(self.cal_h, asked) - _pos(self.cal_h, self.d["received_at"]) > 3 * DAY
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
                if plan.stop_after_silence:
                    stopped = self._when(_plus(self.cal_h, asked, rng.uniform(12, 20) * DAY))
                    self._close(stopped, "stop", State.STOPPED, officer, STOP_REASONS[0])
                return False
            back = self._when(_plus(self.cal_r, asked, rng.uniform(0.5, 8) * DAY))
            pause["ended_at"] = back
            changes = {"state": pause["resume_state"] or State.PROCESSING}
            if policy == Procedure.SupplementPolicy.PAUSE:
                paused = _pos(self.cal_h, back) - _pos(self.cal_h, asked)
                self.shift += paused
                changes["due_at"] = _shift(self.cal_h, self.d["due_at"], paused)
                step["due_at"] = _shift(self.cal_h, step["due_at"], paused)
            else:
                changes["due_at"] = self._due_from(back)
                changes["clock_started_at"] = back
                template = next(x for x in self.proc.steps if x.order == step["template_order"])
                step["due_at"] = add_working_hours(self.cal_h, back, template.budget_hours)
                self.clock_pos = _pos(self.cal_h, back)
                self.window = max(HOUR, _pos(self.cal_h, changes["due_at"]) - self.clock_pos)
                self.shift = 0.0
            self._change(
                back, "receive-supplement", self.receptionist, self.site.receiving,
                data={"policy": policy}, **changes,
            )  # fmt: skip
            t = back
        if plan.withdraw or plan.stop:
            gap = max(HOUR, _pos(self.cal_h, self._target(self.cum_share[-1])) - _pos(self.cal_h, t))
            at = self._when(_plus(self.cal_h, t, rng.uniform(0.1, 0.6) * gap))
            officer = step["receiver"] or self.receptionist
            if plan.withdraw:
                self._close(at, "withdraw", State.WITHDRAWN, self.receptionist, rng.choice(WITHDRAW_REASONS))
            else:
                self._close(at, "stop", State.STOPPED, officer, STOP_REASONS[1])
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
        if not plan.extend or self.d["extension_count"] or self.d["supplement_count"]:
            return end
        at = self.ext_at
        step = self.steps[-1]
        if at >= end or at <= step["started_at"]:
            return end
        self._when(at)
        previous = self.d["due_at"]
        days = max(1, round(self.window / DAY * self.rng.uniform(0.3, 0.6)))
        new_due = _at(self.cal_h, _pos(self.cal_h, previous) + days * DAY)
        reason = self.rng.choice(EXTENSION_REASONS)
        officer = step["receiver"]
        self.extension = {
            "reason": reason,
            "previous_due_at": previous,
            "new_due_at": new_due,
            "created_at": at,
            "created_by": officer,
        }
        self._change(
            at, "extend", officer, step["agency"], reason,
            data={"previous_due_at": previous, "new_due_at": new_due},
            due_at=new_due, extension_count=1,
        )  # fmt: skip
        # Most extended dossiers then keep the new appointment: finish within it.
        if self.rng.random() < 0.7:
            finish = _pos(self.cal_h, previous) + self.rng.uniform(0.1, 0.8) * (days * DAY)
            self.plan.ratio = (finish - self.clock_pos - self.shift) / self.window
            return max(min(end, self._target(share)), _plus(self.cal_h, at, 600))
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
        paid = self._when(_plus(self.cal_h, asked, rng.uniform(0.3, 4) * DAY))
        pause["ended_at"] = paid
        paused = _pos(self.cal_h, paid) - _pos(self.cal_h, asked)
        self.shift += paused
        step["due_at"] = _shift(self.cal_h, step["due_at"], paused)
        self._change(
            paid, "record-payment", officer, step["agency"],
            state=pause["resume_state"] or State.PROCESSING,
            due_at=_shift(self.cal_h, self.d["due_at"], paused),
        )  # fmt: skip
        return _plus(self.cal_h, paid, rng.uniform(0.2, 2) * HOUR)


# --- planning ---------------------------------------------------------------------------------

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


def _plan(rng: random.Random, site: _Site, proc: _Proc, force: str | None) -> _Plan:
    r = rng.random()
    if not proc.online:
        channel = Dossier.Channel.COUNTER if r < 0.93 else Dossier.Channel.POST
    else:
        channel = (
            Dossier.Channel.COUNTER
            if r < 0.68
            else Dossier.Channel.ONLINE
            if r < 0.95
            else Dossier.Channel.POST
        )
    if force == State.SUBMITTED:
        channel = Dossier.Channel.ONLINE
    if channel == Dossier.Channel.ONLINE:
        delivery = _weighted(rng, [("online", 45), ("counter", 40), ("post", 15)])
    elif channel == Dossier.Channel.POST:
        delivery = "post"
    else:
        delivery = _weighted(rng, [("counter", 85), ("post", 15)])
    x = rng.random()
    online = channel == Dossier.Channel.ONLINE
    intake = (
        "refuse"
        if x < (0.05 if online else 0.025)
        else "intake_supplement"
        if x < (0.11 if online else 0.06)
        else "receive"
    )
    if force == State.REFUSED:
        intake = "refuse"
    elif force == State.INTAKE_SUPPLEMENT:
        intake = "intake_supplement"
    elif force is not None:
        intake = "receive"
    late = rng.random() < site.late
    ratio = rng.uniform(1.05, 1.9) if late else rng.uniform(0.3, 0.97)
    supplement = 0
    if rng.random() < 0.12 or force in (State.SUPPLEMENT, State.STOPPED):
        supplement = 2 if rng.random() < 0.2 else 1
    never = supplement > 0 and (rng.random() < 0.15 or force in (State.SUPPLEMENT, State.STOPPED))
    stop_after = never and (rng.random() < 0.6 or force == State.STOPPED) and force != State.SUPPLEMENT
    withdraw = not never and (rng.random() < 0.02 or force == State.WITHDRAWN)
    stop = not never and not withdraw and rng.random() < 0.012
    payment = (proc.has_fee and rng.random() < 0.25) or rng.random() < 0.04 or force == State.PAYMENT
    reject = rng.random() < 0.03
    extend = late and rng.random() < 0.4
    never_collect = rng.random() < 0.025 or force == State.FINISHED
    collect = min(20.0, rng.expovariate(1 / 1.5))
    return _Plan(
        channel=int(channel),
        delivery=delivery,
        intake=intake,
        intake_back=rng.random() < 0.6 and force != State.INTAKE_SUPPLEMENT,
        review_hours=rng.uniform(0.5, 12) if force != State.SUBMITTED else 200.0,
        late=late,
        ratio=ratio,
        supplement=supplement,
        supplement_never=never,
        stop_after_silence=stop_after,
        withdraw=withdraw,
        stop=stop,
        payment=payment,
        reject=reject,
        extend=extend,
        never_collect=never_collect,
        collect_days=collect,
    )


# Working time before ``now`` a forced dossier is created in, so that it is still in that state.
FORCE_WINDOW_DAYS = {
    State.SUBMITTED: (0.05, 0.8),
    State.RECEIVED: (0.0, 0.3),
    State.PROCESSING: (1, 4),
    State.SUPPLEMENT: (2, 8),
    State.PAYMENT: (2, 10),
    State.APPROVED: (1, 12),
    State.FINISHED: (20, 60),
    State.STOPPED: (30, 80),
}


def _one(
    ctx: _Context, rng: random.Random, now: datetime, start: datetime, force: str | None = None
) -> _Life:
    site = ctx.sites[_pick(rng, ctx.site_cum)]
    procedure, local_time = site.offerings[_pick(rng, site.weights)]
    proc = ctx.procs[procedure.pk]
    life = _Life(ctx, rng, now, site, proc, local_time)
    cal = life.cal_r
    end_pos = _pos(cal, now)
    if force in FORCE_WINDOW_DAYS:
        low, high = FORCE_WINDOW_DAYS[force]
        created = _at(cal, end_pos - rng.uniform(low, high) * DAY)
    elif force is not None:
        created = _at(cal, end_pos - rng.uniform(0.5, 40) * DAY)
    elif rng.random() < RECENT_SHARE:
        # Busier lately (more services online, the end-of-year rush): more open dossiers to show.
        created = _at(cal, end_pos - rng.uniform(0, RECENT_DAYS) * DAY)
    else:
        created = _at(cal, rng.uniform(_pos(cal, start), end_pos))
    if created >= now:
        created = _at(cal, end_pos - 300)
    person = _organisation(rng, site, ctx) if rng.random() < 0.1 else _person(rng, site, ctx)
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
            {"requirement": doc, "requirement_code": doc.code, "name": doc.name, "copy_kind": kind,
             "count": count, "order": order}
        )  # fmt: skip
    life.documents = documents
    life.d["pin"] = "".join(rng.choice(PIN_ALPHABET) for _ in range(6))
    plan = _plan(rng, site, proc, force)
    amount = life.amount
    if plan.channel == Dossier.Channel.ONLINE and procedure.online_time:
        amount = life.amount = min(amount, procedure.online_time)
    life.snapshot = {**proc.snapshot_base, "time": amount, "local_time": local_time}
    life.run(plan, created)
    return life


# --- writing ----------------------------------------------------------------------------------


def _number(lives: list[_Life]) -> list[DailySequence]:
    """Codes {agency}-{YYMMDD}-{NNNN}, gapless per receiving agency and day, after any numbers
    already given; returns the DailySequence rows to write (new or updated)."""
    by_day: dict[tuple, list[_Life]] = defaultdict(list)
    for life in lives:
        local_day = life.created_at.astimezone(VN_TZ).date()
        by_day[(life.site.receiving.pk, local_day)].append(life)
    agencies = {life.site.receiving.pk for life in lives}
    days = {day for _, day in by_day}
    existing = (
        {(s.agency_id, s.day): s for s in DailySequence.objects.filter(agency_id__in=agencies, day__in=days)}
        if days
        else {}
    )
    rows = []
    for (agency_pk, day), group in sorted(by_day.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        group.sort(key=lambda lf: lf.created_at)
        sequence = existing.get((agency_pk, day)) or DailySequence(
            agency_id=agency_pk, day=day, last_number=0
        )
        for life in group:
            sequence.last_number += 1
            code = life.site.receiving.code
            life.d["code"] = f"{code}-{day:%y%m%d}-{sequence.last_number:04d}"
        rows.append(sequence)
    return rows


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT many rows with one prepared statement (``executemany``): the rows ``bulk_create``
    would write, without building a model instance and compiling SQL for each of them (the
    demo writes tens of thousands). Each value is prepared by its field, as the ORM does."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 — names from the model, values bound
    # Callable defaults (uuid4 …) are drawn for each row; the others once.
    defaults = {f.name: f.get_default() for f in fields if not callable(f.default)}
    # Strings, integers, booleans and keys go to the driver as they are; datetimes through the
    # backend's adapter; the rest (JSON, dates) through the field.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    kinds = [
        "key" if f.is_relation else "plain" if isinstance(f, plain) else "moment"
        if isinstance(f, models.DateTimeField) else "field"
        for f in fields
    ]  # fmt: skip
    adapt_moment = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        values = []
        for f, kind in zip(fields, kinds, strict=True):
            if f.name in row:
                value = row[f.name]
            else:
                value = defaults[f.name] if f.name in defaults else f.get_default()
            if value is None or kind == "plain":
                pass
            elif kind == "key":
                value = value if isinstance(value, int) else value.pk
            elif kind == "moment":
                value = adapt_moment(value)
            else:
                value = f.get_db_prep_save(value, connection)
            values.append(value)
        params.append(values)
    with connection.cursor() as cursor:
        for i in range(0, len(params), BATCH * 4):
            cursor.executemany(sql, params[i : i + BATCH * 4])


def _write(lives: list[_Life], sequences: list[DailySequence], seed: int) -> None:
    new_sequences = [s for s in sequences if s.pk is None]
    DailySequence.objects.bulk_create(new_sequences, batch_size=BATCH)
    old_sequences = [s for s in sequences if s.pk is not None]
    if old_sequences:
        DailySequence.objects.bulk_update(old_sequences, ["last_number"], batch_size=BATCH)

    rows = []
    for n, life in enumerate(lives):
        row = {k: v for k, v in life.d.items() if k in _DOSSIER_FIELDS}
        row["idempotency_key"] = f"{DEMO_KEY_PREFIX}{seed}:{n}"
        row["created_at"] = life.created_at
        rows.append(row)
    _insert_rows(Dossier, rows)
    demo_rows = Dossier.objects.filter(idempotency_key__startswith=f"{DEMO_KEY_PREFIX}{seed}:")
    pk_of = dict(demo_rows.values_list("code", "pk"))
    dossiers = [pk_of[life.d["code"]] for life in lives]

    steps, documents, pauses, extensions, events = [], [], [], [], []
    for life, dossier in zip(lives, dossiers, strict=True):
        steps.extend({**row, "dossier": dossier} for row in life.steps)
        documents.extend({**row, "dossier": dossier} for row in life.documents)
        pauses.extend({**row, "dossier": dossier} for row in life.pauses)
        if life.extension:
            extensions.append({**life.extension, "dossier": dossier})
        events.extend({**row, "dossier": dossier, "kind": DossierEvent.Kind.STATUS} for row in life.events)
    _insert_rows(DossierStep, steps)
    _insert_rows(DossierDocument, documents)
    _insert_rows(DossierPause, pauses)
    _insert_rows(DossierExtension, extensions)
    _insert_rows(DossierEvent, events)
    # The current step is the last one (the steps had no primary keys before): one statement.
    demo_rows.update(
        current_step=Subquery(
            DossierStep.objects.filter(dossier=OuterRef("pk")).order_by("-seq").values("pk")[:1]
        ),
    )


_DOSSIER_FIELDS = {f.name for f in Dossier._meta.concrete_fields} - {
    "id",
    "uid",
    "created_at",
    "current_step",
}


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
    _refuse_outside_development()
    if demo_dossiers_exist():
        _say(stdout, "Hồ sơ mẫu: đã có, không tạo thêm.")
        return {"created": 0, "skipped": True, "states": {}, "late_rate": {}}
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(seed)
    ctx = _Context(org, rng)
    if not ctx.sites:
        _say(stdout, "Hồ sơ mẫu: chưa có thủ tục nào được cơ quan mẫu giải quyết, bỏ qua.")
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
        sequences = _number(lives)
        _write(lives, sequences, seed)
    states: dict[str, int] = defaultdict(int)
    for life in lives:
        states[life.d["state"]] += 1
    late_rate = {}
    per_agency = defaultdict(lambda: [0, 0])
    for life in lives:
        if life.d["timeliness"]:
            per_agency[life.site.handling.code][0] += life.d["timeliness"] == "late"
            per_agency[life.site.handling.code][1] += 1
    for code, (late, total) in sorted(per_agency.items()):
        late_rate[code] = round(late / total, 3) if total else 0.0
    _say(
        stdout,
        f"Hồ sơ mẫu: {len(lives)} hồ sơ trong {DAYS_BACK} ngày qua — "
        + ", ".join(
            f"{Dossier.State(s).label}: {n}" for s, n in sorted(states.items(), key=lambda kv: -kv[1])
        )
        + ".",
    )
    return {"created": len(lives), "skipped": False, "states": dict(states), "late_rate": late_rate}


__all__ = ["build_demo_dossiers", "demo_dossiers_exist"]
