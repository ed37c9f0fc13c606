"""Reads of the signing app: a result by its QR address, a citizen's own results, and what the
verification page may show of a result (no more than the public tracking page shows)."""

import hmac
from typing import Any

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import mask_name
from motcua.dossiers.visibility import citizen_visible_q
from motcua.signing.models import EResult


def eresult_by_qr(code: str, token: str) -> EResult | None:
    """The issued result whose QR carries ``code`` and ``token``; None for a wrong token, an
    unknown code or a result not issued yet alike (the code alone reveals nothing)."""
    code, token = (code or "").strip()[:80], (token or "").strip()[:64]
    if not code or not token:
        return None
    found = (
        EResult.objects.filter(code=code, issued_at__isnull=False)
        .select_related("dossier__procedure", "dossier__handling_agency", "leader", "seal")
        .first()
    )
    if found is None or not hmac.compare_digest(found.token.encode(), token.encode()):
        return None
    return found


def eresult_by_sha256(digest: str) -> EResult | None:
    """The issued result stored with exactly these bytes (an uploaded copy identical to ours)."""
    return (
        EResult.objects.filter(sha256=digest, issued_at__isnull=False)
        .select_related("dossier__procedure", "dossier__handling_agency")
        .first()
    )


def public_facts(result: EResult) -> dict[str, Any]:
    """What the verification page says of a result: as much as the tracking page, no more
    (the applicant's name masked; the agency; never an officer's account)."""
    dossier = result.dossier
    return {
        "code": result.code,
        "title": result.title,
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "agency": dossier.handling_agency.name,
        "applicant_masked": mask_name(dossier.applicant_name),
        "issued_at": result.issued_at,
        "sha256": result.sha256,
    }


def citizen_results(user: Any, dossier: Dossier) -> QuerySet[EResult]:
    """The issued results of ``dossier`` if ``user`` (a citizen) may see the dossier."""
    return EResult.objects.filter(
        dossier__in=Dossier.objects.filter(citizen_visible_q(user), pk=dossier.pk).values("pk"),
        issued_at__isnull=False,
    ).order_by("number")


def citizen_result(user: Any, uid: str) -> EResult | None:
    return (
        EResult.objects.filter(
            uid=uid,
            issued_at__isnull=False,
            dossier__in=Dossier.objects.filter(citizen_visible_q(user)).values("pk"),
        )
        .select_related("dossier")
        .first()
    )
