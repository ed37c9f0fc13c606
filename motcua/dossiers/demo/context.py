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

# Dossiers a full working day and share of dossiers that overrun the appointment, per commune
# (in the order of DemoOrg.communes; repeated if there are more): the busiest ward a couple of
# dozen a day, the smallest communes a few; some communes keep their appointments, others do not.
COMMUNE_PROFILE = [
    (24, 0.03),
    (19, 0.08),
    (16, 0.05),
    (13, 0.25),
    (10, 0.12),
    (8, 0.04),
    (8, 0.18),
    (6, 0.06),
    (5, 0.30),
    (5, 0.10),
    (4, 0.03),
    (4, 0.15),
]
COMMUNE_SPREAD = 0.2  # a commune's day varies by ±20 %
# The provincial centre receives as a district-level centre does (domain.md: 85–100 dossiers a
# working day), for the departments (share of its dossiers and late share each).
CENTRE_DAY = (85, 100)
DEPARTMENT_PROFILE = [(1.6, 0.06), (1.0, 0.22), (1.2, 0.28), (0.6, 0.10)]


@dataclass
class Desk:
    """Where dossiers are handed in (a receiving agency) and how many a full working day."""

    receiving: Agency
    day: tuple[int, int]  # fewest and most dossiers a full working day
    sites: list[Site]
    cum: list[float]  # cumulative weights of the sites


@dataclass
class Site:
    receiving: Agency
    handling: Agency
    weight: float  # share of its desk's dossiers
    late: float
    offerings: list  # [(procedure, local_time)]
    weights: list  # cumulative Zipf weights over offerings (within the site)
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
        # "lanhdao" at the first department. A procedure is simulated at a site only when every
        # step of its process has such an officer (the holder of a step acts on it, issue 9
        # item 3): a department without staff receives no demo dossiers.
        self.members: list[tuple[str, int, str, bool, Any]] = [
            (m.agency.path, m.agency_id, m.role, m.include_subtree, m.user)
            for m in Membership.objects.filter(active=True, user__is_active=True)
            .select_related("agency", "user")
            .order_by("user__username")
        ]
        self.staff: dict[tuple[int, str], list] = {}
        self.organisations: dict[int, tuple[float, list[str]]] = {}  # applicants.organisations_for

        self.calendars: dict[int, object] = {}
        self.weekend: dict[int, set] = {}  # weekend opening sessions of a schedule, per agency
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
        self.desks: list[Desk] = []
        for index, commune in enumerate(org.communes):
            mean, late = COMMUNE_PROFILE[index % len(COMMUNE_PROFILE)]
            local = commune.unit.name[:1].lower() + commune.unit.name[1:]
            site = self._site(
                offerings, commune.one_stop, commune.committee, 1.0, late, local, local.startswith("phường")
            )
            if site is not None:
                day = (max(1, round(mean * (1 - COMMUNE_SPREAD))), max(1, round(mean * (1 + COMMUNE_SPREAD))))
                self._desk(commune.one_stop, day, [site])
        departments = [
            self._site(offerings, org.service_centre, department, weight, late, None, False)
            for department, (weight, late) in zip(
                org.departments,
                (DEPARTMENT_PROFILE[i % len(DEPARTMENT_PROFILE)] for i in range(len(org.departments))),
                strict=True,
            )
        ]
        self._desk(org.service_centre, CENTRE_DAY, [s for s in departments if s is not None])
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

    def _site(self, offerings, receiving, handling, weight, late, local_name, ward) -> Site | None:
        # Only the procedures every step of which has an officer where it is done.
        offered = [
            (procedure, local_time)
            for procedure, local_time in offerings.get(handling.pk) or []
            if all(
                self.officer(self.step_agency(step, receiving, handling), step.role)
                for step in self.procs[procedure.pk].steps
            )
        ]
        if not offered:
            return None
        # A few procedures make most of the volume (birth registration, certification …).
        cum, total = [], 0.0
        for rank in range(len(offered)):
            total += 1.0 / (rank + 1) ** 1.1
            cum.append(total)
        site = Site(receiving, handling, weight, late, offered, cum, local_name or "", ward)
        self.sites.append(site)
        return site

    def _desk(self, receiving: Agency, day: tuple[int, int], sites: list[Site]) -> None:
        if not sites or self.officer(receiving, Membership.Role.RECEPTIONIST) is None:
            return
        cum, total = [], 0.0
        for site in sites:
            total += site.weight
            cum.append(total)
        self.desks.append(Desk(receiving, day, sites, cum))

    @staticmethod
    def step_agency(step: ProcessStep, receiving: Agency, handling: Agency) -> Agency:
        """The agency a step of the process is done at, for a dossier received at ``receiving``
        and handled by ``handling``."""
        if step.performer == ProcessStep.Performer.RECEIVING_ROLE:
            return receiving
        if step.performer == ProcessStep.Performer.NAMED_AGENCY and step.agency is not None:
            return step.agency
        return handling

    def opening(self, agency: Agency, day) -> list[tuple]:
        """The sessions ``agency`` is open on ``day``: its legal working sessions, or on a weekend
        that is no day off its schedule's weekend sessions (a Saturday morning serves citizens;
        it is not deadline time, so the calendar of the clock leaves it out)."""
        cal = self.calendar(agency)
        sessions = list(cal.sessions_on(day))
        schedule = agency.schedule
        if sessions or day.weekday() < 5 or day in cal.days_off or schedule is None:
            return sessions
        if agency.pk not in self.weekend:
            self.weekend[agency.pk] = {
                (s.weekday, s.start, s.end) for s in schedule.sessions.all() if s.weekday >= 5
            }
        return sorted(
            (start, end) for weekday, start, end in self.weekend[agency.pk] if weekday == day.weekday()
        )

    def calendar(self, agency: Agency):
        if agency.pk not in self.calendars:
            self.calendars[agency.pk] = calendar_for_schedule(agency.schedule)
        return self.calendars[agency.pk]

    def officers(self, agency: Agency, role: str) -> list:
        """The active officers with ``role`` at ``agency`` (their membership there or over its
        subtree), the nearest first, then by user name."""
        key = (agency.pk, role)
        if key not in self.staff:
            found = [
                (-len(path), user.username, user)
                for path, agency_id, member_role, subtree, user in self.members
                if member_role == role
                and (agency_id == agency.pk or (subtree and agency.path.startswith(path)))
            ]
            self.staff[key] = [user for _, _, user in sorted(found, key=lambda f: f[:2])]
        return self.staff[key]

    def officer(self, agency: Agency, role: str):
        """The first of ``officers`` (None when nobody has the role there)."""
        found = self.officers(agency, role)
        return found[0] if found else None


def pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_left(cum, rng.random() * cum[-1])


def weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]
