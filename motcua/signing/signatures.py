"""PAdES signatures with pyHanko: adding one (``sign``) and checking every one a PDF carries
against the configured trust anchors (``verify``), without any network (no revocation check:
the province's CA answers OCSP on its own network, README says how to add it).

A verdict per signature and for the document:

- ``valid``: the signed bytes are unchanged, the signer's certificate chains to an anchor of
  ``SIGNING_TRUST_ANCHORS``, and whatever was added after it is only further signatures;
- ``modified``: the document was changed after this signature (its bytes, or a later revision
  that changes content);
- ``untrusted``: the signature matches the document but the certificate does not chain to an
  anchor (an unknown signer);
- ``broken``: the signature cannot be read or checked;
- for the document, ``unsigned``: no signature at all; ``unreadable``: not a PDF pyHanko reads.
"""

import asyncio
import hashlib
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from motcua.signing.keys import certificates_from_pem, signer_for
from motcua.signing.models import AgencySigner

logger = logging.getLogger(__name__)

VERDICT_TEXT = {
    "valid": "Chữ ký hợp lệ: văn bản không bị thay đổi kể từ khi ký.",
    "modified": "Văn bản đã bị thay đổi sau khi ký: chữ ký không còn khớp với nội dung.",
    "untrusted": (
        "Chữ ký khớp với nội dung nhưng chứng thư số của người ký không do tổ chức chứng thực "
        "được công nhận cấp: không xác định được người ký."
    ),
    "broken": "Không kiểm tra được chữ ký này (dữ liệu chữ ký bị hỏng hoặc không đúng chuẩn).",
}
DOCUMENT_TEXT = {
    "valid": "Văn bản hợp lệ: mọi chữ ký số đều đúng và văn bản không bị thay đổi kể từ khi ký.",
    "invalid": "Văn bản KHÔNG hợp lệ.",
    "unsigned": "Tệp này không có chữ ký số nào.",
    "unreadable": "Không đọc được tệp: đây không phải tệp PDF hợp lệ.",
}


@dataclass
class SignatureCheck:
    field: str
    verdict: str
    signer_name: str = ""
    organisation: str = ""
    signed_at: datetime | None = None
    certificate_serial: str = ""

    @property
    def message(self) -> str:
        return VERDICT_TEXT[self.verdict]

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


@dataclass
class DocumentCheck:
    verdict: str
    sha256: str
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    @property
    def message(self) -> str:
        text = DOCUMENT_TEXT[self.verdict]
        if self.verdict == "invalid":
            reasons = sorted({s.message for s in self.signatures if not s.ok})
            text = " ".join([text, *reasons])
        return text

    def summary(self) -> dict:
        """What the audit log keeps of a check (no personal data: names of signers only)."""
        return {
            "verdict": self.verdict,
            "sha256": self.sha256,
            "signatures": [
                {
                    "field": s.field,
                    "verdict": s.verdict,
                    "signer": s.signer_name,
                    "serial": s.certificate_serial,
                }
                for s in self.signatures
            ],
        }


# ---------------------------------------------------------------------------------------------
# Trust anchors


def trust_anchors() -> list[asn1_x509.Certificate]:
    return list(_anchors(tuple(getattr(settings, "SIGNING_TRUST_ANCHORS", ()) or ())))


@cache
def _anchors(paths: tuple[str, ...]) -> tuple[asn1_x509.Certificate, ...]:
    found: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            found.extend(certificates_from_pem(Path(path).read_bytes()))
        except OSError:
            # Configuration, not input: said loudly in the log, the checks then trust nothing more.
            logger.error("SIGNING_TRUST_ANCHORS: cannot read %s", path)
    return tuple(found)


def validation_context() -> ValidationContext:
    # A list, never None: None would mean the operating system's trust store.
    return ValidationContext(trust_roots=trust_anchors(), allow_fetching=False, revocation_mode="soft-fail")


# ---------------------------------------------------------------------------------------------
# Signing


def sign(pdf: bytes, agency_signer: AgencySigner, *, field_name: str, reason: str, location: str) -> bytes:
    """``pdf`` with one more PAdES signature (an incremental update: earlier signatures stay)."""
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = _without_running_loop(signers.sign_pdf, writer, meta, signer=signer_for(agency_signer))
    return out.getvalue()


def _without_running_loop[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's synchronous signing and validation run their own event loop (``asyncio.run``):
    in a thread of their own when the caller already has one running (an ASGI server's thread, a
    test driving a browser, a management command called from one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# ---------------------------------------------------------------------------------------------
# Checking


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    try:
        return str(cert.subject.native.get(key, "") or "")
    except (ValueError, TypeError):
        return ""


def _validate(embedded, context: ValidationContext):
    return _without_running_loop(validate_pdf_signature, embedded, context)


def _check_one(embedded, context: ValidationContext) -> SignatureCheck:
    name = embedded.field_name or ""
    try:
        status = _validate(embedded, context)
    except (SignatureValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.info("signature %s unreadable: %s", name, exc)
        return SignatureCheck(field=name, verdict="broken")
    cert = status.signing_cert
    check = SignatureCheck(
        field=name,
        verdict="valid",
        signer_name=_name_part(cert, "common_name"),
        organisation=_name_part(cert, "organization_name"),
        signed_at=status.signer_reported_dt,
        certificate_serial=format(cert.serial_number, "x"),
    )
    later_changes_ok = (
        status.modification_level is None or status.modification_level <= ModificationLevel.FORM_FILLING
    )
    if not status.intact or not later_changes_ok or status.docmdp_ok is False:
        check.verdict = "modified"
    elif not status.valid:
        check.verdict = "broken"
    elif not status.trusted:
        check.verdict = "untrusted"
    return check


def verify(data: bytes) -> DocumentCheck:
    digest = hashlib.sha256(data).hexdigest()
    if not data.startswith(b"%PDF-"):
        return DocumentCheck("unreadable", digest)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001 — any parse failure of untrusted input is "unreadable"
        logger.info("verify: unreadable PDF: %s", exc)
        return DocumentCheck("unreadable", digest)
    if not embedded:
        return DocumentCheck("unsigned", digest)
    context = validation_context()
    checks = []
    for item in embedded:
        try:
            checks.append(_check_one(item, context))
        except Exception as exc:  # noqa: BLE001 — a malformed signature of untrusted input
            logger.info("verify: signature unreadable: %s", exc)
            checks.append(SignatureCheck(field=getattr(item, "field_name", "") or "", verdict="broken"))
    verdict = "valid" if all(c.ok for c in checks) else "invalid"
    return DocumentCheck(verdict, digest, checks)
