"""What a dossier is received from, checked once for every channel: the applicant (citizen ID,
tax code, phone, e-mail), the receiving and handling agencies, the procedure and its documents,
and the supplement items of a Mẫu 02. Pages and the API only translate their input into
``IntakeData`` / ``SupplementItem`` and show the ``InvalidInput`` raised here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from motcua.catalog.models import Offering, Procedure, ProcessStep, RequiredDocument
from motcua.catalog.selectors import intake_reference
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services.rules import COUNTER, Role
from motcua.lib.errors import Forbidden, InvalidInput, NotFound
from motcua.org.models import Agency
from motcua.org.selectors import agency_actable_by_code

# Valid province codes of the citizen identity number (first three digits).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
# The fourth digit: gender and century of birth.
CENTURY_OF_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


@dataclass
class ApplicantData:
    kind: str = "person"
    name: str = ""
    citizen_id: str = ""
    date_of_birth: date | None = None
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class DocumentInput:
    requirement: str
    copy_kind: str = "original"
    count: int = 1


@dataclass
class IntakeData:
    procedure: str
    receiving_agency: str
    channel: int
    result_delivery: str
    applicant: ApplicantData
    documents: list[DocumentInput] = field(default_factory=list)
    handling_agency: str | None = None


@dataclass
class SupplementItem:
    name: str
    reason: str


def validate_citizen_id(value: str, date_of_birth: date | None = None) -> str:
    """The 12-digit personal identification number, checked: province code, century, year."""
    digits = (value or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: phải gồm đúng 12 chữ số.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if digits[:3] not in PROVINCE_CODES:
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: mã tỉnh nơi đăng ký khai sinh “{digits[:3]}” "
            "không tồn tại.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if date_of_birth is not None:
        year = CENTURY_OF_DIGIT[int(digits[3])] + int(digits[4:6])
        if year != date_of_birth.year:
            raise InvalidInput(
                f"Số định danh cá nhân “{value}” không khớp với năm sinh {date_of_birth.year} "
                f"(mã thể hiện năm sinh {year}).",
                code="citizen_id_invalid",
                details={"field": "citizen_id"},
            )
    return digits


def clean_applicant(a: ApplicantData) -> dict:
    if not isinstance(a, ApplicantData):
        raise InvalidInput("Thiếu thông tin người nộp hồ sơ.", code="applicant_required")
    kind = a.kind
    if kind not in Dossier.ApplicantKind.values:
        raise InvalidInput(
            f"Loại người nộp “{kind}” không hợp lệ: chọn cá nhân (person) hoặc tổ chức (organisation).",
            details={"field": "applicant.kind"},
        )
    name = (a.name or "").strip()
    if not name:
        raise InvalidInput(
            "Vui lòng nhập họ tên người nộp." if kind == "person" else "Vui lòng nhập tên tổ chức.",
            code="required",
            details={"field": "applicant.name"},
        )
    dob = a.date_of_birth
    if isinstance(dob, str) and dob:
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            raise InvalidInput(
                f"Ngày sinh “{a.date_of_birth}” không hợp lệ.", details={"field": "applicant.date_of_birth"}
            ) from None
    if isinstance(dob, datetime):
        dob = dob.date()
    if dob and dob > timezone.localdate():
        raise InvalidInput(
            "Ngày sinh không được sau ngày hôm nay.", details={"field": "applicant.date_of_birth"}
        )
    out = {
        "applicant_kind": kind,
        "applicant_name": name[:300],
        "citizen_id": "",
        "date_of_birth": dob or None,
        "tax_code": "",
        "representative": (a.representative or "").strip()[:200],
        "phone": "",
        "email": "",
        "address": (a.address or "").strip()[:500],
    }
    if kind == "person":
        out["citizen_id"] = validate_citizen_id(a.citizen_id, dob)
    else:
        tax = (a.tax_code or "").strip()
        if tax and not re.fullmatch(r"\d{10}(-\d{3})?", tax):
            raise InvalidInput(
                f"Mã số thuế “{tax}” không hợp lệ: 10 chữ số, hoặc 10 chữ số, gạch ngang và 3 chữ số.",
                code="tax_code_invalid",
                details={"field": "applicant.tax_code"},
            )
        out["tax_code"] = tax
        if a.citizen_id:
            out["citizen_id"] = validate_citizen_id(a.citizen_id)
    phone = re.sub(r"[\s.\-()]", "", a.phone or "")
    if phone:
        if phone.startswith("+84"):
            phone = "0" + phone[3:]
        if not re.fullmatch(r"0\d{9,10}", phone):
            raise InvalidInput(
                f"Số điện thoại “{a.phone}” không hợp lệ.",
                code="phone_invalid",
                details={"field": "applicant.phone"},
            )
    out["phone"] = phone
    email = (a.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"Địa chỉ thư điện tử “{email}” không hợp lệ.",
                code="email_invalid",
                details={"field": "applicant.email"},
            ) from None
    out["email"] = email
    return out


@dataclass
class Intake:
    procedure: Procedure
    receiving: Agency
    handling: Agency
    offering: Offering
    applicant: dict
    documents: list[tuple[RequiredDocument | None, DocumentInput]]
    required: list[RequiredDocument]
    channel: int
    result_delivery: str
    # From the catalogue's shared intake reference (read-only): None to look them up.
    fees: tuple[dict, ...] | None = None
    steps_by_agency: dict[int | None, tuple[dict, ...]] | None = None


def receiving_agency_for(actor: Any, code: str, roles: frozenset[str] = COUNTER) -> Agency:
    """The agency with identifier ``code`` where ``actor`` receives dossiers (with its schedule),
    or NotFound / Forbidden saying which."""
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("Vui lòng chọn cơ quan tiếp nhận.", details={"field": "receiving_agency"})
    agency = agency_actable_by_code(actor, code, roles=roles)
    if agency is None:
        if not Agency.objects.filter(code=code).exists():
            raise NotFound(
                f"Không tìm thấy cơ quan có mã định danh “{code}”.",
                code="agency_not_found",
                details={"field": "receiving_agency"},
            )
        raise Forbidden(f"Bạn không phải cán bộ tiếp nhận của cơ quan {code}.", code="outside_jurisdiction")
    return agency


def clean_intake(actor, data: IntakeData, *, counter: bool = True) -> Intake:
    if not isinstance(data, IntakeData):
        raise InvalidInput("Thiếu thông tin hồ sơ.", code="data_required")
    if data.channel not in Dossier.Channel.values or isinstance(data.channel, bool):
        raise InvalidInput(
            f"Kênh nộp “{data.channel}” không hợp lệ: 1 trực tiếp, 2 trực tuyến, 3 bưu chính.",
            details={"field": "channel"},
        )
    if data.result_delivery not in Dossier.ResultDelivery.values:
        raise InvalidInput(
            f"Hình thức nhận kết quả “{data.result_delivery}” không hợp lệ: counter, post hoặc online.",
            details={"field": "result_delivery"},
        )
    applicant = clean_applicant(data.applicant)
    procedure_code = (data.procedure or "").strip()
    handling_code = data.handling_agency.strip().upper() if data.handling_agency else None
    if counter:
        receiving = receiving_agency_for(actor, data.receiving_agency)
    else:
        code = (data.receiving_agency or "").strip().upper()
        receiving = Agency.objects.select_related("schedule").filter(code=code, active=True).first()
        if receiving is None:
            raise NotFound(
                f"Không tìm thấy cơ quan có mã định danh “{code}”.",
                code="agency_not_found",
                details={"field": "receiving_agency"},
            )
    if not procedure_code:
        raise InvalidInput("Vui lòng chọn thủ tục hành chính.", details={"field": "procedure"})
    reference = intake_reference(procedure_code)
    if reference is None or not reference.procedure.active:
        raise NotFound(
            f"Không tìm thấy thủ tục hành chính mã “{procedure_code}”.",
            code="procedure_not_found",
            details={"field": "procedure"},
        )
    # The handling agency: the one named, or the receiving agency, or its nearest ancestor that
    # offers the procedure (a one-stop unit receives for its committee): the deepest path.
    if handling_code is not None:
        found = [o for o in reference.offerings if o.agency.code == handling_code]
    else:
        ancestor_ids = {int(p) for p in receiving.path.strip("/").split("/") if p} or {receiving.pk}
        found = [o for o in reference.offerings if o.agency_id in ancestor_ids]
    if not found:
        where = data.handling_agency or receiving.code
        raise InvalidInput(
            f"Cơ quan {where} không giải quyết thủ tục {procedure_code} ({reference.procedure.name}).",
            code="procedure_not_offered",
            details={"field": "procedure"},
        )
    offering = max(found, key=lambda o: len(o.agency.path))
    procedure = reference.procedure
    handling = offering.agency
    if not procedure.has_time:
        raise InvalidInput(
            f"Thủ tục {procedure.code} chưa có thời hạn giải quyết, chưa thể tiếp nhận hồ sơ.",
            code="procedure_without_time",
        )
    required = list(reference.documents)
    by_code = {d.code: d for d in required}
    documents: list[tuple[RequiredDocument | None, DocumentInput]] = []
    for item in data.documents or []:
        if not isinstance(item, DocumentInput):
            raise InvalidInput("Thành phần hồ sơ không hợp lệ.", details={"field": "documents"})
        req = by_code.get((item.requirement or "").strip())
        if req is None:
            raise InvalidInput(
                f"Thủ tục {procedure.code} không có thành phần hồ sơ mã “{item.requirement}”.",
                code="document_unknown",
                details={"field": "documents", "requirement": item.requirement},
            )
        if item.copy_kind not in DossierDocument.CopyKind.values:
            raise InvalidInput(
                f"Loại bản “{item.copy_kind}” của {req.code} không hợp lệ: "
                "original, certified_copy hoặc photocopy.",
                details={"field": "documents", "requirement": item.requirement},
            )
        if not isinstance(item.count, int) or isinstance(item.count, bool) or not 1 <= item.count <= 100:
            raise InvalidInput(
                f"Số lượng bản của {req.code} phải là số nguyên từ 1 đến 100.",
                details={"field": "documents", "requirement": item.requirement},
            )
        documents.append((req, item))
    return Intake(
        procedure=procedure,
        receiving=receiving,
        handling=handling,
        offering=offering,
        applicant=applicant,
        documents=documents,
        required=required,
        channel=int(data.channel),
        result_delivery=data.result_delivery,
        fees=reference.fees,
        steps_by_agency=reference.steps_by_agency,
    )


def missing_mandatory(
    intake_required: list[RequiredDocument], given_codes: set[str]
) -> list[RequiredDocument]:
    return [
        d for d in intake_required if d.mandatory and not d.condition.strip() and d.code not in given_codes
    ]


def document_rows(dossier: Dossier, documents) -> list[DossierDocument]:
    return [
        DossierDocument(
            dossier=dossier,
            requirement=req,
            requirement_code=req.code if req else item.requirement,
            name=req.name if req else item.requirement,
            copy_kind=item.copy_kind,
            count=item.count,
            order=index,
        )
        for index, (req, item) in enumerate(documents, start=1)
    ]


def procedure_snapshot(intake: Intake) -> dict:
    procedure = intake.procedure
    amount = procedure.processing_time
    if intake.offering.local_time:
        amount = intake.offering.local_time
    if intake.channel == Dossier.Channel.ONLINE and procedure.online_time:
        amount = min(amount, procedure.online_time)
    if intake.steps_by_agency is None or intake.fees is None:
        reference = intake_reference(procedure.code)
        intake.fees, intake.steps_by_agency = reference.fees, reference.steps_by_agency
    # The handling agency's own variant of the process, else the receiving agency's, else the default.
    # Copies: the snapshot belongs to the dossier, the reference is shared.
    by_agency = intake.steps_by_agency
    step_rows = [
        dict(step)
        for step in (
            by_agency.get(intake.handling.pk) or by_agency.get(intake.receiving.pk) or by_agency.get(None, ())
        )
    ]
    if not step_rows:
        hours = procedure.time_in_working_hours(amount)
        step_rows = [
            {
                "order": 1,
                "name": "Giải quyết hồ sơ",
                "performer": ProcessStep.Performer.HANDLING_ROLE,
                "role": Role.SPECIALIST,
                "agency": None,
                "agency_id": None,
                "budget_hours": str(hours),
            }
        ]
    return {
        "code": procedure.code,
        "name": procedure.name,
        "time": amount,
        "unit": procedure.time_unit,
        "procedure_time": procedure.processing_time,
        "rule": procedure.counting_rule,
        "policy": procedure.supplement_policy,
        "local_time": intake.offering.local_time,
        "steps": step_rows,
        "fees": [dict(fee) for fee in intake.fees],
    }


def clean_supplement_items(items) -> list[dict]:
    cleaned = []
    for index, item in enumerate(items or [], start=1):
        if isinstance(item, dict):
            item = SupplementItem(name=item.get("name", ""), reason=item.get("reason", ""))
        if not isinstance(item, SupplementItem):
            raise InvalidInput(f"Nội dung yêu cầu bổ sung thứ {index} không hợp lệ.")
        name = (item.name or "").strip()
        reason = (item.reason or "").strip()
        if not name or not reason:
            raise InvalidInput(
                f"Nội dung yêu cầu bổ sung thứ {index}: phải ghi rõ giấy tờ cần bổ sung và lý do.",
                code="supplement_item_incomplete",
            )
        cleaned.append({"name": name[:500], "reason": reason[:1000]})
    if not cleaned:
        raise InvalidInput(
            "Vui lòng ghi ít nhất một nội dung cần bổ sung, hoàn thiện (giấy tờ và lý do).",
            code="supplement_items_required",
        )
    return cleaned


def supplement_items_text(items: list[dict]) -> str:
    return "Cần bổ sung: " + "; ".join(f"{i['name']} ({i['reason']})" for i in items) + "."
