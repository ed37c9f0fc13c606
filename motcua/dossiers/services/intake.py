"""What a dossier is received from, checked once for every channel: the applicant (citizen ID,
tax code, phone, e-mail), the receiving and handling agencies, the procedure and its documents,
and the supplement items of a Mẫu 02. Pages and the API only translate their input into
``IntakeData`` / ``SupplementItem`` and show the ``InvalidInput`` raised here."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from motcua.catalog.channels import channels_label
from motcua.catalog.models import Channel, Offering, Procedure, ProcessStep, RequiredDocument
from motcua.catalog.selectors import intake_reference
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services.rules import COUNTER, Role
from motcua.lib.errors import Forbidden, InvalidInput, NotFound
from motcua.lib.identifiers import clean_phone, tax_code_problem, validate_citizen_id
from motcua.org.models import Agency
from motcua.org.selectors import agency_actable_by_code


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
    # Which of the requirement's alternatives was handed in (1: the first one listed), for a
    # requirement any one of several papers satisfies (``RequiredDocument.alternatives``).
    alternative: int | None = None


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


def intake_fingerprint(data: IntakeData | None) -> str:
    """SHA-256 of what a reception is asked to receive (``IntakeData``: procedure, agencies,
    channel, delivery, applicant, documents) as canonical JSON. Kept with the Idempotency-Key:
    a retry sends the same and gets the same dossier back; another request reusing the key
    differs and is refused (``dossier_receive``)."""
    payload = dataclasses.asdict(data) if isinstance(data, IntakeData) else None
    for document in (payload or {}).get("documents") or []:
        if document.get("alternative") is None:  # as fingerprinted before alternatives existed
            document.pop("alternative", None)
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _required(value: str, message: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, code="required", details={"field": field})
    return text


def _date_of_birth(a: ApplicantData) -> date | None:
    dob: Any = a.date_of_birth
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
        raise InvalidInput("Ngày sinh không thể ở sau hôm nay.", details={"field": "applicant.date_of_birth"})
    return dob or None


def _email(value: str) -> str:
    email = (value or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"Địa chỉ thư điện tử “{email}” không hợp lệ.",
                code="email_invalid",
                details={"field": "applicant.email"},
            ) from None
    return email


def _tax_code(value: str) -> str:
    tax = "".join((value or "").split())
    if not tax:
        raise InvalidInput(
            "Nhập mã số thuế của tổ chức.", code="required", details={"field": "applicant.tax_code"}
        )
    problem = tax_code_problem(tax)
    if problem:
        raise InvalidInput(
            f"{problem} “{tax}” không đúng dạng này.",
            code="tax_code_invalid",
            details={"field": "applicant.tax_code"},
        )
    return tax


def _check_applicant(a: ApplicantData) -> tuple[dict[str, Any], list[InvalidInput]]:
    """The applicant's data as stored on the dossier, and every problem found (each naming its
    field in ``details["field"]``), in the order of the form."""
    if not isinstance(a, ApplicantData):
        return {}, [InvalidInput("Thiếu thông tin người nộp hồ sơ.", code="applicant_required")]
    kind = a.kind
    if kind not in Dossier.ApplicantKind.values:
        return {}, [
            InvalidInput(
                f"Loại người nộp “{kind}” không hợp lệ: chọn cá nhân (person) hoặc tổ chức (organisation).",
                details={"field": "applicant.kind"},
            )
        ]
    problems: list[InvalidInput] = []

    def check(rule: Callable[..., Any], *args: Any) -> Any:
        try:
            return rule(*args)
        except InvalidInput as exc:
            problems.append(exc)
            return None

    person = kind == Dossier.ApplicantKind.PERSON
    name = check(
        _required,
        a.name,
        "Nhập họ và tên người nộp hồ sơ." if person else "Nhập tên tổ chức, doanh nghiệp.",
        "applicant.name",
    )
    out: dict[str, Any] = {
        "applicant_kind": kind,
        "applicant_name": (name or "")[:300],
        "citizen_id": "",
        "date_of_birth": None,
        "tax_code": "",
        "representative": "",
        "address": (a.address or "").strip()[:500],
    }
    if person:
        dob = check(_date_of_birth, a)
        out["date_of_birth"] = dob
        out["citizen_id"] = check(validate_citizen_id, a.citizen_id, dob) or ""
    else:
        # An organisation applies through its tax code and its legal representative.
        out["tax_code"] = check(_tax_code, a.tax_code) or ""
        out["representative"] = (
            check(_required, a.representative, "Nhập họ tên người đại diện.", "applicant.representative")
            or ""
        )[:200]
        if a.citizen_id:
            out["citizen_id"] = check(validate_citizen_id, a.citizen_id) or ""
    out["phone"] = check(clean_phone, a.phone) or ""
    out["email"] = check(_email, a.email) or ""
    return out, problems


def applicant_problems(a: ApplicantData) -> list[InvalidInput]:
    """Every problem of the applicant's data (a form shows them all at once)."""
    return _check_applicant(a)[1]


def clean_applicant(a: ApplicantData) -> dict[str, Any]:
    """The applicant's fields of the dossier, or the first problem (InvalidInput)."""
    out, problems = _check_applicant(a)
    if problems:
        raise problems[0]
    return out


# A dossier's channel (Dossier.Channel: 1 counter, 2 online, 3 post) → the catalogue's, in which
# a required document names the channels it applies to (RequiredDocument.channels).
CATALOGUE_CHANNEL = {
    Dossier.Channel.COUNTER: Channel.COUNTER,
    Dossier.Channel.ONLINE: Channel.ONLINE,
    Dossier.Channel.POST: Channel.POST,
}
SUBMITTED_THROUGH = {
    Dossier.Channel.COUNTER: "nộp trực tiếp",
    Dossier.Channel.ONLINE: "nộp trực tuyến",
    Dossier.Channel.POST: "gửi qua bưu chính",
}


def documents_for_channel(documents: Iterable[RequiredDocument], channel: int) -> list[RequiredDocument]:
    """The procedure's documents that apply to a dossier submitted through ``channel``."""
    wanted = CATALOGUE_CHANNEL[Dossier.Channel(channel)]
    return [d for d in documents if d.applies_to(wanted)]


def is_required(document: RequiredDocument) -> bool:
    """A document every dossier must have: mandatory, for no particular case, and not itself an
    alternative to another requirement."""
    return document.mandatory and not document.condition.strip() and not document.alternative_of


@dataclass
class Intake:
    procedure: Procedure
    receiving: Agency
    handling: Agency
    offering: Offering
    applicant: dict
    documents: list[tuple[RequiredDocument, DocumentInput]]
    required: list[RequiredDocument]
    channel: int
    result_delivery: str
    # From the catalogue's shared intake reference (read-only): None to look them up.
    fees: tuple[dict, ...] | None = None
    steps_by_agency: dict[int | None, tuple[dict, ...]] | None = None
    # Every document of the procedure, whatever its channel (for the snapshot): None to look up.
    catalogue_documents: tuple[RequiredDocument, ...] | None = None


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


def clean_intake(actor: Any, data: IntakeData | None, *, counter: bool = True) -> Intake:
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
        found_agency = Agency.objects.select_related("schedule").filter(code=code, active=True).first()
        if found_agency is None:
            raise NotFound(
                f"Không tìm thấy cơ quan có mã định danh “{code}”.",
                code="agency_not_found",
                details={"field": "receiving_agency"},
            )
        receiving = found_agency
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
    channel = int(data.channel)
    required = documents_for_channel(reference.documents, channel)
    by_code = {d.code: d for d in reference.documents}
    documents: list[tuple[RequiredDocument, DocumentInput]] = []
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
        if not req.applies_to(CATALOGUE_CHANNEL[Dossier.Channel(channel)]):
            raise InvalidInput(
                f"{req.code} ({_short(req.name)}) chỉ áp dụng khi nộp {channels_label(req.channels)}, "
                f"không thuộc hồ sơ {SUBMITTED_THROUGH[Dossier.Channel(channel)]}.",
                code="document_not_for_channel",
                details={"field": "documents", "requirement": req.code, "channels": list(req.channels)},
            )
        if item.alternative is not None and (
            type(item.alternative) is not int or not 1 <= item.alternative <= len(req.alternatives)
        ):
            choices = "; ".join(f"{n} – {name}" for n, name in enumerate(req.alternatives, start=1))
            raise InvalidInput(
                f"Giấy tờ thay thế số “{item.alternative}” của {req.code} không hợp lệ"
                + (f": chọn {choices}." if choices else ": thành phần này không có giấy tờ thay thế."),
                code="document_alternative_invalid",
                details={"field": "documents", "requirement": req.code},
            )
        if item.copy_kind not in DossierDocument.CopyKind.values:
            raise InvalidInput(
                f"Loại bản “{item.copy_kind}” của {req.code} không hợp lệ: "
                "original, certified_copy hoặc photocopy.",
                details={"field": "documents", "requirement": item.requirement},
            )
        if type(item.count) is not int or not 1 <= item.count <= 100:  # bool is not a count
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
        channel=channel,
        result_delivery=data.result_delivery,
        fees=reference.fees,
        steps_by_agency=reference.steps_by_agency,
        catalogue_documents=reference.documents,
    )


def _short(name: str, length: int = 80) -> str:
    name = " ".join(name.split())
    return name if len(name) <= length else name[: length - 1] + "…"


def missing_mandatory(
    intake_required: list[RequiredDocument], given_codes: set[str]
) -> list[RequiredDocument]:
    """The required documents (``is_required``) of ``intake_required`` — the documents of the
    dossier's channel (``documents_for_channel``) — that neither were handed in nor had a
    document that may replace them (``alternative_of``) handed in instead."""
    replaced = {d.alternative_of for d in intake_required if d.alternative_of and d.code in given_codes}
    return [
        d for d in intake_required if is_required(d) and d.code not in given_codes and d.code not in replaced
    ]


def missing_documents_message(missing: Sequence[RequiredDocument], channel: int) -> str:
    """What is missing, for the dossier's channel: "Hồ sơ nộp trực tiếp chưa đủ giấy tờ bắt buộc:
    TP04 – Giấy chứng sinh hoặc Văn bản của người làm chứng … hoặc Giấy cam đoan về việc sinh"."""
    parts = []
    for d in missing:
        name = " hoặc ".join(d.alternatives) if d.alternatives else d.name
        parts.append(f"{d.code} – {_short(name, 120)}")
    return f"Hồ sơ {SUBMITTED_THROUGH[Dossier.Channel(channel)]} chưa đủ giấy tờ bắt buộc: " + "; ".join(
        parts
    )


def received_name(req: RequiredDocument | None, item: DocumentInput) -> str:
    """What was handed in: the alternative chosen, else the requirement's name."""
    if req is None:
        return item.requirement
    if item.alternative and 1 <= item.alternative <= len(req.alternatives):
        return req.alternatives[item.alternative - 1]
    return req.name


def document_rows(
    dossier: Dossier, documents: Sequence[tuple[RequiredDocument | None, DocumentInput]]
) -> list[DossierDocument]:
    return [
        DossierDocument(
            dossier=dossier,
            requirement=req,
            requirement_code=req.code if req else item.requirement,
            name=received_name(req, item),
            copy_kind=item.copy_kind,
            count=item.count,
            order=index,
        )
        for index, (req, item) in enumerate(documents, start=1)
    ]


def procedure_snapshot(intake: Intake) -> dict:
    procedure = intake.procedure
    amount = procedure.processing_time
    assert amount is not None  # clean_intake refuses a procedure without a time (has_time)
    if intake.offering.local_time:
        amount = intake.offering.local_time
    if intake.channel == Dossier.Channel.ONLINE and procedure.online_time:
        amount = min(amount, procedure.online_time)
    if intake.steps_by_agency is None or intake.fees is None or intake.catalogue_documents is None:
        reference = intake_reference(procedure.code)
        if reference is None:
            raise NotFound(
                f"Không tìm thấy thủ tục hành chính mã “{procedure.code}”.", code="procedure_not_found"
            )
        intake.fees, intake.steps_by_agency = reference.fees, reference.steps_by_agency
        intake.catalogue_documents = reference.documents
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
        # The documents as the catalogue asked for them at reception, with the channels each
        # applies to and the papers that may replace one another.
        "channel": CATALOGUE_CHANNEL[Dossier.Channel(intake.channel)].value,
        "documents": [
            {
                "code": d.code,
                "name": d.name,
                "mandatory": d.mandatory,
                "condition": d.condition,
                "present_only": d.present_only,
                "channels": list(d.channels),
                "alternatives": list(d.alternatives),
                "alternative_of": d.alternative_of,
            }
            for d in intake.catalogue_documents or ()
        ],
    }


MAX_SUPPLEMENT_ITEMS = 30


def supplement_item_problem(name: str, reason: str) -> tuple[str, str] | None:
    """What is wrong with one item of a supplement request (Mẫu 02 says what is missing *and
    why*): ("name" | "reason", message), or None for a complete or an empty item."""
    name, reason = (name or "").strip(), (reason or "").strip()
    if name and not reason:
        return "reason", "Ghi rõ lý do cần bổ sung."
    if reason and not name:
        return "name", "Ghi tên giấy tờ, nội dung cần bổ sung."
    return None


def clean_supplement_items(items: Any) -> list[dict[str, str]]:
    """The items of a supplement request, each with what is missing and why; at least one."""
    cleaned = []
    for index, item in enumerate(items or [], start=1):
        if isinstance(item, dict):
            item = SupplementItem(name=item.get("name", ""), reason=item.get("reason", ""))
        if not isinstance(item, SupplementItem):
            raise InvalidInput(f"Nội dung yêu cầu bổ sung thứ {index} không hợp lệ.")
        name = (item.name or "").strip()
        reason = (item.reason or "").strip()
        problem = supplement_item_problem(name, reason)
        if problem or not name:
            raise InvalidInput(
                f"Nội dung yêu cầu bổ sung thứ {index}: phải ghi rõ giấy tờ cần bổ sung và lý do.",
                code="supplement_item_incomplete",
                details={"item": index, "field": problem[0] if problem else "name"},
            )
        cleaned.append({"name": name[:500], "reason": reason[:1000]})
    if not cleaned:
        raise InvalidInput(
            "Vui lòng ghi ít nhất một nội dung cần bổ sung, hoàn thiện (giấy tờ và lý do).",
            code="supplement_items_required",
        )
    if len(cleaned) > MAX_SUPPLEMENT_ITEMS:
        raise InvalidInput(
            f"Một phiếu yêu cầu bổ sung ghi tối đa {MAX_SUPPLEMENT_ITEMS} nội dung.",
            code="supplement_items_too_many",
        )
    return cleaned


def supplement_items_text(items: list[dict]) -> str:
    return "Cần bổ sung: " + "; ".join(f"{i['name']} ({i['reason']})" for i in items) + "."
