"""Catalogue API: procedure search and detail, what an agency offers. Read-only, no sign-in."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router, Schema

from motcua.catalog import selectors
from motcua.catalog.models import Procedure, RequiredDocument
from motcua.lib.paging import page_number

router = Router(tags=["Danh mục thủ tục"])

PAGE_SIZE = 20


class ProcedureItemOut(Schema):
    code: str
    name: str
    field: str
    field_code: str
    level: str
    processing_time: int | None
    unit: str | None
    online_level: str | None


class ProcedureListOut(Schema):
    items: list[ProcedureItemOut]
    count: int
    page: int
    pages: int


class DocumentOut(Schema):
    code: str
    name: str
    original_count: int | None
    certified_copy_count: int | None
    photocopy_count: int | None
    copy_kinds: list[str]
    mandatory: bool
    condition: str
    present_only: bool
    template_name: str
    template_url: str | None


class FeeOut(Schema):
    kind: str | None
    channel: str | None
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


class StepOut(Schema):
    order: int
    name: str
    performer: str
    role: str | None
    agency: str | None
    budget_hours: Decimal


class ProcedureDetailOut(Schema):
    code: str
    name: str
    field: str
    field_code: str
    level: str
    levels: list[str]
    applicants: str
    agency_kind: str | None
    competent_agency: str
    executing_agency: str
    processing_time: int | None
    unit: str | None
    online_time: int | None
    counting_rule: str
    supplement_policy: str
    online_level: str | None
    postal_allowed: bool | None
    requirements: str
    steps_text: str
    publishing_decision: str
    procedure_type: str
    effective_from: date | None
    effective_to: date | None
    documents: list[DocumentOut]
    fees: list[FeeOut]
    results: list[ResultOut]
    legal_basis: list[LegalBasisOut]
    steps: list[StepOut]
    incomplete: bool
    missing: list[str]
    demo_values: list[str]


class OfferingItemOut(Schema):
    code: str
    name: str
    field: str
    level: str
    processing_time: int | None
    local_time: int | None
    unit: str | None
    online_level: str | None


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


@router.get("/procedures", response=ProcedureListOut, summary="Tìm thủ tục hành chính")
def procedure_list(
    request: HttpRequest,
    q: str = "",
    field: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    online_level: str | None = None,
    page: str | None = None,
) -> dict[str, Any]:
    qs = selectors.procedure_search(q=q, field=field, level=level, agency=agency, online_level=online_level)
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


@router.get("/procedures/{code}", response=ProcedureDetailOut, summary="Chi tiết thủ tục hành chính")
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
    response=AgencyProceduresOut,
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
