"""Writes of the signing app: the leader signs the result at approval, the agency's seal signs it
when it is issued (at ``finish``, or by the ``issue_pending`` job for a dossier finished through
another path), and the signer keys are registered.

Whose keys: always the dossier's handling agency's, chosen here from the dossier and the actor,
never named by the caller. The leader's key is that of the approving leader himself, used only in
the transaction in which ``dossier_approve`` (which checks, under the dossier's lock, that he is a
leader of the handling agency holding the approval step) succeeds. The seal is used only for a
result the handling agency's leader signed, when the dossier's process reaches its result.
"""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.dossiers import printing
from motcua.dossiers.models import Dossier, DossierDocument, DossierFile
from motcua.dossiers.services import dossier_approve
from motcua.dossiers.services.frame import record_event
from motcua.lib.errors import InvalidInput
from motcua.signing import signatures, stamping
from motcua.signing.keys import SignerUnavailable, certificates_from_pem
from motcua.signing.models import AgencySigner, EResult

RESULT_REQUIREMENT_CODE = "KQ"  # the dossier document holding an e-result in the citizen's store
DEFAULT_TITLE = "Kết quả giải quyết thủ tục hành chính"
NO_LEADER_KEY = (
    "Ông/bà chưa có chứng thư số lãnh đạo của {agency} trong hệ thống nên chưa ký được kết quả "
    "điện tử. Liên hệ quản trị hệ thống để đăng ký chứng thư số, hoặc phê duyệt không kèm kết quả điện tử."
)


def verify_url(code: str, token: str) -> str:
    path = reverse("signing:result", kwargs={"code": code, "token": token})
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "") or printing.DEFAULT_PUBLIC_URL
    return f"{public.rstrip('/')}{path}"


def leader_signer(*, agency_id: int, user: Any) -> AgencySigner | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return AgencySigner.objects.filter(
        agency_id=agency_id, kind=AgencySigner.Kind.LEADER, user=user, active=True
    ).first()


def seal_signer(*, agency_id: int) -> AgencySigner | None:
    return AgencySigner.objects.filter(agency_id=agency_id, kind=AgencySigner.Kind.SEAL, active=True).first()


def _result_title(dossier: Dossier) -> str:
    """The catalogue's name of the result granted: a procedure also lists the written refusal
    among its results ("Văn bản nêu rõ lý do từ chối…"), which an approval never issues."""
    for name in dossier.procedure.results.order_by("order", "pk").values_list("name", flat=True):
        if "từ chối" not in name.lower():
            return name[:300]
    return DEFAULT_TITLE


def _check_usable(signer: AgencySigner, now: datetime) -> None:
    if signer.valid_until is not None and signer.valid_until <= now:
        raise InvalidInput(
            f"Chứng thư số “{signer}” đã hết hiệu lực ngày {printing.fmt_date(signer.valid_until)}; "
            "liên hệ quản trị hệ thống để đăng ký chứng thư mới.",
            code="certificate_expired",
        )


def _sign(pdf: bytes, signer: AgencySigner, *, field_name: str, reason: str, location: str) -> bytes:
    try:
        return signatures.sign(pdf, signer, field_name=field_name, reason=reason, location=location)
    except SignerUnavailable as exc:
        raise InvalidInput(
            "Không dùng được khóa ký số của cơ quan; liên hệ quản trị hệ thống.",
            code="signer_unavailable",
            details={"signer": signer.pk, "reason": str(exc)},
        ) from None


def dossier_approve_with_result(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    note: str = "",
    ip: str | None = None,
    result_file: Any = None,
    render: bool = False,
) -> tuple[Dossier, EResult | None]:
    """Approve (``dossier_approve``) and, in the same transaction, have the approving leader sign
    the e-result: the attached PDF (``result_file``) or, with ``render``, one drawn up from the
    template. Neither: a plain approval. Any refusal leaves nothing approved, signed or stored.

    The signing runs under the dossier's lock (a second or so: one RSA signature and, for a
    rendered result, one WeasyPrint page): approvals are rare, and the result number ``n`` must
    not be taken twice."""
    pdf = stamping.check_result_pdf(result_file) if result_file is not None else None
    with transaction.atomic():
        approved = dossier_approve(
            actor=actor, dossier=dossier, expected_version=expected_version, note=note, ip=ip
        )
        if pdf is None and not render:
            return approved, None
        return approved, _sign_at_approval(actor=actor, dossier=approved, pdf=pdf, ip=ip)


def _sign_at_approval(*, actor: Any, dossier: Dossier, pdf: bytes | None, ip: str | None) -> EResult:
    now = timezone.now()
    agency = dossier.handling_agency
    signer = leader_signer(agency_id=agency.pk, user=actor)
    if signer is None:
        raise InvalidInput(NO_LEADER_KEY.format(agency=agency.name), code="no_leader_key")
    _check_usable(signer, now)
    number = (EResult.objects.filter(dossier=dossier).aggregate(n=Max("number"))["n"] or 0) + 1
    code = f"{dossier.code}-KQ{number}"
    token = secrets.token_urlsafe(18)
    title = _result_title(dossier)
    source = "upload" if pdf is not None else "template"
    if pdf is None:
        pdf = stamping.render_result_pdf(
            dossier, title=title, leader_name=printing.person_name(actor), now=now
        )
    stamped = stamping.stamp(pdf, code=code, url=verify_url(code, token))
    signed = _sign(
        stamped,
        signer,
        field_name="LanhDaoKy",
        reason=f"Phê duyệt kết quả {code}",
        location=printing.place_name(agency),
    )
    result = EResult(
        dossier=dossier,
        number=number,
        code=code,
        token=token,
        title=title,
        sha256=hashlib.sha256(signed).hexdigest(),
        size=len(signed),
        source=source,
        leader=signer,
        leader_signed_at=now,
    )
    result.file.save(f"{code}.pdf", ContentFile(signed), save=False)
    result.save(force_insert=True)
    audit_record(
        action="signing.leader_signed",
        actor=actor,
        obj=result,
        chain=agency.code,
        extra={"code": dossier.code, "result_code": code, "signer": signer.pk, "sha256": result.sha256},
        ip=ip,
    )
    return result


def eresult_issue(*, result: EResult, actor: Any = None, ip: str | None = None) -> EResult:
    """Issue a result the leader signed: the handling agency's seal signs it (when the agency has
    one; otherwise it goes out with the leader's signature), it joins the dossier's files (the
    citizen's store) and the dossier's history gets ``issue-e-result``. Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            EResult.objects.select_for_update().select_related("dossier__handling_agency").get(pk=result.pk)
        )
        if locked.issued_at is not None:
            return locked
        dossier = locked.dossier
        agency = dossier.handling_agency
        with locked.file.open("rb") as handle:
            pdf = handle.read()
        seal = seal_signer(agency_id=agency.pk)
        signed_by = "leader"
        if seal is not None:
            _check_usable(seal, now)
            pdf = _sign(
                pdf,
                seal,
                field_name="CoQuanKy",
                reason=f"Phát hành kết quả {locked.code}",
                location=printing.place_name(agency),
            )
            signed_by = "seal"
            # The leader-signed file is the first revision of the new one (an incremental
            # update): removed once the new one is committed.
            previous = locked.file.name or ""
            locked.file.save(f"{locked.code}.pdf", ContentFile(pdf), save=False)
            transaction.on_commit(lambda: default_storage.delete(previous) if previous else None)
        digest = hashlib.sha256(pdf).hexdigest()
        document = DossierDocument.objects.create(
            dossier=dossier,
            requirement_code=RESULT_REQUIREMENT_CODE,
            name=f"{locked.title} (bản điện tử có chữ ký số, mã {locked.code})",
            copy_kind=DossierDocument.CopyKind.ORIGINAL,
            count=1,
            order=900 + locked.number,
        )
        stored = DossierFile(
            document=document,
            original_name=f"{locked.code}.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=digest,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        stored.file.save(f"{locked.code}.pdf", ContentFile(pdf), save=False)
        stored.save()
        locked.seal = seal
        locked.sha256, locked.size = digest, len(pdf)
        locked.issued_at, locked.stored_file = now, stored
        locked.issued_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["seal", "sha256", "size", "issued_at", "stored_file", "issued_by", "file"])
        data = {"result_code": locked.code, "signed_by": signed_by, "sha256": digest}
        record_event(dossier, action="issue-e-result", actor=actor, agency_id=agency.pk, at=now, data=data)
        audit_record(
            action="dossier.issue_e_result",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            obj=dossier,
            chain=agency.code,
            extra={"code": dossier.code, **data},
            ip=ip,
        )
        return locked


ISSUED_STATES = (Dossier.State.FINISHED, Dossier.State.RETURNED)


def dossier_issue_results(*, dossier: Dossier, actor: Any = None, ip: str | None = None) -> list[EResult]:
    """Issue the dossier's signed results once its result is ready (finished or returned)."""
    if dossier.state not in ISSUED_STATES:
        return []
    pending = EResult.objects.filter(dossier=dossier, issued_at__isnull=True).order_by("number")
    return [eresult_issue(result=r, actor=actor, ip=ip) for r in pending]


def issue_pending(limit: int = 50) -> int:
    """The scheduler's job: results of dossiers finished through a path that did not issue them
    (the API, the counter's pages). One result at a time, each in its own transaction."""
    done = 0
    for result in EResult.objects.filter(issued_at__isnull=True, dossier__state__in=ISSUED_STATES).order_by(
        "pk"
    )[:limit]:
        eresult_issue(result=result)
        done += 1
    return done


# ---------------------------------------------------------------------------------------------
# Keys


def signer_register(
    *, agency: Any, kind: str, certificate_pem: str, key_ref: str, user: Any = None, chain_pem: str = ""
) -> AgencySigner:
    """Register a certificate and where its key is; the previous active one of the same agency,
    kind (and leader) is retired. ``manage.py signing_register`` also signs a test page and checks
    it against the trust anchors before leaving the certificate in use."""
    certs = certificates_from_pem(certificate_pem)
    if len(certs) != 1:
        raise InvalidInput("Tệp chứng thư phải chứa đúng một chứng thư số.", code="certificate_invalid")
    cert = certs[0]
    if kind not in AgencySigner.Kind.values:
        raise InvalidInput("Loại chứng thư không hợp lệ.", code="kind_invalid")
    if (kind == AgencySigner.Kind.LEADER) != (user is not None):
        raise InvalidInput(
            "Chứng thư lãnh đạo phải gắn với tài khoản lãnh đạo; con dấu thì không.", code="user_invalid"
        )
    with transaction.atomic():
        AgencySigner.objects.filter(agency=agency, kind=kind, user=user, active=True).update(active=False)
        signer = AgencySigner(
            agency=agency,
            kind=kind,
            user=user,
            certificate=certificate_pem.strip() + "\n",
            chain=chain_pem.strip(),
            key_ref=key_ref.strip(),
            subject=cert.subject.human_friendly[:300],
            valid_until=cert["tbs_certificate"]["validity"]["not_after"].native,
        )
        signer.save(force_insert=True)
        audit_record(
            action="signing.signer_registered",
            actor=None,
            obj=signer,
            chain=agency.code,
            extra={"kind": kind, "subject": signer.subject, "serial": format(cert.serial_number, "x")},
        )
    return signer
