"""The citizen's API for the mobile app, mounted at /api/v1/me/.

Every operation needs an access token that motcua's authorisation server issued to the app for
this citizen (``motcua/me/auth.py``): ``dossiers:read`` to read, ``dossiers:write`` to submit,
supplement or withdraw. The same rules as the portal's pages, because the same services and
selectors decide (``motcua.dossiers.services`` / ``selectors``): the citizen sees only the
dossiers ``citizen_dossiers`` allows (another's: 404, as if it did not exist), a stale
``version`` or a state that does not allow the action is 409, bad input 400, all in the shape
``{"code", "message", "details"}``.
"""

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Form, Router, Status

from motcua.accounts.models import User
from motcua.dossiers import selectors, services
from motcua.dossiers.models import Dossier
from motcua.lib.apischema import Page, errors
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.paging import page_number
from motcua.me import inputs, outputs, schemas
from motcua.me.auth import app_read, app_write
from motcua.me.selectors import token_signed_in_with_national_identity
from motcua.me.services import submission_fingerprint, submit_once

router = Router(tags=["Công dân (ứng dụng di động)"])

PAGE_SIZE = 20
# 401 without a valid token, 403 a staff key or a token without the scope (motcua/me/auth.py).
READ_ERRORS = errors(400, 401, 403, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 413)


class MeRequest(HttpRequest):
    """The request of an operation behind ``AppToken`` (``motcua/me/auth.py``): the citizen and
    the access token (DOT's ``AccessToken``) the app presented."""

    auth: User
    app_token: Any


def _dossier(request: MeRequest, code: str) -> Dossier:
    """The caller's own dossier: ``citizen_dossier`` answers NotFound for anyone else's (and
    logs the view of the applicant's personal data, or the refused attempt)."""
    return selectors.citizen_dossier(request.auth, code, ip=client_ip(request))


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
    profile = outputs.profile_of(user)
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
        "items": [outputs.summary(d) for d in paginator.page(number).object_list],
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
    return outputs.detail(_dossier(request, code))


@router.post(
    "/dossiers",
    response={201: schemas.MeDossierDetailOut, **WRITE_ERRORS, **errors(422)},
    auth=app_write,
    summary="Nộp hồ sơ trực tuyến",
    description=inputs.MULTIPART_DESCRIPTION.format(
        schema="SubmitIn: procedure, receiving_agency, result_delivery, "
        "applicant (bỏ trống: lấy từ tài khoản), submitter (nộp thay người khác), documents"
    )
    + " Hồ sơ ở trạng thái 1 “Mới đăng ký”, có mã hồ sơ ngay. Gửi kèm header `Idempotency-Key` để gửi lại "
    "an toàn: cùng khóa, cùng nội dung trả về đúng hồ sơ đã tạo; cùng khóa, nội dung khác → 422 "
    "`idempotency_key_reused`.",
    openapi_extra=inputs.multipart_body(schemas.MeSubmitIn),
)
def me_submit(request: MeRequest, data: Form[str]) -> Status[dict[str, Any]]:
    body = inputs.parse_json_part(schemas.MeSubmitIn, data)
    user = request.auth
    key = inputs.idempotency_key(request)
    fingerprint = submission_fingerprint(json.loads(data), inputs.file_hashes(request)) if key else ""
    intake = services.IntakeData(
        procedure=body.procedure.strip(),
        receiving_agency=body.receiving_agency.strip(),
        channel=Dossier.Channel.ONLINE,
        result_delivery=body.result_delivery,
        applicant=inputs.applicant_of(user, body.applicant),
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
    files = inputs.files_of(request, body.documents)
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
    return Status(201, outputs.detail(dossier))


@router.post(
    "/dossiers/{code}/supplement",
    response={200: schemas.MeDossierDetailOut, **WRITE_ERRORS},
    auth=app_write,
    summary="Bổ sung hồ sơ",
    description=inputs.MULTIPART_DESCRIPTION.format(schema="MeSupplementIn: version, note, documents")
    + " Chỉ khi cơ quan yêu cầu bổ sung; nếu không, hoặc hồ sơ đã thay đổi (phiên bản cũ): 409.",
    openapi_extra=inputs.multipart_body(schemas.MeSupplementIn),
)
def me_supplement(request: MeRequest, code: str, data: Form[str]) -> dict[str, Any]:
    body = inputs.parse_json_part(schemas.MeSupplementIn, data)
    dossier = _dossier(request, code)
    updated: Dossier = services.dossier_supplement_online(
        citizen=request.auth,
        dossier=dossier,
        expected_version=body.version,
        files=inputs.files_of(request, body.documents),
        note=body.note.strip(),
        ip=client_ip(request),
    )
    return outputs.detail(updated)


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
    return outputs.detail(updated)
