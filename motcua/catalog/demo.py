"""Demo catalogue: the real procedures of data/procedures.json, made usable for a demo.

Gaps of the source are filled only where the demo needs them, and every filled value is
listed in ``Procedure.demo_values`` so that pages show it as "giá trị minh họa". Idempotent:
running it again changes nothing.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from motcua.catalog import importing, services
from motcua.catalog.implementing import implementing_agencies
from motcua.catalog.models import Offering, Procedure, ProcessStep, ProcessTemplate
from motcua.org.models import Agency, Membership

DEMO_LABEL = "giá trị minh họa"
DEMO_DEFAULT_DAYS = 3
_DAYS_IN_STEPS = re.compile(r"(\d+)\s*ngày làm việc", re.IGNORECASE)

# Share of the procedure's time for each step of the demo process (the rest goes to appraisal).
STEP_SHARES = [
    ("Tiếp nhận, kiểm tra hồ sơ", ProcessStep.Performer.RECEIVING_ROLE, Membership.Role.RECEPTIONIST, "0.1"),
    ("Thẩm định hồ sơ", ProcessStep.Performer.HANDLING_ROLE, Membership.Role.SPECIALIST, None),
    ("Lãnh đạo xem xét, phê duyệt", ProcessStep.Performer.HANDLING_ROLE, Membership.Role.LEADER, "0.2"),
    ("Trả kết quả", ProcessStep.Performer.RECEIVING_ROLE, Membership.Role.RECEPTIONIST, "0.1"),
]


def demo_steps(total_hours: Decimal) -> list[dict]:
    """Reception → appraisal → approval → return, with budgets adding up to ``total_hours``."""
    cent = Decimal("0.01")
    budgets = {
        name: (total_hours * Decimal(share)).quantize(cent, rounding=ROUND_HALF_UP)
        for name, _, _, share in STEP_SHARES
        if share
    }
    rest = total_hours - sum(budgets.values(), Decimal(0))
    return [
        {"name": name, "performer": performer, "role": role, "budget_hours": budgets.get(name, rest)}
        for name, performer, role, _ in STEP_SHARES
    ]


def _demo_time(procedure: Procedure) -> int:
    for sentence in procedure.source.get("time_statements_in_steps") or []:
        match = _DAYS_IN_STEPS.search(sentence)
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return DEMO_DEFAULT_DAYS


def _fill_gaps(procedure: Procedure) -> bool:
    """Complete an incomplete procedure with labelled demo values. True when something was filled."""
    if not procedure.incomplete:
        return False
    kwargs: dict = {}
    if procedure.processing_time is None:
        kwargs["processing_time"] = _demo_time(procedure)
    if not procedure.time_unit:
        kwargs["time_unit"] = Procedure.TimeUnit.WORKING_DAYS
    fees = services.fee_dicts(procedure)
    if not fees:
        kwargs["fees"] = [{"amount_vnd": 0, "text": f"Miễn phí ({DEMO_LABEL})"}]
    elif any(f["amount_vnd"] is None and f["currency"] in ("", "VND") for f in fees):
        known = {f["note"]: f["amount_vnd"] for f in fees if f["amount_vnd"] is not None}
        for fee in fees:
            if fee["amount_vnd"] is None and fee["currency"] in ("", "VND"):
                fee["amount_vnd"] = known.get(fee["note"], 0)
        kwargs["fees"] = fees
    documents = services.document_dicts(procedure)
    if not documents:
        kwargs["documents"] = [
            {
                "code": "TP01",
                "name": f"Đơn (tờ khai) đề nghị theo mẫu ({DEMO_LABEL})",
                "original_count": 1,
                "mandatory": True,
            }
        ]
    else:
        counts = {
            d["code"]: {
                key: 1 if key == "original_count" else 0 for key in services.COUNT_KEYS if d[key] is None
            }
            for d in documents
            if any(d[key] is None for key in services.COUNT_KEYS)
        }
        if counts:
            for doc in documents:
                doc.update(counts.get(doc["code"], {}))
            kwargs["documents"] = documents
    if not procedure.results.exists():
        kwargs["results"] = [{"name": f"Văn bản giải quyết thủ tục ({DEMO_LABEL})"}]
    services.procedure_complete(procedure=procedure, actor=None, demo=True, **kwargs)
    return True


def _agencies(items) -> list[Agency]:
    out = []
    for item in items or []:
        out.append(item if isinstance(item, Agency) else Agency.objects.get(code=item))
    return out


def implementing_of(procedure: Procedure, agencies: list[Agency]) -> list[Agency]:
    return implementing_agencies(
        executing=procedure.executing_agency,
        competent=procedure.competent_agency,
        ministry=procedure.field.managing_ministry,
        candidates=agencies,
    )


def build_demo_catalog(*, offering_agencies: dict[str, list], stdout=None) -> dict[str, int]:
    """Import the reference procedures, fill demo gaps, create process templates and offerings.

    ``offering_agencies``: ``{"commune": [...], "province": [...]}`` (Agency objects or codes):
    commune-level procedures are offered by every commune agency, province-level ones by the
    province agencies their record names as implementing them (``implementing_of``).
    """
    report = importing.import_reference_data()
    filled = 0
    for procedure in Procedure.objects.filter(incomplete=True).order_by("code"):
        filled += _fill_gaps(procedure)
    templates = 0
    with_template = set(
        ProcessTemplate.objects.filter(agency__isnull=True, active=True).values_list(
            "procedure_id", flat=True
        )
    )
    for procedure in Procedure.objects.filter(active=True, incomplete=False).order_by("code"):
        hours = procedure.time_in_working_hours()
        if procedure.pk in with_template or hours is None:  # a complete procedure has its time
            continue
        services.process_template_save(
            procedure=procedure,
            steps=demo_steps(hours),
            name=f"Quy trình mẫu – {procedure.name}"[:300],
            actor=None,
        )
        templates += 1
    offerings = 0
    existing = set(Offering.objects.values_list("agency_id", "procedure_id"))
    for level in (Procedure.Level.COMMUNE, Procedure.Level.PROVINCE):
        agencies = _agencies(offering_agencies.get(level))
        procedures = list(
            Procedure.objects.filter(active=True, incomplete=False, level=level)
            .select_related("field")
            .order_by("code")
        )
        for procedure in procedures:
            # A province-level procedure goes only to the agency its record names (implementing.py).
            implementing = (
                agencies if level == Procedure.Level.COMMUNE else implementing_of(procedure, agencies)
            )
            for agency in implementing:
                if (agency.pk, procedure.pk) in existing:
                    continue
                services.offering_create(agency=agency, procedure=procedure, actor=None)
                offerings += 1
    summary = {
        "imported": report.created,
        "updated": report.updated,
        "demo_filled": filled,
        "templates": templates,
        "offerings": offerings,
    }
    if stdout is not None:
        stdout.write(
            f"Danh mục thủ tục: {Procedure.objects.count()} thủ tục (mới {report.created}, cập nhật "
            f"{report.updated}); bổ sung giá trị minh họa cho {filled}; {templates} quy trình mới; "
            f"{offerings} lượt cơ quan nhận thủ tục mới.\n"
        )
    return summary
