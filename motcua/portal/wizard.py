"""What the submission wizard knows of a procedure and a draft, without writing anything: the
documents asked online, the places that receive it, whom a dossier may be for, the applicant
prefilled from the account, and the draft turned into the dossier services' ``IntakeData``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from motcua.catalog import selectors as catalog_selectors
from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.places import Place, places_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantData, DocumentInput, IntakeData, SubmitterData
from motcua.dossiers.services.intake import documents_for_channel, is_required
from motcua.dossiers.services.online_input import AUTHORITY_CODE, AUTHORITY_NAME, authority_documents

ONLINE_LEVELS = (Procedure.OnlineLevel.FULL, Procedure.OnlineLevel.PARTIAL)

# Whom the dossier is for ("nộp thay"): the relation recorded with the submitter.
WHOM_CHOICES = {
    "self": "Cho bản thân tôi (hoặc tổ chức của tài khoản này)",
    "child": "Cho con tôi (cha, mẹ hoặc người giám hộ nộp thay)",
    "attorney": "Cho người đã ủy quyền cho tôi (có văn bản ủy quyền)",
    "organisation": "Cho cơ quan, tổ chức, doanh nghiệp nơi tôi làm việc",
}
# The submitter's relation as the dossier services record it (SubmitterData.relation).
RELATION_OF_WHOM = {"child": "guardian", "attorney": "authorised", "organisation": "organisation_staff"}

APPLICANT_FIELDS = (
    "kind",
    "name",
    "citizen_id",
    "date_of_birth",
    "tax_code",
    "representative",
    "phone",
    "email",
    "address",
)


def online_documents(procedure: Procedure) -> list[RequiredDocument]:
    """The procedure's documents that apply to an online dossier, in the catalogue's order."""
    return documents_for_channel(procedure.documents.all(), Dossier.Channel.ONLINE)


@dataclass(frozen=True)
class DocumentRow:
    """One upload of the wizard: a document of the procedure, or the authority document asked of
    someone submitting for another when the procedure names none (``AUTHORITY_CODE``)."""

    code: str
    name: str
    required: bool
    condition: str
    alternatives: tuple[str, ...]
    authority: bool


def document_rows(draft: Any) -> list[DocumentRow]:
    """The uploads of a draft: the online documents (not those only shown at the counter), and
    the authority document when the draft is for someone else."""
    documents = online_documents(draft.procedure)
    rows = [
        DocumentRow(
            code=d.code,
            name=d.name,
            required=is_required(d),
            condition=d.condition,
            alternatives=tuple(d.alternatives),
            authority=False,
        )
        for d in documents
        if not d.present_only
    ]
    if (draft.data or {}).get("whom", "self") != "self":
        named = {d.code for d in authority_documents(documents)}
        if named:
            # The only paper the procedure names for the authority becomes required.
            rows = [
                replace(r, required=True, authority=True) if r.code in named and len(named) == 1 else r
                for r in rows
            ]
        else:
            rows.append(DocumentRow(AUTHORITY_CODE, AUTHORITY_NAME, True, "", (), True))
    return rows


def places(procedure: Procedure) -> list[Place]:
    """Where the dossier can be received (one place per handling agency)."""
    return places_for(list(catalog_selectors.procedure_offering_agencies(procedure)))


def place_key(place: Place) -> str:
    return f"{place.office.code}|{place.agency.code}"


def applicant_from_profile(user: Any, whom: str) -> dict[str, Any]:
    """The applicant's fields prefilled from the account: the person (or the organisation of an
    organisation account) for "self", the organisation's for "organisation", else blank."""
    profile = getattr(user, "profile", None)
    blank = dict.fromkeys(APPLICANT_FIELDS, "")
    if whom == "self":
        if getattr(user, "kind", "") == "organisation":
            return {
                **blank,
                "kind": Dossier.ApplicantKind.ORGANISATION.value,
                "name": getattr(profile, "organisation_name", "") or user.full_name,
                "tax_code": getattr(profile, "tax_code", ""),
                "representative": getattr(profile, "representative", ""),
                "phone": user.phone,
                "email": user.email,
                "address": getattr(profile, "address", ""),
            }
        dob = getattr(profile, "date_of_birth", None)
        return {
            **blank,
            "kind": Dossier.ApplicantKind.PERSON.value,
            "name": user.full_name,
            "citizen_id": getattr(profile, "citizen_id", ""),
            "date_of_birth": dob.isoformat() if dob else "",
            "phone": user.phone,
            "email": user.email,
            "address": getattr(profile, "address", ""),
        }
    if whom == "organisation":
        return {**blank, "kind": Dossier.ApplicantKind.ORGANISATION.value}
    return {**blank, "kind": Dossier.ApplicantKind.PERSON.value}


def submitter_from_account(user: Any) -> dict[str, str]:
    profile = getattr(user, "profile", None)
    return {"name": user.full_name, "citizen_id": getattr(profile, "citizen_id", "")}


def applicant_data(draft_data: dict[str, Any]) -> ApplicantData:
    values = draft_data.get("applicant") or {}
    return ApplicantData(
        kind=str(values.get("kind") or Dossier.ApplicantKind.PERSON.value),
        name=str(values.get("name") or ""),
        citizen_id=str(values.get("citizen_id") or ""),
        date_of_birth=values.get("date_of_birth") or None,
        tax_code=str(values.get("tax_code") or ""),
        representative=str(values.get("representative") or ""),
        phone=str(values.get("phone") or ""),
        email=str(values.get("email") or ""),
        address=str(values.get("address") or ""),
    )


@dataclass(frozen=True)
class PlaceChoice:
    receiving: str
    handling: str


def chosen_place(procedure: Procedure, draft_data: dict[str, Any]) -> PlaceChoice | None:
    """The place chosen in the draft, or the only one when there is one."""
    options = places(procedure)
    key = draft_data.get("place") or ""
    for place in options:
        if place_key(place) == key:
            return PlaceChoice(place.office.code, place.agency.code)
    if len(options) == 1:
        return PlaceChoice(options[0].office.code, options[0].agency.code)
    return None


def draft_intake(draft: Any) -> IntakeData:
    """The draft as the dossier services take it (the channel is online)."""
    data = draft.data or {}
    place = chosen_place(draft.procedure, data)
    alternatives = data.get("alternatives") or {}
    codes = list(
        dict.fromkeys(draft.files.order_by("requirement_code").values_list("requirement_code", flat=True))
    )
    applicant = applicant_data(data)
    if data.get("result_delivery") == Dossier.ResultDelivery.POST and data.get("delivery_address"):
        # The result goes by post to this address: it is the applicant's address on the dossier.
        applicant.address = str(data["delivery_address"])
    return IntakeData(
        procedure=draft.procedure.code,
        receiving_agency=place.receiving if place else "",
        handling_agency=place.handling if place else None,
        channel=Dossier.Channel.ONLINE,
        result_delivery=str(data.get("result_delivery") or ""),
        applicant=applicant,
        documents=[
            DocumentInput(
                requirement=code,
                copy_kind="photocopy",
                count=1,
                alternative=int(alternatives[code]) if str(alternatives.get(code, "")).isdigit() else None,
            )
            for code in codes
        ],
    )


def submitter_data(draft: Any) -> SubmitterData | None:
    """Who submits for the applicant (None when it is the account's own dossier)."""
    data = draft.data or {}
    relation = RELATION_OF_WHOM.get(data.get("whom") or "self")
    if relation is None:
        return None
    submitter = data.get("submitter") or submitter_from_account(draft.owner)
    return SubmitterData(
        relation=relation,
        name=str(submitter.get("name") or ""),
        citizen_id=str(submitter.get("citizen_id") or ""),
    )
