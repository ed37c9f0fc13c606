"""Demo signing keys (``make run``): a demo certification authority made at demo load under
``SIGNING_DEMO_DIR`` (var/, never in git), a seal certificate for each agency that handles
dossiers and a leader certificate for each of their leaders, and one returned demo dossier whose
e-result is signed by both. Prints the verification address of that result."""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from motcua.dossiers.models import Dossier
from motcua.org.models import Membership
from motcua.signing import pki, selectors, services
from motcua.signing.models import AgencySigner, EResult


def _ca(folder: Path) -> pki.Issued:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / "ca.pem", folder / "ca.key"
    if cert_path.exists() and key_path.exists():
        return pki.Issued(
            x509.load_pem_x509_certificate(cert_path.read_bytes()),
            serialization.load_pem_private_key(key_path.read_bytes(), password=None),  # type: ignore[arg-type]
        )
    ca = pki.make_ca("CA dùng thử motcua (chỉ cho dữ liệu mẫu)", organisation="motcua – dữ liệu mẫu")
    ca.write(folder, "ca")
    return ca


def _ensure(ca: pki.Issued, folder: Path, *, agency, kind: str, user=None) -> AgencySigner:
    found = AgencySigner.objects.filter(agency=agency, kind=kind, user=user, active=True).first()
    if found is not None and Path(found.key_ref.removeprefix("file:")).exists():
        return found
    name = (user.full_name or user.username) if user is not None else agency.name
    issued = pki.issue(ca, name, agency.name)
    stem = f"{agency.code}-{kind}" + (f"-{user.username}" if user is not None else "")
    cert_path, key_path = issued.write(folder / "keys", stem)
    return services.signer_register(
        agency=agency, kind=kind, user=user, certificate_pem=cert_path.read_text(), key_ref=f"file:{key_path}"
    )


def build_demo_signing(*, org, stdout=None) -> EResult | None:
    folder = Path(settings.SIGNING_DEMO_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    ca = _ca(folder)
    agencies = [*org.commune_agencies, *org.province_agencies]
    leaders = Membership.objects.filter(
        agency__in=agencies, role=Membership.Role.LEADER, active=True
    ).select_related("user", "agency")
    with transaction.atomic():
        for agency in agencies:
            _ensure(ca, folder, agency=agency, kind=AgencySigner.Kind.SEAL)
        for membership in leaders:
            _ensure(ca, folder, agency=membership.agency, kind=AgencySigner.Kind.LEADER, user=membership.user)
    result = _demo_result(leaders)
    if stdout is not None and result is not None:
        stdout.write("")
        stdout.write(f"Kết quả điện tử mẫu (đã ký số): {result.code} — hồ sơ {result.dossier.code}")
        stdout.write(f"  Xác thực (mã QR trên văn bản): {services.verify_url(result.code, result.token)}")
        stdout.write(f"  Tệp: {result.file.path if hasattr(result.file, 'path') else result.file.name}")
        stdout.write(
            f"  Kiểm tra bằng pdfsig: certutil -N --empty-password -d sql:DIR; certutil -A -t C,C,C -n ca "
            f"-i {folder / 'ca.pem'} -d sql:DIR; pdfsig -nssdir sql:DIR <tệp>"
        )
    return result


def _demo_result(leaders) -> EResult | None:
    """One returned, granted dossier (a demo citizen's when there is one) with its e-result."""
    existing = EResult.objects.filter(issued_at__isnull=False).select_related("dossier").first()
    if existing is not None:
        return existing
    by_agency = {m.agency_id: m.user for m in leaders}
    returned = Dossier.objects.filter(
        state=Dossier.State.RETURNED, outcome=Dossier.Outcome.APPROVED, handling_agency_id__in=list(by_agency)
    ).order_by(F("owner").asc(nulls_last=True), "-returned_at")
    dossier = returned.select_related("procedure", "handling_agency").first()
    if dossier is None:
        return None
    with transaction.atomic():
        # The demo dossiers are simulated rows (motcua/dossiers/demo), already approved and
        # returned: the leader's signature and the issue are added as if done then.
        result = services._sign_at_approval(
            actor=by_agency[dossier.handling_agency_id], dossier=dossier, pdf=None, ip=None
        )
        issued = services.eresult_issue(result=result)
    assert selectors.eresult_by_qr(issued.code, issued.token) is not None
    return issued
