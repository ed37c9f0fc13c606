""" "Hồ sơ của tôi": the citizen's dossiers and drafts, a dossier's detail (timeline, the
agency's messages), supplement online, ask to withdraw, and the forms that concern the citizen.

    /ho-so-cua-toi/                          list: drafts in progress, dossiers
    /ho-so-cua-toi/<code>/                   detail
    /ho-so-cua-toi/<code>/bo-sung/           supplement (POST)
    /ho-so-cua-toi/<code>/rut-ho-so/         withdraw (GET: confirm, POST)
    /ho-so-cua-toi/<code>/mau-<01|02|03>.pdf receipt (Mẫu 01), supplement request (02), refusal (03)

Only ``citizen_dossier(user, code)``: another citizen's dossier, guessed, is the 404 page, and
the attempt is logged (``citizen_dossier``), as is every view of a dossier's personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.dossiers import printing
from motcua.dossiers.files import _megabytes, max_bytes
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import citizen_dossier
from motcua.dossiers.selectors_post import dossier_consignments
from motcua.dossiers.services import dossier_supplement_online, dossier_withdraw_online
from motcua.dossiers.situation import situation_of
from motcua.dossiers.tracking_words import guidance, payment_ask, supplement_ask
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, NotFound
from motcua.portal import selectors
from motcua.portal.forms import SupplementForm, WithdrawForm
from motcua.portal.wizard import online_documents
from motcua.signing.services import RESULT_REQUIREMENT_CODE

# The forms a citizen may download: the receipt, the supplement request, the refusal.
CITIZEN_FORMS = ("01", "02", "03")


class SignedInRequest(HttpRequest):
    """A request past ``login_required``: its user is an account, never anonymous."""

    user: User


def dossier_or_404(request: SignedInRequest, code: str) -> Dossier:
    """One of the user's own dossiers. ``citizen_dossier`` logs the view of its personal data, and
    the attempt on another citizen's (``personal_data.refused``); both are the same 404 page."""
    try:
        return citizen_dossier(request.user, code, ip=client_ip(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc


@never_cache
@login_required
@require_GET
def mine(request: SignedInRequest) -> HttpResponse:
    context = {
        "drafts": list(selectors.drafts_in_progress(request.user)),
        "rows": selectors.my_dossier_rows(request.user),
    }
    return render(request, "portal/mine.html", context)


def _detail_context(dossier: Dossier) -> dict[str, Any]:
    situation = situation_of(dossier)
    pause = selectors.open_supplement(dossier)
    supplement = (
        supplement_ask(
            data={"items": pause.items, "policy": pause.policy},
            requested_at=pause.started_at,
            at_intake=dossier.state == Dossier.State.INTAKE_SUPPLEMENT,
        )
        if pause is not None
        else None
    )
    payment = (
        payment_ask(amount_vnd=dossier.fee_due_vnd, requested_at=None)
        if dossier.state == Dossier.State.PAYMENT
        else None
    )
    closed = dossier.state in (
        Dossier.State.REFUSED,
        Dossier.State.WITHDRAWN,
        Dossier.State.STOPPED,
        Dossier.State.RETURNED,
        Dossier.State.FINISHED,
    )
    return {
        "dossier": dossier,
        "situation": situation,
        "guidance": guidance(
            status_code=dossier.status_code,
            outcome=dossier.outcome,
            result_delivery=dossier.result_delivery,
            reason=situation.reason,
            supplement=supplement,
            payment=payment,
        ),
        "supplement": supplement,
        "timeline": selectors.timeline(dossier),
        "agency_messages": selectors.agency_messages(dossier),
        "supplement_requests": selectors.supplement_requests(dossier),
        # What was handed in; the e-result (kept as a document of its own) has its section above.
        "documents": dossier.documents.exclude(requirement_code=RESULT_REQUIREMENT_CODE)
        .prefetch_related("files")
        .order_by("order", "pk"),
        "forms": [f for f in printing.available_forms(dossier) if f.number in CITIZEN_FORMS],
        "can_withdraw": not closed and not getattr(dossier, "withdrawal_requested_at", None),
        "withdrawal_requested_at": getattr(dossier, "withdrawal_requested_at", None),
        "upload_documents": [d for d in online_documents(dossier.procedure) if not d.present_only],
        "max_bytes": max_bytes(),
        "max_size": _megabytes(max_bytes()),
        "consignments": dossier_consignments(dossier),
    }


@never_cache
@login_required
@require_GET
def detail(request: SignedInRequest, code: str) -> HttpResponse:
    dossier = dossier_or_404(request, code)
    return render(request, "portal/detail.html", _detail_context(dossier))


@never_cache
@login_required
@require_POST
def supplement(request: SignedInRequest, code: str) -> HttpResponse:
    dossier = dossier_or_404(request, code)
    form = SupplementForm(request.POST)
    files = {
        d.code: request.FILES.getlist(f"file_{d.code}")
        for d in online_documents(dossier.procedure)
        if request.FILES.getlist(f"file_{d.code}")
    }
    error = ""
    if not form.is_valid():
        error = "Biểu mẫu bổ sung không hợp lệ; vui lòng tải lại trang và gửi lại."
    else:
        try:
            dossier_supplement_online(
                citizen=request.user,
                dossier=dossier,
                expected_version=form.cleaned_data["version"],
                files=files,
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            error = exc.message
    if error:
        context = _detail_context(dossier)
        context["supplement_error"] = error
        context["supplement_note"] = request.POST.get("note", "")
        return render(request, "portal/detail.html", context, status=400)
    messages.success(request, "Đã gửi hồ sơ bổ sung. Cán bộ sẽ kiểm tra và thông báo cho ông/bà.")
    return redirect("portal:detail", code=dossier.code)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: SignedInRequest, code: str) -> HttpResponse:
    dossier = dossier_or_404(request, code)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                done = dossier_withdraw_online(
                    citizen=request.user,
                    dossier=dossier,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if done.state == Dossier.State.WITHDRAWN:
                    messages.success(request, f"Hồ sơ {done.code} đã được rút.")
                else:
                    messages.success(
                        request,
                        f"Đã gửi yêu cầu rút hồ sơ {done.code}. Cán bộ sẽ xem xét và thông báo cho ông/bà.",
                    )
                return redirect("portal:detail", code=done.code)
        status = 400
    else:
        form = WithdrawForm(initial={"version": dossier.version})
        status = 200
    received = dossier.received_at is not None
    return render(
        request,
        "portal/withdraw.html",
        {"dossier": dossier, "form": form, "received": received},
        status=status,
    )


@never_cache
@login_required
@require_GET
@csp_override({})  # a PDF, not a page: the browser's PDF viewer must not be constrained
def form_pdf(request: SignedInRequest, code: str, form: str) -> HttpResponse:
    dossier = dossier_or_404(request, code)
    if form not in CITIZEN_FORMS or not printing.form_applies(form, dossier):
        raise Http404(f"Hồ sơ {dossier.code} chưa có biểu mẫu số {form}.")
    content = printing.render_form(form, dossier, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form}-{dossier.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
