"""Citizen and organisation accounts of the demo: a person and a company who sign in with their
phone number and the demo password, each with a profile that fills the online forms, and a few of
the demo's online dossiers as theirs so that "Hồ sơ của tôi" is not empty. Development only."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Profile, User
from motcua.dossiers.models import Dossier
from motcua.org.demo import DEMO_PASSWORD, refuse_outside_development
from motcua.payments.models import PaymentRequest


@dataclass(frozen=True)
class DemoCitizen:
    phone: str
    kind: str
    full_name: str
    email: str
    profile: dict
    what: str


DEMO_CITIZENS = (
    DemoCitizen(
        phone="0987000001",
        kind=User.Kind.CITIZEN,
        full_name="Phạm Thị Lan",
        email="lan.pham@example.vn",
        profile={
            "citizen_id": "008188012345",
            "date_of_birth": date(1988, 4, 15),
            "address": "Số 25, tổ 7, phường Minh Xuân, tỉnh Tuyên Quang",
        },
        what="công dân",
    ),
    DemoCitizen(
        phone="0987000002",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Chè Tân Trào",
        email="vanphong@chetantrao.example.vn",
        profile={
            "tax_code": "5000123456",
            "organisation_name": "Công ty TNHH Chè Tân Trào",
            "representative": "Hoàng Văn Sơn",
            "address": "Thôn Tân Lập, xã Tân Trào, tỉnh Tuyên Quang",
        },
        what="tổ chức",
    ),
)
# Demo online dossiers given to each account (their applicant becomes the account's person).
DOSSIERS_EACH = 3


def build_demo_citizens() -> list[DemoCitizen]:
    """The demo's citizen and organisation accounts (idempotent)."""
    refuse_outside_development()
    now = timezone.now()
    with transaction.atomic():
        for citizen in DEMO_CITIZENS:
            user, created = User.objects.get_or_create(
                username=citizen.phone,
                defaults={
                    "kind": citizen.kind,
                    "full_name": citizen.full_name,
                    "phone": citizen.phone,
                    "email": citizen.email,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            Profile.objects.update_or_create(
                user=user,
                defaults={
                    **citizen.profile,
                    "phone_verified_at": now,
                    "notify_channels": ["email", "sms", "in_app"],
                },
            )
            _give_dossiers(user, citizen)
    return list(DEMO_CITIZENS)


def _give_dossiers(user: User, citizen: DemoCitizen) -> None:
    if Dossier.objects.filter(owner=user).exists():
        return
    kind = (
        Dossier.ApplicantKind.ORGANISATION
        if citizen.kind == User.Kind.ORGANISATION
        else Dossier.ApplicantKind.PERSON
    )
    unowned = Dossier.objects.filter(owner__isnull=True, applicant_kind=kind)
    ids = list(
        unowned.filter(channel=Dossier.Channel.ONLINE)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:DOSSIERS_EACH]
    )
    if citizen.kind == User.Kind.CITIZEN:
        # Something to do and something to see for issue 12's walk-through: a dossier asked to pay
        # (an open request, paid through the stand-in gateway) and a granted, returned one (the
        # demo's signed e-result goes to it: motcua/signing/demo.py prefers an owned dossier).
        for wanted in (
            unowned.filter(state=Dossier.State.PAYMENT, payment_requests__state=PaymentRequest.State.OPEN),
            unowned.filter(state=Dossier.State.RETURNED, outcome=Dossier.Outcome.APPROVED),
        ):
            for place in (wanted.filter(channel=Dossier.Channel.ONLINE), wanted):  # online first
                found = place.exclude(pk__in=ids).order_by("-created_at").values_list("pk", flat=True).first()
                if found is not None:
                    ids.append(found)
                    break
    applicant = {
        "applicant_name": citizen.profile.get("organisation_name") or citizen.full_name,
        "citizen_id": citizen.profile.get("citizen_id", ""),
        "date_of_birth": citizen.profile.get("date_of_birth"),
        "tax_code": citizen.profile.get("tax_code", ""),
        "representative": citizen.profile.get("representative", ""),
        "phone": citizen.phone,
        "email": citizen.email,
        "address": citizen.profile["address"],
    }
    Dossier.objects.filter(pk__in=ids).update(owner=user, **applicant)
