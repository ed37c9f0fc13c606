"""Circular 01/2018/TT-VPCP arts. 13–15: the evaluation of units and officials (legal-facts §6.2).

Nine indicators, each 0/1/2 points. Indicators 1, 2, 3, 4, 7 are scored per dossier and
averaged over the dossiers (rounded to 1 decimal, art. 15); 5, 6, 8, 9 per unit. A unit's total
is out of 18, an official's (indicators 1, 2, 3, 4, 7) out of 10. "Indicators without enough
data are left out of the total" (art. 15): such an indicator shows "chưa đo"; the band is then
read on the total brought back to the full scale (total × 18 ÷ the maximum of the indicators
measured), so that a unit is not marked down for what the system cannot yet measure — a local
reading of art. 15, stated on the page.

Per-dossier scores (what ``score_dossier`` does with one dossier's facts):
1. the dossier's own timeliness: early 2, on time 1, late 0;
2. the steps of the unit (or of the official) on the dossier: all early 2, none late 1, else 0;
3. contacts with the receiving office to complete the dossier (the rating's answer
   ``contacts``: ``none`` 2, ``one`` 1, ``more`` 0);
4. agencies contacted (answer ``agencies``: ``none`` 2, ``one_stop`` 1, ``more`` 0);
7. attitude: harassment or misconduct reported (answer ``misconduct`` ``yes``) 0; else early 2,
   on time 1, late 0.
The answers are those of the dossier's latest rating (motcua.feedback's questionnaire
``DG-2026.1``); a dossier not rated is not scored on 3 and 4.
Indicator 9 (online services, per unit): ≥20% of procedures online, ≥30% of dossiers online and
no online dossier late → 2; some online procedures, 15% to 30% online and none late → 1; else 0.
Indicators 5, 6, 8 need what the system does not record yet (whole-process handling at the unit,
publication, PAKN): "chưa đo".
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# The rating's answers (motcua.feedback questionnaire) that indicators 3, 4 and 7 read.
ANSWER_CONTACTS = "contacts"
ANSWER_AGENCIES = "agencies"
ANSWER_MISCONDUCT = "misconduct"
ANSWER_POINTS = {"none": 2, "one": 1, "one_stop": 1, "more": 0}

INDICATORS = {
    1: "Thời gian giải quyết hồ sơ so với quy định",
    2: "Thời gian giải quyết của từng cơ quan, đơn vị tham gia",
    3: "Số lần liên hệ với cơ quan tiếp nhận để hoàn thiện hồ sơ",
    4: "Số cơ quan phải liên hệ để hoàn thiện hồ sơ",
    5: "Thực hiện quy trình tiếp nhận, giải quyết tại Bộ phận Một cửa",
    6: "Công khai thủ tục hành chính",
    7: "Thái độ của cán bộ, công chức",
    8: "Tiếp nhận, xử lý phản ánh, kiến nghị",
    9: "Cung cấp dịch vụ công trực tuyến",
}
DOSSIER_INDICATORS = (1, 2, 3, 4, 7)
UNIT_INDICATORS = (5, 6, 8, 9)
OFFICIAL_INDICATORS = DOSSIER_INDICATORS

UNIT_BANDS = (  # (lowest total out of 18, band)
    (Decimal(15), "Xuất sắc"),
    (Decimal(12), "Tốt"),
    (Decimal(9), "Khá"),
    (Decimal(6), "Trung bình"),
    (Decimal(0), "Yếu"),
)
OFFICIAL_BANDS = (  # (lowest total out of 10, band)
    (Decimal(5), "Hoàn thành 100% nhiệm vụ"),
    (Decimal("3.5"), "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"),
    (Decimal(0), "Hoàn thành dưới 70% nhiệm vụ"),
)
TIMELINESS_POINTS = {"early": 2, "on_time": 1, "late": 0}


def _answer_points(value: Any) -> int | None:
    """2 for none, 1 for one (or only the one-stop unit), 0 for more; None when not answered."""
    return ANSWER_POINTS.get(str(value)) if value is not None else None


def steps_points(step_timeliness: list[str]) -> int | None:
    """Indicator 2 for the steps one unit (or one official) held on a dossier."""
    marks = [t for t in step_timeliness if t]
    if not marks:
        return None
    if "late" in marks:
        return 0
    return 2 if all(t == "early" for t in marks) else 1


def score_dossier(
    *, timeliness: str, step_timeliness: list[str], answers: dict[str, Any] | None
) -> dict[int, int | None]:
    """Indicators 1, 2, 3, 4, 7 of one finished dossier (None: not scored for this dossier)."""
    answers = answers or {}
    first = TIMELINESS_POINTS.get(timeliness)
    if answers.get(ANSWER_MISCONDUCT) == "yes":
        seventh: int | None = 0
    elif first is None:
        seventh = None
    else:
        seventh = first
    return {
        1: first,
        2: steps_points(step_timeliness),
        3: _answer_points(answers.get(ANSWER_CONTACTS)),
        4: _answer_points(answers.get(ANSWER_AGENCIES)),
        7: seventh,
    }


def online_points(
    *, procedures_online: int, procedures: int, online: int, received: int, online_late: int
) -> int | None:
    """Indicator 9 for a unit."""
    if procedures <= 0 or received <= 0:
        return None
    procedure_share = Decimal(procedures_online) / procedures
    dossier_share = Decimal(online) / received
    if procedure_share >= Decimal("0.2") and dossier_share >= Decimal("0.3") and online_late == 0:
        return 2
    if procedures_online > 0 and dossier_share >= Decimal("0.15") and online_late == 0:
        return 1
    return 0


def _round1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Evaluation:
    scores: dict[int, Decimal | None]  # indicator → score (1 decimal), None: "chưa đo"
    counts: dict[int, int]  # indicator → dossiers scored
    full_scale: Decimal  # 18 for a unit, 10 for an official
    bands: tuple[tuple[Decimal, str], ...]

    @property
    def total(self) -> Decimal:
        return sum((s for s in self.scores.values() if s is not None), Decimal(0))

    @property
    def measured_max(self) -> Decimal:
        return Decimal(2 * sum(1 for s in self.scores.values() if s is not None))

    @property
    def scaled_total(self) -> Decimal | None:
        """The total brought back to the full scale (None when nothing is measured)."""
        if not self.measured_max:
            return None
        return _round1(self.total * self.full_scale / self.measured_max)

    @property
    def band(self) -> str:
        scaled = self.scaled_total
        if scaled is None:
            return "Chưa đủ dữ liệu"
        return next(name for lowest, name in self.bands if scaled >= lowest)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"number": n, "name": INDICATORS[n], "score": self.scores[n], "dossiers": self.counts.get(n, 0)}
            for n in sorted(self.scores)
        ]


def average(per_dossier: list[dict[int, int | None]], indicators: tuple[int, ...]) -> tuple[dict, dict]:
    """Art. 15: Σ scores ÷ number of dossiers scored, rounded to 1 decimal, per indicator."""
    scores: dict[int, Decimal | None] = {}
    counts: dict[int, int] = {}
    for number in indicators:
        values = [d[number] for d in per_dossier if d.get(number) is not None]
        counts[number] = len(values)
        scores[number] = _round1(Decimal(sum(values)) / len(values)) if values else None  # type: ignore[arg-type]
    return scores, counts


def evaluate_unit(per_dossier: list[dict[int, int | None]], unit_scores: dict[int, int | None]) -> Evaluation:
    """A unit's nine indicators: dossier-level averages, unit-level scores (None: not measured)."""
    scores, counts = average(per_dossier, DOSSIER_INDICATORS)
    for number in UNIT_INDICATORS:
        value = unit_scores.get(number)
        scores[number] = None if value is None else Decimal(value)
    return Evaluation(scores=scores, counts=counts, full_scale=Decimal(18), bands=UNIT_BANDS)


def evaluate_official(per_dossier: list[dict[int, int | None]]) -> Evaluation:
    scores, counts = average(per_dossier, OFFICIAL_INDICATORS)
    return Evaluation(scores=scores, counts=counts, full_scale=Decimal(10), bands=OFFICIAL_BANDS)


def unit_band(total: Decimal) -> str:
    return next(name for lowest, name in UNIT_BANDS if total >= lowest)


def official_band(total: Decimal) -> str:
    return next(name for lowest, name in OFFICIAL_BANDS if total >= lowest)


# --- Reads: the facts of the dossiers finished in a period ----------------------------------


@dataclass
class DossierFacts:
    id: int
    handling_path: str
    timeliness: str
    steps: list[tuple[str, int | None, str]]  # (agency path, receiver id, timeliness)
    answers: dict[str, Any]


def dossier_facts(*, agencies, start, end, field=None) -> list[DossierFacts]:
    """The dossiers of ``agencies`` finished in the period (local days ``start``–``end``) with
    their steps and the answers of their latest rating."""
    from motcua.dossiers.models import Dossier, DossierStep
    from motcua.reports.periods import custom
    from motcua.reports.ratings import rating_rows

    period = custom(start, end)
    dossiers = Dossier.objects.filter(
        handling_agency__in=agencies, finished_at__gte=period.start_at, finished_at__lt=period.end_at
    ).exclude(timeliness="")
    if field is not None:
        dossiers = dossiers.filter(procedure__field=field)
    rows = list(dossiers.values_list("pk", "handling_agency__path", "timeliness"))
    ids = [pk for pk, _, _ in rows]
    steps: dict[int, list] = {pk: [] for pk in ids}
    for dossier_id, path, receiver, timeliness in (
        DossierStep.objects.filter(dossier_id__in=ids)
        .exclude(kind__in=[DossierStep.Kind.SUPPLEMENT, DossierStep.Kind.PAYMENT])
        .values_list("dossier_id", "agency__path", "receiver_id", "timeliness")
    ):
        steps[dossier_id].append((path, receiver, timeliness))
    answers: dict[int, dict] = {}
    wanted = set(ids)
    for rating in rating_rows(until=period.end_at):  # id order: the latest rating wins
        if rating["dossier_id"] in wanted:
            answers[rating["dossier_id"]] = rating.get("answers") or {}
    return [DossierFacts(pk, path, t, steps[pk], answers.get(pk, {})) for pk, path, t in rows]


def unit_scores(facts: list[DossierFacts], unit_path: str) -> list[dict[int, int | None]]:
    """Per-dossier indicators for a unit: its dossiers, indicator 2 on its own steps."""
    return [
        score_dossier(
            timeliness=f.timeliness,
            step_timeliness=[t for path, _, t in f.steps if path.startswith(unit_path)],
            answers=f.answers,
        )
        for f in facts
        if f.handling_path.startswith(unit_path)
    ]


def official_scores(facts: list[DossierFacts]) -> dict[int, list[dict[int, int | None]]]:
    """Per officer (receiver of at least one step): the dossiers they took part in, indicator 2
    on their own steps."""
    out: dict[int, list] = {}
    for f in facts:
        officers = {receiver for _, receiver, _ in f.steps if receiver is not None}
        for officer in officers:
            out.setdefault(officer, []).append(
                score_dossier(
                    timeliness=f.timeliness,
                    step_timeliness=[t for _, r, t in f.steps if r == officer],
                    answers=f.answers,
                )
            )
    return out


def procedure_counts(agencies) -> tuple[int, int]:
    """(procedures offered online, procedures offered) by ``agencies`` (indicator 9)."""
    from motcua.catalog.models import Offering, Procedure

    offered = Procedure.objects.filter(
        pk__in=Offering.objects.filter(agency__in=agencies, active=True).values("procedure_id")
    )
    online = offered.filter(online_level__in=[Procedure.OnlineLevel.FULL, Procedure.OnlineLevel.PARTIAL])
    return online.count(), offered.count()
