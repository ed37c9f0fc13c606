"""Reads of dossiers for staff and citizens. Every staff read goes through the jurisdiction
filter (``agencies_visible_to``); viewing one dossier's personal data is audited."""

import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, Self, overload

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.db.models.sql.where import WhereNode
from django.utils import timezone

from motcua.accounts.models import User
from motcua.audit.services import SYSTEM_CHAIN, audit_record
from motcua.dossiers.actions import ACTIONS, Action
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierExtension,
    DossierFile,
    DossierPause,
    DossierStep,
    NationalStatus,
)
from motcua.dossiers.selectors_online import (  # noqa: F401  (the selectors of issue 11, exported here)
    citizen_dossier,
    citizen_dossiers,
    citizen_files,
    online_inbox,
    online_inbox_count,
    online_inbox_viewed,
)
from motcua.dossiers.services import Roles, action_permitted
from motcua.dossiers.services.rules import ASSIGNED_BY_LEADER, LEAD, check_action, next_actor_roles
from motcua.lib.errors import DomainError, Forbidden, InvalidInput, NotFound
from motcua.org.models import Agency, Membership
from motcua.org.selectors import (
    agencies_actable_by,
    agencies_visible_sql,
    agencies_visible_to,
    agency_subtree,
    user_can_see,
)
from motcua.workcalendar.calendar import (
    SECONDS_PER_WORKING_DAY,
    VN_TZ,
    add_working_time,
    moment_at_position,
    working_position,
)
from motcua.workcalendar.selectors import calendar_for_schedule

State = Dossier.State
# The inbox's buckets. The first four are named for the action the dossier waits for (a to-do of
# whoever acts next, ``_mine_q``); "supplement" and "payment" wait for the applicant (a follow-up,
# the counter's "waiting for the citizen" is the to-do); the last three cut across.
TODO_BUCKETS = ("to_assign", "to_process", "to_approve", "to_finish")
BUCKETS = ("all", *TODO_BUCKETS, "supplement", "payment", "due_soon", "late")
SORTS = {
    "due_at": ("due_at", "pk"),
    "-due_at": ("-due_at", "-pk"),
    "received_at": ("received_at", "pk"),
    "-received_at": ("-received_at", "-pk"),
}
DETAIL_RELATED = (
    "procedure",
    "procedure__field",
    "receiving_agency",
    "handling_agency",
    "holder_agency",
    "holder",
    "current_step",
    "owner",
)


def _visible_q(user: User) -> Q:
    """Staff jurisdiction over a dossier, as the ORM spells it: one of its receiving, handling or
    holding agencies, or an agency of one of its steps, is visible to the user. Reads use the
    plain SQL shape (``_find_visible``); the tests hold the two to the same answers."""
    visible = agencies_visible_to(user)
    return (
        Q(receiving_agency__in=visible)
        | Q(handling_agency__in=visible)
        | Q(holder_agency__in=visible)
        | Q(Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), agency__in=visible)))
    )


def _not_found(lookup: dict[str, Any]) -> NotFound:
    return NotFound(
        "Không tìm thấy hồ sơ.", code="dossier_not_found", details=lookup if "code" in lookup else {}
    )


def _chain_of(dossier: Dossier) -> str:
    """The audit chain of a read of the dossier: its holding agency's, else its receiving agency's."""
    agency = dossier.holder_agency if dossier.holder_agency is not None else dossier.receiving_agency
    return agency.code


def _audit_access(action: str, user: User, dossier: Dossier, ip: str | None) -> None:
    """A read of the dossier (``personal_data.view``) or a refused attempt (``…refused``: the
    same answer as for a code that does not exist, recorded for the oversight), on its chain."""
    audit_record(
        action=action, actor=user, obj=dossier, extra={"code": dossier.code}, chain=_chain_of(dossier), ip=ip
    )


def _for_staff(user: User, lookup: dict[str, Any], ip: str | None) -> Dossier:
    not_found = _not_found(lookup)
    dossier = Dossier.objects.select_related(*DETAIL_RELATED).filter(**lookup).first()
    if dossier is None:
        raise not_found
    found = _find_visible(user, "id", dossier.pk)
    if found is None or not found[1]:
        _audit_access("personal_data.refused", user, dossier, ip)
        raise not_found
    _audit_access("personal_data.view", user, dossier, ip)
    return dossier


def register_viewed(
    user: User,
    *,
    agency: Agency,
    date_from: date,
    date_to: date,
    count: int,
    output: str,
    ip: str | None = None,
) -> None:
    """Record that ``user`` printed or downloaded the tracking register (Mẫu 07) of ``agency``:
    it shows the applicants' names, addresses and telephone numbers of ``count`` dossiers."""
    audit_record(
        action="personal_data.register",
        actor=user,
        obj=agency,
        extra={
            "agency": agency.code,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "dossiers": count,
            "output": output,
        },
        chain=agency.code,
        ip=ip,
    )


def record_search(
    user: User,
    *,
    q: str,
    count: int,
    where: str,
    agency: Agency | None = None,
    ip: str | None = None,
) -> None:
    """Record that ``user`` searched the dossiers for ``q`` and found ``count`` (``where``: inbox,
    api, admin): a search by citizen ID or by name looks for a person. The term is recorded as
    typed, so that the oversight sees who searched for whom; written to the chain of ``agency``,
    else of the user's first agency (chains are per agency so that agencies never wait on one
    another), else the system chain."""
    q = (q or "").strip()
    if not q:
        return
    if agency is None:
        memberships = Membership.objects.filter(user=user, active=True).order_by("agency__path", "pk")
        chain = memberships.values_list("agency__code", flat=True).first() or SYSTEM_CHAIN
    else:
        chain = agency.code
    audit_record(
        action="personal_data.search",
        actor=user,
        object_type="dossiers.dossier",
        object_repr=f"tìm “{q}”"[:300],
        extra={
            "q": q,
            # The 12-digit personal identification number, or the 9-digit identity card before it.
            "kind": "citizen_id" if q.isdigit() and len(q) in (9, 12) else "text",
            "results": count,
            "where": where,
            "agency": agency.code if agency is not None else None,
        },
        chain=chain,
        ip=ip,
    )


def dossier_for_staff(user: User, code: str, *, ip: str | None = None) -> Dossier:
    """The dossier with ``code``, if in the user's jurisdiction; NotFound otherwise, the same for
    both (a refused attempt is audited as ``personal_data.refused``). The view of the applicant's
    personal data is audited."""
    return _for_staff(user, {"code": (code or "").strip().upper()}, ip)


def _find_visible(user: User, column: str, value: Any) -> tuple[int, bool] | None:
    """(id, whether it is in the user's jurisdiction) of the dossier whose ``column`` ("id" or
    "code") is ``value``, or None: ``_visible_q`` in one plain SQL statement (building that ORM
    query costs more than the rest of a transition's reads, or of a dossier page's check)."""
    if column not in ("id", "code"):
        raise ValueError(column)
    qn = connection.ops.quote_name
    dossier_t, step_t = qn(Dossier._meta.db_table), qn(DossierStep._meta.db_table)
    # The agencies of _visible_q: receiving, handling, holding, and those of its steps.
    # Table and column names from the models' metadata and this module, never from input;
    # values are parameters.
    agency_ids = (
        "SELECT d.receiving_agency_id UNION ALL SELECT d.handling_agency_id UNION ALL "  # noqa: S608
        f"SELECT d.holder_agency_id UNION ALL SELECT s.agency_id FROM {step_t} s WHERE s.dossier_id = d.id"
    )
    visible, params = agencies_visible_sql(user, agency_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, {visible} FROM {dossier_t} d WHERE d.{column} = %s",  # noqa: S608
            [*params, value],
        )
        found = cursor.fetchone()
    return None if found is None else (found[0], bool(found[1]))


def dossier_code_for_staff(user: User, code: str, *, ip: str | None = None) -> str:
    """The code of the dossier ``code`` for a transition by ``user``, if in the user's
    jurisdiction; NotFound otherwise, the same for both, a refused attempt audited as
    ``personal_data.refused`` (as ``dossier_for_staff``).

    One plain SQL statement (existence and the jurisdiction of ``_visible_q``: building that
    ORM query costs more than the rest of a transition's reads), no dossier loaded: the
    transition's service locks and reads the dossier itself. No ``personal_data.view`` is
    logged: the caller acts rather than views, the action is audited with the dossier's code,
    and its answer is the summary, not the applicant's personal data."""
    lookup = {"code": (code or "").strip().upper()}
    found = _find_visible(user, "code", lookup["code"])
    if found is None:
        raise _not_found(lookup)
    pk, is_visible = found
    if not is_visible:
        dossier = Dossier.objects.select_related("holder_agency", "receiving_agency").get(pk=pk)
        _audit_access("personal_data.refused", user, dossier, ip)
        raise _not_found(lookup)
    return lookup["code"]


def dossier_by_uid_for_staff(user: User, uid: uuid.UUID | str, *, ip: str | None = None) -> Dossier:
    try:
        parsed = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found") from None
    return _for_staff(user, {"uid": parsed}, ip)


def dossier_action_refusal(user: User, dossier: Dossier, action: Action) -> DomainError | None:
    """Why ``user`` may not take ``action`` on the dossier now (the service's own error), or None."""
    try:
        check_action(user, dossier, action.rule_for(dossier))
    except DomainError as exc:
        return exc
    return None


def dossier_available_actions(user: User, dossier: Dossier) -> list[Action]:
    """The actions this user may take on the dossier now (state and role checked)."""
    roles = Roles(user, dossier)
    if not roles.any():
        return []
    return [a for a in ACTIONS.values() if action_permitted(user, dossier, a.rule_for(dossier), roles)]


class InboxQuerySet(QuerySet[Dossier]):
    """The inbox list: a page (a slice) is read in two steps inside one SQL statement — the
    ids of the page from a narrow query over the partial index (sorting thousands of (id,
    due_at) pairs is cheap), then the page's rows with their joins. Without this, PostgreSQL
    joins and sorts every open dossier of the agency's wide rows to keep 20 of them."""

    # One row by index is QuerySet's own (its type is the stubs' row type variable, which a
    # subclass cannot name: Any); a slice is the page read below.
    @overload
    def __getitem__(self, k: int) -> Any: ...
    @overload
    def __getitem__(self, k: slice) -> Self: ...
    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice) and self._result_cache is None and self.query.select_related:
            ids = self.select_related(None).values("pk")[k]
            # The same queryset (joins, annotations, prefetches, order) with the page's ids as its
            # only condition: the ids already met the filters, which are not evaluated twice (an
            # officer's own inbox is a UNION over thousands of open dossiers).
            page = self.all()
            page.query.where = WhereNode()
            return page.filter(pk__in=ids)
        return super().__getitem__(k)


INBOX_RELATED = ("procedure", "holder_agency", "holder", "receiving_agency")


# The roles a step may name ("" for none), grouped by whose page lists it while unassigned.
_STEP_ROLES = ("", *Membership.Role.values)


def _mine_q(user: User) -> Q:
    """Dossiers whose next action is the user's: those he holds (``holder``), and those at an
    unassigned step that waits for his role at the holding agency (``next_actor_roles``: a
    leader's page lists the steps he distributes and the approvals; a receptionist's, the
    counter's steps).

    The two sets are read apart and joined (``UNION``), each through its own index (open
    dossiers by holder; open dossiers by holding agency), never as one ``OR``: an ``OR`` across
    the holder and the joined current step makes the database read every open dossier of the
    province and its steps (seconds at 1,000,000 dossiers, bench/inbox.py)."""
    groups: dict[frozenset[str], list[str]] = {}
    for role in _STEP_ROLES:
        groups.setdefault(next_actor_roles(role), []).append(role)
    open_ = Q(state__in=Dossier.OPEN_STATES)
    held = Dossier.objects.filter(open_, holder=user).values("pk")
    # One part per group of step roles, each for the agencies where the user acts in that
    # group's roles: each part then reads the open dossiers of those agencies (by index), not
    # every unassigned dossier of the province.
    unassigned = [
        Dossier.objects.filter(
            open_,
            holder_agency__in=agencies_actable_by(user, roles=actors).values("pk"),
            holder__isnull=True,
            current_step__finished_at__isnull=True,
            current_step__role__in=step_roles,
        ).values("pk")
        for actors, step_roles in groups.items()
    ]
    return Q(pk__in=held.union(*unassigned))


def _scope_queryset(user: User, *, scope: str, agency: Agency | str | None) -> QuerySet[Dossier]:
    qs = InboxQuerySet(Dossier).alias(open_step=OPEN_STEP)  # what the buckets read (``_bucket_q``)
    if scope == "mine":
        return qs.filter(_mine_q(user))
    if scope != "agency":
        raise InvalidInput(f"Phạm vi “{scope}” không hợp lệ: mine hoặc agency.", details={"field": "scope"})
    if agency is not None:
        if isinstance(agency, str):
            agency = Agency.objects.filter(code=agency.strip().upper()).first()
            if agency is None:
                raise NotFound("Không tìm thấy cơ quan.", code="agency_not_found")
        if not user_can_see(user, agency):
            raise Forbidden(
                f"Cơ quan {agency.code} không thuộc phạm vi của bạn.", code="outside_jurisdiction"
            )
        return qs.filter(holder_agency__in=agency_subtree(agency).values("pk"))
    return qs.filter(holder_agency__in=agencies_visible_to(user).values("pk"))


def _next_working_day_close(now: datetime) -> datetime:
    cal = calendar_for_schedule(None)
    return add_working_time(cal, now, 1, "working_days", rule="end_of_day").due_at


# Told apart by the integer ``status_code`` (2 received, 4 processing or approved, 5 supplement,
# 6 payment) where it suffices, not by ``state`` strings: see ``inbox_counts``.
_RUNNING = Q(status_code__in=(NationalStatus.RECEIVED, NationalStatus.PROCESSING))
_APPROVED = Q(state=State.APPROVED)
# The step an open dossier waits at, joined as the open step it is (``OPEN_STEP``): the join then
# reads the partial index ``dossierstep_open`` alone (id INCLUDE role), not each step's row —
# at 10,000 open dossiers of one agency the counts took 62 ms through the steps' rows, 22 ms so.
_AT_LEADER_STEP = Q(open_step__role__in=LEAD)
_UNASSIGNED = Q(holder__isnull=True, open_step__role__in=ASSIGNED_BY_LEADER)
OPEN_STEP = FilteredRelation("current_step", condition=Q(current_step__finished_at__isnull=True))


def _bucket_q(bucket: str, now: datetime) -> Q:
    """Each open dossier is in exactly one of the to-do buckets and the follow-ups (the action
    it waits for): ``to_assign`` an unassigned step a leader distributes, ``to_approve`` the
    approval step, ``to_process`` any other step before approval, ``to_finish`` approved, the
    result to finish; ``supplement`` and ``payment`` wait for the applicant."""
    if bucket == "all":
        return Q(state__in=Dossier.OPEN_STATES)
    if bucket == "to_assign":
        return _RUNNING & _UNASSIGNED
    if bucket == "to_approve":
        return _RUNNING & ~_APPROVED & ~_UNASSIGNED & _AT_LEADER_STEP
    if bucket == "to_process":
        return _RUNNING & ~_APPROVED & ~_UNASSIGNED & ~_AT_LEADER_STEP
    if bucket == "to_finish":
        return _APPROVED & ~_UNASSIGNED
    if bucket == "due_soon":
        return _RUNNING & Q(due_at__gte=now, due_at__lte=_next_working_day_close(now))
    if bucket == "late":
        return _RUNNING & Q(due_at__lt=now)
    if bucket == "supplement":
        return Q(status_code=NationalStatus.SUPPLEMENT)
    if bucket == "payment":
        return Q(status_code=NationalStatus.PAYMENT)
    raise InvalidInput(f"Nhóm hồ sơ “{bucket}” không hợp lệ.", details={"field": "bucket"})


# The end of a dossier code as people read it out: the day (YYMMDD) and the day's number.
_CODE_TAIL = re.compile(r"(\d{6})-(\d{1,4})")


def _search_q(q: str) -> Q:
    q = (q or "").strip()
    if not q:
        return Q()
    match = Q(code__startswith=q.upper()) | Q(applicant_name__icontains=q)
    tail = _CODE_TAIL.fullmatch(q)
    if tail:  # "261206-6" or "261206-0006": the day and number at the end of the code
        match |= Q(code__endswith=f"-{tail[1]}-{int(tail[2]):04d}")
    if q.isdigit():
        match |= Q(citizen_id=q)
    return match


def dossiers_inbox(
    user: User,
    *,
    scope: str = "mine",
    agency: Agency | str | None = None,
    bucket: str = "all",
    q: str = "",
    sort: str = "due_at",
) -> QuerySet[Dossier]:
    """Open dossiers of the officer (``mine``: held by them) or of the agencies they see
    (``agency``; one agency and its subtree when given), by bucket, searched and sorted."""
    if sort not in SORTS:
        raise InvalidInput(f"Cách sắp xếp “{sort}” không hợp lệ.", details={"field": "sort"})
    now = timezone.now()
    return (
        _scope_queryset(user, scope=scope, agency=agency)
        .filter(state__in=Dossier.OPEN_STATES)
        .filter(_bucket_q(bucket, now))
        .filter(_search_q(q))
        .select_related(*INBOX_RELATED)
        .annotate(supplied_online=Exists(_supplied_online))
        .order_by(*SORTS[sort])
    )


# A supplement the applicant sent online, waiting for the holder to receive it (the page marks
# the row "Đã bổ sung trực tuyến").
_supplied_online = DossierPause.objects.filter(
    dossier=OuterRef("pk"), ended_at__isnull=True, supplied_online_at__isnull=False
)


def inbox_counts(user: User, *, scope: str = "agency", agency: Agency | str | None = None) -> dict[str, int]:
    """Counts per bucket (``BUCKETS``) in one query.

    Among open dossiers the buckets are told apart by the integer ``status_code`` where it
    suffices, not by comparing ``state`` strings: the aggregate evaluates every filter on every
    open dossier of the agency, and text comparisons under the database's collation cost
    several times the index scan itself at 10,000 open dossiers."""
    now = timezone.now()
    qs = _scope_queryset(user, scope=scope, agency=agency).filter(state__in=Dossier.OPEN_STATES)
    return qs.aggregate(
        all=Count("pk"),
        **{bucket: Count("pk", filter=_bucket_q(bucket, now)) for bucket in BUCKETS if bucket != "all"},
    )


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    day = now.astimezone(VN_TZ).date()
    start = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


# Where the citizen must act (national status 5, 6): the counter's "Chờ công dân" bucket. A dossier
# submitted online (status 1) waits for the counter, in its online inbox (``online_inbox``).
WAITING_CITIZEN_STATES = (State.INTAKE_SUPPLEMENT, State.SUPPLEMENT, State.PAYMENT)


def uncollected_cutoff(agency: Agency | None, now: datetime) -> datetime:
    """Results ready at or before this moment have waited ``MOTCUA_RESULT_UNCOLLECTED_WORKING_DAYS``
    working days or more (on ``agency``'s calendar): "chờ nhận lâu"."""
    cal = calendar_for_schedule(agency.schedule if agency is not None and agency.schedule_id else None)
    days = int(settings.MOTCUA_RESULT_UNCOLLECTED_WORKING_DAYS)
    return moment_at_position(cal, working_position(cal, now) - days * SECONDS_PER_WORKING_DAY)


def counter_today(user: User, *, agency: Agency | str | None = None) -> dict[str, QuerySet[Dossier]]:
    """The counter's day: received today, due today (still open), results waiting to be
    collected (``waiting_long`` when ready for ``MOTCUA_RESULT_UNCOLLECTED_WORKING_DAYS``
    working days or more), and dossiers waiting for the citizen (status 5, 6), each with
    ``waiting_since`` (the open supplement or payment request, else the online submission)."""
    receptionist = {Membership.Role.RECEPTIONIST}
    if agency is not None:
        if isinstance(agency, str):
            agency = Agency.objects.filter(code=agency.strip().upper()).first()
            if agency is None:
                raise NotFound("Không tìm thấy cơ quan.", code="agency_not_found")
        if not agencies_actable_by(user, roles=receptionist).filter(pk=agency.pk).exists():
            raise Forbidden(
                f"Bạn không phải cán bộ tiếp nhận của {agency.code}.", code="outside_jurisdiction"
            )
        agencies = Agency.objects.filter(pk=agency.pk).values("pk")
    else:
        agencies = agencies_actable_by(user, roles=receptionist).values("pk")
    now = timezone.now()
    start, end = _local_day_bounds(now)
    base = Dossier.objects.filter(receiving_agency__in=agencies).select_related(
        "procedure", "holder_agency", "receiving_agency"
    )
    open_pause = (
        DossierPause.objects.filter(dossier=OuterRef("pk"), ended_at__isnull=True)
        .order_by("-started_at", "-pk")
        .values("started_at")[:1]
    )
    long_ago = uncollected_cutoff(agency if isinstance(agency, Agency) else None, now)
    return {
        "received_today": base.filter(received_at__gte=start, received_at__lt=end).order_by(
            "-received_at", "-pk"
        ),
        "due_today": base.filter(state__in=Dossier.OPEN_STATES, due_at__gte=start, due_at__lt=end).order_by(
            "due_at", "pk"
        ),
        "waiting_collection": base.filter(state=State.FINISHED)
        .annotate(waiting_long=ExpressionWrapper(Q(finished_at__lte=long_ago), output_field=BooleanField()))
        .order_by("finished_at", "pk"),
        "waiting_citizen": base.filter(state__in=WAITING_CITIZEN_STATES)
        .annotate(waiting_since=Coalesce(Subquery(open_pause), "submitted_at", "created_at"))
        .order_by("waiting_since", "pk"),
    }


def payment_due_by(dossier_ids: list[int]) -> dict[int, datetime]:
    """When each dossier's latest payment request falls due: the ``due_by`` of its latest
    ``request-payment`` event (written by motcua.payments, docs: contracts). The inbox shows a
    request unpaid past it, with its lateness (``overdue_text``)."""
    found: dict[int, datetime] = {}
    events = (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids, action="request-payment")
        .order_by("at", "pk")
        .values_list("dossier_id", "data")
    )
    for dossier_id, data in events:
        due = (data or {}).get("due_by")
        if isinstance(due, str) and due:
            found[dossier_id] = datetime.fromisoformat(due)
    return found


def overdue_text(due: datetime, now: datetime) -> str:
    """ "quá hạn 2 ngày 3 giờ" (calendar time: the applicant's time to pay is not working time)."""
    late = now - due
    days, hours = late.days, late.seconds // 3600
    return "quá hạn " + (
        " ".join(p for p in (f"{days} ngày" if days else "", f"{hours} giờ" if hours else "") if p)
        or "dưới 1 giờ"
    )


def dossier_timeline(dossier: Dossier) -> list[DossierEvent]:
    return list(dossier.events.select_related("actor", "agency").order_by("at", "pk"))


def dossier_steps(dossier: Dossier) -> QuerySet[DossierStep]:
    return dossier.steps.select_related("agency", "giver", "receiver").order_by("seq")


def dossier_documents(dossier: Dossier) -> list[DossierDocument]:
    """The dossier's documents in order, each with its attached files."""
    return list(dossier.documents.prefetch_related("files").order_by("order", "pk"))


def dossier_pauses(dossier: Dossier) -> list[DossierPause]:
    """Supplement and payment pauses, oldest first, with who asked."""
    return list(dossier.pauses.select_related("requested_by").order_by("started_at", "pk"))


def dossier_extension(dossier: Dossier) -> DossierExtension | None:
    """The apology and extension (Mẫu 04), if the dossier has one."""
    return DossierExtension.objects.filter(dossier=dossier).first() if dossier.extension_count else None


def dossier_earlier_steps(dossier: Dossier) -> list[DossierStep]:
    """The processing steps a dossier may be sent back to (all but the current), in order."""
    steps = DossierStep.objects.filter(dossier=dossier, kind=DossierStep.Kind.PROCESS)
    if dossier.current_step_id is not None:
        steps = steps.exclude(pk=dossier.current_step_id)
    return list(steps.select_related("agency").order_by("seq"))


def dossier_file(dossier: Dossier, file_id: int) -> DossierFile | None:
    """One file attached to one of the dossier's documents (None if it is not this dossier's)."""
    return DossierFile.objects.filter(pk=file_id, document__dossier=dossier).first()
