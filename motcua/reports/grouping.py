"""The rows of ``selectors.by_agency`` (one per handling agency) summed per unit and its subtree,
so that a commune's row counts its committee and its one-stop unit alike.

    group_by_units(rows, units) -> [{"unit": Agency, **counters, "rates": …, "bands": …}, …]

The rates are recomputed from the summed counters by ``selectors.rates`` (one rule in one
place), never averaged; each carries its volume and its Wilson band (``stats.wilson``).
"""

from typing import Any

from motcua.org.models import Agency
from motcua.reports.metrics import RATING_METRICS, SNAPSHOT_METRICS
from motcua.reports.selectors import COUNTERS, rates
from motcua.reports.stats import wilson


def empty_counters() -> dict[str, int]:
    return dict.fromkeys((*COUNTERS, *SNAPSHOT_METRICS, *RATING_METRICS), 0)


def late_count(row: dict[str, Any]) -> tuple[int, int]:
    """(late, base): finished late + open and past due ÷ finished + open (Gia Lai's late rate)."""
    return row.get("finished_late", 0) + row.get("open_late", 0), row.get("finished", 0) + row.get("open", 0)


def finish(row: dict[str, Any], *, measured: bool) -> dict[str, Any]:
    row["ratings_measured"] = measured
    row["rates"] = rates(row)
    late, base = late_count(row)
    row["late"], row["late_base"] = late, base
    row["rates"]["late_with_open"] = late / base if base else None
    row["bands"] = {
        "late_with_open": wilson(late, base),
        "online_share": wilson(row.get("received_online", 0), row.get("received", 0)),
        "satisfaction": wilson(row.get("satisfied", 0), row.get("ratings", 0)) if measured else None,
    }
    return row


def group_by_units(rows: list[dict[str, Any]], units: list[Agency]) -> list[dict[str, Any]]:
    """One row per unit of ``units`` (in that order), summing the rows of its subtree."""
    measured = bool(rows[0]["ratings_measured"]) if rows else _ratings_measured()
    paths = dict(Agency.objects.filter(pk__in=[r["agency_id"] for r in rows]).values_list("pk", "path"))
    template: dict[str, Any] = dict(empty_counters())
    out = []
    for unit in units:
        total = dict(template)
        for row in rows:
            if paths.get(row["agency_id"], "").startswith(unit.path):
                for key in total:
                    total[key] += row.get(key, 0) or 0
        total["unit"] = unit
        out.append(finish(total, measured=measured))
    return out


def _ratings_measured() -> bool:
    from motcua.reports.ratings import ratings_available

    return ratings_available()
