"""The citizen's or organisation's own profile ("Thông tin tài khoản"): who they are, checked as
reception checks an applicant (``motcua.lib.identifiers``), and how they want to be told.

A profile whose identity was verified through the national identity keeps what that sign-in
vouched for (name, citizen ID, date of birth) read-only: those change only by signing in again.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Profile, User
from motcua.audit.services import audit_record
from motcua.lib.errors import Forbidden, InvalidInput
from motcua.lib.identifiers import tax_code_problem, validate_citizen_id

# What the national identity vouches for: read-only once verified.
VERIFIED_FIELDS = ("full_name", "citizen_id", "date_of_birth")
PROFILE_FIELDS = ("citizen_id", "date_of_birth", "address", "tax_code", "organisation_name", "representative")


@dataclass
class ProfileData:
    full_name: str = ""
    email: str = ""
    address: str = ""
    citizen_id: str = ""
    date_of_birth: date | None = None
    organisation_name: str = ""
    tax_code: str = ""
    representative: str = ""
    notify_channels: list[str] = field(default_factory=list)


def profile_of(user: User) -> Profile:
    """The user's profile, made empty the first time it is asked for."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        return profile


def _clean(user: User, profile: Profile, data: ProfileData) -> tuple[dict[str, object], dict[str, str]]:
    """The values to store, and the problem of each field that has one."""
    problems: dict[str, str] = {}
    out: dict[str, object] = {}
    organisation = user.kind == User.Kind.ORGANISATION
    text = {
        name: " ".join(str(getattr(data, name) or "").split())
        for name in ("full_name", "email", "address", "organisation_name", "representative")
    }
    if organisation:
        out["organisation_name"] = text["organisation_name"][:300]
        out["full_name"] = out["organisation_name"]
        out["representative"] = text["representative"][:200]
        if not out["organisation_name"]:
            problems["organisation_name"] = "Nhập tên tổ chức."
        tax = "".join((data.tax_code or "").split())
        if tax and (problem := tax_code_problem(tax)):
            problems["tax_code"] = problem
        out["tax_code"] = tax
        out["citizen_id"] = profile.citizen_id
        out["date_of_birth"] = profile.date_of_birth
    else:
        out["full_name"] = text["full_name"][:200]
        if not out["full_name"]:
            problems["full_name"] = "Nhập họ và tên."
        dob = data.date_of_birth
        if dob is not None and dob > timezone.localdate():
            problems["date_of_birth"] = "Ngày sinh không thể sau hôm nay."
            dob = None
        out["date_of_birth"] = dob
        out["citizen_id"] = ""
        if (data.citizen_id or "").strip():
            try:
                out["citizen_id"] = validate_citizen_id(data.citizen_id, dob)
            except InvalidInput as exc:
                problems["citizen_id"] = exc.message
        for name in ("organisation_name", "tax_code", "representative"):
            out[name] = getattr(profile, name)
    if len(text["address"]) > 500:
        problems["address"] = "Địa chỉ quá dài (tối đa 500 ký tự)."
    out["address"] = text["address"][:500]
    email = text["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = f"Thư điện tử “{email}” không hợp lệ, ví dụ: ten@example.vn."
    out["email"] = email
    channels = list(dict.fromkeys(data.notify_channels or []))
    unknown = [c for c in channels if c not in Profile.Notify.values]
    if unknown:
        problems["notify_channels"] = "Kênh nhận thông báo không hợp lệ."
    elif Profile.Notify.EMAIL in channels and not email:
        problems["notify_channels"] = "Để nhận thông báo qua thư điện tử, hãy nhập địa chỉ thư điện tử."
    elif {Profile.Notify.SMS, Profile.Notify.ZALO} & set(channels) and not user.phone:
        problems["notify_channels"] = "Để nhận thông báo qua SMS hoặc Zalo, tài khoản cần có số điện thoại."
    out["notify_channels"] = channels
    if profile.identity_verified:
        current = {
            "full_name": user.full_name,
            "citizen_id": profile.citizen_id,
            "date_of_birth": profile.date_of_birth,
        }
        for name in VERIFIED_FIELDS:
            if name in out and out[name] != current[name]:
                problems.setdefault(
                    name, "Thông tin này đã được xác thực qua định danh quốc gia (VNeID) nên không sửa được."
                )
            out[name] = current[name]
    return out, problems


def profile_update(*, user: User, data: ProfileData, ip: str | None = None) -> Profile:
    """Store the citizen's or organisation's own profile; InvalidInput names every field that is
    wrong (``details["fields"]``: field → message), and nothing is stored then."""
    if user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
        raise Forbidden("Trang này dành cho tài khoản công dân hoặc tổ chức.")
    with transaction.atomic():
        profile = profile_of(user)
        values, problems = _clean(user, profile, data)
        if problems:
            first = next(iter(problems))
            raise InvalidInput(
                "Thông tin chưa hợp lệ: " + problems[first],
                details={"field": first, "fields": problems},
            )
        before = {
            **{f: str(getattr(profile, f) or "") for f in PROFILE_FIELDS},
            "notify_channels": profile.notify_channels,
            "full_name": user.full_name,
            "email": user.email,
        }
        for name in (*PROFILE_FIELDS, "notify_channels"):
            setattr(profile, name, values[name])
        profile.save(update_fields=[*PROFILE_FIELDS, "notify_channels", "updated_at"])
        user.full_name = str(values["full_name"])
        user.email = str(values["email"])
        user.save(update_fields=["full_name", "email"])
        after = {
            **{f: str(getattr(profile, f) or "") for f in PROFILE_FIELDS},
            "notify_channels": profile.notify_channels,
            "full_name": user.full_name,
            "email": user.email,
        }
        changed = {k for k in after if after[k] != before[k]}
        if changed:
            audit_record(
                action="accounts.profile_update",
                actor=user,
                obj=profile,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                ip=ip,
            )
    return profile
