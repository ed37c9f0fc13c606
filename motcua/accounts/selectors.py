"""Reads about accounts for other apps: the applicant a citizen's profile fills in."""

from typing import Any

from motcua.accounts.models import AnyUser, Profile, User


def profile_applicant(user: AnyUser) -> dict[str, Any]:
    """The applicant of a form a signed-in citizen or organisation fills, from their profile:
    the fields of ``motcua.dossiers.services.ApplicantData`` (kind, name, citizen_id,
    date_of_birth, tax_code, representative, phone, email, address). Empty for anyone else."""
    if not isinstance(user, User) or user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
        return {}
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    organisation = user.kind == User.Kind.ORGANISATION
    return {
        "kind": "organisation" if organisation else "person",
        "name": (profile.organisation_name or user.full_name) if organisation else user.full_name,
        "citizen_id": profile.citizen_id,
        "date_of_birth": profile.date_of_birth,
        "tax_code": profile.tax_code if organisation else "",
        "representative": profile.representative if organisation else "",
        "phone": user.phone,
        "email": user.email,
        "address": profile.address,
    }
