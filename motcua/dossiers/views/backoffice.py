"""Back office pages (/xu-ly/): the inbox and the dossier page, for staff only.

- ``inbox``: "Của tôi" (dossiers the user holds) or "Của cơ quan" (the agencies the user can
  see, one chosen or all), in buckets with counts, searchable, sortable by due time, 20 a page.
  Complete without JavaScript; with htmx the region ``#danh-sach`` alone is swapped.
- ``dossier_page``: applicant, documents with inline previews, the control-slip rows, the
  dated history, comments, printable forms, and one small form per action this user may take
  now. Each action form posts to ``dossier_action`` with the version the page was rendered at.
- ``dossier_file``: streams one attached file after checking jurisdiction again.

Every read goes through ``motcua.dossiers.selectors`` (jurisdiction-filtered, the personal-data
view audited); every write through the action's service.
"""

import math
from datetime import timedelta
from functools import cached_property, wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from motcua.catalog.selectors import procedure_choices
from motcua.dossiers import printing, selectors, selectors_post
from motcua.dossiers.actions import ACTIONS
from motcua.dossiers.forms.backoffice import ActionChoices, ActionForm, CommentForm
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import STALE_MESSAGE, dossier_add_comment
from motcua.lib.clients import client_ip
from motcua.lib.errors import Conflict, DomainError, InvalidInput, NotFound
from motcua.lib.text import money
from motcua.org.models import Membership
from motcua.org.selectors import (
    agencies_list,
    agencies_visible_to,
    calendar_for_agency_code,
    is_staff,
    officers_acting_on,
    user_can_act,
)
from motcua.signing import actions as signing_actions
from motcua.workcalendar.calendar import working_time_between
from motcua.workcalendar.selectors import calendars_by_schedule

PAGE_SIZE = 20


SCOPES = [("mine", "Của tôi"), ("agency", "Của cơ quan")]
# Named for the action each dossier waits for (selectors.BUCKETS: the to-do buckets of whoever
# acts next, then the follow-ups while the applicant acts, then the cuts by due time).
BUCKETS = [
    ("all", "Tất cả"),
    ("to_assign", "Chờ phân công"),
    ("to_process", "Chờ thẩm định, chuyển xử lý"),
    ("to_approve", "Chờ phê duyệt"),
    ("to_finish", "Chờ hoàn thành kết quả"),
    ("supplement", "Chờ công dân bổ sung"),
    ("payment", "Chờ nộp phí, lệ phí"),
    ("due_soon", "Đến hạn trong ngày làm việc tới"),
    ("late", "Quá hạn"),
]
SORTS = [
    ("due_at", "Hạn xử lý: sớm nhất trước"),
    ("-due_at", "Hạn xử lý: muộn nhất trước"),
    ("received_at", "Ngày tiếp nhận: cũ nhất trước"),
]
# Officers a dossier may be assigned to: those who act on files, not the read-only supervisor.
OFFICER_ROLES = (
    Membership.Role.SPECIALIST,
    Membership.Role.LEADER,
    Membership.Role.DIRECTOR,
    Membership.Role.RECEPTIONIST,
)
PREVIEW_TYPES = {"application/pdf", "image/jpeg", "image/png"}


# -------------------------------------------------------------------------------------------
# Access


def staff_required(view):
    """Anonymous → sign-in page; signed-in citizens and organisations → 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(user):
            return _denied(request, "Trang này chỉ dành cho cán bộ, công chức.")
        return view(request, *args, **kwargs)

    return wrapper


def _denied(request, message: str, status: int = 403):
    return render(request, "dossiers/backoffice/denied.html", {"message": message}, status=status)


def _load_dossier(request, code: str) -> Dossier:
    """The dossier, or 404: for a code that does not exist and for a dossier outside the user's
    jurisdiction alike (the selector audits the refused attempt)."""
    try:
        return selectors.dossier_for_staff(request.user, code, ip=client_ip(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc


# -------------------------------------------------------------------------------------------
# Inbox


def _choice(value: str, allowed: list[tuple[str, str]], default: str, what: str) -> tuple[str, str | None]:
    value = (value or "").strip() or default
    if value not in dict(allowed):
        return default, f"{what} “{value}” không hợp lệ."
    return value, None


# What a row of the inbox page shows and its due badge reads: the rows are read with these
# columns only (a dossier with its procedure, agencies, step and holder is some 150 columns, the
# procedure's snapshot among them; building them cost more than the rest of the page).
INBOX_PAGE_FIELDS = (
    "code",
    "applicant_name",
    "state",
    "due_at",
    "withdrawal_requested_at",
    "withdrawal_reason",
    "procedure__name",
    "current_step__name",
    "holder__full_name",
    "holder__first_name",
    "holder__last_name",
    "holder__username",
    "holder_agency__name",
    "holder_agency__schedule_id",
)


class _Paginator(Paginator):
    """Django's paginator, told the number of rows when it is already known."""

    def __init__(self, object_list, per_page: int, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return super().count if self.known is None else self.known


def _calendars_for(rows) -> dict:
    """The working calendar of each row's holding agency: one query for the page's schedules."""
    return calendars_by_schedule({getattr(d.holder_agency, "schedule_id", None) for d in rows})


def _working_time(calendar, start, end) -> timedelta | None:
    """Working time from ``start`` to ``end``, or None when either lies outside the span of
    the calendar (a date far in the future: the page shows the date, not the arithmetic)."""
    try:
        return working_time_between(calendar, start, end)
    except InvalidInput:
        return None


def due_badge(dossier: Dossier, calendar, now) -> dict:
    """How the due time reads in the inbox: a CSS modifier and a text that says it all (no
    text when the due time is beyond the working calendar: the date alone is shown)."""
    if dossier.state in (Dossier.State.SUPPLEMENT, Dossier.State.PAYMENT):
        label = "Chờ bổ sung" if dossier.state == Dossier.State.SUPPLEMENT else "Chờ nộp phí, lệ phí"
        return {"kind": "paused", "text": label}
    if dossier.due_at is None:
        return {"kind": "none", "text": "Chưa có hạn"}
    late = dossier.due_at < now
    elapsed = _working_time(calendar, *((dossier.due_at, now) if late else (now, dossier.due_at)))
    if elapsed is None:
        return {"kind": "none", "text": ""}
    hours = elapsed.total_seconds() / 3600
    if late:
        if hours >= 8:
            return {"kind": "late", "text": f"Quá hạn {math.floor(hours / 8)} ngày làm việc"}
        return {"kind": "late", "text": f"Quá hạn {max(1, math.ceil(hours))} giờ làm việc"}
    if hours <= 8:
        return {"kind": "soon", "text": f"Còn {max(0, math.floor(hours))} giờ làm việc"}
    return {"kind": "ok", "text": f"Còn {math.floor(hours / 8)} ngày làm việc"}


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def inbox(request):
    user = request.user
    get = request.GET
    errors: list[str] = []
    scope, error = _choice(get.get("scope"), SCOPES, "mine", "Phạm vi")
    errors += [error] if error else []
    bucket, error = _choice(get.get("bucket"), BUCKETS, "all", "Nhóm hồ sơ")
    errors += [error] if error else []
    sort, error = _choice(get.get("sort"), SORTS, "due_at", "Cách sắp xếp")
    errors += [error] if error else []
    q = get.get("q", "").strip()[:100]
    procedure_code = get.get("procedure", "").strip()[:60]

    visible = list(agencies_visible_to(user).filter(active=True).order_by("path"))
    agency = None
    agency_code = get.get("agency", "").strip()
    if scope == "agency" and agency_code:
        agency = next((a for a in visible if a.code == agency_code), None)
        if agency is None:
            errors.append(f"Bạn không có quyền xem hồ sơ của cơ quan có mã “{agency_code}”.")
    procedures = procedure_choices(a.pk for a in visible)

    rows, counts, page = [], {}, None
    if not errors:
        try:
            results = selectors.dossiers_inbox(
                user, scope=scope, agency=agency, bucket=bucket, q=q, sort=sort
            )
            results = (
                results.select_related(None)
                .select_related("procedure", "holder_agency", "holder", "current_step")
                .only(*INBOX_PAGE_FIELDS)
            )
            if procedure_code:
                results = results.filter(procedure__code=procedure_code)
            counts = selectors.inbox_counts(user, scope=scope, agency=agency)
            # Unsearched, the list is the bucket whose count was just read: no second COUNT.
            known = counts.get(bucket, 0) if not q and not procedure_code else None
            page = _Paginator(results, PAGE_SIZE, known).get_page(get.get("page"))
        except DomainError as exc:
            errors.append(exc.message)
    if page is not None and q:  # a search by name or citizen ID finds people: audited
        selectors.record_search(
            user, q=q, count=page.paginator.count, where="inbox", agency=agency, ip=client_ip(request)
        )
    if page is not None:
        now = timezone.now()
        calendars = _calendars_for(page.object_list)
        # Dossiers waiting for payment: when the request falls due, and how late (issue 12).
        waiting = [d.pk for d in page.object_list if d.state == Dossier.State.PAYMENT]
        pay_due = selectors.payment_due_by(waiting) if waiting else {}
        for dossier in page.object_list:
            schedule_id = getattr(dossier.holder_agency, "schedule_id", None)
            calendar = calendars.get(schedule_id) or calendars[None]
            due_by = pay_due.get(dossier.pk)
            rows.append(
                {
                    "dossier": dossier,
                    "due": due_badge(dossier, calendar, now),
                    "pay_due": due_by,
                    "pay_late": selectors.overdue_text(due_by, now) if due_by and due_by < now else "",
                }
            )

    params = {
        "scope": scope,
        "agency": agency.code if agency else "",
        "bucket": bucket,
        "q": q,
        "procedure": procedure_code,
        "sort": sort,
    }

    def link(**changes) -> str:
        merged = {**params, **changes}
        if merged["scope"] != "agency":
            merged["agency"] = ""
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    context = {
        "params": params,
        "errors": errors,
        "scope": scope,
        "bucket": bucket,
        "agency": agency,
        "agencies": visible,
        "procedures": procedures,
        "sorts": SORTS,
        "tabs": [
            {"value": v, "label": label, "url": link(scope=v, bucket="all"), "current": v == scope}
            for v, label in SCOPES
        ],
        "buckets": [
            {
                "value": v,
                "label": label,
                "count": counts.get(v, 0),
                "url": link(bucket=v),
                "current": v == bucket,
            }
            for v, label in BUCKETS
        ],
        "sort_toggle": link(sort="-due_at" if sort == "due_at" else "due_at"),
        "page": page,
        "rows": rows,
        "prev_url": link(page=page.previous_page_number()) if page and page.has_previous() else None,
        "next_url": link(page=page.next_page_number()) if page and page.has_next() else None,
    }
    template = "dossiers/backoffice/inbox.html"
    if request.htmx and not request.htmx.boosted:
        template += "#list"
    return render(request, template, context, status=400 if errors else 200)


# -------------------------------------------------------------------------------------------
# Dossier page


def _action_choices(dossier: Dossier, needs: set[str]) -> ActionChoices:
    choices = ActionChoices()
    if "officer" in needs:
        choices.officers = officers_acting_on(
            [dossier.holder_agency or dossier.handling_agency], OFFICER_ROLES
        )
        choices.forward_officers = officers_acting_on(
            [dossier.holder_agency, dossier.handling_agency], OFFICER_ROLES
        )
    if "to_agency" in needs:
        choices.agencies = agencies_list(active=True)
    if "to_seq" in needs:
        choices.earlier_steps = [
            (s.seq, f"Bước {s.seq}: {s.name} – {s.agency.name}")
            for s in selectors.dossier_earlier_steps(dossier)
        ]
    return choices


def _print_links(dossier: Dossier, events: list, pauses: list) -> list[dict]:
    """The legal forms that mean something for the dossier now (printing decides which, from
    the events and pauses the page has loaded)."""
    return [
        {
            "number": info.number,
            "label": info.label,
            "url": reverse("printing:form", kwargs={"uid": dossier.uid, "form": info.number}),
        }
        for info in printing.available_forms(dossier, events=events, pauses=pauses)
    ]


STATE_LABELS = dict(Dossier.State.choices)


# What the applicant did online (services.online), as the timeline names it.
CITIZEN_ACTION_LABELS = {
    "submit_online": "Nộp hồ sơ trực tuyến",
    "supplement-online": "Người nộp bổ sung trực tuyến",
    "request-withdraw": "Người nộp yêu cầu rút hồ sơ",
}


def _history(events) -> tuple[list[dict], list]:
    labels = {a.service.__name__.removeprefix("dossier_"): a.label for a in ACTIONS.values()}
    labels.update({name: a.label for name, a in ACTIONS.items()})
    labels.update(CITIZEN_ACTION_LABELS)
    history, comments = [], []
    for event in events:
        if event.kind == "comment":
            comments.append(event)
            continue
        if event.action == "post-consignment":
            title = selectors_post.consignment_event_title(event.data)
        else:
            title = labels.get(event.action) or STATE_LABELS.get(event.state) or event.action
        history.append(
            {
                "event": event,
                "title": title,
                "state": STATE_LABELS.get(event.state, ""),
            }
        )
    return history, comments


def _can_still_extend(dossier: Dossier) -> bool:
    """One extension only, decided at least one working day before the appointment (the
    service's rule, checked here so that the page does not offer a form bound to fail)."""
    if dossier.extension_count >= 1 or dossier.due_at is None:
        return False
    calendar = calendar_for_agency_code(dossier.handling_agency.code)
    left = _working_time(calendar, timezone.now(), dossier.due_at)
    return left is not None and left >= timedelta(hours=8)


def _offered(user, dossier: Dossier) -> list:
    """The actions the selector allows, less an extension the service would refuse for certain."""
    actions = selectors.dossier_available_actions(user, dossier)
    return [a for a in actions if a.name != "extend" or _can_still_extend(dossier)]


def _render_dossier(
    request,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
    comment_form: CommentForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    user = request.user
    actions = _offered(user, dossier)
    needs = {n for a in actions for n in a.needs}
    choices = _action_choices(dossier, needs)
    forms = []
    for action in actions:
        if bound is not None and bound.action.name == action.name:
            bound.choices = choices
            forms.append(bound)
        else:
            forms.append(ActionForm(action=action, choices=choices, initial={"version": dossier.version}))
    if bound is not None and bound.action.name not in {a.name for a in actions}:
        forms.insert(0, bound)  # keep what was typed, even if the action is no longer offered
    documents = selectors.dossier_documents(dossier)
    events = selectors.dossier_timeline(dossier)
    pauses = selectors.dossier_pauses(dossier)
    history, comments = _history(events)
    context = {
        "dossier": dossier,
        "status_label": dossier.get_status_code_display(),
        "documents": documents,
        "steps": list(selectors.dossier_steps(dossier)),
        "pauses": pauses,
        "supplied_online": next(
            (p.supplied_online_at for p in reversed(pauses) if p.ended_at is None and p.supplied_online_at),
            None,
        ),
        "extension": selectors.dossier_extension(dossier),
        "history": history,
        "comments": comments,
        "action_forms": forms,
        "comment_form": comment_form or CommentForm(),
        "print_links": _print_links(dossier, events, pauses),
        "can_comment": bool(actions)
        or any(
            user_can_act(user, a)
            for a in {dossier.holder_agency, dossier.handling_agency, dossier.receiving_agency}
            if a is not None
        ),
        "fee_due": money(dossier.fee_due_vnd) if dossier.fee_due_vnd else "",
        "error": error,
        "preview_types": PREVIEW_TYPES,
        "consignments": selectors_post.dossier_consignments(dossier),
        "sync": selectors_post.dossier_sync_state(dossier),
    }
    return render(request, "dossiers/backoffice/dossier.html", context, status=status)


@require_GET
@staff_required
def dossier_page(request, code: str):
    dossier = _load_dossier(request, code)
    return _render_dossier(request, dossier)


@require_POST
@staff_required
def dossier_action(request, code: str, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    dossier = _load_dossier(request, code)
    form = ActionForm(request.POST, action=spec, choices=_action_choices(dossier, set(spec.needs)))
    valid = form.is_valid()
    if "version" in form.errors:
        return _render_dossier(
            request,
            dossier,
            bound=form,
            error="Biểu mẫu thiếu phiên bản hồ sơ. Vui lòng tải lại trang.",
            status=400,
        )
    version = form.cleaned_data["version"]
    if version != dossier.version:
        return _render_dossier(request, dossier, bound=form, error=STALE_MESSAGE, status=409)
    # The table's verdict (state, role, holder of the step) before the input, with the service's
    # own reason: someone who may not act is told so, not asked to correct what he typed. The
    # service checks it again under the lock.
    refused = selectors.dossier_action_refusal(request.user, dossier, spec)
    if refused is not None:
        return _render_dossier(request, dossier, bound=form, error=refused.message, status=refused.status)
    if not valid:
        return _render_dossier(
            request, dossier, bound=form, error="Vui lòng kiểm tra lại thông tin đã nhập.", status=400
        )
    try:
        # The e-result's part (signing at approval, issue at finish) in the same transaction.
        signing_actions.run_action(
            spec,
            result_file=request.FILES.get("ket_qua") or None,
            render=request.POST.get("lap_tu_mau") == "1",
            actor=request.user,
            dossier=dossier,
            expected_version=version,
            ip=client_ip(request),
            **form.service_kwargs(),
        )
    except Conflict as exc:
        fresh = _reload(request, code) or dossier
        message = STALE_MESSAGE if exc.code == "stale" or fresh.version != version else exc.message
        return _render_dossier(request, fresh, bound=form, error=message, status=409)
    except DomainError as exc:
        return _render_dossier(request, dossier, bound=form, error=exc.message, status=exc.status)
    messages.success(request, f"Đã thực hiện: {spec.label} (hồ sơ {dossier.code}).")
    return redirect("backoffice:dossier", code=dossier.code)


def _reload(request, code: str) -> Dossier | None:
    try:
        return selectors.dossier_for_staff(request.user, code, ip=client_ip(request))
    except DomainError:
        return None


@require_POST
@staff_required
def dossier_comment(request, code: str):

    dossier = _load_dossier(request, code)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_dossier(
            request, dossier, comment_form=form, error="Hãy nhập nội dung ý kiến.", status=400
        )
    try:
        dossier_add_comment(
            actor=request.user, dossier=dossier, body=form.cleaned_data["body"].strip(), ip=client_ip(request)
        )
    except DomainError as exc:
        return _render_dossier(request, dossier, comment_form=form, error=exc.message, status=exc.status)
    messages.success(request, "Đã ghi ý kiến.")
    return redirect(reverse("backoffice:dossier", kwargs={"code": dossier.code}) + "#y-kien")


@require_GET
@staff_required
@xframe_options_sameorigin  # the dossier page previews PDFs in an <iframe>
@csp_override({})  # a scan, not a page: the browser's PDF viewer must not be constrained
def dossier_file(request, code: str, file_id: int):
    dossier = _load_dossier(request, code)
    stored = selectors.dossier_file(dossier, file_id)
    if stored is None:
        raise Http404("Không tìm thấy tệp này trong hồ sơ.")
    inline = stored.content_type in PREVIEW_TYPES
    response = FileResponse(
        stored.file.open("rb"), content_type=stored.content_type if inline else "application/octet-stream"
    )
    disposition = content_disposition_header(not inline, stored.original_name)
    if disposition is not None:  # None only for a file shown inline that has no name
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", inbox, name="inbox"),
    path("ho-so/<str:code>/", dossier_page, name="dossier"),
    path("ho-so/<str:code>/tep/<int:file_id>/", dossier_file, name="file"),
    path("ho-so/<str:code>/y-kien/", dossier_comment, name="comment"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", dossier_action, name="action"),
]
