"""Reads for the organisation, and the access model every staff query goes through.

A membership gives its role on its agency and, when ``include_subtree`` is set, on every agency
below it. Agencies carry a materialised path of primary keys ("/1/5/23/"), so "agency A is in
the subtree of membership M" is "A.path starts with M.agency.path". The access selectors build
that test into one SQL query (an EXISTS over the user's memberships), so they return lazy
querysets that compose with any other query (``Dossier.objects.filter(agency__in=...)``) without
a round trip of their own.

Rules:
- a superuser sees every agency and acts as administrator everywhere;
- a supervisor membership lets its holder see, never act;
- inactive memberships count for nothing; an inactive user (is_active=False) has no access.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeGuard

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.text import fold
from motcua.org.models import AdministrativeUnit, Agency, Membership

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser, User

Role = Membership.Role
# Roles that may act (every role but the read-only supervisor).
ACTING_ROLES = frozenset(r for r in Role.values if r != Role.SUPERVISOR)


def _is_staff_user(user: "AnyUser | None") -> TypeGuard["User"]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _check_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise InvalidInput(
            f"Vai trò không hợp lệ: {', '.join(sorted(unknown))}.", details={"roles": sorted(unknown)}
        )
    return roles


def _covering_memberships(user: "User", roles: set[str] | None) -> QuerySet[Membership]:
    """The user's active memberships that cover the outer query's agency (OuterRef)."""
    memberships = Membership.objects.filter(user=user, active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    # The outer agency lies in the membership's subtree when its path starts with the
    # membership agency's path: a lookup with the outer column on its left-hand side.
    in_subtree = StartsWith(ExpressionWrapper(OuterRef("path"), output_field=CharField()), F("agency__path"))
    return memberships.filter(Q(agency_id=OuterRef("pk")) | (Q(include_subtree=True) & Q(in_subtree)))


def _agencies_for(user: "AnyUser | None", roles: set[str] | None) -> QuerySet[Agency]:
    if not _is_staff_user(user):
        return Agency.objects.none()
    if user.is_superuser and (roles is None or Role.ADMINISTRATOR in roles):
        return Agency.objects.all()
    if roles is not None and not roles:
        return Agency.objects.none()
    return Agency.objects.filter(Exists(_covering_memberships(user, roles)))


def agencies_visible_to(user: "AnyUser | None") -> QuerySet[Agency]:
    """Agencies the user may see: any active membership (supervisor included), subtrees followed."""
    return _agencies_for(user, None)


def agencies_actable_by(user: "AnyUser | None", *, roles: set[str] | None = None) -> QuerySet[Agency]:
    """Agencies where the user may act with one of ``roles`` (None: any acting role).

    A supervisor never acts, even if ``roles`` names it.
    """
    wanted = ACTING_ROLES if roles is None else _check_roles(roles) & ACTING_ROLES
    return _agencies_for(user, set(wanted))


def user_can_act(user: "AnyUser | None", agency: Agency | None, *, roles: set[str] | None = None) -> bool:
    """Whether the user may act on ``agency`` with one of ``roles`` (None: any acting role)."""
    if agency is None or agency.pk is None:
        return False
    return agencies_actable_by(user, roles=roles).filter(pk=agency.pk).exists()


def user_can_see(user: "AnyUser | None", agency: Agency | None) -> bool:
    if agency is None or agency.pk is None:
        return False
    return agencies_visible_to(user).filter(pk=agency.pk).exists()


def _ancestor_ids(agency: Agency) -> list[int]:
    return [int(part) for part in agency.path.strip("/").split("/") if part]


def user_roles_at(user: "AnyUser | None", agency: Agency | None) -> set[str]:
    """Every role the user holds on ``agency``, directly or inherited from an ancestor's subtree.

    Includes "supervisor" (a role, though not one that acts). A superuser also has "administrator".
    """
    if not _is_staff_user(user) or agency is None or agency.pk is None:
        return set()
    ancestors = [pk for pk in _ancestor_ids(agency) if pk != agency.pk]
    roles = set(
        Membership.objects.filter(user=user, active=True)
        .filter(Q(agency_id=agency.pk) | Q(agency_id__in=ancestors, include_subtree=True))
        .values_list("role", flat=True)
    )
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def agency_by_code(code: str) -> Agency:
    """The agency with this identifier code, or NotFound (404) with a Vietnamese message."""
    canonical = (code or "").strip().upper()
    agency = Agency.objects.select_related("parent", "admin_unit").filter(code=canonical).first()
    if agency is None:
        raise NotFound(
            f"Không tìm thấy cơ quan có mã định danh “{code}”.",
            code="agency_not_found",
            details={"agency": code},
        )
    return agency


def agency_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    """The agency and every agency below it, in tree order."""
    queryset = Agency.objects.filter(path__startswith=agency.path)
    if not include_self:
        queryset = queryset.exclude(pk=agency.pk)
    return queryset.order_by("path")


def agency_ancestors(agency: Agency) -> QuerySet[Agency]:
    """The agencies above ``agency``, root first."""
    return Agency.objects.filter(pk__in=[pk for pk in _ancestor_ids(agency) if pk != agency.pk]).order_by(
        "path"
    )


def agencies_list(
    *,
    kind: str | None = None,
    admin_unit: AdministrativeUnit | str | None = None,
    q: str | None = None,
    active: bool | None = True,
) -> QuerySet[Agency]:
    """Agencies with their parent and administrative unit loaded, in tree order.

    ``admin_unit``: a unit or a unit code (any scheme). ``q``: the start of an identifier code,
    or words of the name from the start of a word, accent- and case-insensitive ("uy ban nhan
    dan xa" finds "Ủy ban nhân dân xã…").
    """
    queryset = Agency.objects.select_related("parent", "admin_unit").order_by("path")
    if active is not None:
        queryset = queryset.filter(active=active)
    if kind:
        if kind not in Agency.Kind.values:
            raise InvalidInput(
                f"Loại cơ quan “{kind}” không hợp lệ; chọn một trong: {', '.join(Agency.Kind.values)}.",
                details={"field": "kind", "value": kind},
            )
        queryset = queryset.filter(kind=kind)
    if isinstance(admin_unit, AdministrativeUnit):
        queryset = queryset.filter(admin_unit=admin_unit)
    elif admin_unit:
        queryset = queryset.filter(admin_unit__code=admin_unit.strip())
    if q and q.strip():
        # The folded phrase starting at a word boundary: "an binh" finds "... xã An Bình" but
        # not "Ủy ban nhân dân xã Bình Minh".
        phrase = fold(q)
        matches = Q(code__startswith=q.strip().upper())
        if phrase:
            matches |= Q(name_folded__startswith=phrase) | Q(name_folded__contains=f" {phrase}")
        queryset = queryset.filter(matches)
    return queryset


def memberships_of(user: "User") -> QuerySet[Membership]:
    """The user's active memberships with their agencies, for display ("your roles")."""
    return Membership.objects.filter(user=user, active=True).select_related("agency").order_by("agency__path")
