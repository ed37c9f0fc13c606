"""The result PDF before it is signed: checked when an officer attaches it, or rendered from a
template; then stamped on its first page with its code ``{dossier code}-KQ{n}`` and a QR code to
the verification page (the stamp is covered by the signatures)."""

import io
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError

from motcua.dossiers import printing
from motcua.dossiers.files import _megabytes
from motcua.dossiers.models import Dossier
from motcua.lib.errors import InvalidInput

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NOT_A_PDF = "Tệp kết quả “{name}” không phải tệp PDF hợp lệ. Hãy đính kèm bản PDF của văn bản kết quả."


def result_max_bytes() -> int:
    return int(getattr(settings, "SIGNING_RESULT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_result_pdf(uploaded) -> bytes:
    """The bytes of an attached result: a PDF (magic bytes, and pypdf reads its pages), not
    encrypted, within ``SIGNING_RESULT_MAX_BYTES``; otherwise InvalidInput (nothing is kept)."""
    name = (getattr(uploaded, "name", "") or "tep")[:120]
    limit = result_max_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise InvalidInput(
            f"Tệp kết quả “{name}” lớn hơn {_megabytes(limit)}.",
            code="file_too_large",
            details={"limit": limit},
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"Tệp kết quả “{name}” lớn hơn {_megabytes(limit)}.",
            code="file_too_large",
            details={"limit": limit},
        )
    if not data.startswith(b"%PDF-"):
        raise InvalidInput(NOT_A_PDF.format(name=name), code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidInput(
                f"Tệp kết quả “{name}” có đặt mật khẩu. Hãy đính kèm bản PDF không đặt mật khẩu.",
                code="pdf_encrypted",
            )
        if len(reader.pages) == 0:
            raise InvalidInput(NOT_A_PDF.format(name=name), code="not_pdf")
        reader.pages[0].mediabox  # noqa: B018 — reading the first page proves the page tree
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise InvalidInput(NOT_A_PDF.format(name=name), code="not_pdf") from None
    return data


def render_result_pdf(dossier: Dossier, *, title: str, leader_name: str, now: datetime) -> bytes:
    """The result drawn up by the system (A4): the decision to grant what the dossier asked."""
    agency = dossier.handling_agency
    context = {
        "title": title,
        "code": dossier.code,
        "agency": printing.agency_context(agency),
        "date_line": printing.date_line(agency, now),
        "applicant": printing.applicant_context(dossier),
        "procedure_name": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        "received_date": printing.fmt_date(dossier.received_at),
        "leader_name": leader_name,
    }
    return printing.html_to_pdf(render_to_string("signing/result_document.html", context))


def stamp(pdf: bytes, *, code: str, url: str) -> bytes:
    """``pdf`` with the result's code and the QR code to ``url`` drawn at the foot of page 1."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    overlay_pdf = printing.html_to_pdf(
        render_to_string(
            "signing/stamp.html",
            {"size": f"{width:.2f}pt {height:.2f}pt", "code": code, "qr": printing.qr_png_data_uri(url)},
        )
    )
    overlay = PdfReader(io.BytesIO(overlay_pdf)).pages[0]
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    # Placed over the page as it is shown (a page may be rotated or have its box moved).
    left, bottom = float(page.mediabox.left), float(page.mediabox.bottom)
    page.merge_transformed_page(overlay, Transformation().translate(left, bottom), over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
