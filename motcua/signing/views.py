"""The public verification page ``/xac-thuc/`` (no sign-in) and the citizen's download of an
e-result.

- ``POST /xac-thuc/`` with a PDF: every signature it carries is checked (``signatures.verify``)
  and, if the very same bytes are a result issued here, what the tracking page would say of it.
- ``GET /xac-thuc/ket-qua/<code>/<token>/``: the address in the result's QR code; the stored
  result is checked. A code without its token (guessable) shows the same "not found" as a
  code that does not exist.

Each check is recorded in the audit log (``signing.verify_upload``, ``signing.verify_qr``).
Nothing uploaded is kept.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from motcua.audit.services import audit_record
from motcua.dossiers.files import _megabytes
from motcua.lib.clients import client_ip
from motcua.signing import selectors, signatures

DEFAULT_VERIFY_MAX_BYTES = 20 * 1024 * 1024
NOT_FOUND = (
    "Không tìm thấy kết quả điện tử với mã và mã xác thực này. Hãy quét lại mã QR trên văn bản, "
    "hoặc tải tệp PDF của văn bản lên để kiểm tra chữ ký số."
)
# Room for the multipart envelope around the file itself.
ENVELOPE_BYTES = 64 * 1024


def verify_max_bytes() -> int:
    return int(getattr(settings, "SIGNING_VERIFY_MAX_BYTES", DEFAULT_VERIFY_MAX_BYTES))


def _too_large_message() -> str:
    return (
        f"Tệp gửi lên quá lớn: chỉ kiểm tra được tệp PDF đến {_megabytes(verify_max_bytes())}. "
        "Tệp không được lưu lại."
    )


def _respond(request, context: dict, status: int = 200):
    base = {"limit": _megabytes(verify_max_bytes()), "check": None, "facts": None, "error": None, "via": ""}
    response = render(request, "signing/verify.html", {**base, **context}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    if request.method != "POST":
        return _respond(request, {})
    ip = client_ip(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    uploaded = None if length > verify_max_bytes() + ENVELOPE_BYTES else request.FILES.get("tep")
    if length > verify_max_bytes() + ENVELOPE_BYTES or (
        uploaded is not None and uploaded.size > verify_max_bytes()
    ):
        audit_record(action="signing.verify_upload", extra={"verdict": "too_large", "bytes": length}, ip=ip)
        return _respond(request, {"error": _too_large_message()}, status=413)
    if uploaded is None:
        return _respond(request, {"error": "Hãy chọn tệp PDF của văn bản cần kiểm tra."}, status=400)
    check = signatures.verify(uploaded.read())
    known = selectors.eresult_by_sha256(check.sha256) if check.ok else None
    audit_record(
        action="signing.verify_upload",
        extra={**check.summary(), "result_code": known.code if known else ""},
        ip=ip,
    )
    facts = selectors.public_facts(known) if known else None
    return _respond(request, {"check": check, "facts": facts, "via": "upload"}, status=200)


@never_cache
@require_GET
def result(request, code: str, token: str):
    found = selectors.eresult_by_qr(code, token)
    ip = client_ip(request)
    if found is None:
        audit_record(action="signing.verify_qr", extra={"result_code": code[:80], "found": False}, ip=ip)
        return _respond(request, {"error": NOT_FOUND}, status=404)
    with found.file.open("rb") as handle:
        check = signatures.verify(handle.read())
    audit_record(
        action="signing.verify_qr",
        obj=found,
        extra={**check.summary(), "result_code": found.code, "found": True},
        ip=ip,
    )
    return _respond(request, {"check": check, "facts": selectors.public_facts(found), "via": "qr"})


@require_GET
@login_required
def download(request, uid: str):
    found = selectors.citizen_result(request.user, uid)
    if found is None:
        raise Http404("Không tìm thấy kết quả điện tử này trong hồ sơ của ông/bà.")
    response = FileResponse(found.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{found.code}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
