"""The dossiers' periodic work (settings SCHEDULER_JOBS, ``manage.py scheduler``; each also a
command of its own)."""

from datetime import timedelta

from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierPause


def expired_guidances() -> list[str]:
    """Codes of the dossiers guided at reception longer ago than the expiry and still waiting.
    Each is checked again under its row lock by the service (received or closed meanwhile: left
    alone)."""
    cutoff = timezone.now() - timedelta(days=services.guidance_expiry_days())
    return list(
        Dossier.objects.filter(
            state=Dossier.State.INTAKE_SUPPLEMENT,
            pauses__reason=DossierPause.Reason.SUPPLEMENT,
            pauses__ended_at__isnull=True,
            pauses__started_at__lte=cutoff,
        )
        .order_by("pk")
        .values_list("code", flat=True)
        .distinct()
    )


def close_expired_guidances() -> list[str]:
    """Close them as not received (status 3); the codes closed."""
    return [code for code in expired_guidances() if services.dossier_close_guidance(dossier=code) is not None]
