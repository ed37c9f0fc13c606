"""Sign-in through the national identity: who the person is in motcua.

The account is found by the pair (issuer, subject) the provider vouched for
(``Profile.identity_issuer`` / ``identity_subject``) and by nothing else: never by e-mail, phone
or citizen ID, which anybody can type into a local account (matching on them would hand that
account to whoever signs in with the same value). Not found: a new citizen account, filled from
the claims (their names are ``settings.OIDC_CLAIMS``). Staff accounts never sign in this way.
"""

import hashlib
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import Profile, User
from motcua.accounts.oidc import SignInRefused, VerifiedSignIn
from motcua.audit.services import audit_record


def _claim(claims: Mapping[str, Any], field: str) -> Any:
    name = settings.OIDC_CLAIMS.get(field, "")
    return claims.get(name) if name else None


def _text(value: Any, limit: int) -> str:
    if isinstance(value, Mapping):  # the standard "address" claim is an object
        value = value.get("formatted") or ", ".join(
            str(value[k]) for k in ("street_address", "locality", "region") if value.get(k)
        )
    return str(value).strip()[:limit] if value not in (None, "") else ""


def _birth_date(value: Any) -> date | None:
    text = _text(value, 20)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 — a calendar date, no time
        except ValueError:
            continue
    return None


def _citizen_id(value: Any) -> str:
    digits = _text(value, 20).replace(" ", "")
    return digits if re.fullmatch(r"\d{12}", digits) else ""


def identity_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The person's attributes as the provider states them (empty where it states none)."""
    return {
        "full_name": _text(_claim(claims, "full_name"), 200),
        "citizen_id": _citizen_id(_claim(claims, "citizen_id")),
        "date_of_birth": _birth_date(_claim(claims, "date_of_birth")),
        "phone": _text(_claim(claims, "phone"), 20),
        "email": _text(_claim(claims, "email"), 254),
        "address": _text(_claim(claims, "address"), 500),
    }


def _username(issuer: str, subject: str) -> str:
    return "dinhdanh-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]


def _find(issuer: str, subject: str) -> User | None:
    profile = (
        Profile.objects.select_related("user")
        .filter(identity_issuer=issuer, identity_subject=subject)
        .first()
    )
    return profile.user if profile else None


def _create(issuer: str, subject: str, identity: dict[str, Any]) -> User:
    user = User(
        username=_username(issuer, subject),
        kind=User.Kind.CITIZEN,
        full_name=identity["full_name"],
        phone=identity["phone"],
        email=identity["email"],
    )
    user.set_unusable_password()  # only the national identity signs in to it
    user.save()
    Profile.objects.create(
        user=user,
        identity_issuer=issuer,
        identity_subject=subject,
        citizen_id=identity["citizen_id"],
        date_of_birth=identity["date_of_birth"],
        address=identity["address"],
    )
    return user


def _refresh(user: User, identity: dict[str, Any]) -> None:
    """A returning person: what the identity states is brought up to date (name, citizen ID, date of
    birth); contact details are filled only where the account has none (the citizen may have
    changed them on the profile page)."""
    profile = user.profile
    fields = ["identity_verified_at"]
    for name in ("citizen_id", "date_of_birth"):
        if identity[name] and getattr(profile, name) != identity[name]:
            setattr(profile, name, identity[name])
            fields.append(name)
    if identity["address"] and not profile.address:
        profile.address = identity["address"]
        fields.append("address")
    profile.identity_verified_at = timezone.now()
    profile.save(update_fields=[*fields, "updated_at"])
    user_fields = []
    if identity["full_name"] and user.full_name != identity["full_name"]:
        user.full_name = identity["full_name"]
        user_fields.append("full_name")
    for name in ("phone", "email"):
        if identity[name] and not getattr(user, name):
            setattr(user, name, identity[name])
            user_fields.append(name)
    if user_fields:
        user.save(update_fields=user_fields)


def national_identity_sign_in(*, verified: VerifiedSignIn, ip: str | None = None) -> User:
    """The account of the person the provider vouched for, found or created, marked as verified
    now; the sign-in is in the audit log. Raises :class:`SignInRefused` for a staff account or a
    locked one (nothing is changed then)."""
    subject = str(verified.claims["sub"])[:255]
    identity = identity_from_claims(verified.claims)
    with transaction.atomic():
        user = _find(verified.issuer, subject)
        created = user is None
        if user is None:
            try:
                with transaction.atomic():
                    user = _create(verified.issuer, subject, identity)
            except IntegrityError:
                # The same person signing in twice at the same moment: the other one created it.
                user = _find(verified.issuer, subject)
                created = False
                if user is None:
                    raise
        if user.kind == User.Kind.STAFF or user.is_staff or user.is_superuser:
            raise SignInRefused("staff")
        if not user.is_active:
            raise SignInRefused("inactive")
        _refresh(user, identity)
        audit_record(
            action="accounts.sign_in",
            actor=user,
            obj=user,
            ip=ip,
            extra={
                "method": "national_identity",
                "issuer": verified.issuer,
                "acr": verified.acr,
                "account_created": created,
            },
        )
    return user


def record_refusal(*, refusal: SignInRefused, ip: str | None = None) -> None:
    """A refused national sign-in, in the audit log (no account is named: none was trusted)."""
    audit_record(
        action="accounts.national_sign_in_refused",
        object_type="accounts.national_identity",
        object_repr=refusal.reason,
        ip=ip,
        extra={"reason": refusal.reason, "detail": refusal.detail[:300]},
    )
