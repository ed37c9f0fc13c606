"""Counter pages (/quay/): the one-stop officer's day, a new dossier, returning results.

For staff holding a receptionist role only. Every write goes through a service of
``motcua.dossiers.services`` and ends in a redirect (POST-redirect-GET); bad input re-renders
the form with what was typed and a Vietnamese message beside each field (400), nothing saved.
Everything works without JavaScript; htmx only swaps the procedure search results in place.
"""

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from motcua.catalog import selectors as catalog
from motcua.dossiers import postal, selectors, selectors_post, services
from motcua.dossiers.files import max_bytes
from motcua.dossiers.forms.counter import APPLICANT_FIELDS, IntakeForm, ReturnForm, code_from_scan
from motcua.dossiers.models import Dossier
from motcua.dossiers.views import counter_return
from motcua.lib.clients import client_ip
from motcua.lib.errors import Conflict, DomainError, NotFound
from motcua.lib.planning import planned_for_their_values
from motcua.org.models import Agency, Membership
from motcua.org.selectors import agency_ancestors, agency_subtree, is_staff, memberships_of, tree_order

RECEPTIONIST = Membership.Role.RECEPTIONIST
SESSION_AGENCY = "counter_agency"
SEARCH_LIMIT = 30
AGENCY_PARAM = "co-quan"


# ---------------------------------------------------------------------------------------------
# Who may use the counter, and where they work today


COUNTER_KINDS = (Agency.Kind.ONE_STOP, Agency.Kind.SERVICE_CENTRE)


def counter_agencies(user) -> list:
    """Where ``user`` receives dossiers: for each receptionist membership, the one-stop units and
    public service centres in its reach (a commune's receptionist works at the commune's one-stop
    unit), or the membership's agency itself when there is none. In tree order."""
    agencies: dict[int, Agency] = {}
    for membership in memberships_of(user):
        if membership.role != RECEPTIONIST or not membership.agency.active:
            continue
        counters = []
        if membership.include_subtree:
            counters = [a for a in agency_subtree(membership.agency) if a.kind in COUNTER_KINDS and a.active]
        for agency in counters or [membership.agency]:
            agencies.setdefault(agency.pk, agency)
    return sorted(agencies.values(), key=tree_order)


def receptionist_required(view):
    """Anonymous → sign-in page; signed in without a receptionist role → 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        agencies = counter_agencies(request.user) if is_staff(request.user) else []
        if not agencies:
            raise PermissionDenied("Trang này dành cho cán bộ một cửa (vai trò tiếp nhận hồ sơ).")
        request.counter_agencies = agencies
        return view(request, *args, **kwargs)

    return wrapper


def current_agency(request):
    """The agency the officer works for now: the one chosen (``?co-quan=``, remembered in the
    session), else their only one; None while they act at several and have not chosen."""
    agencies = request.counter_agencies
    by_code = {a.code: a for a in agencies}
    chosen = request.GET.get(AGENCY_PARAM)
    if chosen:
        if chosen not in by_code:
            return None  # not theirs: _no_agency answers 403
        request.session[SESSION_AGENCY] = chosen
        return by_code[chosen]
    remembered = request.session.get(SESSION_AGENCY)
    if remembered in by_code:
        return by_code[remembered]
    return agencies[0] if len(agencies) == 1 else None


def _chooser(request, *, status=200, error=""):
    context = {"agencies": request.counter_agencies, "error": error, "next": request.path}
    return render(request, "dossiers/counter/choose_agency.html", context, status=status)


def _no_agency(request):
    """The chooser, or 403 when the officer asked for an agency where they do not work."""
    chosen = request.GET.get(AGENCY_PARAM)
    if chosen:
        return _chooser(request, status=403, error=f"Bạn không làm việc tại quầy của cơ quan mã {chosen}.")
    return _chooser(request)


def printing_url(dossier, form: str) -> str | None:
    try:
        return reverse("printing:form", kwargs={"uid": dossier.uid, "form": form})
    except NoReverseMatch:  # the printing pages are not mounted (yet)
        return None


# ---------------------------------------------------------------------------------------------
# Hôm nay


@require_GET
@receptionist_required
def today(request):
    if request.GET.get("doi") and len(request.counter_agencies) > 1:
        return _chooser(request)
    agency = current_agency(request)
    if agency is None:
        return _no_agency(request)
    lists = selectors.counter_today(request.user, agency=agency)
    now = timezone.now()
    section_queries = [
        (
            "tiep-nhan",
            "Tiếp nhận hôm nay",
            "Chưa tiếp nhận hồ sơ nào hôm nay.",
            "received",
            lists["received_today"],
        ),
        (
            "den-han",
            "Đến hạn trả hôm nay",
            "Không có hồ sơ nào hẹn trả hôm nay.",
            "received",
            lists["due_today"],
        ),
        (
            "cho-cong-dan",
            "Chờ công dân",
            "Không có hồ sơ nào đang chờ người dân bổ sung hay nộp phí.",
            "citizen",
            lists["waiting_citizen"],
        ),
        (
            "cho-tra",
            "Kết quả chờ trả",
            "Không có kết quả nào đang chờ người dân đến nhận.",
            "collection",
            lists["waiting_collection"],
        ),
    ]
    sections = [
        (slug, title, empty, kind, [_today_row(d, kind, now) for d in rows])
        for slug, title, empty, kind, rows in section_queries
    ]
    return render(
        request,
        "dossiers/counter/today.html",
        {
            "agency": agency,
            "sections": sections,
            "several": len(request.counter_agencies) > 1,
            "uncollected_days": settings.MOTCUA_RESULT_UNCOLLECTED_WORKING_DAYS,
            "online_count": selectors.online_inbox_count(request.user, agency=agency),
            "returned_post": list(selectors_post.returned_consignments(Agency.objects.filter(pk=agency.pk))),
        },
    )


# What the citizen must do, by state, in the "Chờ công dân" list.
WAITING_FOR: dict[str, str] = {
    Dossier.State.INTAKE_SUPPLEMENT: "Bổ sung giấy tờ để được tiếp nhận",
    Dossier.State.SUPPLEMENT: "Bổ sung, hoàn thiện hồ sơ đang xử lý",
    Dossier.State.PAYMENT: "Nộp phí, lệ phí",
}


def _today_row(dossier: Dossier, kind: str, now) -> dict:
    """One line of a list of the day, with what the list shows beyond the dossier itself."""
    row: dict = {"d": dossier}
    if kind == "citizen":
        since = getattr(dossier, "waiting_since", None)  # annotated by counter_today
        row["waiting_for"] = WAITING_FOR.get(dossier.state, dossier.get_state_display())
        row["since"] = since
        row["waited_days"] = (now - since).days if since else None
        row["late"] = dossier.due_at is not None and dossier.due_at < now
        if dossier.state == Dossier.State.INTAKE_SUPPLEMENT and since is not None:
            row["expires_at"] = services.guidance_expires_at(since)
            row["resume_url"] = reverse("counter:resume", kwargs={"code": dossier.code})
    elif kind == "collection":
        row["waiting_long"] = bool(getattr(dossier, "waiting_long", False))  # annotated by counter_today
        row["waited_days"] = (now - dossier.finished_at).days if dossier.finished_at else None
        row["rejected"] = dossier.outcome == Dossier.Outcome.REJECTED
    return row


# ---------------------------------------------------------------------------------------------
# Tiếp nhận hồ sơ mới


def offering_agencies(agency) -> list:
    """Where a dossier received at ``agency`` is handled by default: the agency itself or the
    nearest agency above it (a one-stop unit receives for its committee), as ``dossier_receive``
    decides when no handling agency is named."""
    return [agency, *reversed(list(agency_ancestors(agency)))]


def served_root(agency):
    """A public service centre receives for every agency under its parent (the province's
    departments); other counters only for the agencies above them. The root, or None."""
    if agency.kind == Agency.Kind.SERVICE_CENTRE and agency.parent_id:
        return agency.parent
    return None


def procedures_offered(agency, q: str = ""):
    """``procedure_search`` limited to what can be received at ``agency``."""
    offered = Q()
    for offering_agency in offering_agencies(agency):
        offered |= Q(pk__in=catalog.procedure_search(agency=offering_agency.code).values("pk"))
    root = served_root(agency)
    if root is not None:
        offered |= Q(pk__in=catalog.procedures_offered_under(root))
    return catalog.procedure_search(q=q).filter(offered)


def handling_choices(procedure, agency) -> list:
    """The agencies the officer must choose from to handle ``procedure``: empty when the
    receiving agency or one above it offers it (the service then picks the nearest)."""
    offering = list(catalog.procedure_offering_agencies(procedure))
    default = {a.pk for a in offering_agencies(agency)}
    if any(a.pk in default for a in offering):
        return []
    root = served_root(agency)
    return [a for a in offering if root is not None and a.path.startswith(root.path)]


def _offered(procedure, agency) -> bool:
    return procedures_offered(agency).filter(pk=procedure.pk).exists()


def _procedure_for(code: str, agency):
    """(procedure, None) when ``agency`` offers it, else (None, (message, status))."""
    code = (code or "").strip()
    try:
        procedure = catalog.procedure_detail(code)
    except NotFound:
        return None, (f"Không tìm thấy thủ tục mã “{code}”. Hãy tìm lại theo tên thủ tục.", 404)
    if not _offered(procedure, agency):
        return None, (
            f"{agency.name} không giải quyết thủ tục “{procedure.name}” (mã {procedure.code}): "
            "chỉ tiếp nhận được các thủ tục cơ quan đã đăng ký giải quyết. Hãy chọn thủ tục khác "
            "hoặc hướng dẫn người dân đến cơ quan có thẩm quyền.",
            400,
        )
    return procedure, None


def _search_page(request, agency, *, error="", status=200):
    q = request.GET.get("q", "").strip()[:200]
    with planned_for_their_values():  # a search (lib/planning.py)
        results = procedures_offered(agency, q)
        total = results.count()
        found = list(results[:SEARCH_LIMIT])
    context = {
        "agency": agency,
        "q": q,
        "results": found,
        "total": total,
        "limit": SEARCH_LIMIT,
        "error": error,
        "several": len(request.counter_agencies) > 1,
    }
    template = "dossiers/counter/intake_search.html"
    if request.htmx and not request.htmx.boosted and not error:
        template += "#results"
    return render(request, template, context, status=status)


def _form_page(request, agency, procedure, form, *, status=200, extra=None):
    context = {
        **(extra or {}),
        "agency": agency,
        "procedure": procedure,
        "form": form,
        "rows": form.document_rows(),
        "items": form.item_rows(),
        "max_mb": max_bytes() // (1024 * 1024),
        "several": len(request.counter_agencies) > 1,
        "files_dropped": status != 200 and bool(request.FILES),
        "open_refuse": bool(form["refusal_reason"].value()) or bool(form["refusal_reason"].errors),
        "open_supplement": any(
            (name.value() or "") or name.errors or reason.errors for _, name, reason in form.item_rows()
        ),
    }
    return render(request, "dossiers/counter/intake_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@receptionist_required
@vary_on_headers("HX-Request")
def intake(request):
    agency = current_agency(request)
    if agency is None:
        return _no_agency(request)
    if request.method == "POST":
        return _intake_post(request, agency)
    code = request.GET.get("thu-tuc")
    if not code:
        return _search_page(request, agency)
    procedure, problem = _procedure_for(code, agency)
    if problem:
        return _search_page(request, agency, error=problem[0], status=problem[1])
    form = IntakeForm(
        procedure=procedure,
        handling_choices=handling_choices(procedure, agency),
        initial={"idempotency_key": uuid.uuid4().hex},
        channel=intake_channel(request.GET),
    )
    return _form_page(request, agency, procedure, form)


# The channels a dossier reaches the counter through: handed in, or sent by post (with its
# consignment number). Online dossiers have their own inbox (counter_online).
COUNTER_CHANNELS = {str(Dossier.Channel.COUNTER.value): Dossier.Channel.COUNTER, "3": Dossier.Channel.POST}
CHANNEL_PARAM = "kenh"


def intake_channel(params) -> Dossier.Channel:
    return COUNTER_CHANNELS.get(params.get(CHANNEL_PARAM, ""), Dossier.Channel.COUNTER)


def _intake_data(form, procedure, agency) -> "services.IntakeData":
    data = form.cleaned_data
    person = data["kind"] == Dossier.ApplicantKind.PERSON
    applicant = services.ApplicantData(
        kind=data["kind"],
        name=form.applicant_name(),
        citizen_id=data["citizen_id"] if person else "",
        date_of_birth=data.get("date_of_birth") if person else None,
        tax_code="" if person else data["tax_code"],
        representative="" if person else data["representative"].strip(),
        phone=data.get("phone") or "",
        email=data.get("email") or "",
        address=(data.get("address") or "").strip(),
    )
    documents = form.document_inputs()
    return services.IntakeData(
        procedure=procedure.code,
        receiving_agency=agency.code,
        channel=form.channel,
        result_delivery=data["result_delivery"],
        applicant=applicant,
        documents=documents,
        handling_agency=data.get("handling_agency") or None,
    )


# Fields of the service's error details (``details["field"]``) → the form's field names.
SERVICE_FIELDS = {
    **APPLICANT_FIELDS,
    "address": "address",
    "result_delivery": "result_delivery",
    "reason": "refusal_reason",
    "handling_agency": "handling_agency",
}


def _add_service_error(form, exc: DomainError) -> None:
    for code in exc.details.get("missing") or []:
        key = next((k for k, d in form.keys.items() if d.code == code), None)
        if key:
            form.add_error(f"{key}_received", "Giấy tờ bắt buộc chưa nhận.")
    field = SERVICE_FIELDS.get(str(exc.details.get("field", "")))
    if field == "full_name" and form.cleaned_data.get("kind") == Dossier.ApplicantKind.ORGANISATION:
        field = "org_name"
    form.add_error(field if field in form.fields else None, exc.message)


def _intake_post(request, agency):
    procedure, problem = _procedure_for(request.POST.get("procedure", ""), agency)
    if problem:
        return _search_page(request, agency, error=problem[0], status=problem[1])
    form = IntakeForm(
        request.POST,
        request.FILES,
        procedure=procedure,
        handling_choices=handling_choices(procedure, agency),
        channel=intake_channel(request.POST),
    )
    if not form.is_valid():
        return _form_page(request, agency, procedure, form, status=400)
    try:
        with transaction.atomic():  # the dossier and the consignment it came in, together
            dossier = _intake_write(request, form, procedure, agency)
    except DomainError as exc:
        if exc.code == "idempotency_key_reused":
            return _form_page(
                request, agency, procedure, _key_used(request, procedure, agency, exc), status=exc.status
            )
        _add_service_error(form, exc)
        return _form_page(request, agency, procedure, form, status=exc.status)
    if (form.cleaned_data.get("action") or "receive") in (
        "receive",
        "supplement",
    ):  # a refused one keeps no files
        _attach_scans(request, dossier, form)
    return redirect("counter:done", uid=dossier.uid)


def _intake_write(request, form, procedure, agency) -> Dossier:
    action = form.cleaned_data.get("action") or "receive"
    data = _intake_data(form, procedure, agency)
    if action == "refuse":
        dossier = services.dossier_refuse(
            actor=request.user,
            reason=form.cleaned_data["refusal_reason"].strip(),
            data=data,
            ip=client_ip(request),
        )
    elif action == "supplement":
        dossier = services.dossier_request_supplement(
            actor=request.user,
            items=[services.SupplementItem(name=n, reason=r) for n, r in form.cleaned_data["items"]],
            note=form.cleaned_data.get("supplement_note", "").strip(),
            data=data,
            ip=client_ip(request),
        )
    else:
        dossier = services.dossier_receive(
            actor=request.user,
            data=data,
            idempotency_key=form.cleaned_data.get("idempotency_key") or None,
            ip=client_ip(request),
        )
    if form.channel == Dossier.Channel.POST:
        postal.consignment_received(
            dossier=dossier, number=form.cleaned_data["postal_number"], actor=request.user
        )
    return dossier


def _key_used(request, procedure, agency, exc: DomainError) -> IntakeForm:
    """The form sent again (after "Back") with another applicant: its key already received a
    dossier. Nothing is received silently in its place: the officer is told, and the form comes
    back as typed with a new key, so that receiving it again makes it a new dossier."""
    data = request.POST.copy()
    data["idempotency_key"] = uuid.uuid4().hex
    form = IntakeForm(
        data, request.FILES, procedure=procedure, handling_choices=handling_choices(procedure, agency)
    )
    form.is_valid()
    code = exc.details.get("dossier", "")
    form.add_error(
        None,
        f"Biểu mẫu này đã được dùng để tiếp nhận hồ sơ {code} (có lẽ trang được gửi lại sau khi "
        "bấm “Quay lại” và sửa thông tin). Hồ sơ với thông tin dưới đây chưa được tiếp nhận: "
        "hãy kiểm tra lại rồi bấm “Tiếp nhận” lần nữa để tiếp nhận thành một hồ sơ mới.",
    )
    return form


def _attach_scans(request, dossier, form) -> None:
    """Attach the scans after reception (each file checked before, so a failure here is rare:
    the dossier stays received and the officer is told which file to attach again)."""
    failed = []
    attached = 0
    for document, _kind, _count, files in form.received_documents():
        for upload in files:
            try:
                services.dossier_attach_file(
                    actor=request.user,
                    dossier=dossier,
                    requirement_code=document.code,
                    uploaded_file=upload,
                    ip=client_ip(request),
                )
                attached += 1
            except DomainError as exc:
                failed.append(f"{upload.name}: {exc.message}")
    if attached:
        messages.success(request, f"Đã đính kèm {attached} tệp quét vào hồ sơ.")
    if failed:
        messages.warning(request, "Hồ sơ đã được tiếp nhận nhưng chưa đính kèm được: " + "; ".join(failed))


@require_GET
@receptionist_required
def done(request, uid):
    try:
        dossier = selectors.dossier_by_uid_for_staff(request.user, uid, ip=client_ip(request))
    except NotFound as exc:  # unknown, or outside the officer's jurisdiction: the same answer
        raise Http404(exc.message) from exc
    form_of_state: dict[str, str] = {
        Dossier.State.REFUSED: "03",
        Dossier.State.INTAKE_SUPPLEMENT: "02",
    }
    form_number = form_of_state.get(dossier.state, "01")
    timeline = selectors.dossier_timeline(dossier)
    supplement = next(
        (e for e in reversed(timeline) if e.action.replace("-", "_") == "request_supplement"), None
    )
    refusal = next((e for e in reversed(timeline) if e.action == "refuse"), None)
    context = {
        "dossier": dossier,
        "form_number": form_number,
        "print_url": printing_url(dossier, form_number),
        "supplement_items": (supplement.data or {}).get("items", [])
        if supplement and dossier.state == Dossier.State.INTAKE_SUPPLEMENT
        else [],
        "refusal": refusal if dossier.state == Dossier.State.REFUSED else None,
    }
    return render(request, "dossiers/counter/intake_done.html", context)


# ---------------------------------------------------------------------------------------------
# Trả kết quả


def _lookup(request, code: str):
    """(dossier, error message, status) for a code typed or scanned at the return counter."""
    try:
        return selectors.dossier_for_staff(request.user, code, ip=client_ip(request)), "", 200
    except NotFound:  # unknown, or outside the officer's jurisdiction: the same answer
        return None, f"Không tìm thấy hồ sơ mã “{code}”. Kiểm tra lại mã trên giấy tiếp nhận.", 404


def _return_page(request, *, scanned="", dossier=None, form=None, error="", status=200):
    if dossier is not None and form is None and dossier.state == Dossier.State.FINISHED:
        form = ReturnForm(
            initial={
                "code": dossier.code,
                "version": dossier.version,
                "method": "post" if dossier.result_delivery == Dossier.ResultDelivery.POST else "counter",
                "collected_by": dossier.applicant_name if dossier.applicant_kind == "person" else "",
            }
        )
    if form is not None and not form.is_bound:
        first = "postal_tracking" if form.initial.get("method") == "post" else "collected_by"
        form.fields[first].widget.attrs["autofocus"] = True
    context = {
        "scanned": scanned,
        "dossier": dossier,
        "form": form,
        "error": error,
        "next_step": counter_return.next_step(request.user, dossier) if dossier is not None else None,
        "rejection": counter_return.rejection(dossier) if dossier is not None else None,
    }
    return render(request, "dossiers/counter/return.html", context, status=status)


@require_http_methods(["GET", "POST"])
@receptionist_required
def return_result(request):
    if request.method == "POST":
        return _return_post(request)
    scanned = request.GET.get("ma", "").strip()
    if not scanned:
        return _return_page(request)
    code = code_from_scan(scanned)
    dossier, error, status = _lookup(request, code)
    return _return_page(request, scanned=code, dossier=dossier, error=error, status=status)


def _return_post(request):
    form = ReturnForm(request.POST)
    code = code_from_scan(request.POST.get("code", ""))
    dossier, error, status = _lookup(request, code) if code else (None, "Thiếu mã hồ sơ.", 400)
    if dossier is None:
        return _return_page(request, scanned=code, error=error, status=status)
    if not form.is_valid():
        return _return_page(request, scanned=code, dossier=dossier, form=form, status=400)
    reload = f"{reverse('counter:return')}?ma={dossier.code}"
    if form.cleaned_data["version"] != dossier.version:
        messages.error(request, CHANGED)
        return redirect(reload)
    try:
        dossier = services.dossier_return_result(
            actor=request.user,
            dossier=dossier,
            expected_version=form.cleaned_data["version"],
            collected_by=form.collected_by_text(),
            postal_tracking=form.cleaned_data["postal_tracking"].strip()
            if form.cleaned_data["method"] == "post"
            else "",
            by_post=form.cleaned_data["method"] == "post",
            ip=client_ip(request),
        )
    except Conflict as exc:
        fresh, _error, _status = _lookup(request, dossier.code)
        changed = fresh is None or fresh.version != form.cleaned_data["version"]
        messages.error(request, CHANGED if changed else exc.message)
        return redirect(reload)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _return_page(request, scanned=code, dossier=dossier, form=form, status=exc.status)
    if form.cleaned_data["method"] == "post":
        number = dossier.postal_tracking
        messages.success(
            request,
            f"Hồ sơ {dossier.code}: đã chuyển kết quả cho bưu chính, mã bưu gửi {number}."
            if number
            else f"Hồ sơ {dossier.code}: đã chuyển kết quả cho bưu chính; mã bưu gửi sẽ hiện trên trang "
            "hồ sơ khi bưu điện cấp.",
        )
    else:
        messages.success(
            request, f"Hồ sơ {dossier.code}: đã trả kết quả cho {form.cleaned_data['collected_by'].strip()}."
        )
    return redirect("counter:return")


@require_POST
@receptionist_required
def finish_result(request):
    """“Hoàn thành kết quả” from the return page, for an approved dossier the officer may finish
    (the step missing before the result can be returned); then back to the return page."""
    code = code_from_scan(request.POST.get("code", ""))
    dossier, error, status = _lookup(request, code) if code else (None, "Thiếu mã hồ sơ.", 400)
    if dossier is None:
        return _return_page(request, scanned=code, error=error, status=status)
    try:
        services.dossier_finish(
            actor=request.user,
            dossier=dossier,
            expected_version=request.POST.get("version"),
            ip=client_ip(request),
        )
    except Conflict as exc:
        messages.error(request, CHANGED if exc.code == "stale" else exc.message)
    except DomainError as exc:
        return _return_page(request, scanned=code, dossier=dossier, error=exc.message, status=exc.status)
    else:
        messages.success(request, f"Hồ sơ {dossier.code}: đã hoàn thành kết quả, có thể trả cho người dân.")
    return redirect(f"{reverse('counter:return')}?ma={dossier.code}")


CHANGED = (
    "Hồ sơ đã thay đổi trong lúc bạn thao tác (có người vừa cập nhật). "
    "Dữ liệu mới nhất đã được tải lại: hãy kiểm tra rồi thực hiện lại."
)


urlpatterns = [
    path("", today, name="today"),
    path("tiep-nhan/", intake, name="intake"),
    path("tiep-nhan/<uuid:uid>/", done, name="done"),
    path("tra-ket-qua/", return_result, name="return"),
    path("tra-ket-qua/hoan-thanh/", finish_result, name="finish_result"),
]
