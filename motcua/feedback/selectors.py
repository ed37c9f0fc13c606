"""Reads of ratings and survey answers.

``rating_rows`` is the contract with ``reports`` (contracts.md): plain dicts, read in id order
from where the caller stopped. Officers see aggregates only, never over fewer than
``MIN_AGGREGATE`` ratings (Decree 61 art. 27: respondents stay confidential).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.org.models import Agency
from motcua.org.selectors import Columns, agencies_actable_by, agency_actable_sql, agency_subtree

MIN_AGGREGATE = 5
_ROW_FIELDS = (
    "id",
    "dossier_id",
    "agency_id",
    "procedure_id",
    "channel",
    "created_at",
    "satisfied",
    "answers",
    "questionnaire_version",
    "officer_id",
)


def rating_rows(*, since_id: int = 0, until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every rating with id > ``since_id`` (and created before ``until``), in id order, as dicts
    ``{id, dossier_id, agency_id (handling agency), procedure_id, channel, created_at, satisfied,
    answers, questionnaire_version, officer_id}``."""
    rows = Rating.objects.filter(id__gt=since_id)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    yield from rows.order_by("id").values(*_ROW_FIELDS).iterator(chunk_size=2000)


@dataclass(frozen=True)
class PanelRow:
    code: str
    procedure_name: str
    created_at: datetime


_PANEL_SQL: dict[tuple[str, str], str] = {}
_PANEL_TIME = Columns(Rating, "r", ("id", "created_at"))


def unsatisfied_panel_rows(user: Any, *, limit: int) -> list[PanelRow]:
    """The first ``limit`` rows of ``unsatisfied_for(user)`` (newest first) as the inbox's panel
    shows them: code, procedure and time, read in one plain SQL statement of the same rule (the
    ORM's query cost more to build than the rest of the panel; ``test_panel.py`` holds the two to
    the same answers)."""
    from motcua.feedback.services import HEAD_ROLES

    condition, params = agency_actable_sql(user, "a", roles=HEAD_ROLES)
    key = (connection.vendor, condition)
    sql = _PANEL_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        rating, dossier = qn(Rating._meta.db_table), qn(Dossier._meta.db_table)
        procedure, agency = qn(Procedure._meta.db_table), qn(Agency._meta.db_table)
        # Table names from the models' metadata, never from input; values are parameters.
        sql = _PANEL_SQL[key] = (
            f"SELECT {_PANEL_TIME.sql()}, d.code, p.name FROM {rating} r "  # noqa: S608
            f"JOIN {dossier} d ON d.id = r.dossier_id JOIN {procedure} p ON p.id = r.procedure_id "
            f"JOIN {agency} a ON a.id = r.agency_id "
            f"WHERE NOT r.satisfied AND r.handled_at IS NULL AND {condition} "
            "ORDER BY r.created_at DESC, r.id DESC LIMIT %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    return [PanelRow(code, name, _PANEL_TIME.build(row[:2]).created_at) for *row, code, name in rows]


def unsatisfied_for(user: Any, *, include_handled: bool = False) -> QuerySet[Rating]:
    """Unsatisfied ratings (not yet handled, unless ``include_handled``) of dossiers handled by
    the agencies where ``user`` is a leader or centre director: the head of unit's inbox."""
    from motcua.feedback.services import HEAD_ROLES

    agencies = agencies_actable_by(user, roles=HEAD_ROLES)
    rows = Rating.objects.filter(satisfied=False, agency__in=agencies)
    if not include_handled:
        rows = rows.filter(handled_at__isnull=True)
    return rows.select_related("dossier", "procedure", "agency").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Aggregate:
    """Satisfaction over a group of ratings, or withheld (``shown`` False) under five ratings."""

    count: int
    satisfied: int | None
    shown: bool

    @property
    def share(self) -> float | None:
        return (
            round(100 * self.satisfied / self.count, 1) if self.shown and self.satisfied is not None else None
        )


def _aggregate(rows: QuerySet[Rating]) -> Aggregate:
    # Decision 766 indicator 5.4 counts the latest rating of each dossier: older channels' ratings
    # of a dossier rated again are left out.
    newer = Rating.objects.filter(dossier_id=OuterRef("dossier_id"), created_at__gt=OuterRef("created_at"))
    latest = rows.exclude(Exists(newer))
    totals = latest.aggregate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True)))
    count = totals["n"] or 0
    if count < MIN_AGGREGATE:
        return Aggregate(count=count, satisfied=None, shown=False)
    return Aggregate(count=count, satisfied=totals["ok"], shown=True)


def officer_aggregate(officer: Any, *, since: datetime | None = None) -> Aggregate:
    """What an officer may see of the ratings of their own service: a count and a share, never
    below five ratings, never who rated or which dossier."""
    rows = Rating.objects.filter(officer=officer)
    return _aggregate(rows if since is None else rows.filter(created_at__gte=since))


def agency_aggregate(agency: Agency, *, since: datetime | None = None) -> Aggregate:
    rows = Rating.objects.filter(agency__in=agency_subtree(agency))
    return _aggregate(rows if since is None else rows.filter(created_at__gte=since))
