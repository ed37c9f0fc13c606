"""Dossier API (mounted at /api/v1/): intake, files, transitions, reads, and public tracking.

Every operation except tracking needs a signed-in user: ``Authorization: Bearer <token>``
(``manage.py create_api_token``) or the pages' session (``motcua/accounts/auth.py``). The API
calls the same services and selectors as the pages, so the rules are the same: a role the
caller lacks (403), what the caller may not know exists — an unknown code and a dossier outside
the caller's jurisdiction alike (404), the wrong state or a stale ``version`` (409),
bad input (400), all in the shape ``{"code", "message", "details"}``.
"""

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from motcua.accounts.auth import API_AUTH
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers import actions as dossier_actions
from motcua.dossiers import postal, schemas, selectors, services, situation, tracking
from motcua.dossiers.models import Dossier, DossierDocument, DossierFile, NationalStatus
from motcua.lib.apischema import STAFF_READ, STAFF_WRITE, Page, errors
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, InvalidInput, NotFound
from motcua.lib.paging import page_number
from motcua.org.models import Agency
from motcua.org.selectors import agency_by_code, is_staff
from motcua.signing import actions as signing_actions
from motcua.workcalendar.calendar import VN_TZ

router = Router(tags=["Hồ sơ"], auth=API_AUTH)

PAGE_SIZE = 20
READ_ERRORS = errors(*STAFF_READ)
WRITE_ERRORS = errors(*STAFF_WRITE)
NOT_FOUND = "Không tìm thấy hồ sơ."


class TooManyRequests(DomainError):
    status = 429
    code = "throttled"


class ApiRequest(HttpRequest):
    """The request of an operation behind ``API_AUTH``: ninja sets ``auth`` to the user that
    the token or the session belongs to (``motcua/accounts/auth.py``)."""

    auth: User


# -- helpers ----------------------------------------------------------------------------------


def _dossier(request: ApiRequest, code: str) -> Dossier:
    """The dossier for this staff caller: 404 if unknown, outside the caller's jurisdiction (the
    refused attempt is audited) or the caller is not staff. Logs the view of the applicant's
    personal data (the selector)."""
    if not is_staff(request.auth):
        raise NotFound(NOT_FOUND, details={"code": code})
    return selectors.dossier_for_staff(request.auth, code, ip=client_ip(request))


def _utc(moment: datetime | None) -> datetime | None:
    """Times leave the API in UTC ("…Z"), whichever zone the service computed them in."""
    return moment.astimezone(UTC) if moment is not None else None


def _iso(moment: datetime | None) -> str | None:
    """The same text pydantic gives an aware datetime, in UTC: "2026-03-02T02:00:00Z"."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment is not None else None


def _ref(obj: Procedure | Agency | None) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _person(user: User | None) -> dict[str, str] | None:
    return {"username": user.username, "full_name": user.get_full_name()} if user is not None else None


def _summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "uid": str(d.uid),
        "version": d.version,
        "state": d.state,
        "state_name": d.get_state_display(),
        "status_code": d.status_code,
        "status_name": NationalStatus(d.status_code).label,
        "status_label": situation.status_label(d.status_code, d.outcome),
        "outcome": d.outcome,
        "outcome_label": situation.outcome_label(d.outcome),
        "procedure": _ref(d.procedure),
        "receiving_agency": _ref(d.receiving_agency),
        "handling_agency": _ref(d.handling_agency),
        "holder_agency": _ref(d.holder_agency) if d.holder_agency_id else None,
        "holder": _person(d.holder) if d.holder_id else None,
        "applicant_name": d.applicant_name,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "received_at": _utc(d.received_at),
        "due_at": _utc(d.due_at),
        "finished_at": _utc(d.finished_at),
        "returned_at": _utc(d.returned_at),
        "timeliness": d.timeliness,
        "supplement_count": d.supplement_count,
        "extension_count": d.extension_count,
        "submitted_at": _utc(d.submitted_at),
        "national_identity": d.national_identity,
        "submitter_relation": d.submitter_relation,
        "withdrawal_requested_at": _utc(d.withdrawal_requested_at),
        "withdrawal_reason": d.withdrawal_reason,
    }


def _file(f: DossierFile, document: DossierDocument) -> dict[str, Any]:
    return {
        "id": f.pk,
        "requirement": document.requirement_code,
        "document": document.name,
        "original_name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "uploaded_at": _utc(f.uploaded_at),
    }


def _detail(request: ApiRequest, d: Dossier) -> dict[str, Any]:
    documents = d.documents.prefetch_related("files")
    return {
        **_summary(d),
        "rejection_reason": situation.rejection_reason(d),
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "citizen_id": d.citizen_id,
            "date_of_birth": d.date_of_birth,
            "tax_code": d.tax_code,
            "representative": d.representative,
            "phone": d.phone,
            "email": d.email,
            "address": d.address,
        },
        "original_due_at": _utc(d.original_due_at),
        "fee_due_vnd": d.fee_due_vnd,
        "collected_by": d.collected_by,
        "postal_tracking": d.postal_tracking,
        "documents": [
            {
                "requirement": doc.requirement_code,
                "name": doc.name,
                "copy_kind": doc.copy_kind,
                "count": doc.count,
                "digitised": doc.digitised,
                "files": [_file(f, doc) for f in doc.files.all()],
            }
            for doc in documents
        ],
        "available_actions": [a.name for a in selectors.dossier_available_actions(request.auth, d)],
    }


def _intake(body: schemas.DossierCreateIn) -> services.IntakeData:
    a = body.applicant
    if a.kind == "person":
        applicant = services.ApplicantData(
            kind="person",
            name=a.full_name.strip(),
            citizen_id=a.citizen_id.strip(),
            date_of_birth=a.date_of_birth,
            phone=a.phone.strip(),
            email=a.email.strip(),
            address=a.address.strip(),
        )
    else:
        applicant = services.ApplicantData(
            kind="organisation",
            name=a.name.strip(),
            tax_code=a.tax_code.strip(),
            representative=a.representative.strip(),
            phone=a.phone.strip(),
            email=a.email.strip(),
            address=a.address.strip(),
        )
    return services.IntakeData(
        procedure=body.procedure.strip(),
        receiving_agency=body.receiving_agency.strip(),
        channel=body.channel,
        result_delivery=body.result_delivery,
        applicant=applicant,
        documents=[
            services.DocumentInput(
                requirement=doc.requirement.strip(),
                copy_kind=doc.copy_kind,
                count=doc.count,
                alternative=doc.alternative,
            )
            for doc in body.documents
        ],
        handling_agency=(body.handling_agency or "").strip() or None,
    )


# -- action inputs ----------------------------------------------------------------------------

# The payment actions of the dossier's rules, taken through the payments API (motcua/payments/api.py).
PAYMENT_PATHS = {"request-payment": "request", "record-payment": "counter"}

MISSING = {
    "reason": "Nhập lý do.",
    "note": "Nhập ghi chú.",
    "items": "Nêu ít nhất một giấy tờ cần bổ sung và lý do.",
    "officer": "Chọn cán bộ nhận hồ sơ (tên đăng nhập).",
    "to_agency": "Chọn cơ quan nhận hồ sơ (mã định danh).",
    "to_seq": "Chọn bước trả lại.",
    "new_due_at": "Nhập ngày hẹn trả mới.",
    "collected_by": "Nhập tên người nhận kết quả.",
    "postal_tracking": "Nhập mã bưu gửi.",
}


def _officer(username: str) -> User:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not is_staff(user):
        raise InvalidInput(f"Không có cán bộ “{username}”.", details={"field": "officer"})
    return user


def _agency(code: str) -> Agency:
    try:
        return agency_by_code(code)
    except NotFound:
        raise InvalidInput(f"Không có cơ quan mã {code}.", details={"field": "to_agency"}) from None


def _action_kwargs(action: dossier_actions.Action, body: schemas.ActionIn) -> dict[str, Any]:
    """The service's keyword arguments for the inputs the action needs (``Action.needs``);
    a required one left empty is a 400 naming every missing field."""
    kwargs: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for need in action.needs:
        value: Any = getattr(body, need, None)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if need in action.required:
                missing[need] = MISSING.get(need, f"Thiếu {need}.")
                continue
            if need in ("officer", "to_agency", "to_seq", "new_due_at"):
                value = None
        elif need == "items":
            value = [services.SupplementItem(name=i.name.strip(), reason=i.reason.strip()) for i in value]
        elif need == "officer":
            value = _officer(value)
        elif need == "to_agency":
            value = _agency(value)
        elif isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value, VN_TZ)  # a time without offset is Hà Nội time
        kwargs[need] = value
    if missing:
        raise InvalidInput(" ".join(missing.values()), details={"fields": missing})
    return kwargs


# -- endpoints --------------------------------------------------------------------------------


@router.post(
    "/dossiers",
    response={201: schemas.DossierCreatedOut, **WRITE_ERRORS, **errors(422)},
    summary="Tiếp nhận hồ sơ",
    description=(
        "Tạo và tiếp nhận một hồ sơ (cấp mã hồ sơ, mã tra cứu và ngày hẹn trả). Gửi kèm header "
        "`Idempotency-Key` để gửi lại an toàn: cùng khóa, cùng người gửi, cùng nội dung trả về đúng "
        "hồ sơ đã tạo, không tạo hồ sơ mới; cùng khóa với nội dung khác → 422 "
        "`idempotency_key_reused`. Tệp đính kèm gửi sau qua `POST /dossiers/{code}/files`."
    ),
)
def dossier_create(request: ApiRequest, body: schemas.DossierCreateIn) -> Status[dict[str, Any]]:
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and len(key) > 100:
        raise InvalidInput("Idempotency-Key dài quá 100 ký tự.", details={"Idempotency-Key": len(key)})
    number = (
        postal.clean_number(body.postal_number, field="postal_number")
        if body.channel == 3 and body.postal_number.strip()
        else ""
    )
    try:
        with transaction.atomic():  # the dossier and the consignment it came in, together
            dossier = services.dossier_receive(
                actor=request.auth, data=_intake(body), idempotency_key=key, ip=client_ip(request)
            )
            if number:
                postal.consignment_received(dossier=dossier, number=number, actor=request.auth)
    except NotFound as exc:
        # An unknown procedure or agency named in the body is bad input, not a missing resource.
        raise InvalidInput(exc.message, code=exc.code, details=exc.details) from None
    return Status(
        201,
        {
            "code": dossier.code,
            "pin": dossier.pin,
            "status_code": dossier.status_code,
            "received_at": _utc(dossier.received_at),
            "due_at": _utc(dossier.due_at),
        },
    )


@router.get(
    "/dossiers",
    response={200: schemas.DossierListOut, **READ_ERRORS},
    summary="Danh sách hồ sơ (hộp việc)",
    description=(
        "Các bộ lọc của hộp việc: `scope` mine|agency, `agency` (mã cơ quan), `bucket` "
        "all|to_assign|to_process|to_approve|to_finish|supplement|payment|due_soon|late (chờ phân "
        "công, chờ thẩm định/chuyển xử lý, chờ phê duyệt, chờ hoàn thành kết quả, chờ bổ sung, "
        "chờ nộp phí, đến hạn, quá hạn), `q` (mã hồ sơ, tên hoặc số định danh), `sort` "
        "due_at|-due_at|received_at|-received_at; 20 hồ sơ một trang."
    ),
)
def dossier_list(
    request: ApiRequest,
    scope: schemas.InboxScope = "mine",
    agency: str | None = None,
    bucket: schemas.InboxBucket = "all",
    q: str = "",
    sort: schemas.InboxSort = "due_at",
    page: Page | None = None,
) -> dict[str, Any]:
    if not is_staff(request.auth):
        raise NotFound("Không có hộp việc cho tài khoản này.")
    agency_obj = agency_by_code(agency.strip()) if agency else None
    q = q.strip()[:200]
    qs = selectors.dossiers_inbox(
        request.auth, scope=scope, agency=agency_obj, bucket=bucket, q=q, sort=sort
    ).select_related("handling_agency")  # the summary names it; the inbox page does not
    paginator = Paginator(qs, PAGE_SIZE)
    number = page_number(page, paginator.num_pages)
    if q:  # a search by name or citizen ID finds people: audited
        selectors.record_search(
            request.auth, q=q, count=paginator.count, where="api", agency=agency_obj, ip=client_ip(request)
        )
    return {
        "items": [_summary(d) for d in paginator.page(number).object_list],
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
    }


@router.get(
    "/dossiers/online-inbox",
    response={200: schemas.DossierListOut, **READ_ERRORS},
    summary="Hồ sơ trực tuyến chờ tiếp nhận",
    description=(
        "Hồ sơ người dân nộp trực tuyến (mã trạng thái 1) gửi đến các quầy mà người gọi là cán bộ "
        "tiếp nhận (hoặc quầy `agency`), cũ nhất trước; 20 hồ sơ một trang. Tiếp nhận, yêu cầu bổ "
        "sung hoặc từ chối bằng `POST /dossiers/{code}/actions/{action}` (receive, "
        "request-supplement, refuse)."
    ),
)
def dossier_online_inbox(
    request: ApiRequest, agency: str | None = None, page: Page | None = None
) -> dict[str, Any]:
    if not is_staff(request.auth):
        raise NotFound("Không có hộp việc cho tài khoản này.")
    agency_obj = agency_by_code(agency.strip()) if agency else None
    qs = selectors.online_inbox(request.auth, agency=agency_obj).prefetch_related(None)
    paginator = Paginator(qs.select_related("handling_agency", "holder_agency", "holder"), PAGE_SIZE)
    number = page_number(page, paginator.num_pages)
    items = list(paginator.page(number).object_list)
    selectors.online_inbox_viewed(
        request.auth, agency=agency_obj, dossiers=items, where="api", ip=client_ip(request)
    )
    return {
        "items": [_summary(d) for d in items],
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
    }


@router.get(
    "/dossiers/{code}",
    response={200: schemas.DossierDetailOut, **READ_ERRORS},
    summary="Chi tiết hồ sơ",
    description="Người nộp, giấy tờ và tệp, các thao tác được phép lúc này. Việc xem được ghi nhật ký.",
)
def dossier_get(request: ApiRequest, code: str) -> dict[str, Any]:
    return _detail(request, _dossier(request, code))


@router.get(
    "/dossiers/{code}/steps",
    response={200: list[schemas.StepOut], **READ_ERRORS},
    summary="Phiếu kiểm soát quá trình (các bước)",
)
def dossier_steps(request: ApiRequest, code: str) -> list[dict[str, Any]]:
    dossier = _dossier(request, code)
    return [
        {
            "seq": s.seq,
            "kind": s.kind,
            "name": s.name,
            "agency": _ref(s.agency),
            "role": s.role,
            "giver": _person(s.giver) if s.giver_id else None,
            "receiver": _person(s.receiver) if s.receiver_id else None,
            "started_at": _utc(s.started_at),
            "due_at": _utc(s.due_at),
            "finished_at": _utc(s.finished_at),
            "timeliness": s.timeliness,
            "ended_by": s.ended_by,
            "note": s.note,
        }
        for s in selectors.dossier_steps(dossier)
    ]


@router.post(
    "/dossiers/{code}/files",
    response={201: schemas.FileOut, **WRITE_ERRORS},
    summary="Đính kèm tệp vào một thành phần hồ sơ",
    description="Multipart: `requirement` (mã thành phần, ví dụ TP01) và `file` (PDF, JPEG, PNG).",
)
def dossier_file_add(
    request: ApiRequest, code: str, requirement: Form[str], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    dossier = _dossier(request, code)
    created = services.dossier_attach_file(
        actor=request.auth,
        dossier=dossier,
        requirement_code=requirement.strip(),
        uploaded_file=file,
        ip=client_ip(request),
    )
    return Status(201, _file(created, created.document))


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: schemas.DossierSummaryOut, **WRITE_ERRORS},
    summary="Thao tác trên hồ sơ",
    description=(
        "`action` là tên thao tác (kebab-case): receive, refuse, request-supplement, "
        "receive-supplement, assign, forward, send-back, approve, reject, stop, withdraw, extend, "
        "finish, return-result. Yêu cầu nộp và ghi nhận đã nộp phí, lệ phí: các địa chỉ "
        "`/dossiers/{code}/payment/…` (nhóm “Phí, lệ phí”). "
        "Thân: `version` (phiên bản hồ sơ đang xem, bắt buộc) và những gì thao tác cần: "
        "`reason`, `note`, `items` [{name, reason}], `officer` (tên đăng nhập), `to_agency`, "
        "`to_seq`, `new_due_at`, `collected_by`, `postal_tracking`, `render_result` (phê duyệt: "
        "lập văn bản kết quả từ mẫu và ký số bằng khóa của lãnh đạo tại cơ quan giải quyết). "
        "409 nếu trạng thái không cho phép hoặc hồ sơ đã thay đổi."
    ),
)
def dossier_action(
    request: ApiRequest, code: str, action: schemas.ActionName, body: schemas.ActionIn
) -> dict[str, Any]:
    spec = dossier_actions.ACTIONS.get(action)
    if spec is None:
        where = PAYMENT_PATHS.get(action)
        message = f"Không có thao tác “{action}”." + (
            f" Phí, lệ phí được yêu cầu và ghi nhận qua POST /api/v1/dossiers/{{code}}/payment/{where}."
            if where
            else ""
        )
        raise NotFound(message, details={"action": action})
    if not is_staff(request.auth):
        raise NotFound(NOT_FOUND, details={"code": code})
    ip = client_ip(request)
    # The jurisdiction only (404 and the refusal audited, as for a read): the service locks and
    # reads the dossier, and audits the action; no view of personal data is logged for it.
    found = selectors.dossier_code_for_staff(request.auth, code, ip=ip)
    kwargs = _action_kwargs(spec, body)
    # As the back office: an approval signs the result drawn up from the template when asked
    # (the leader's key at the handling agency), in the same transaction.
    updated = signing_actions.run_action(
        spec,
        render=body.render_result,
        actor=request.auth,
        dossier=found,
        expected_version=body.version,
        ip=ip,
        **kwargs,
    )
    return _summary(updated)


TRACKING_DESCRIPTION = (
    "Không cần đăng nhập. Mã hồ sơ và mã tra cứu (PIN) → tình trạng hồ sơ bằng lời dễ hiểu "
    "(`status_label`; mã trạng thái quốc gia `status_code` và tên của nó `status_name` giữ cho liên "
    "thông), kết quả giải quyết (`outcome`: `rejected` là không giải quyết, kèm `rejection_reason`), "
    "việc cần làm (`guidance`), giấy tờ cần bổ sung (`supplement`), phí cần nộp (`payment`), trước "
    "hạn / đúng hạn / quá hạn (`timeliness`), cách tính ngày hẹn (`appointment_note`: ngày nghỉ, ngày "
    "làm bù), thủ tục, ngày tiếp nhận, ngày hẹn trả (`due_at` trống khi đang chờ bổ sung: ngày hẹn "
    "sẽ tính lại), cơ quan đang giữ hồ sơ và diễn biến. Mã hồ sơ sai dạng → 400. Sai mã tra cứu "
    "trả về như mã hồ sơ không tồn tại (404); quá 10 lần tra cứu không thành công trong 10 phút từ "
    "một địa chỉ → 429 cho địa chỉ đó; quá 30 lần trong một giờ với một mã hồ sơ (từ mọi địa chỉ) "
    "→ 429 cho mã đó; `details.retry_after` và tiêu đề `Retry-After` cho biết số giây cần chờ."
)


@router.post(
    "/tracking",
    response={200: schemas.TrackingOut, **errors(400, 404, 413, 429)},
    summary="Tra cứu hồ sơ (công dân)",
    description=TRACKING_DESCRIPTION + " Mã hồ sơ và mã tra cứu gửi trong thân yêu cầu, không trong địa chỉ.",
    auth=None,
    tags=["Tra cứu"],
)
def tracking_post(request: HttpRequest, body: schemas.TrackingIn) -> HttpResponse:
    if not tracking.normalise_pin(body.pin):
        raise InvalidInput(
            "Nhập mã tra cứu (PIN) gồm 6 ký tự ghi trên giấy tiếp nhận.",
            code="pin_required",
            details={"field": "pin"},
        )
    return _tracked(request, body.code, body.pin)


@router.get(
    "/tracking/{code}",
    response={200: schemas.TrackingOut, **errors(400, 404, 429)},
    summary="Tra cứu hồ sơ (công dân) — cách cũ, PIN trong địa chỉ",
    description=(
        "Không dùng cho tích hợp mới: mã tra cứu (`pin`) nằm trong địa chỉ nên có thể lọt vào nhật ký "
        "của máy chủ và proxy. Dùng `POST /api/v1/tracking`. Câu trả lời giống hệt. " + TRACKING_DESCRIPTION
    ),
    auth=None,
    tags=["Tra cứu"],
    deprecated=True,
)
def tracking_get(request: HttpRequest, code: str, pin: str = "") -> HttpResponse:
    return _tracked(request, code, pin)


def _tracked(request: HttpRequest, code: str, pin: str) -> HttpResponse:
    code = tracking.normalise_code(code)
    problem = tracking.code_problem(code)
    if problem:
        details = {"field": "code", "example": tracking.CODE_EXAMPLE}
        raise InvalidInput(problem, code="invalid_code", details=details)
    try:
        result = tracking.track(code, pin, ip=client_ip(request))
    except tracking.Throttled as exc:
        refused = JsonResponse(  # built here to carry the Retry-After header
            {
                "code": TooManyRequests.code,
                "message": exc.message,
                "details": {"retry_after": exc.retry_after},
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        refused["Retry-After"] = str(exc.retry_after)
        refused["Cache-Control"] = "no-store"
        return refused
    if result is None:
        raise NotFound(tracking.NOT_FOUND_MESSAGE)
    # Built here and sent as is (ninja passes an HttpResponse through): the public lookup is the
    # hottest read of the system, and it must cost about what the health check costs. The shape
    # is the TrackingOut schema (the tests compare it field by field).
    response = JsonResponse(_tracking_body(result), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _tracking_body(result: tracking.PublicDossier) -> dict[str, Any]:
    supplement, payment, note = result.supplement, result.payment, result.appointment
    return {
        "code": result.code,
        "status_code": result.status_code,
        "status_name": result.status_name,
        "status_label": result.status_label,
        "outcome": result.outcome,
        "outcome_label": result.outcome_label,
        "rejection_reason": result.reason if result.outcome == "rejected" else "",
        "reason": {"title": result.reason_title, "text": result.reason} if result.reason else None,
        "guidance": result.guidance,
        "procedure": {"code": result.procedure_code, "name": result.procedure_name},
        "received_at": _iso(result.received_at),
        "due_at": _iso(result.due_at),
        "finished_at": _iso(result.finished_at),
        "returned_at": _iso(result.returned_at),
        "timeliness": result.timeliness,
        "timeliness_label": result.timeliness_label,
        "timeliness_text": result.timeliness_sentence,
        "holder_agency": result.holder_agency,
        "applicant": result.applicant_masked,
        "supplement": {
            "items": [{"name": i.name, "reason": i.reason} for i in supplement.items],
            "requested_at": _iso(supplement.requested_at),
            "due_by": _iso(supplement.due_by),
            "at_intake": supplement.at_intake,
            "policy": supplement.policy,
            "appointment_text": supplement.appointment_sentence,
        }
        if supplement
        else None,
        "payment": {
            "amount_vnd": payment.amount_vnd,
            "amount_text": payment.amount_text,
            "requested_at": _iso(payment.requested_at),
        }
        if payment
        else None,
        "appointment_note": {
            "working_time": note.working_time,
            "days_off": [{"date": d.day.isoformat(), "name": d.name} for d in note.days_off],
            "make_up_days": [d.isoformat() for d in note.make_up_days],
            "weekend_days": note.weekend_days,
            "text": list(note.sentences),
        }
        if note
        else None,
        "history": [
            {"at": _iso(h.at), "status_code": h.status_code, "status_name": h.status_name, "label": h.label}
            for h in result.history
        ],
    }
