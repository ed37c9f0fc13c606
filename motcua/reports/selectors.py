"""What the oversight pages read: totals, trends, rankings and the dossiers behind each number.

Every function takes the viewer's jurisdiction as ``agencies`` (Agency objects, ids or a
queryset: the caller resolves it, e.g. with ``motcua.org`` memberships) and a period of local
days ``start``–``end`` (both included), optionally one ``procedure``, one ``field`` (lĩnh vực) or
one ``channel`` (1 counter, 2 online, 3 post). Numbers come from the roll-ups (``engine.py``),
never from the dossiers themselves, so a dashboard costs units × days, not dossiers:

- ``totals(...)``: one dict of counters, the open dossiers at the period's end and the rates;
- ``by_month(...)``: the same per calendar month (trends);
- ``by_agency(...)``: the same per agency with the volume behind each rate and a 95% band
  (Wilson) so that 3 dossiers are not ranked above 300 on luck (rankings);
- ``dashboard_data(...)``: everything the province / unit dashboard page shows, in one call
  (``bench/dashboard.py`` measures exactly this);
- ``dossiers_behind(metric, ...)``: the QuerySet of the dossiers a number counts (drill-down);
- ``late_steps(...)`` and ``late_step_dossiers(...)``: who held the late dossiers (per step
  holder: agency and officer);
- ``indicator_counts(...)``: numerators and denominators of Decision 766 and Circular 01/2018
  indicators (the formulas and points are the oversight part's configuration).

A rate whose denominator is 0, or whose source is not built (no ratings app), is ``None``:
"chưa đo được", never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.lib.errors import InvalidInput
from motcua.reports import metrics
from motcua.reports.models import (
    AgencyDayRollup,
    DailyRollup,
    EventCounters,
    OpenSnapshot,
    RatingRollup,
    SnapshotRun,
)
from motcua.reports.selectors_base import (  # noqa: F401 — check_period, agency_ids: part of this API
    _bounds,
    _narrow,
    agency_ids,
    check_period,
)
from motcua.reports.selectors_late import late_step_dossiers, late_steps  # noqa: F401 — part of this module's API
from motcua.reports.stats import ratio, wilson
from motcua.workcalendar.calendar import VN_TZ

COUNTERS: tuple[str, ...] = tuple(f.name for f in EventCounters._meta.get_fields())


def _rollups(agencies: Any, start: date, end: date, procedure: Any, field: Any, channel: Any) -> QuerySet:
    """The roll-up rows of the period: the coarse table unless a procedure, field or channel is asked."""
    if procedure is None and field is None and channel is None:
        return AgencyDayRollup.objects.filter(agency_id__in=agency_ids(agencies), day__range=(start, end))
    rows = DailyRollup.objects.filter(agency_id__in=agency_ids(agencies), day__range=(start, end))
    return _narrow(rows, procedure, field, channel)


def _sums(rows: QuerySet, group: Iterable[str] = ()) -> list[dict[str, Any]]:
    sums = {name: Sum(name) for name in COUNTERS}
    group = list(group)
    if not group:
        one = rows.aggregate(**sums)
        return [{name: one[name] or 0 for name in COUNTERS}]
    return [
        {**row, **{name: row[name] or 0 for name in COUNTERS}}
        for row in rows.values(*group).annotate(**sums).order_by(*group)
    ]


def snapshot_day(agencies: Any, start: date, end: date) -> date | None:
    """The last day in the period with a snapshot (the day the period is judged on)."""
    return (
        SnapshotRun.objects.filter(agency_id__in=agency_ids(agencies), day__range=(start, end))
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )


def _open_at_end(
    agencies: Any,
    start: date,
    end: date,
    procedure: Any,
    field: Any,
    channel: Any,
    group: list[str] | None = None,
) -> dict[Any, dict[str, int]]:
    """The open dossiers at the close of the period's last day: the snapshot of the last working
    day in the period, or — a period still running today — the dossiers open now."""
    today = timezone.localdate(timezone=VN_TZ)
    empty = {name: 0 for name in metrics.SNAPSHOT_METRICS}
    group = group or []
    if end >= today:
        rows = _narrow(
            Dossier.objects.filter(
                handling_agency_id__in=agency_ids(agencies), state__in=Dossier.OPEN_STATES
            ),
            procedure,
            field,
            channel,
        )
        now = timezone.now()
        running = Q(state__in=Dossier.CLOCK_RUNNING_STATES, due_at__lt=now)
        counts = {
            "open": Count("pk"),
            "open_paused": Count("pk", filter=Q(state__in=[Dossier.State.SUPPLEMENT, Dossier.State.PAYMENT])),
            "open_late": Count("pk", filter=running),
            "open_late_national": Count("pk", filter=running | Q(supplement_flagged=True)),
        }
        live_group = ["handling_agency_id" if g == "agency_id" else g for g in group]
        if not live_group:
            return {None: rows.aggregate(**counts)}
        return {row.pop(live_group[0]): row for row in rows.values(*live_group).annotate(**counts).order_by()}
    day = snapshot_day(agencies, start, end)
    if day is None:
        return {None: empty} if not group else {}
    rows = _narrow(
        OpenSnapshot.objects.filter(agency_id__in=agency_ids(agencies), day=day), procedure, field, channel
    )
    sums = {name: Sum(name) for name in metrics.SNAPSHOT_METRICS}
    if not group:
        one = rows.aggregate(**sums)
        return {None: {k: v or 0 for k, v in one.items()}}
    return {row.pop(group[0]): row for row in rows.values(*group).annotate(**sums).order_by()}


def _ratings(
    agencies: Any, start: date, end: date, procedure: Any, field: Any, group: list[str] | None = None
) -> dict:
    rows = _narrow(
        RatingRollup.objects.filter(agency_id__in=agency_ids(agencies), day__range=(start, end)),
        procedure,
        field,
        None,
    )
    sums = {name: Sum(name) for name in metrics.RATING_METRICS}
    if not group:
        one = rows.aggregate(**sums)
        return {None: {k: v or 0 for k, v in one.items()}}
    return {row.pop(group[0]): row for row in rows.values(*group).annotate(**sums).order_by()}


def rates(c: dict[str, Any]) -> dict[str, float | None]:
    """The rates of one set of counters (``None`` where there is nothing to divide by).

    - ``on_time_rate``: finished no later than the appointment ÷ finished (decree: a supplement
      restarts the clock); ``early_rate``, ``late_rate`` likewise;
    - ``on_time_rate_with_open``: (finished on time + open and not yet due at the period's end) ÷
      (finished + open), by the decree's clock;
    - ``national_on_time_rate``: the same by the national portal's formula (Decision 766
      indicator 2.1: supplement time paused, more than one supplement request is late);
    - ``resolved_rate``: finished ÷ (finished + open at the end);
    - ``online_share``, ``postal_share``: of the dossiers received;
    - ``satisfaction``: satisfied ratings ÷ ratings.
    """
    finished, opened = c["finished"], c.get("open", 0)
    return {
        "on_time_rate": ratio(finished - c["finished_late"], finished),
        "early_rate": ratio(c["finished_early"], finished),
        "late_rate": ratio(c["finished_late"], finished),
        "on_time_rate_with_open": ratio(
            finished - c["finished_late"] + opened - c.get("open_late", 0), finished + opened
        ),
        "national_on_time_rate": ratio(
            finished - c["national_late"] + opened - c.get("open_late_national", 0), finished + opened
        ),
        "resolved_rate": ratio(finished, finished + opened),
        "online_share": ratio(c["received_online"], c["received"]),
        "postal_share": ratio(c["received_postal"], c["received"]),
        "satisfaction": ratio(c.get("satisfied", 0), c.get("ratings", 0))
        if c.get("ratings_measured", True)
        else None,
    }


def _ratings_measured() -> bool:
    from motcua.reports.ratings import ratings_available

    return ratings_available()


def totals(
    *, agencies: Any, start: date, end: date, procedure: Any = None, field: Any = None, channel: Any = None
) -> dict[str, Any]:
    """Counters of the period (``models.EventCounters``' names), the open dossiers at its end
    (``open``, ``open_paused``, ``open_late``, ``open_late_national``), the ratings (``ratings``,
    ``satisfied``, ``unsatisfied``, ``latest_unsatisfied``) and ``rates`` (see ``rates``).
    ``snapshot_day``: the day the open dossiers were counted (None: now)."""
    start, end = check_period(start, end)
    result = _sums(_rollups(agencies, start, end, procedure, field, channel))[0]
    result.update(_open_at_end(agencies, start, end, procedure, field, channel)[None])
    result.update(_ratings(agencies, start, end, procedure, field)[None])
    result["ratings_measured"] = _ratings_measured()
    result["rates"] = rates(result)
    return result


def by_month(
    *, agencies: Any, start: date, end: date, procedure: Any = None, field: Any = None, channel: Any = None
) -> list[dict[str, Any]]:
    """``totals`` per calendar month of the period (``month``: its first day), oldest first;
    each month's open dossiers are those at the close of its last day in the period."""
    start, end = check_period(start, end)
    rows = _rollups(agencies, start, end, procedure, field, channel).annotate(month=TruncMonth("day"))
    sums = {_month_key(r["month"]): r for r in _sums(rows, ["month"])}
    opened = _open_by_month(agencies, start, end, procedure, field, channel)
    rated = _ratings_by_month(agencies, start, end, procedure, field)
    measured = _ratings_measured()
    months = []
    first = start.replace(day=1)
    while first <= end:
        row = dict(sums.get(first) or {name: 0 for name in COUNTERS})
        row["month"] = first
        row.update({name: 0 for name in metrics.SNAPSHOT_METRICS})
        row.update({k: v or 0 for k, v in opened.get(first, {}).items()})
        row.update({name: 0 for name in metrics.RATING_METRICS})
        row.update({k: v or 0 for k, v in rated.get(first, {}).items()})
        row["ratings_measured"] = measured
        row["rates"] = rates(row)
        months.append(row)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def _open_by_month(
    agencies: Any, start: date, end: date, procedure: Any, field: Any, channel: Any
) -> dict[date, dict[str, int]]:
    """The open dossiers at the end of each month of the period (its last snapshot; the month
    running today: now), in three queries whatever the number of months."""
    today = timezone.localdate(timezone=VN_TZ)
    result: dict[date, dict[str, int]] = {}
    past_end = min(end, today - timedelta(days=1))
    if past_end >= start:
        snapshots = OpenSnapshot.objects.filter(
            agency_id__in=agency_ids(agencies), day__range=(start, past_end)
        )
        last_days = [
            row["last"]
            for row in snapshots.annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(last=Max("day"))
            .order_by()
        ]
        sums = {name: Sum(name) for name in metrics.SNAPSHOT_METRICS}
        rows = _narrow(snapshots.filter(day__in=last_days), procedure, field, channel)
        for row in rows.values("day").annotate(**sums).order_by():
            result[row.pop("day").replace(day=1)] = row
    if end >= today:
        result[today.replace(day=1)] = _open_at_end(agencies, today, end, procedure, field, channel)[None]
    return result


def _ratings_by_month(agencies: Any, start: date, end: date, procedure: Any, field: Any) -> dict[date, dict]:
    rows = _narrow(
        RatingRollup.objects.filter(agency_id__in=agency_ids(agencies), day__range=(start, end)),
        procedure,
        field,
        None,
    ).annotate(month=TruncMonth("day"))
    sums = {name: Sum(name) for name in metrics.RATING_METRICS}
    return {_month_key(row.pop("month")): row for row in rows.values("month").annotate(**sums).order_by()}


def _month_key(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def by_agency(
    *, agencies: Any, start: date, end: date, procedure: Any = None, field: Any = None, channel: Any = None
) -> list[dict[str, Any]]:
    """``totals`` per agency (``agency_id``) that had anything in the period, with the volume
    behind each rate (``finished``, ``received``, ``ratings``) and a 95% band (``bands``: Wilson
    score interval of the on-time, online and satisfaction rates) for rankings."""
    start, end = check_period(start, end)
    rows = _sums(_rollups(agencies, start, end, procedure, field, channel), ["agency_id"])
    opened = _open_at_end(agencies, start, end, procedure, field, channel, ["agency_id"])
    rated = _ratings(agencies, start, end, procedure, field, ["agency_id"])
    measured = _ratings_measured()
    by_id = {row["agency_id"]: row for row in rows}
    for agency_id in set(opened) | set(rated):
        by_id.setdefault(agency_id, {"agency_id": agency_id, **{name: 0 for name in COUNTERS}})
    result = []
    for agency_id, row in by_id.items():
        row.update({name: 0 for name in metrics.SNAPSHOT_METRICS})
        row.update({k: v or 0 for k, v in opened.get(agency_id, {}).items()})
        row.update({name: 0 for name in metrics.RATING_METRICS})
        row.update({k: v or 0 for k, v in rated.get(agency_id, {}).items()})
        row["ratings_measured"] = measured
        row["rates"] = rates(row)
        row["bands"] = {
            "on_time_rate": wilson(row["finished"] - row["finished_late"], row["finished"]),
            "online_share": wilson(row["received_online"], row["received"]),
            "satisfaction": wilson(row["satisfied"], row["ratings"]) if measured else None,
        }
        result.append(row)
    result.sort(key=lambda r: r["agency_id"])
    return result


def dashboard_data(
    *, agencies: Any, start: date, end: date, procedure: Any = None, field: Any = None, channel: Any = None
) -> dict[str, Any]:
    """Everything the dashboard page shows: ``totals``, ``months`` (``by_month``) and ``agencies``
    (``by_agency``, for the ranking beside it). The page makes no other query of numbers."""
    kwargs = {
        "agencies": agencies,
        "start": start,
        "end": end,
        "procedure": procedure,
        "field": field,
        "channel": channel,
    }
    return {"totals": totals(**kwargs), "months": by_month(**kwargs), "agencies": by_agency(**kwargs)}


# --- the drill-down -------------------------------------------------------------------------

DRILL_METRICS = tuple(metrics.event_metrics()) + (
    "open",
    "open_paused",
    "open_late",
    "open_late_national",
    "ratings",
    "satisfied",
    "unsatisfied",
)


def dossiers_behind(
    metric: str,
    *,
    agencies: Any,
    start: date,
    end: date,
    procedure: Any = None,
    field: Any = None,
    channel: Any = None,
) -> QuerySet:
    """The dossiers a number of ``totals`` counts, with the same filters (a QuerySet of
    ``Dossier``, not yet scoped by anything else; the page orders, pages and exports it).

    Event counters (``received``, ``finished_late``…): the dossiers with such an event in the
    period. Open dossiers (``open``, ``open_late``…): those open at the close of the period's
    last day — exact for a period running today; for a past period, rebuilt from the events
    (received before that close, not ended before it) and the appointment as it stands now.
    Ratings (``ratings``, ``satisfied``, ``unsatisfied``): the dossiers rated in the period."""
    start, end = check_period(start, end)
    dossiers = _narrow(
        Dossier.objects.filter(handling_agency_id__in=agency_ids(agencies)), procedure, field, channel
    )
    first, after = _bounds(start, end)
    rules = metrics.event_metrics()
    if metric in rules:
        events = DossierEvent.objects.filter(
            rules[metric], dossier_id=OuterRef("pk"), at__gte=first, at__lt=after
        )
        return dossiers.filter(Exists(events))
    if metric in metrics.SNAPSHOT_METRICS:
        return _open_dossiers(metric, dossiers, end)
    if metric in ("ratings", "satisfied", "unsatisfied"):
        from motcua.reports.ratings import rated_dossier_ids

        wanted = {"ratings": None, "satisfied": True, "unsatisfied": False}[metric]
        return dossiers.filter(pk__in=rated_dossier_ids(first, after, wanted))
    raise InvalidInput(f"Không có chỉ số “{metric}”.", code="metric_unknown", details={"metric": metric})


def _open_dossiers(metric: str, dossiers: QuerySet, end: date) -> QuerySet:
    today = timezone.localdate(timezone=VN_TZ)
    if end >= today:
        close = timezone.now()
        rows = dossiers.filter(state__in=Dossier.OPEN_STATES)
        paused_q = Q(state__in=[Dossier.State.SUPPLEMENT, Dossier.State.PAYMENT])
    else:
        close = _bounds(end, end)[1]
        ended = DossierEvent.objects.filter(
            dossier_id=OuterRef("pk"), action__in=metrics.ENDING_ACTIONS, at__lt=close
        )
        rows = dossiers.filter(received_at__lt=close).exclude(Exists(ended))
        paused_q = Q(pauses__started_at__lt=close) & (
            Q(pauses__ended_at__isnull=True) | Q(pauses__ended_at__gte=close)
        )
    late = ~paused_q & Q(due_at__lt=close)
    if metric == "open":
        return rows
    if metric == "open_paused":
        return rows.filter(paused_q).distinct()
    if metric == "open_late":
        return rows.filter(late).distinct()
    return rows.filter(late | Q(supplement_flagged=True)).distinct()


# --- indicators -----------------------------------------------------------------------------


def indicator_counts(
    *, agencies: Any, start: date, end: date, field: Any = None
) -> dict[str, dict[str, Any]]:
    """Numerator and denominator of the indicators the system can count (Decision 766,
    legal-facts §7.2; Circular 01/2018 art. 13, §6.2) for the period: ``{id: {"numerator",
    "denominator", "metric"}}`` where ``metric`` names the counter whose ``dossiers_behind`` lists
    the dossiers that pull the rate down (None: not a dossier count). A denominator None means
    "not yet measured" (its source is not built)."""
    t = totals(agencies=agencies, start=start, end=end, field=field)
    finished, opened = t["finished"], t["open"]
    measured = t["ratings_measured"]
    received = t["received"]
    return {
        # 766 2.1: finished on time + open and not yet due ÷ finished + open (national formula).
        "766-2.1": _ind(
            finished - t["national_late"] + opened - t["open_late_national"],
            finished + opened,
            "national_late",
        ),
        # 766 3.3: online dossiers ÷ all received.
        "766-3.3": _ind(t["received_online"], received, "received_online"),
        "766-3.3-postal": _ind(t["received_postal"], received, "received_postal"),
        # 766 3.6: paid online ÷ dossiers paid (dossiers with a fee to pay).
        "766-3.6": _ind(t["paid_online"], t["paid"], "paid_online"),
        # 766 4.1: dossiers with an e-result ÷ dossiers finished.
        "766-4.1": _ind(t["e_result"], finished, "e_result"),
        # 766 4.2 / 4.3: received with a digitised component ÷ received.
        "766-4.2": _ind(t["digitised"], received, "digitised"),
        # 766 4.5b: submitted with the national identity ÷ received.
        "766-4.5b": _ind(t["national_identity"], received, "national_identity"),
        # 766 5.4: received − rated unsatisfied (latest rating) − late ÷ received.
        "766-5.4": _ind(
            received - t["latest_unsatisfied"] - t["finished_late"] - t["open_late"] if measured else None,
            received if measured else None,
            "unsatisfied",
        ),
        # Circular 01 ind. 1: per dossier 2 early / 1 on time / 0 late; score = sum ÷ dossiers.
        "tt01-1": _ind(2 * t["finished_early"] + t["finished_on_time"], finished, "finished_late"),
        # Circular 01 ind. 3: dossiers guided more than once at reception, or asked twice in processing.
        "tt01-3": _ind(t["guided_again"] + t["supplement_second"], received, "supplement_second"),
        # Circular 01 ind. 9: online share, and online dossiers finished late (any → 0 points).
        "tt01-9-share": _ind(t["received_online"], received, "received_online"),
        "tt01-9-late-online": _ind(t["finished_late_online"], t["received_online"], "finished_late_online"),
        # Satisfaction (SIPAS-like overall share of ratings).
        "satisfaction": _ind(
            t["satisfied"] if measured else None, t["ratings"] if measured else None, "unsatisfied"
        ),
    }


def _ind(numerator: Any, denominator: Any, metric: str | None) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": ratio(numerator, denominator),
        "metric": metric,
    }
