"""Counter pages for a dossier guided at reception (Mẫu 02) when the citizen comes back:
"Tiếp nhận hồ sơ bổ sung" reopens the same dossier (same code) in the intake form, with the
applicant and the checklist filled in from the dossier; the officer ticks what arrived and
receives it (Mẫu 01, the appointment counting from now), guides again (flagged as a second
guidance) or refuses.

Reached from the counter's "Chờ công dân" list, from the return page's search and from the
search box on the new-dossier page (``?ma=`` a code or a scanned Mẫu 02).
"""

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from motcua.catalog.selectors import with_documents_in_order
from motcua.dossiers import selectors, services
from motcua.dossiers.forms.counter import IntakeForm, code_from_scan
from motcua.dossiers.models import Dossier
from motcua.dossiers.views.counter import (
    CHANGED,
    _add_service_error,
    _attach_scans,
    _form_page,
    _intake_data,
    _search_page,
    current_agency,
    receptionist_required,
)
from motcua.lib.clients import client_ip
from motcua.lib.errors import Conflict, DomainError, NotFound

State = Dossier.State


def _guided(request, code: str):
    """(dossier, agency, None) for a guided dossier of one of the officer's counters, else
    (None, agency, (message, status)) to show on the new-dossier search page."""
    code = code_from_scan(code)
    agency = current_agency(request) or request.counter_agencies[0]
    try:
        dossier = selectors.dossier_for_staff(request.user, code, ip=client_ip(request))
    except NotFound:
        return None, agency, (f"Không tìm thấy hồ sơ mã “{code}”. Kiểm tra lại mã trên phiếu hướng dẫn.", 404)
    by_pk = {a.pk: a for a in request.counter_agencies}
    if dossier.receiving_agency_id not in by_pk:
        return (
            None,
            agency,
            (
                f"Hồ sơ {dossier.code} được hướng dẫn tại {dossier.receiving_agency.name}: chỉ quầy của "
                "cơ quan đó tiếp nhận tiếp được.",
                403,
            ),
        )
    agency = by_pk[dossier.receiving_agency_id]
    if dossier.state != State.INTAKE_SUPPLEMENT:
        return (
            None,
            agency,
            (
                f"Hồ sơ {dossier.code} không chờ bổ sung khi tiếp nhận (trạng thái hiện tại: "
                f"“{dossier.get_state_display()}”), nên không tiếp nhận lại được.",
                409,
            ),
        )
    return dossier, agency, None


def _prefilled(dossier: Dossier) -> IntakeForm:
    """The intake form filled from the dossier: applicant, delivery, and the documents already
    handed in ticked with their copy kind and count."""
    person = dossier.applicant_kind == Dossier.ApplicantKind.PERSON
    initial = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": dossier.applicant_kind,
        "full_name": dossier.applicant_name if person else "",
        "org_name": "" if person else dossier.applicant_name,
        "citizen_id": dossier.citizen_id,
        "date_of_birth": dossier.date_of_birth,
        "tax_code": dossier.tax_code,
        "representative": dossier.representative,
        "phone": dossier.phone,
        "email": dossier.email,
        "address": dossier.address,
        "result_delivery": dossier.result_delivery,
    }
    form = IntakeForm(procedure=with_documents_in_order(dossier.procedure), initial=initial)
    given = {d.requirement_code: d for d in selectors.dossier_documents(dossier)}
    for key, document in form.keys.items():
        row = given.get(document.code)
        if row is not None:
            form.initial.update(
                {f"{key}_received": True, f"{key}_copy_kind": row.copy_kind, f"{key}_count": row.count}
            )
    return form


def _resume_page(request, dossier, agency, form, *, status=200):
    guidances = [p for p in selectors.dossier_pauses(dossier) if p.reason == "supplement"]
    extra = {
        "resume": dossier,
        "guidance": guidances[-1] if guidances else None,
        "guidance_count": len(guidances),
        "expires_at": services.guidance_expires_at(guidances[-1].started_at) if guidances else None,
    }
    return _form_page(request, agency, dossier.procedure, form, status=status, extra=extra)


@require_GET
@receptionist_required
def resume_find(request):
    """``?ma=`` a code typed or scanned (Mẫu 02 carries it): to the dossier's resume page."""
    code = code_from_scan(request.GET.get("ma", ""))
    if not code:
        agency = current_agency(request) or request.counter_agencies[0]
        return _search_page(
            request, agency, error="Nhập mã hồ sơ ghi trên phiếu hướng dẫn bổ sung.", status=400
        )
    dossier, agency, problem = _guided(request, code)
    if problem:
        return _search_page(request, agency, error=problem[0], status=problem[1])
    return redirect("counter:resume", code=dossier.code)


@require_http_methods(["GET", "POST"])
@receptionist_required
def resume(request, code: str):
    dossier, agency, problem = _guided(request, code)
    if problem:
        return _search_page(request, agency, error=problem[0], status=problem[1])
    if request.method == "GET":
        return _resume_page(request, dossier, agency, _prefilled(dossier))
    form = IntakeForm(request.POST, request.FILES, procedure=with_documents_in_order(dossier.procedure))
    if not form.is_valid():
        return _resume_page(request, dossier, agency, form, status=400)
    action = form.cleaned_data.get("action") or "receive"
    data = _intake_data(form, dossier.procedure, agency)
    data.handling_agency = dossier.handling_agency.code
    version = request.POST.get("version")
    common = {
        "actor": request.user,
        "dossier": dossier.code,
        "expected_version": version,
        "ip": client_ip(request),
    }
    try:
        if action == "refuse":
            services.dossier_refuse(reason=form.cleaned_data["refusal_reason"].strip(), **common)
        elif action == "supplement":
            services.dossier_request_supplement(
                items=[services.SupplementItem(name=n, reason=r) for n, r in form.cleaned_data["items"]],
                note=form.cleaned_data.get("supplement_note", "").strip(),
                data=data,
                **common,
            )
        else:
            services.dossier_receive(data=data, **common)
    except Conflict as exc:
        messages.error(request, CHANGED if exc.code == "stale" else exc.message)
        return redirect("counter:resume", code=dossier.code)
    except DomainError as exc:
        _add_service_error(form, exc)
        return _resume_page(request, dossier, agency, form, status=exc.status)
    if action != "refuse":
        _attach_scans(request, dossier, form)
    return redirect("counter:done", uid=dossier.uid)


def resume_url(dossier: Dossier) -> str:
    return reverse("counter:resume", kwargs={"code": dossier.code})


urlpatterns = [
    path("tiep-nhan-lai/", resume_find, name="resume_find"),
    path("ho-so/<str:code>/tiep-nhan-lai/", resume, name="resume"),
]
