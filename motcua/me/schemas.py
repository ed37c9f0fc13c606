"""ninja schemas of the citizen's API (``/api/v1/me/…``, ``motcua/me/api.py``)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from motcua.accounts.models import Profile, User
from motcua.dossiers.models import Dossier
from motcua.dossiers.schemas import (
    ApplicantKindOut,
    ChannelOut,
    CopyKindOut,
    OutcomeOut,
    ResultDeliveryOut,
    StatusCode,
    StatusLabel,
    TimelinessOut,
    TrackingHistoryOut,
    TrackingPaymentOut,
    TrackingReasonOut,
    TrackingSupplementOut,
)
from motcua.lib.apischema import one_of

AccountKind = Annotated[str, one_of([User.Kind.CITIZEN, User.Kind.ORGANISATION])]
NotifyChannel = Annotated[str, one_of(Profile.Notify.values)]
SubmitterRelationOut = Annotated[str, one_of(Dossier.SubmitterRelation.values)]
CitizenAction = Annotated[str, one_of(["supplement", "withdraw"])]

# -- out --------------------------------------------------------------------------------------


class MeProfileOut(Schema):
    username: str
    kind: AccountKind
    full_name: str
    phone: str
    email: str
    citizen_id: str
    date_of_birth: date | None
    address: str
    tax_code: str
    organisation_name: str
    representative: str
    identity_verified: bool = Field(description="Đã xác thực qua định danh điện tử quốc gia (VNeID)")
    notify_channels: list[NotifyChannel]


class MeRef(Schema):
    code: str
    name: str


class MeDossierOut(Schema):
    code: str
    version: int = Field(description="Phiên bản hồ sơ: gửi lại khi bổ sung hoặc rút (khóa lạc quan)")
    procedure: MeRef
    receiving_agency: MeRef
    status_code: StatusCode
    status_name: str
    status_label: StatusLabel
    outcome: OutcomeOut
    channel: ChannelOut
    result_delivery: ResultDeliveryOut
    applicant_name: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    timeliness: TimelinessOut


class MeDossierListOut(Schema):
    items: list[MeDossierOut]
    count: int
    page: int
    pages: int


class MeFileOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class MeDocumentOut(Schema):
    requirement: str
    name: str
    copy_kind: CopyKindOut
    count: int
    files: list[MeFileOut]


class MeApplicantOut(Schema):
    kind: ApplicantKindOut
    name: str
    citizen_id: str
    tax_code: str
    phone: str
    email: str
    address: str


class MeSubmitterOut(Schema):
    relation: SubmitterRelationOut
    name: str


class MeDossierDetailOut(MeDossierOut):
    applicant: MeApplicantOut
    submitter: MeSubmitterOut | None = Field(description="Người nộp thay (trống: người có hồ sơ tự nộp)")
    documents: list[MeDocumentOut]
    national_identity: bool = Field(description="Nộp khi đăng nhập bằng định danh điện tử quốc gia (VNeID)")
    timeline: list[TrackingHistoryOut] = Field(description="Diễn biến: các trạng thái và thời điểm")
    guidance: str = Field(description="Việc cần biết hoặc cần làm lúc này, bằng lời")
    supplement: TrackingSupplementOut | None = Field(
        description="Giấy tờ cơ quan yêu cầu bổ sung, khi đang chờ"
    )
    payment: TrackingPaymentOut | None = Field(description="Phí, lệ phí cơ quan yêu cầu nộp, khi đang chờ")
    reason: TrackingReasonOut | None = Field(
        description="Lý do không giải quyết, không tiếp nhận hoặc dừng xử lý"
    )
    actions: list[CitizenAction] = Field(
        description="Việc công dân có thể làm lúc này: supplement (bổ sung hồ sơ), withdraw (rút hồ sơ)"
    )


# -- in ---------------------------------------------------------------------------------------


class MeApplicantIn(Schema):
    """Người có hồ sơ, khi khác thông tin của tài khoản; bỏ trống: lấy từ tài khoản (hồ sơ cá nhân)."""

    name: str = Field(max_length=300)
    citizen_id: str = Field("", max_length=20)
    date_of_birth: date | None = None
    tax_code: str = Field("", max_length=14)
    representative: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class MeSubmitterIn(Schema):
    relation: Literal["guardian", "authorised", "organisation_staff"] = Field(
        description="Quan hệ với người có hồ sơ: cha, mẹ hoặc người giám hộ; người được ủy quyền; "
        "nhân viên của tổ chức"
    )
    name: str = Field(max_length=300)
    citizen_id: str = Field("", max_length=20)


class MeDocumentIn(Schema):
    requirement: str = Field(max_length=20, description="Mã thành phần hồ sơ, ví dụ TP01")
    copy_kind: Literal["original", "certified_copy", "photocopy"] = "original"
    count: int = Field(1, ge=1, le=99)
    alternative: int | None = Field(None, ge=1, le=50)
    stored_files: list[int] = Field(
        default_factory=list,
        max_length=20,
        description="Tệp lấy từ kho tệp của công dân (mã tệp của các hồ sơ, kết quả trước), thay cho tải lên",
    )


class MeSubmitIn(Schema):
    """Phần JSON `data` của yêu cầu nộp hồ sơ."""

    procedure: str = Field(max_length=40, description="Mã thủ tục")
    receiving_agency: str = Field(max_length=40, description="Mã định danh cơ quan tiếp nhận")
    result_delivery: Literal["counter", "post", "online"] = "online"
    applicant: MeApplicantIn | None = None
    submitter: MeSubmitterIn | None = None
    documents: list[MeDocumentIn] = Field(default_factory=list, max_length=100)


class MeSupplementIn(Schema):
    version: int = Field(ge=1, description="Phiên bản hồ sơ đang xem")
    note: str = Field("", max_length=5000)
    documents: list[MeDocumentIn] = Field(default_factory=list, max_length=100)


class MeWithdrawIn(Schema):
    version: int = Field(ge=1, description="Phiên bản hồ sơ đang xem")
    reason: str = Field(min_length=1, max_length=5000, description="Lý do rút hồ sơ")
