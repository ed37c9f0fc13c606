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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Exists, ExpressionWrapper, F, Model, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.text import fold
from motcua.lib.versioned import VersionedCache
from motcua.org.models import AdministrativeUnit, Agency, Membership
from motcua.workcalendar.calendar import WorkCalendar
from motcua.workcalendar.models import WorkSchedule
from motcua.workcalendar.selectors import calendar_for_schedule

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser, User

Role = Membership.Role
# Roles that may act (every role but the read-only supervisor).
ACTING_ROLES = frozenset(r for r in Role.values if r != Role.SUPERVISOR)


def is_staff(user: "AnyUser | None") -> TypeGuard["User"]:
    """Whether ``user`` is a signed-in, active officer (a staff account, or a superuser): the one
    test of "staff" for pages, the API and the access rule below."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (getattr(user, "kind", None) == get_user_model().Kind.STAFF or user.is_superuser)
    )


def check_roles(roles: Iterable[str]) -> set[str]:
    """``roles`` as a set, each a known role (InvalidInput names the unknown ones)."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise InvalidInput(
            f"Vai trò không hợp lệ: {', '.join(sorted(unknown))}.", details={"roles": sorted(unknown)}
        )
    return roles


# --- The access rule ---------------------------------------------------------------------------
# A membership covers an agency when it is active and is on that agency, or on an ancestor with
# ``include_subtree`` (the agency's path starts with the ancestor's path). It is written here in
# the three shapes the queries need, and nowhere else: for an agency of the outer query
# (``_covering_outer``), for known agencies (``_covering_known``), and in plain SQL
# (``_covering_sql``, ``user_roles_by_agency``) for the counter's reception
# (``agency_actable_by_code``) and the checks of a transition (``agencies_visible_sql``, the
# roles of the actor and of the officer given the dossier), which must cost less than
# building the ORM query (motcua/org/tests/test_access_rule.py holds the three to the same answers).


def _covering_outer() -> Q:
    """Memberships that cover the outer query's agency (OuterRef)."""
    in_subtree = StartsWith(ExpressionWrapper(OuterRef("path"), output_field=CharField()), F("agency__path"))
    return Q(agency_id=OuterRef("pk")) | (Q(include_subtree=True) & Q(in_subtree))


def _covering_known(agencies: Iterable[Agency]) -> Q:
    """Memberships that cover one of ``agencies`` (their paths known)."""
    covering = Q(pk__in=[])
    for agency in agencies:
        ancestors = [pk for pk in _ancestor_ids(agency) if pk != agency.pk]
        covering |= Q(agency_id=agency.pk) | Q(agency_id__in=ancestors, include_subtree=True)
    return covering


def _acting(roles: Iterable[str] | None) -> set[str]:
    return set(ACTING_ROLES if roles is None else check_roles(roles) & ACTING_ROLES)


def _agencies_for(user: "AnyUser | None", roles: set[str] | None) -> QuerySet[Agency]:
    if not is_staff(user):
        return Agency.objects.none()
    if user.is_superuser and (roles is None or Role.ADMINISTRATOR in roles):
        return Agency.objects.all()
    if roles is not None and not roles:
        return Agency.objects.none()
    memberships = Membership.objects.filter(user=user, active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Agency.objects.filter(Exists(memberships.filter(_covering_outer())))


def agencies_visible_to(user: "AnyUser | None") -> QuerySet[Agency]:
    """Agencies the user may see: any active membership (supervisor included), subtrees followed."""
    return _agencies_for(user, None)


def agencies_actable_by(user: "AnyUser | None", *, roles: Iterable[str] | None = None) -> QuerySet[Agency]:
    """Agencies where the user may act with one of ``roles`` (None: any acting role).

    A supervisor never acts, even if ``roles`` names it.
    """
    return _agencies_for(user, _acting(roles))


def user_can_act(
    user: "AnyUser | None", agency: Agency | None, *, roles: Iterable[str] | None = None
) -> bool:
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


def tree_order(agency: Agency) -> list[int]:
    """A sort key in tree order, parents first: the path's ids as numbers (as text "/1/10/"
    would come before "/1/9/")."""
    return _ancestor_ids(agency)


def user_roles_at(user: "AnyUser | None", agency: Agency | None) -> set[str]:
    """Every role the user holds on ``agency``, directly or inherited from an ancestor's subtree.

    Includes "supervisor" (a role, though not one that acts). A superuser also has "administrator".
    """
    if agency is None or agency.pk is None:
        return set()
    return user_roles_by_agency(user, [agency.pk])[agency.pk]


_ROLES_BY_AGENCY_SQL: dict[tuple[str, int], str] = {}


def user_roles_by_agency(user: "AnyUser | None", agency_ids: Iterable[int | None]) -> dict[int, set[str]]:
    """``user_roles_at`` for each of the agencies ``agency_ids`` (None skipped), in one plain SQL
    statement of the access rule: the roles the user holds on each, by agency id (every id
    asked is a key; an empty set for none)."""
    wanted = sorted({pk for pk in agency_ids if pk is not None})
    found: dict[int, set[str]] = {pk: set() for pk in wanted}
    if not wanted or not is_staff(user):
        return found
    key = (connection.vendor, len(wanted))
    sql = _ROLES_BY_AGENCY_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        agency, membership = qn(Agency._meta.db_table), qn(Membership._meta.db_table)
        # Table names from the models' metadata, never from input; values are parameters.
        sql = _ROLES_BY_AGENCY_SQL[key] = (
            f"SELECT a.id, m.role FROM {agency} a JOIN {membership} m ON m.user_id = %s AND m.active "  # noqa: S608
            f"JOIN {agency} ma ON ma.id = m.agency_id WHERE a.id IN ({', '.join(['%s'] * len(wanted))}) "
            f"AND {_covers_sql('a')}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *wanted])
        for agency_id, role in cursor.fetchall():
            found[agency_id].add(role)
    if user.is_superuser:
        for roles in found.values():
            roles.add(Role.ADMINISTRATOR)
    return found


def officers_acting_on(agencies: Iterable[Agency | None], roles: Iterable[str]) -> QuerySet[Any]:
    """Active officers with one of ``roles`` on one of ``agencies``, by name (whom a dossier may be
    given to)."""
    User = get_user_model()
    covering = _covering_known({a for a in agencies if a is not None})
    memberships = Membership.objects.filter(active=True, role__in=_acting(roles)).filter(covering)
    return User.objects.filter(
        is_active=True, kind=User.Kind.STAFF, pk__in=memberships.values("user_id")
    ).order_by("full_name", "username")


class Columns:
    """The select list of ``model`` (alias ``alias``; the fields named, or all) and how to turn a
    row slice back into an instance with the backend's value converters, as the ORM's compiler
    applies them (per database vendor). For plain SQL statements on the hot path (here, and the
    lock of a dossier's transition, ``dossiers.services.frame.lock``)."""

    def __init__(self, model: type[Model], alias: str, attnames: tuple[str, ...] | None = None) -> None:
        self.model = model
        self.alias = alias
        self.fields = [f for f in model._meta.concrete_fields if attnames is None or f.attname in attnames]
        self.attnames = frozenset(f.attname for f in self.fields)
        self.pk_index = next((i for i, f in enumerate(self.fields) if f.primary_key), None)
        self._plans: dict[str, tuple[tuple[int, Any, tuple[Any, ...]], ...]] = {}

    def sql(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(
            f"{self.alias}.{qn(f.attname if f.column is None else f.column)}" for f in self.fields
        )

    def build(self, values: Sequence[Any]) -> Any:
        plan = self._plans.get(connection.vendor)
        if plan is None:
            steps: list[tuple[int, Any, tuple[Any, ...]]] = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.alias)
                convs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                if convs:
                    steps.append((i, col, tuple(convs)))
            plan = self._plans[connection.vendor] = tuple(steps)
        row: list[Any] = list(values)
        for i, column, converters in plan:
            for converter in converters:
                row[i] = converter(row[i], column, connection)
        return self.model.from_db(connection.alias, self.attnames, row)


_AGENCY_BRIEF = Columns(Agency, "a", ("id", "code", "name", "path", "schedule_id"))
_SCHEDULE = Columns(WorkSchedule, "s")
_ACTABLE_BY_CODE_SQL: dict[tuple[str, int], str] = {}


def _covering_sql(agency: str, *, roles: int = 0) -> str:
    """The access rule in plain SQL: an active membership of the user covers the row ``agency``
    (an alias of the outer statement) — an EXISTS whose parameters are the user's id, then the
    ``roles`` role names it is limited to (none: any role). Table names come from the models'
    metadata, never from input."""
    qn = connection.ops.quote_name
    table, membership = qn(Agency._meta.db_table), qn(Membership._meta.db_table)
    limited = f"AND m.role IN ({', '.join(['%s'] * roles)}) " if roles else ""
    return (
        f"EXISTS (SELECT 1 FROM {membership} m JOIN {table} ma ON ma.id = m.agency_id "  # noqa: S608
        f"WHERE m.user_id = %s AND m.active {limited}AND {_covers_sql(agency)})"
    )


def _covers_sql(agency: str) -> str:
    """The membership ``m`` (its agency ``ma``) covers the agency row ``agency``."""
    return (
        f"(m.agency_id = {agency}.id OR "
        f"(m.include_subtree AND SUBSTR({agency}.path, 1, LENGTH(ma.path)) = ma.path))"
    )


def agencies_visible_sql(user: "AnyUser | None", agency_ids: str) -> tuple[str, list[Any]]:
    """A plain SQL condition, with its parameters: one of the agencies whose ids the subquery
    ``agency_ids`` selects (it may name columns of the outer statement; no parameters) is among
    ``agencies_visible_to(user)``. For a statement on the hot path that must cost less than
    building the ORM query (``dossiers.selectors.dossier_code_for_staff``)."""
    table = connection.ops.quote_name(Agency._meta.db_table)
    found = f"SELECT 1 FROM {table} a WHERE a.id IN ({agency_ids})"  # noqa: S608
    if not is_staff(user):
        return "1 = 0", []
    if user.is_superuser:
        return f"EXISTS ({found})", []
    return f"EXISTS ({found} AND {_covering_sql('a')})", [user.pk]


def agency_actable_sql(user: "AnyUser | None", agency: str, *, roles: Iterable[str]) -> tuple[str, list[Any]]:
    """A plain SQL condition, with its parameters: the agency row ``agency`` (an alias of the outer
    statement) is one where the user may act with one of ``roles`` — ``agencies_actable_by`` for
    a statement on the hot path (the head of unit's panel on every inbox page)."""
    wanted = _acting(roles)
    if not is_staff(user) or not wanted:
        return "1 = 0", []
    if user.is_superuser and Role.ADMINISTRATOR in wanted:
        return "1 = 1", []
    roles_sorted = sorted(wanted)
    return _covering_sql(agency, roles=len(roles_sorted)), [user.pk, *roles_sorted]


def agency_actable_by_code(user: "AnyUser | None", code: str, *, roles: Iterable[str]) -> Agency | None:
    """The active agency with identifier ``code`` if the user may act on it with one of ``roles``,
    with its work schedule loaded (None otherwise): ``agencies_actable_by(user, roles=roles)
    .filter(code=code, active=True).select_related("schedule").first()``, fields limited to
    id, code, name, path and schedule. For a superuser that query itself; for everyone else one
    plain SQL statement of the same rule (a reception at the counter reads only this live)."""
    wanted = _acting(roles)
    if not is_staff(user) or not wanted:
        return None
    if user.is_superuser:
        return (
            agencies_actable_by(user, roles=wanted)
            .filter(code=code, active=True)
            .select_related("schedule")
            .only("pk", "code", "name", "path", "schedule")
            .first()
        )
    roles_sorted = sorted(wanted)
    key = (connection.vendor, len(roles_sorted))
    sql = _ACTABLE_BY_CODE_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        agency, schedule = qn(Agency._meta.db_table), qn(WorkSchedule._meta.db_table)
        # Table names from the models' metadata, never from input; values are parameters.
        sql = _ACTABLE_BY_CODE_SQL[key] = (
            f"SELECT {_AGENCY_BRIEF.sql()}, {_SCHEDULE.sql()} FROM {agency} a "  # noqa: S608
            f"LEFT JOIN {schedule} s ON s.id = a.schedule_id "
            f"WHERE a.code = %s AND a.active AND {_covering_sql('a', roles=len(roles_sorted))} "
            "ORDER BY a.path LIMIT 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, user.pk, *roles_sorted])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(_AGENCY_BRIEF.fields)
    found = _AGENCY_BRIEF.build(row[:n])
    Agency.schedule.field.set_cached_value(found, _SCHEDULE.build(row[n:]) if row[n] is not None else None)
    return found


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


def calendar_for_agency_code(code: str) -> WorkCalendar:
    """The working calendar of the active agency with identifier ``code`` (its schedule or the
    default), or NotFound."""
    agency = Agency.objects.filter(code=code, active=True).select_related("schedule").first()
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan có mã “{code}”.", details={"agency": code})
    return calendar_for_schedule(agency.schedule)


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


# What the menu of every staff page reads of a user's memberships, kept per process (motcua/lib/
# versioned.py): a membership saved or deleted anywhere (the model's signals, org/signals.py) is
# seen by this process at once and by the others within a minute.
MENU_ROLES = VersionedCache("org:memberships-version", max_age=60, recheck_seconds=60)


def user_acts_somewhere(user: "AnyUser | None", *, roles: Iterable[str]) -> bool:
    """Whether ``agencies_actable_by(user, roles=roles)`` holds any agency (the menu's "does this
    officer work at a counter"): a membership always covers its own agency, so an active one in
    an acting role answers, read without the subtree rule. Kept per process (``MENU_ROLES``):
    for what a page shows, never for what it lets the user do."""
    acting = _acting(roles)
    if not is_staff(user) or not acting:
        return False

    def read() -> bool:
        if user.is_superuser and Role.ADMINISTRATOR in acting:
            return Agency.objects.exists()
        return Membership.objects.filter(user=user, active=True, role__in=acting).exists()

    return MENU_ROLES.get((user.pk, user.is_superuser, frozenset(acting)), read)
