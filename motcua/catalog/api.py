"""Catalogue API: procedure search and detail, what an agency offers. Read-only, no sign-in."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema

from motcua.catalog import selectors
from motcua.catalog.models import Channel, Fee, Procedure, ProcessStep, RequiredDocument
from motcua.lib.apischema import PUBLIC_READ, Page, errors, one_of
from motcua.lib.paging import page_number
from motcua.lib.planning import planned_for_their_values
from motcua.org.models import Agency, Membership

router = Router(tags=["Danh mục thủ tục"])

PAGE_SIZE = 20
ERRORS = errors(*PUBLIC_READ)

# Enumerations of the OpenAPI description, from the models' choices (the selectors check the
# query parameters themselves, with a message naming the parameter).
Level = Annotated[str, one_of(Procedure.Level.values)]
TimeUnit = Annotated[str, one_of(Procedure.TimeUnit.values)]
OnlineLevel = Annotated[str, one_of(Procedure.OnlineLevel.values)]
CopyKind = Annotated[str, one_of(("original", "certified_copy", "photocopy"))]
AgencyKind = Annotated[str, one_of(Agency.Kind.values)]
CountingRule = Annotated[str, one_of(Procedure.CountingRule.values)]
SupplementPolicy = Annotated[str, one_of(Procedure.SupplementPolicy.values)]
FeeKind = Annotated[str, one_of(Fee.Kind.values)]
FeeChannel = Annotated[str, one_of([c for c in Channel.values if c], description="null: mọi hình thức")]
Performer = Annotated[str, one_of(ProcessStep.Performer.values)]
Role = Annotated[str, one_of(Membership.Role.values)]
# The list's filters: empty is no filter.
LevelFilter = Annotated[str, one_of(["", *Procedure.Level.values], description="Trống: mọi cấp")]
OnlineLevelFilter = Annotated[str, one_of(["", *Procedure.OnlineLevel.values], description="Trống: mọi mức")]


class ProcedureItemOut(Schema):
    code: str
    name: str
    field: str
    field_code: str
    level: Level
    processing_time: int | None
    unit: TimeUnit | None
    online_level: OnlineLevel | None


class ProcedureListOut(Schema):
    items: list[ProcedureItemOut]
    count: int
    page: int
    pages: int


class ProcedureDocumentOut(Schema):
    code: str
    name: str
    original_count: int | None
    certified_copy_count: int | None
    photocopy_count: int | None
    copy_kinds: list[CopyKind]
    mandatory: bool
    condition: str
    present_only: bool
    template_name: str
    template_url: str | None
    channels: list[str] = Field(
        description="Kênh nộp áp dụng (counter, online, post); rỗng: mọi kênh", default_factory=list
    )
    alternatives: list[str] = Field(
        description="Các giấy tờ thay thế nhau, nộp một trong số đó (alternative: 1, 2 …)",
        default_factory=list,
    )
    alternative_of: str = Field("", description="Mã thành phần mà giấy tờ này có thể nộp thay")


class FeeOut(Schema):
    kind: FeeKind | None
    channel: FeeChannel | None
    amount_vnd: int | None
    currency: str
    text: str
    note: str
    description: str
    collected_by: str


class ResultOut(Schema):
    code: str
    name: str


class LegalBasisOut(Schema):
    number: str
    title: str
    issued_on: date | None
    issuer: str


class ProcessStepOut(Schema):
    order: int
    name: str
    performer: Performer
    role: Role | None
    agency: str | None
    budget_hours: Decimal


class ProcedureDetailOut(Schema):
    code: str
    name: str
    field: str
    field_code: str
    level: Level
    levels: list[Level]
    applicants: str
    agency_kind: AgencyKind | None
    competent_agency: str
    executing_agency: str
    processing_time: int | None
    unit: TimeUnit | None
    online_time: int | None
    counting_rule: CountingRule
    supplement_policy: SupplementPolicy
    online_level: OnlineLevel | None
    postal_allowed: bool | None
    requirements: str
    steps_text: str
    publishing_decision: str
    procedure_type: str
    effective_from: date | None
    effective_to: date | None
    documents: list[ProcedureDocumentOut]
    fees: list[FeeOut]
    results: list[ResultOut]
    legal_basis: list[LegalBasisOut]
    steps: list[ProcessStepOut]
    incomplete: bool
    missing: list[str]
    demo_values: list[str]


class OfferingItemOut(Schema):
    code: str
    name: str
    field: str
    level: Level
    processing_time: int | None
    local_time: int | None
    unit: TimeUnit | None
    online_level: OnlineLevel | None


class AgencyRefOut(Schema):
    code: str
    name: str


class AgencyProceduresOut(Schema):
    agency: AgencyRefOut
    items: list[OfferingItemOut]
    count: int


def _item(p: Procedure) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.name,
        "field_code": p.field.code,
        "level": p.level,
        "processing_time": p.processing_time,
        "unit": p.time_unit or None,
        "online_level": p.online_level or None,
    }


@router.get("/procedures", response={200: ProcedureListOut, **ERRORS}, summary="Tìm thủ tục hành chính")
def procedure_list(
    request: HttpRequest,
    q: str = "",
    field: str | None = None,
    level: LevelFilter | None = None,
    agency: str | None = None,
    online_level: OnlineLevelFilter | None = None,
    page: Page | None = None,
) -> dict[str, Any]:
    with planned_for_their_values():  # the search, its count and the page's rows (lib/planning.py)
        qs = selectors.procedure_search(
            q=q, field=field, level=level, agency=agency, online_level=online_level
        )
        paginator = Paginator(qs, PAGE_SIZE)
        number = page_number(page, paginator.num_pages)
        current = paginator.page(number)
        return {
            "items": [_item(p) for p in current.object_list],
            "count": paginator.count,
            "page": number,
            "pages": paginator.num_pages,
        }


def _copy_kinds(doc: RequiredDocument) -> list[str]:
    kinds = []
    if doc.original_count:
        kinds.append("original")
    if doc.certified_copy_count:
        kinds.append("certified_copy")
    if doc.photocopy_count:
        kinds.append("photocopy")
    return kinds


@router.get(
    "/procedures/{code}", response={200: ProcedureDetailOut, **ERRORS}, summary="Chi tiết thủ tục hành chính"
)
def procedure_get(request: HttpRequest, code: str) -> dict[str, Any]:
    p = selectors.procedure_detail(code)
    return {
        **_item(p),
        "levels": p.levels or [p.level],
        "applicants": p.applicants,
        "agency_kind": p.agency_kind or None,
        "competent_agency": p.competent_agency,
        "executing_agency": p.executing_agency,
        "online_time": p.online_time,
        "counting_rule": p.counting_rule,
        "supplement_policy": p.supplement_policy,
        "postal_allowed": p.postal_allowed,
        "requirements": p.requirements,
        "steps_text": p.steps_text,
        "publishing_decision": p.publishing_decision,
        "procedure_type": p.procedure_type,
        "effective_from": p.effective_from,
        "effective_to": p.effective_to,
        "documents": [
            {
                "code": d.code,
                "name": d.name,
                "original_count": d.original_count,
                "certified_copy_count": d.certified_copy_count,
                "photocopy_count": d.photocopy_count,
                "copy_kinds": _copy_kinds(d),
                "mandatory": d.mandatory,
                "condition": d.condition,
                "present_only": d.present_only,
                "template_name": d.template_name,
                "template_url": d.template.url if d.template else None,
                "channels": list(d.channels),
                "alternatives": list(d.alternatives),
                "alternative_of": d.alternative_of,
            }
            for d in p.documents.all()
        ],
        "fees": [
            {
                "kind": f.kind or None,
                "channel": f.channel or None,
                "amount_vnd": f.amount_vnd,
                "currency": f.currency,
                "text": f.text,
                "note": f.note,
                "description": f.description,
                "collected_by": f.collected_by,
            }
            for f in p.fees.all()
        ],
        "results": [{"code": r.code, "name": r.name} for r in p.results.all()],
        "legal_basis": [
            {"number": lb.number, "title": lb.title, "issued_on": lb.issued_on, "issuer": lb.issuer}
            for lb in p.legal_bases.all()
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "performer": s.performer,
                "role": s.role or None,
                "agency": s.agency.code if s.agency else None,
                "budget_hours": s.budget_hours,
            }
            for s in selectors.default_process_steps(p)
        ],
        "incomplete": p.incomplete,
        "missing": p.missing,
        "demo_values": p.demo_values,
    }


@router.get(
    "/agencies/{code}/procedures",
    response={200: AgencyProceduresOut, **ERRORS},
    summary="Thủ tục cơ quan giải quyết",
)
def agency_procedures(request: HttpRequest, code: str) -> dict[str, Any]:
    agency = selectors.agency_by_code(code)
    offerings = list(selectors.agency_offerings(agency))
    return {
        "agency": {"code": agency.code, "name": agency.name},
        "items": [
            {
                **{k: v for k, v in _item(o.procedure).items() if k != "field_code"},
                "local_time": o.local_time,
            }
            for o in offerings
        ],
        "count": len(offerings),
    }
