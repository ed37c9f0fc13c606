"""Reads for online submission: the citizen's own dossiers and files ("Hồ sơ của tôi", the rule
in ``visibility``) and the counter's online inbox. Exported from ``motcua.dossiers.selectors``."""

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.visibility import citizen_visible_q
from motcua.lib.errors import NotFound
from motcua.org.models import Agency, Membership
from motcua.org.selectors import agencies_actable_by

State = Dossier.State
DETAIL_RELATED = (
    "procedure",
    "procedure__field",
    "receiving_agency",
    "handling_agency",
    "holder_agency",
    "owner",
)


def citizen_dossiers(user: User) -> QuerySet[Dossier]:
    """The dossiers ``user`` may see as their own (``visibility.citizen_visible_q``), newest first."""
    return (
        Dossier.objects.filter(citizen_visible_q(user))
        .select_related("procedure", "receiving_agency", "handling_agency")
        .order_by("-created_at", "-pk")
    )


def citizen_dossier(user: User, code: str, *, ip: str | None = None) -> Dossier:
    """One of the user's own dossiers by its code; NotFound, the same answer, for a code that does
    not exist and for anyone else's dossier (the attempt on another's is audited as
    ``personal_data.refused``). The view of its personal data is audited."""
    code = (code or "").strip().upper()
    not_found = NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found", details={"code": code})
    dossier = Dossier.objects.select_related(*DETAIL_RELATED).filter(code=code).first() if code else None
    if dossier is None:
        raise not_found
    visible = Dossier.objects.filter(pk=dossier.pk).filter(citizen_visible_q(user)).exists()
    audit_record(
        action="personal_data.view" if visible else "personal_data.refused",
        actor=user,
        obj=dossier,
        extra={"code": dossier.code, "as": "citizen"},
        chain=dossier.receiving_agency.code,
        ip=ip,
    )
    if not visible:
        raise not_found
    return dossier


def citizen_files(user: User) -> QuerySet[DossierFile]:
    """The citizen's own store: the files of the dossiers they see (earlier submissions and the
    files added to them), newest first, to pick instead of uploading again."""
    return (
        DossierFile.objects.filter(
            document__dossier__in=Dossier.objects.filter(citizen_visible_q(user)).values("pk")
        )
        .select_related("document__dossier")
        .order_by("-uploaded_at", "-pk")
    )


def online_inbox(user: User, *, agency: Agency | None = None) -> QuerySet[Dossier]:
    """The counter's online inbox: dossiers submitted online (status 1) to the agencies where the
    user receives (or to ``agency``), oldest first, each with its documents and files."""
    agencies = agencies_actable_by(user, roles={Membership.Role.RECEPTIONIST})
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
    return (
        Dossier.objects.filter(state=State.SUBMITTED, receiving_agency__in=agencies.values("pk"))
        .select_related("procedure", "receiving_agency", "owner")
        .prefetch_related("documents__files")
        .order_by("submitted_at", "pk")
    )


def online_inbox_count(user: User, *, agency: Agency | None = None) -> int:
    return online_inbox(user, agency=agency).prefetch_related(None).count()


def online_inbox_viewed(
    user: User, *, agency: Agency | None, dossiers: list[Dossier], where: str, ip: str | None = None
) -> None:
    """Record that ``user`` read the online inbox: it shows the applicants' citizen IDs, telephone
    numbers and e-mail addresses of ``dossiers``. Nothing is recorded for an empty list."""
    if not dossiers:
        return
    audit_record(
        action="personal_data.online_inbox",
        actor=user,
        object_type="dossiers.dossier",
        object_repr=f"hồ sơ trực tuyến chờ tiếp nhận ({len(dossiers)})",
        extra={"codes": [d.code for d in dossiers], "where": where},
        chain=(agency or dossiers[0].receiving_agency).code,
        ip=ip,
    )
