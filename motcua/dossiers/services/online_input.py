"""What an online submission or supplement is given, checked before anything is written: the
files (uploads, or files from the citizen's own store), who submits when it is not the
applicant, and the document that proves their authority."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File

from motcua.catalog.models import RequiredDocument
from motcua.dossiers.files import CheckedFile, validate_upload
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services.intake import validate_citizen_id
from motcua.dossiers.visibility import citizen_visible_q
from motcua.lib.errors import Forbidden, InvalidInput

Relation = Dossier.SubmitterRelation
# Where the procedure names no document proving the submitter's authority, this one is asked
# for anyway (its own code on the dossier's checklist, no catalogue row).
AUTHORITY_CODE = "UQ"
AUTHORITY_NAME = "Văn bản ủy quyền hoặc giấy tờ chứng minh quyền đại diện"
# A required document of the procedure that proves the authority, by its name.
AUTHORITY_WORDS = re.compile(
    r"ủy quyền|uỷ quyền|chứng minh quan hệ|giám hộ|quyền đại diện|người đại diện|giấy giới thiệu",
    re.IGNORECASE,
)
MAX_FILES_PER_DOCUMENT = 20


@dataclass(frozen=True)
class StoredFileRef:
    """A file from the citizen's own store (``selectors.citizen_files``): a file of one of the
    dossiers they see, by its id."""

    file_id: int


@dataclass
class SubmitterData:
    """Who submits, when it is not the applicant: relation (``Dossier.SubmitterRelation``),
    their name and citizen ID."""

    relation: str = Relation.SELF
    name: str = ""
    citizen_id: str = ""


type FileInput = Any  # an UploadedFile (or any file object with a name) or a StoredFileRef


def require_citizen(citizen: Any, doing: str) -> None:
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        raise Forbidden(f"Vui lòng đăng nhập để {doing}.", code="login_required")
    if getattr(citizen, "kind", None) not in ("citizen", "organisation"):
        raise Forbidden(f"Chỉ tài khoản công dân hoặc tổ chức được {doing}.", code="not_citizen")


def clean_submitter(submitter: SubmitterData | None) -> dict[str, str]:
    """The dossier's submitter fields: empty for the applicant themself."""
    if submitter is None:
        return {}
    if not isinstance(submitter, SubmitterData):
        raise InvalidInput("Thông tin người nộp hồ sơ không hợp lệ.", details={"field": "submitter"})
    relation = (submitter.relation or Relation.SELF).strip()
    if relation not in Relation.values:
        raise InvalidInput(
            f"Quan hệ của người nộp “{relation}” không hợp lệ: tự nộp, cha mẹ hoặc người giám hộ, "
            "người được ủy quyền, hoặc nhân viên của tổ chức.",
            code="submitter_relation_invalid",
            details={"field": "submitter_relation"},
        )
    if relation == Relation.SELF:
        return {}
    name = " ".join((submitter.name or "").split())
    if not name:
        raise InvalidInput(
            "Vui lòng nhập họ tên người nộp hồ sơ thay.", code="required", details={"field": "submitter_name"}
        )
    citizen_id = validate_citizen_id(submitter.citizen_id)
    return {
        "submitter_relation": relation,
        "submitter_name": name[:200],
        "submitter_citizen_id": citizen_id,
    }


def authority_documents(documents: Iterable[RequiredDocument]) -> list[RequiredDocument]:
    """The documents (of the dossier's channel) that prove a submitter's authority to act for the
    applicant: a power of attorney, a paper proving the relation or the representation."""
    return [d for d in documents if AUTHORITY_WORDS.search(d.name)]


def check_authority(online_documents: list[RequiredDocument], given: set[str]) -> None:
    """Someone submitting for another must give the document the procedure asks for the authority
    (any one of them), or, where it names none, ``AUTHORITY_NAME``."""
    named = authority_documents(online_documents)
    if named:
        if not given & {d.code for d in named}:
            names = " hoặc ".join(f"{d.code} – {d.name}" for d in named)
            raise InvalidInput(
                f"Nộp hồ sơ thay người khác phải kèm giấy tờ chứng minh quyền đại diện: {names}.",
                code="authority_document_missing",
                details={"missing": [d.code for d in named]},
            )
        return
    if AUTHORITY_CODE not in given:
        raise InvalidInput(
            f"Nộp hồ sơ thay người khác phải kèm {AUTHORITY_NAME[0].lower()}{AUTHORITY_NAME[1:]}.",
            code="authority_document_missing",
            details={"missing": [AUTHORITY_CODE]},
        )


def citizen_file(citizen: Any, ref: StoredFileRef) -> DossierFile:
    """A file of the citizen's own store; the same answer for a file that does not exist and for
    another citizen's file."""
    try:
        file_id = int(ref.file_id)
    except (TypeError, ValueError):
        file_id = 0
    found = (
        DossierFile.objects.filter(pk=file_id)
        .filter(document__dossier__in=Dossier.objects.filter(citizen_visible_q(citizen)).values("pk"))
        .first()
    )
    if found is None:
        raise InvalidInput(
            "Không tìm thấy tệp đã chọn trong kho tệp của ông/bà. Vui lòng chọn lại hoặc tải tệp lên.",
            code="stored_file_not_found",
            details={"file": ref.file_id},
        )
    return found


def _checked(citizen: Any, item: FileInput) -> CheckedFile:
    if isinstance(item, StoredFileRef):
        stored = citizen_file(citizen, item)
        with stored.file.open("rb") as handle:
            content = File(handle, name=os.path.basename(stored.original_name))
            # Checked again: the store holds only checked files, but a file is never trusted.
            return validate_upload(content)
    return validate_upload(item)


def check_files(citizen: Any, files: dict[str, Any] | None) -> dict[str, list[CheckedFile]]:
    """The files of each document code, each checked (type by content, size); documents with no
    file left out. InvalidInput naming the document for a bad file: nothing is written."""
    checked: dict[str, list[CheckedFile]] = {}
    if files is None:
        return checked
    if not isinstance(files, dict):
        raise InvalidInput("Danh sách tệp không hợp lệ.", details={"field": "files"})
    for code, items in files.items():
        code = str(code or "").strip()
        if items is None:
            continue
        if not isinstance(items, list | tuple):
            items = [items]
        if len(items) > MAX_FILES_PER_DOCUMENT:
            raise InvalidInput(
                f"Mỗi giấy tờ đính kèm tối đa {MAX_FILES_PER_DOCUMENT} tệp ({code}).",
                code="too_many_files",
                details={"field": "files", "requirement": code},
            )
        for item in items:
            try:
                one = _checked(citizen, item)
            except InvalidInput as exc:
                exc.message = f"{code}: {exc.message}"
                exc.args = (exc.message,)
                exc.details = {**exc.details, "field": "files", "requirement": code}
                raise
            checked.setdefault(code, []).append(one)
    return checked
