"""ninja schemas of the dossier API (``motcua/dossiers/api.py``): what goes in, what comes out.

The intake body's names are a contract with integrators and kiosks (issue 4, §6): ``procedure``,
``receiving_agency``, ``channel``, ``result_delivery``, ``applicant`` (``kind`` person with
``full_name``/``citizen_id``/…, or organisation with ``name``/``tax_code``/…), ``documents``.
Validation that needs the database (citizen ID checksum, procedure offered by the agency, the
document codes) is the services' job, so every interface gives the same Vietnamese message.

Values from a fixed list are enumerations in the OpenAPI description: ``Literal`` where pydantic
checks the input, ``one_of(<the model's choices>)`` for outputs and for the inbox parameters that
the selector checks with its own message (``motcua/tests/test_openapi.py`` holds them to the
models).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from motcua.dossiers.actions import ACTIONS
from motcua.dossiers.models import Dossier, DossierDocument, DossierStep, NationalStatus, Timeliness
from motcua.dossiers.selectors import BUCKETS, SORTS
from motcua.lib.apischema import ErrorOut, one_of

__all__ = ["ErrorOut"]  # the API's one error schema (motcua/lib/apischema.py)

# -- enumerations -----------------------------------------------------------------------------

State = Annotated[str, one_of(Dossier.State.values)]
StatusCode = Annotated[int, one_of(NationalStatus.values, description="Mã trạng thái quốc gia (1–10)")]
ChannelOut = Annotated[
    int, one_of(Dossier.Channel.values, description="1 trực tiếp, 2 trực tuyến, 3 bưu chính")
]
ResultDeliveryOut = Annotated[str, one_of(Dossier.ResultDelivery.values)]
ApplicantKindOut = Annotated[str, one_of(Dossier.ApplicantKind.values)]
CopyKindOut = Annotated[str, one_of(DossierDocument.CopyKind.values)]
StepKind = Annotated[str, one_of(DossierStep.Kind.values)]
# Empty while the dossier (or the step) is open.
TimelinessOut = Annotated[str, one_of(["", *Timeliness.values], description="Trống khi chưa xong")]
ActionName = Annotated[str, one_of(ACTIONS, description="Tên thao tác (kebab-case)")]
OutcomeOut = Annotated[
    str,
    one_of(
        Dossier.Outcome.values,
        description="Kết quả giải quyết: approved được giải quyết; rejected không giải quyết (có văn bản "
        "trả lời nêu rõ lý do; trạng thái quốc gia vẫn là 9 rồi 10); trống khi chưa có",
    ),
]
StatusLabel = Annotated[
    str,
    Field(
        description="Tình trạng hồ sơ bằng lời dễ hiểu: tên trạng thái quốc gia, trừ hồ sơ không giải "
        "quyết (“Không giải quyết — đã có văn bản trả lời”)"
    ),
]

# The inbox's filters (``selectors.dossiers_inbox`` checks them, naming the parameter).
INBOX_SCOPES = ("mine", "agency")
INBOX_BUCKETS = BUCKETS
InboxScope = Annotated[
    str, one_of(INBOX_SCOPES, description="mine: hồ sơ chờ mình xử lý; agency: của cơ quan")
]
InboxBucket = Annotated[str, one_of(INBOX_BUCKETS)]
InboxSort = Annotated[str, one_of(SORTS, description="Trường sắp xếp; dấu - là giảm dần")]

# -- in ---------------------------------------------------------------------------------------


class PersonIn(Schema):
    kind: Literal["person"]
    full_name: str = Field(max_length=300, description="Họ và tên")
    citizen_id: str = Field("", max_length=20, description="Số định danh cá nhân (12 chữ số)")
    date_of_birth: date | None = Field(None, description="Ngày sinh (YYYY-MM-DD)")
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class OrganisationIn(Schema):
    kind: Literal["organisation"]
    name: str = Field(max_length=300, description="Tên tổ chức, doanh nghiệp")
    tax_code: str = Field("", max_length=14, description="Mã số thuế / mã số doanh nghiệp")
    representative: str = Field("", max_length=200, description="Người đại diện")
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


ApplicantIn = Annotated[PersonIn | OrganisationIn, Field(discriminator="kind")]


class DocumentIn(Schema):
    requirement: str = Field(
        max_length=20,
        description="Mã thành phần hồ sơ của thủ tục, ví dụ TP01. Chỉ các thành phần áp dụng cho kênh "
        "nộp của hồ sơ (mẫu điện tử tương tác chỉ khi nộp trực tuyến, tờ khai giấy khi nộp trực tiếp "
        "hoặc bưu chính); thiếu thành phần bắt buộc của kênh: 400 documents_missing.",
    )
    copy_kind: Literal["original", "certified_copy", "photocopy"] = "original"
    count: int = Field(1, ge=1, le=99)
    alternative: int | None = Field(
        None,
        ge=1,
        le=50,
        description="Với thành phần có các giấy tờ thay thế nhau (nộp một trong số đó): số thứ tự của "
        "giấy tờ đã nộp, 1 là giấy tờ đầu tiên trong danh sách của thủ tục.",
    )


class DossierCreateIn(Schema):
    procedure: str = Field(max_length=40, description="Mã thủ tục")
    receiving_agency: str = Field(max_length=40, description="Mã định danh cơ quan tiếp nhận")
    channel: Literal[1, 2, 3] = Field(1, description="1 trực tiếp, 2 trực tuyến, 3 bưu chính")
    result_delivery: Literal["counter", "post", "online"] = "counter"
    applicant: ApplicantIn
    documents: list[DocumentIn] = Field(default_factory=list, max_length=100)
    handling_agency: str | None = Field(None, max_length=40, description="Mã cơ quan giải quyết, nếu khác")
    postal_number: str = Field(
        "", max_length=60, description="Kênh 3: mã bưu gửi của hồ sơ (in trên phong bì), lưu cùng hồ sơ"
    )


class SupplementItemIn(Schema):
    name: str = Field(max_length=500, description="Giấy tờ cần bổ sung")
    reason: str = Field(max_length=1000, description="Lý do")


class ActionIn(Schema):
    """Body of ``POST /dossiers/{code}/actions/{action}``: ``version`` plus what the action needs."""

    version: int = Field(ge=1, description="Phiên bản hồ sơ mà người thao tác đang xem (khóa lạc quan)")
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000)
    items: list[SupplementItemIn] = Field(default_factory=list, max_length=100)
    officer: str | None = Field(None, max_length=150, description="Tên đăng nhập của cán bộ nhận")
    to_agency: str | None = Field(None, max_length=40, description="Mã cơ quan nhận")
    to_seq: int | None = Field(None, ge=1, description="Bước (thứ tự) trả lại")
    new_due_at: datetime | None = Field(None, description="Ngày hẹn trả mới")
    collected_by: str = Field("", max_length=200, description="Người nhận kết quả")
    postal_tracking: str = Field("", max_length=60, description="Mã bưu gửi")
    render_result: bool = Field(
        False,
        description="Phê duyệt: lập văn bản kết quả từ mẫu và ký số (khóa của lãnh đạo phê duyệt tại cơ "
        "quan giải quyết); không có khóa → 400 no_leader_key, hồ sơ không đổi",
    )


# -- out --------------------------------------------------------------------------------------


class DossierCreatedOut(Schema):
    code: str
    pin: str
    status_code: StatusCode
    received_at: datetime | None
    due_at: datetime | None


class RefOut(Schema):
    code: str
    name: str


class PersonRefOut(Schema):
    username: str
    full_name: str


class DossierSummaryOut(Schema):
    code: str
    uid: str
    version: int
    state: State
    state_name: str
    status_code: StatusCode
    status_name: str
    status_label: StatusLabel
    outcome: OutcomeOut
    outcome_label: str
    procedure: RefOut
    receiving_agency: RefOut
    handling_agency: RefOut
    holder_agency: RefOut | None
    holder: PersonRefOut | None
    applicant_name: str
    channel: ChannelOut
    result_delivery: ResultDeliveryOut
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    timeliness: TimelinessOut
    supplement_count: int
    extension_count: int
    submitted_at: datetime | None = Field(description="Nộp trực tuyến lúc (kênh 2), hoặc null")
    national_identity: bool = Field(description="Người nộp đăng nhập bằng định danh quốc gia (chỉ tiêu 4.5)")
    submitter_relation: str = Field(
        description="Người nộp thay: guardian (cha mẹ, giám hộ), authorised (ủy quyền), "
        "organisation_staff (nhân viên tổ chức); trống khi tự nộp"
    )
    withdrawal_requested_at: datetime | None = Field(
        description="Người nộp yêu cầu rút hồ sơ trực tuyến lúc (chờ cán bộ xác nhận), hoặc null"
    )
    withdrawal_reason: str


class ApplicantOut(Schema):
    kind: ApplicantKindOut
    name: str
    citizen_id: str
    date_of_birth: date | None
    tax_code: str
    representative: str
    phone: str
    email: str
    address: str


class FileOut(Schema):
    id: int
    requirement: str
    document: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class DocumentOut(Schema):
    requirement: str
    name: str
    copy_kind: CopyKindOut
    count: int
    digitised: bool
    files: list[FileOut]


class DossierDetailOut(DossierSummaryOut):
    rejection_reason: str = Field(description="Lý do không giải quyết (outcome rejected), hoặc trống")
    applicant: ApplicantOut
    original_due_at: datetime | None
    fee_due_vnd: int | None
    collected_by: str
    postal_tracking: str
    documents: list[DocumentOut]
    available_actions: list[ActionName]


class DossierListOut(Schema):
    items: list[DossierSummaryOut]
    count: int
    page: int
    pages: int


class StepOut(Schema):
    seq: int
    kind: StepKind
    name: str
    agency: RefOut
    role: str
    giver: PersonRefOut | None
    receiver: PersonRefOut | None
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    timeliness: TimelinessOut
    ended_by: str
    note: str


class TrackingIn(Schema):
    # No length limit here: the lookup checks the code's form itself, with its own message.
    code: str = Field(description="Mã hồ sơ, ví dụ 000.00.31.H99-260115-0042")
    pin: str = Field(description="Mã tra cứu (PIN) in trên giấy tiếp nhận")


class TrackingHistoryOut(Schema):
    at: datetime
    status_code: StatusCode
    status_name: str
    label: StatusLabel


class TrackingReasonOut(Schema):
    title: str
    text: str


class TrackingSupplementItemOut(Schema):
    name: str = Field(description="Giấy tờ, nội dung cần bổ sung")
    reason: str = Field(description="Lý do cần bổ sung")


class TrackingSupplementOut(Schema):
    items: list[TrackingSupplementItemOut]
    requested_at: datetime
    due_by: datetime | None = Field(description="Hạn nộp bổ sung, nếu có")
    at_intake: bool = Field(description="Yêu cầu khi tiếp nhận: hồ sơ chưa được tiếp nhận")
    policy: str = Field(description="restart: thời hạn tính lại từ đầu; pause: lùi thêm thời gian chờ")
    appointment_text: str


class TrackingPaymentOut(Schema):
    amount_vnd: int | None
    amount_text: str
    requested_at: datetime | None


class TrackingDayOffOut(Schema):
    date: date
    name: str


class TrackingAppointmentNoteOut(Schema):
    working_time: bool = Field(description="Thời hạn tính theo ngày/giờ làm việc (không tính ngày nghỉ)")
    days_off: list[TrackingDayOffOut] = Field(description="Ngày nghỉ lễ, Tết, nghỉ hoán đổi không được tính")
    make_up_days: list[date] = Field(description="Ngày làm bù, được tính như ngày làm việc")
    weekend_days: int
    text: list[str]


class TrackingOut(Schema):
    code: str
    status_code: StatusCode
    status_name: str = Field(description="Tên trạng thái quốc gia")
    status_label: StatusLabel
    outcome: OutcomeOut
    outcome_label: str
    rejection_reason: str = Field(description="Lý do không giải quyết, hoặc trống")
    reason: TrackingReasonOut | None = Field(
        description="Lý do không giải quyết, không tiếp nhận hoặc dừng xử lý"
    )
    guidance: str = Field(description="Việc người nộp cần biết hoặc cần làm lúc này")
    procedure: RefOut
    received_at: datetime | None
    due_at: datetime | None = Field(description="Ngày hẹn trả; trống khi đang chờ bổ sung (sẽ tính lại)")
    finished_at: datetime | None
    returned_at: datetime | None
    timeliness: TimelinessOut
    timeliness_label: str
    timeliness_text: str
    holder_agency: str | None
    applicant: str = Field(description="Tên người nộp, đã che bớt")
    supplement: TrackingSupplementOut | None
    payment: TrackingPaymentOut | None
    appointment_note: TrackingAppointmentNoteOut | None
    history: list[TrackingHistoryOut]
