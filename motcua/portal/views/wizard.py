"""The online submission wizard: server-rendered steps that each save the draft (no JavaScript
needed; ``static/portal/upload.js`` only adds upload progress).

    /nop-truc-tuyen/<procedure code>/           start (or continue a draft of that procedure)
    /ho-so-cua-toi/nhap/<uid>/<step>/           the steps (cho-ai, nguoi-nop, giay-to, nhan-ket-qua, xem-lai)
    /ho-so-cua-toi/nhap/<uid>/da-nop/           submitted: the dossier code and what happens next

A form posted after the session expired is kept in the new session (text fields only) and the
citizen is sent to sign in; back on the step, the owner's draft takes it in (``_restore``).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.audit.services import audit_record
from motcua.catalog import selectors as catalog_selectors
from motcua.dossiers.tracking_words import guidance
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, NotFound
from motcua.portal import selectors, services
from motcua.portal.models import Draft
from motcua.portal.views.steps import HANDLERS, STEPS, step_url
from motcua.portal.wizard import ONLINE_LEVELS, online_documents

PENDING_KEY = "portal_pending_drafts"
# A stashed form is text only; beyond this it is not kept (nobody types that much in a step).
PENDING_MAX_CHARS = 20_000
CITIZEN_KINDS = ("citizen", "organisation")


def draft_or_404(request: HttpRequest, uid: Any) -> Draft:
    """The user's own draft; another citizen's (or none) is the 404 page, and the attempt is logged."""
    try:
        return selectors.draft_for(request.user, uid)
    except NotFound as exc:
        audit_record(
            action="portal.draft_not_found",
            actor=request.user,
            object_type="portal.draft",
            object_id=str(uid)[:64],
            ip=client_ip(request),
        )
        raise Http404(exc.message) from exc


def draft_login_required(view):
    """Like ``login_required``, but a form posted after the session expired is kept (its text
    fields) in the new session before the citizen is sent to sign in again."""

    @wraps(view)
    def wrapper(request: HttpRequest, uid: Any, step: str = "", **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, uid, step, **kwargs) if step else view(request, uid, **kwargs)
        target = request.path
        if request.method == "POST" and step:
            fields = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
            if sum(len(x) for values in fields.values() for x in values) <= PENDING_MAX_CHARS:
                pending = dict(request.session.get(PENDING_KEY) or {})
                pending[str(uid)] = {"step": step, "fields": fields}
                request.session[PENDING_KEY] = pending
                note = " Tệp vừa chọn chưa được tải lên, vui lòng chọn lại." if request.FILES else ""
                messages.info(
                    request,
                    "Phiên đăng nhập đã hết hạn. Nội dung ông/bà vừa nhập đã được giữ lại: vui lòng đăng "
                    "nhập lại để tiếp tục." + note,
                )
        return redirect_to_login(target)

    return wrapper


def _restore(request: HttpRequest, draft: Draft, step: str) -> QueryDict | None:
    """The form this draft's step had posted when the session expired, if any (taken once)."""
    pending = request.session.get(PENDING_KEY) or {}
    saved = pending.get(str(draft.uid))
    if not saved or saved.get("step") != step:
        return None
    pending = {k: v for k, v in pending.items() if k != str(draft.uid)}
    request.session[PENDING_KEY] = pending
    data = QueryDict(mutable=True)
    for key, values in (saved.get("fields") or {}).items():
        data.setlist(key, [str(v) for v in values])
    return data


# -- start ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = catalog_selectors.procedure_detail(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    online = procedure.online_level in ONLINE_LEVELS
    citizen = getattr(request.user, "kind", "") in CITIZEN_KINDS
    if request.method == "POST" and online and citizen:
        try:
            draft = services.draft_start(owner=request.user, procedure=procedure)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(step_url(draft, Draft.Step.WHOM))
    drafts = [d for d in selectors.drafts_in_progress(request.user) if d.procedure_id == procedure.pk]
    context = {
        "procedure": procedure,
        "online": online,
        "citizen": citizen,
        "drafts": drafts,
        "documents": [d for d in online_documents(procedure) if not d.present_only],
        "expiry_days": services.expiry_days(),
    }
    return render(request, "portal/start.html", context)


# -- the steps --------------------------------------------------------------------------------


@never_cache
@draft_login_required
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, uid: Any, step: str) -> HttpResponse:
    draft = draft_or_404(request, uid)
    if draft.submitted:
        return redirect("portal:draft_done", uid=draft.uid)
    if step not in Draft.Step.values:
        raise Http404("Không có bước này.")
    handler = HANDLERS[step]
    restored = None if request.method == "POST" else _restore(request, draft, step)
    if request.method == "POST" or restored is not None:
        post = request.POST if restored is None else restored
        if post.get("remove"):
            _remove_file(request, draft, str(post.get("remove")))
            return redirect(step_url(draft, step) + "#tai-lieu")
        errors = handler.save(request, draft, post)
        if restored is not None:
            messages.info(request, "Đã khôi phục nội dung ông/bà nhập trước khi phiên đăng nhập hết hạn.")
        elif not errors:
            go = post.get("go", "next")
            if go == "submit":
                return redirect("portal:draft_done", uid=draft.uid)
            index = STEPS.index(Draft.Step(step))
            if go == "back" and index > 0:
                return redirect(step_url(draft, STEPS[index - 1]))
            if go == "next" and index + 1 < len(STEPS):
                return redirect(step_url(draft, STEPS[index + 1]))
            messages.success(request, "Đã lưu hồ sơ nháp.")
            return redirect(step_url(draft, step))
        else:
            # What was typed is kept in the draft: a back-and-forth keeps it too.
            if post.get("go") == "back":
                index = STEPS.index(Draft.Step(step))
                if index > 0:
                    return redirect(step_url(draft, STEPS[index - 1]))
        return handler.render(request, draft, errors=errors, status=400 if restored is None else 200)
    return handler.render(request, draft, errors={}, status=200)


def _remove_file(request: HttpRequest, draft: Draft, file_id: str) -> None:
    try:
        services.draft_remove_file(draft=draft, file_id=file_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gỡ tệp khỏi hồ sơ nháp.")


@never_cache
@draft_login_required
@require_http_methods(["GET"])
def draft_done(request: HttpRequest, uid: Any) -> HttpResponse:
    draft = draft_or_404(request, uid)
    if not draft.submitted:
        return redirect(step_url(draft, draft.step))
    if draft.dossier is None:  # submitted, and the dossier since deleted by an administrator
        return redirect("portal:mine")
    dossier = draft.dossier
    next_steps = guidance(
        status_code=dossier.status_code,
        outcome=dossier.outcome,
        result_delivery=dossier.result_delivery,
        reason="",
        supplement=None,
        payment=None,
    )
    return render(request, "portal/done.html", {"draft": draft, "dossier": dossier, "next_steps": next_steps})


@never_cache
@draft_login_required
@require_http_methods(["POST"])
def draft_delete(request: HttpRequest, uid: Any) -> HttpResponse:
    draft = draft_or_404(request, uid)
    try:
        services.draft_delete(draft=draft)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã xóa hồ sơ nháp “{draft.procedure.name}”.")
    return redirect("portal:mine")
