"""The static context of the demo dossiers: where they are received and handled (``Site``: the
communes and departments, each with its volume and its share of late dossiers), which
procedures with which process steps (``Proc``), who does a step and with which working
calendar (``Context``), and draws by weight (``pick``, ``weighted``)."""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from motcua.catalog.models import Offering, Procedure, ProcessStep, ProcessTemplate
from motcua.org.demo import DemoOrg
from motcua.org.models import Agency, Membership
from motcua.workcalendar.selectors import calendar_for_schedule

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


@dataclass
class Site:
    receiving: Agency
    handling: Agency
    weight: float
    late: float
    offerings: list  # [(procedure, local_time)]
    weights: list  # cumulative Zipf weights over offerings
    local_name: str  # "xã Yên Sơn", for addresses
    ward: bool


@dataclass
class Proc:
    procedure: Procedure
    steps: list[ProcessStep]
    documents: list
    snapshot_base: dict
    has_fee: bool
    online: bool


class Context:
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
        self.procs: dict[int, Proc] = {}
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
            if not any(self.is_process(steps, i) for i in range(len(steps))):
                continue
            if off.procedure_id not in self.procs:
                self.procs[off.procedure_id] = self._proc(off.procedure, steps)
            offerings[off.agency_id].append((off.procedure, off.local_time))

        self.sites: list[Site] = []
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
    def is_process(steps, i) -> bool:
        first = i == 0 and steps[0].performer == ProcessStep.Performer.RECEIVING_ROLE and len(steps) > 1
        last = (
            i == len(steps) - 1
            and steps[i].performer == ProcessStep.Performer.RECEIVING_ROLE
            and len(steps) > 1
        )
        return not first and not last

    def _proc(self, procedure: Procedure, steps) -> Proc:
        fees: list[dict[str, Any]] = [
            {"kind": f.kind, "amount_vnd": f.amount_vnd, "text": f.text, "description": f.description}
            for f in procedure.fees.all()
        ]
        # What services.intake.procedure_snapshot copies at reception (time, unit, rule and policy are set per
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
        return Proc(
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
        self.sites.append(Site(receiving, handling, weight, late, offered, cum, local_name or "", ward))

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


def pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_left(cum, rng.random() * cum[-1])


def weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]
