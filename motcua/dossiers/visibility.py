"""Which dossiers a citizen or organisation account may see ("Hồ sơ của tôi"): one rule, read
by the selectors (``citizen_dossiers``) and by the online services (a citizen acts only on a
dossier they see).

- every dossier the account submitted online (``owner``);
- a dossier received at the counter or by post whose applicant's citizen ID (a person) or tax
  code (an organisation) is the account's own, **only** when the account's identity was
  verified through the national identity (``Profile.identity_verified``): a local account
  types its ID itself, and typing someone's ID must not show their dossiers.
"""

from typing import Any

from django.db.models import Q

from motcua.dossiers.models import Dossier

# Matches nothing (a staff account or a visitor sees no dossier as their own).
NOTHING = Q(pk__in=[])
CITIZEN_KINDS = ("citizen", "organisation")


def citizen_visible_q(user: Any) -> Q:
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if getattr(user, "kind", None) not in CITIZEN_KINDS:
        return NOTHING
    visible = Q(owner=user)
    profile = _profile(user)
    if profile is None or not profile.identity_verified:
        return visible
    matches = Q()
    if profile.citizen_id:
        matches |= Q(applicant_kind=Dossier.ApplicantKind.PERSON, citizen_id=profile.citizen_id)
    if profile.tax_code:
        matches |= Q(applicant_kind=Dossier.ApplicantKind.ORGANISATION, tax_code=profile.tax_code)
    if not matches:
        return visible
    return visible | (Q(channel__in=(Dossier.Channel.COUNTER, Dossier.Channel.POST)) & matches)


def _profile(user: Any) -> Any:
    from motcua.accounts.models import Profile

    try:
        return user.profile
    except Profile.DoesNotExist:
        return None
