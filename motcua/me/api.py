"""The citizen's API for the mobile app, mounted at /api/v1/me/.

Every operation needs an access token that motcua's authorisation server issued to the app for
this citizen (``motcua/me/auth.py``): ``dossiers:read`` to read, ``dossiers:write`` to submit,
supplement or withdraw. The same rules as the portal's pages, because the same services and
selectors decide (``motcua.dossiers.services`` / ``selectors``): the citizen sees only the
dossiers ``citizen_dossiers`` allows (another's: 404, as if it did not exist), a stale
``version`` or a state that does not allow the action is 409, bad input 400, all in the shape
``{"code", "message", "details"}``.
"""

import hashlib
import json
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Form, Router, Status
from ninja.errors import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from motcua.accounts.models import Profile, User
from motcua.dossiers import selectors, services, situation, tracking
from motcua.dossiers.models import Dossier, NationalStatus
from motcua.lib.apischema import Page, errors
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.paging import page_number
from motcua.me import schemas
from motcua.me.auth import app_read, app_write
from motcua.me.selectors import token_signed_in_with_national_identity
from motcua.me.services import submission_fingerprint, submit_once

router = Router(tags=["Công dân (ứng dụng di động)"])

PAGE_SIZE = 20
# 401 without a valid token, 403 a staff key or a token without the scope (motcua/me/auth.py).
READ_ERRORS = errors(400, 401, 403, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 413)
SUPPLEMENT_STATES = {Dossier.State.SUPPLEMENT, Dossier.State.INTAKE_SUPPLEMENT}
# Withdrawn at once (not yet received), or asked for (the officer confirms): the online services'
# states (``dossier_withdraw_online``).
WITHDRAW_AT_ONCE_STATES = {Dossier.State.SUBMITTED, Dossier.State.INTAKE_SUPPLEMENT}


class MeRequest(HttpRequest):
    """The request of an operation behind ``AppToken`` (``motcua/me/auth.py``): the citizen and
    the access token (DOT's ``AccessToken``) the app presented."""

    auth: User
    app_token: Any


# -- helpers ----------------------------------------------------------------------------------


def _profile(user: User) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def _ref(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def _summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "version": d.version,
        "procedure": _ref(d.procedure),
        "receiving_agency": _ref(d.receiving_agency),
        "status_code": d.status_code,
        "status_name": NationalStatus(d.status_code).label,
        "status_label": situation.status_label(d.status_code, d.outcome),
        "outcome": d.outcome,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "applicant_name": d.applicant_name,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "timeliness": d.timeliness,
    }


def _actions(d: Dossier) -> list[str]:
    """What the app offers now; the services decide when it is asked (409 otherwise)."""
    actions = ["supplement"] if d.state in SUPPLEMENT_STATES else []
    if d.state in WITHDRAW_AT_ONCE_STATES or (
        d.state in Dossier.OPEN_STATES and d.withdrawal_requested_at is None
    ):
        actions.append("withdraw")
    return actions


def _told(d: Dossier) -> dict[str, Any]:
    """What the applicant is told of the dossier (the tracking page's rule, ``tracking``): its
    statuses, what to do now, the supplement or payment asked, the reason of a refusal — never
    the officers' notes."""
    row = tracking.find(d.code, d.pin)
    if row is None:  # not possible for a dossier just read; said plainly all the same
        return {"timeline": [], "guidance": "", "supplement": None, "payment": None, "reason": None}
    view = tracking.public_view(row)
    supplement, payment = view.supplement, view.payment
    return {
        "timeline": [
            {"at": h.at, "status_code": h.status_code, "status_name": h.status_name, "label": h.label}
            for h in view.history
        ],
        "guidance": view.guidance,
        "supplement": {
            "items": [{"name": i.name, "reason": i.reason} for i in supplement.items],
            "requested_at": supplement.requested_at,
            "due_by": supplement.due_by,
            "at_intake": supplement.at_intake,
            "policy": supplement.policy,
            "appointment_text": supplement.appointment_sentence,
        }
        if supplement
        else None,
        "payment": {
            "amount_vnd": payment.amount_vnd,
            "amount_text": payment.amount_text,
            "requested_at": payment.requested_at,
        }
        if payment
        else None,
        "reason": {"title": view.reason_title, "text": view.reason} if view.reason else None,
    }


def _detail(d: Dossier) -> dict[str, Any]:
    return {
        **_summary(d),
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "citizen_id": d.citizen_id,
            "tax_code": d.tax_code,
            "phone": d.phone,
            "email": d.email,
            "address": d.address,
        },
        "submitter": {"relation": d.submitter_relation, "name": d.submitter_name}
        if d.submitter_relation not in ("", Dossier.SubmitterRelation.SELF)
        else None,
        "documents": [
            {
                "requirement": doc.requirement_code,
                "name": doc.name,
                "copy_kind": doc.copy_kind,
                "count": doc.count,
                "files": [
                    {
                        "id": f.pk,
                        "original_name": f.original_name,
                        "content_type": f.content_type,
                        "size": f.size,
                        "uploaded_at": f.uploaded_at,
                    }
                    for f in doc.files.all()
                ],
            }
            for doc in selectors.dossier_documents(d)
        ],
        "national_identity": d.national_identity,
        **_told(d),
        "actions": _actions(d),
    }


def _dossier(request: MeRequest, code: str) -> Dossier:
    """The caller's own dossier: ``citizen_dossier`` answers NotFound for anyone else's (and
    logs the view of the applicant's personal data, or the refused attempt)."""
    return selectors.citizen_dossier(request.auth, code, ip=client_ip(request))


def _parse[T: BaseModel](schema: type[T], raw: str, field: str = "data") -> T:
    """The JSON part of a multipart request, checked like any body (400 ``invalid_input``)."""
    try:
        return schema.model_validate_json(raw)
    except PydanticValidationError as exc:
        problems = [{**e, "loc": ("form", field, *e["loc"])} for e in exc.errors(include_url=False)]
        if any(e["type"] == "json_invalid" for e in problems):
            raise InvalidInput(
                f"Phần “{field}” phải là một đối tượng JSON hợp lệ.",
                code="invalid_json",
                details={"field": field},
            ) from None
        raise ValidationError(problems) from None


def _uploads(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    """Files of a multipart request, keyed by the field's name: the requirement's code (TP01)."""
    return {name: request.FILES.getlist(name) for name in request.FILES}


def _stored(documents: list[schemas.MeDocumentIn]) -> dict[str, list[Any]]:
    """Files picked from the citizen's own store, by id (the service checks they are theirs)."""
    return {
        doc.requirement.strip(): [services.StoredFileRef(file_id=i) for i in doc.stored_files]
        for doc in documents
        if doc.stored_files
    }


def _files(request: HttpRequest, documents: list[schemas.MeDocumentIn]) -> dict[str, list[Any]]:
    files: dict[str, list[Any]] = {k: list(v) for k, v in _uploads(request).items()}
    for requirement, refs in _stored(documents).items():
        files.setdefault(requirement, []).extend(refs)
    return files


def _file_hashes(request: HttpRequest) -> list[tuple[str, bytes]]:
    hashes = []
    for name, uploads in _uploads(request).items():
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            hashes.append((f"{name}/{upload.name}", digest.digest()))
    return hashes


def _applicant(user: User, given: schemas.MeApplicantIn | None) -> services.ApplicantData:
    organisation = user.kind == User.Kind.ORGANISATION
    kind = "organisation" if organisation else "person"
    if given is not None:
        return services.ApplicantData(
            kind=kind,
            name=given.name.strip(),
            citizen_id=given.citizen_id.strip(),
            date_of_birth=given.date_of_birth,
            tax_code=given.tax_code.strip(),
            representative=given.representative.strip(),
            phone=given.phone.strip(),
            email=given.email.strip(),
            address=given.address.strip(),
        )
    profile = _profile(user)
    return services.ApplicantData(
        kind=kind,
        name=(profile.organisation_name if organisation and profile else "") or user.get_full_name(),
        citizen_id="" if organisation or profile is None else profile.citizen_id,
        date_of_birth=None if organisation or profile is None else profile.date_of_birth,
        tax_code=profile.tax_code if organisation and profile else "",
        representative=profile.representative if organisation and profile else "",
        phone=user.phone,
        email=user.email,
        address=profile.address if profile else "",
    )


def _idempotency_key(request: HttpRequest) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and len(key) > 100:
        raise InvalidInput("Idempotency-Key dài quá 100 ký tự.", details={"Idempotency-Key": len(key)})
    return key


MULTIPART_DESCRIPTION = (
    "multipart/form-data: phần `data` là JSON ({schema}); mỗi tệp tải lên là một phần mang tên mã "
    "thành phần hồ sơ (ví dụ `TP01`), nhiều tệp cho một thành phần thì gửi nhiều phần cùng tên. "
    "Tệp PDF, JPEG hoặc PNG. Tệp đã có trong kho tệp của công dân: `documents[].stored_files`."
)


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` put in place of their references: a ``contentSchema``
    is read from the OpenAPI document's root, where ``#/$defs/…`` does not exist."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(
                    {
                        **definitions[ref.removeprefix("#/$defs/")],
                        **{k: v for k, v in node.items() if k != "$ref"},
                    }
                )
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def _multipart_body(schema: type[BaseModel]) -> dict[str, Any]:
    """The request body of a multipart operation: the JSON part ``data`` (its schema given as
    ``contentSchema``, OpenAPI 3.1) and one file part per document code."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "data": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": _inlined(schema.model_json_schema()),
                            }
                        },
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        }
    }


# -- endpoints --------------------------------------------------------------------------------


@router.get(
    "",
    response={200: schemas.MeProfileOut, **READ_ERRORS},
    auth=app_read,
    summary="Thông tin của tôi",
    description="Tài khoản và hồ sơ cá nhân (hoặc tổ chức) dùng để điền sẵn các biểu mẫu.",
)
def me_profile(request: MeRequest) -> dict[str, Any]:
    user = request.auth
    profile = _profile(user)
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.get_full_name(),
        "phone": user.phone,
        "email": user.email,
        "citizen_id": profile.citizen_id if profile else "",
        "date_of_birth": profile.date_of_birth if profile else None,
        "address": profile.address if profile else "",
        "tax_code": profile.tax_code if profile else "",
        "organisation_name": profile.organisation_name if profile else "",
        "representative": profile.representative if profile else "",
        "identity_verified": bool(profile and profile.identity_verified),
        "notify_channels": list(profile.notify_channels) if profile else [],
    }


@router.get(
    "/dossiers",
    response={200: schemas.MeDossierListOut, **READ_ERRORS},
    auth=app_read,
    summary="Hồ sơ của tôi",
    description="Các hồ sơ bạn đã nộp (và hồ sơ nộp tại quầy mang số định danh của bạn khi tài khoản đã "
    "xác thực qua VNeID), mới nhất trước; 20 hồ sơ một trang.",
)
def me_dossiers(request: MeRequest, page: Page | None = None) -> dict[str, Any]:
    qs = selectors.citizen_dossiers(request.auth)
    paginator = Paginator(qs, PAGE_SIZE)
    number = page_number(page, paginator.num_pages)
    return {
        "items": [_summary(d) for d in paginator.page(number).object_list],
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
    }


@router.get(
    "/dossiers/{code}",
    response={200: schemas.MeDossierDetailOut, **READ_ERRORS},
    auth=app_read,
    summary="Chi tiết hồ sơ của tôi",
    description="Diễn biến (`timeline`), điều cơ quan báo cho bạn (`guidance`, giấy tờ cần bổ sung "
    "`supplement`, phí cần nộp `payment`, lý do `reason`), giấy tờ và tệp, việc bạn có thể làm (`actions`). "
    "Hồ sơ của người khác: 404. Việc xem được ghi nhật ký.",
)
def me_dossier(request: MeRequest, code: str) -> dict[str, Any]:
    return _detail(_dossier(request, code))


@router.post(
    "/dossiers",
    response={201: schemas.MeDossierDetailOut, **WRITE_ERRORS, **errors(422)},
    auth=app_write,
    summary="Nộp hồ sơ trực tuyến",
    description=MULTIPART_DESCRIPTION.format(
        schema="SubmitIn: procedure, receiving_agency, result_delivery, "
        "applicant (bỏ trống: lấy từ tài khoản), submitter (nộp thay người khác), documents"
    )
    + " Hồ sơ ở trạng thái 1 “Mới đăng ký”, có mã hồ sơ ngay. Gửi kèm header `Idempotency-Key` để gửi lại "
    "an toàn: cùng khóa, cùng nội dung trả về đúng hồ sơ đã tạo; cùng khóa, nội dung khác → 422 "
    "`idempotency_key_reused`.",
    openapi_extra=_multipart_body(schemas.MeSubmitIn),
)
def me_submit(request: MeRequest, data: Form[str]) -> Status[dict[str, Any]]:
    body = _parse(schemas.MeSubmitIn, data)
    user = request.auth
    key = _idempotency_key(request)
    fingerprint = submission_fingerprint(json.loads(data), _file_hashes(request)) if key else ""
    intake = services.IntakeData(
        procedure=body.procedure.strip(),
        receiving_agency=body.receiving_agency.strip(),
        channel=Dossier.Channel.ONLINE,
        result_delivery=body.result_delivery,
        applicant=_applicant(user, body.applicant),
        documents=[
            services.DocumentInput(
                requirement=doc.requirement.strip(),
                copy_kind=doc.copy_kind,
                count=doc.count,
                alternative=doc.alternative,
            )
            for doc in body.documents
        ],
    )
    submitter = (
        services.SubmitterData(
            relation=body.submitter.relation,
            name=body.submitter.name.strip(),
            citizen_id=body.submitter.citizen_id.strip(),
        )
        if body.submitter
        else None
    )
    files = _files(request, body.documents)
    national_identity = token_signed_in_with_national_identity(request.app_token)

    def submit() -> Dossier:
        try:
            dossier: Dossier = services.dossier_submit_online(
                citizen=user,
                data=intake,
                files=files,
                submitter=submitter,
                national_identity=national_identity,
                idempotency_key=key,
                ip=client_ip(request),
            )
        except NotFound as exc:
            # An unknown procedure or agency named in the body is bad input, not a missing resource.
            raise InvalidInput(exc.message, code=exc.code, details=exc.details) from None
        return dossier

    dossier = submit_once(citizen=user, key=key, fingerprint=fingerprint, submit=submit)
    return Status(201, _detail(dossier))


@router.post(
    "/dossiers/{code}/supplement",
    response={200: schemas.MeDossierDetailOut, **WRITE_ERRORS},
    auth=app_write,
    summary="Bổ sung hồ sơ",
    description=MULTIPART_DESCRIPTION.format(schema="MeSupplementIn: version, note, documents")
    + " Chỉ khi cơ quan yêu cầu bổ sung; nếu không, hoặc hồ sơ đã thay đổi (phiên bản cũ): 409.",
    openapi_extra=_multipart_body(schemas.MeSupplementIn),
)
def me_supplement(request: MeRequest, code: str, data: Form[str]) -> dict[str, Any]:
    body = _parse(schemas.MeSupplementIn, data)
    dossier = _dossier(request, code)
    updated: Dossier = services.dossier_supplement_online(
        citizen=request.auth,
        dossier=dossier,
        expected_version=body.version,
        files=_files(request, body.documents),
        note=body.note.strip(),
        ip=client_ip(request),
    )
    return _detail(updated)


@router.post(
    "/dossiers/{code}/withdraw",
    response={200: schemas.MeDossierDetailOut, **WRITE_ERRORS},
    auth=app_write,
    summary="Rút hồ sơ",
    description="Trước khi cơ quan tiếp nhận: rút ngay. Sau khi tiếp nhận: ghi nhận yêu cầu rút, cán bộ xác "
    "nhận. Hồ sơ đã kết thúc hoặc đã thay đổi (phiên bản cũ): 409.",
)
def me_withdraw(request: MeRequest, code: str, body: schemas.MeWithdrawIn) -> dict[str, Any]:
    dossier = _dossier(request, code)
    updated: Dossier = services.dossier_withdraw_online(
        citizen=request.auth,
        dossier=dossier,
        expected_version=body.version,
        reason=body.reason.strip(),
        ip=client_ip(request),
    )
    return _detail(updated)
