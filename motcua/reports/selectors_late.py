"""Who held the late dossiers: per step holder (agency and officer) the steps finished late in a
period, read from the control slip (``DossierStep``), and the dossiers behind each row. Part of
``selectors`` (re-exported there)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierStep
from motcua.reports.selectors_base import _bounds, _narrow, agency_ids, check_period


def _late_steps_rows(
    agencies: Any, start: date, end: date, procedure: Any, field: Any, channel: Any
) -> QuerySet:
    first, after = _bounds(start, end)
    steps = DossierStep.objects.filter(
        agency_id__in=agency_ids(agencies), timeliness="late", finished_at__gte=first, finished_at__lt=after
    )
    return _narrow(steps, procedure, field, channel, prefix="dossier__")


def late_steps(
    *, agencies: Any, start: date, end: date, procedure: Any = None, field: Any = None, channel: Any = None
) -> list[dict[str, Any]]:
    """Per step holder — the agency of the step and the officer who received it (``officer_id``
    None: nobody was assigned) — the steps finished late in the period: ``late_steps``, the
    ``dossiers`` they belong to, ``late_hours`` (calendar hours past the steps' due times,
    summed) and ``still_late`` (steps held now, past due). Most late first."""
    start, end = check_period(start, end)
    rows = (
        _late_steps_rows(agencies, start, end, procedure, field, channel)
        .values("agency_id", "agency__name", "receiver_id")
        .annotate(late_steps=Count("pk"), dossiers=Count("dossier_id", distinct=True))
        .order_by()
    )
    held = {}
    now = timezone.now()
    open_late = _narrow(
        DossierStep.objects.filter(
            agency_id__in=agency_ids(agencies), finished_at__isnull=True, due_at__lt=now
        ),
        procedure,
        field,
        channel,
        prefix="dossier__",
    )
    for row in open_late.values("agency_id", "receiver_id").annotate(n=Count("pk")).order_by():
        held[(row["agency_id"], row["receiver_id"])] = row["n"]
    hours: dict[tuple, float] = {}
    for agency_id, receiver_id, finished_at, due_at in _late_steps_rows(
        agencies, start, end, procedure, field, channel
    ).values_list("agency_id", "receiver_id", "finished_at", "due_at"):
        key = (agency_id, receiver_id)
        hours[key] = hours.get(key, 0.0) + (finished_at - due_at).total_seconds() / 3600
    names = {
        user.pk: user.get_full_name()
        for user in get_user_model().objects.filter(
            pk__in={r["receiver_id"] for r in rows if r["receiver_id"]}
        )
    }
    result = [
        {
            "agency_id": r["agency_id"],
            "agency_name": r["agency__name"],
            "officer_id": r["receiver_id"],
            "officer_name": names.get(r["receiver_id"], ""),
            "late_steps": r["late_steps"],
            "dossiers": r["dossiers"],
            "late_hours": round(hours.get((r["agency_id"], r["receiver_id"]), 0.0), 1),
            "still_late": held.get((r["agency_id"], r["receiver_id"]), 0),
        }
        for r in rows
    ]
    result.sort(key=lambda r: (-r["late_steps"], -r["late_hours"]))
    return result


def late_step_dossiers(
    *,
    agencies: Any,
    start: date,
    end: date,
    agency: Any = None,
    officer: Any = None,
    procedure: Any = None,
    field: Any = None,
    channel: Any = None,
) -> QuerySet:
    """The dossiers behind a row of ``late_steps`` (``agency``, ``officer``; officer ``None``
    with ``agency`` given: steps nobody was assigned)."""
    start, end = check_period(start, end)
    steps = _late_steps_rows(agencies, start, end, procedure, field, channel)
    if agency is not None:
        steps = steps.filter(agency_id=getattr(agency, "pk", agency))
        steps = steps.filter(receiver_id=getattr(officer, "pk", officer))
    return Dossier.objects.filter(pk__in=steps.values("dossier_id"))
