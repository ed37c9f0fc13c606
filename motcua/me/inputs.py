"""What the citizen's API reads from a request (``motcua/me/api.py``): the JSON part of a
multipart body, its files, the applicant, the Idempotency-Key; and how the OpenAPI description
shows such a body."""

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from ninja.errors import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from motcua.accounts.models import User
from motcua.dossiers import services
from motcua.lib.errors import InvalidInput
from motcua.me import schemas
from motcua.me.outputs import profile_of


def parse_json_part[T: BaseModel](schema: type[T], raw: str, field: str = "data") -> T:
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


def uploaded_files(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    """Files of a multipart request, keyed by the field's name: the requirement's code (TP01)."""
    return {name: request.FILES.getlist(name) for name in request.FILES}


def stored_files(documents: list[schemas.MeDocumentIn]) -> dict[str, list[Any]]:
    """Files picked from the citizen's own store, by id (the service checks they are theirs)."""
    return {
        doc.requirement.strip(): [services.StoredFileRef(file_id=i) for i in doc.stored_files]
        for doc in documents
        if doc.stored_files
    }


def files_of(request: HttpRequest, documents: list[schemas.MeDocumentIn]) -> dict[str, list[Any]]:
    files: dict[str, list[Any]] = {k: list(v) for k, v in uploaded_files(request).items()}
    for requirement, refs in stored_files(documents).items():
        files.setdefault(requirement, []).extend(refs)
    return files


def file_hashes(request: HttpRequest) -> list[tuple[str, bytes]]:
    hashes = []
    for name, files in uploaded_files(request).items():
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            hashes.append((f"{name}/{upload.name}", digest.digest()))
    return hashes


def applicant_of(user: User, given: schemas.MeApplicantIn | None) -> services.ApplicantData:
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
    profile = profile_of(user)
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


def idempotency_key(request: HttpRequest) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and len(key) > 100:
        raise InvalidInput("Idempotency-Key dài quá 100 ký tự.", details={"Idempotency-Key": len(key)})
    return key


MULTIPART_DESCRIPTION = (
    "multipart/form-data: phần `data` là JSON ({schema}); mỗi tệp tải lên là một phần mang tên mã "
    "thành phần hồ sơ (ví dụ `TP01`), nhiều tệp cho một thành phần thì gửi nhiều phần cùng tên. "
    "Tệp PDF, JPEG hoặc PNG. Tệp đã có trong kho tệp của công dân: `documents[].stored_files`."
)


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
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


def multipart_body(schema: type[BaseModel]) -> dict[str, Any]:
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
                                "contentSchema": inlined(schema.model_json_schema()),
                            }
                        },
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        }
    }
