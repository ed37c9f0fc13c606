"""The citizens' ratings in the roll-ups, read through ``feedback.selectors.rating_rows``
(contracts.md): dicts ``{id, dossier_id, agency_id, procedure_id, channel, created_at,
satisfied, answers, questionnaire_version, officer_id}``. Until the ``feedback`` app exists,
ratings are "not yet measured" (``ratings_available()`` is False), never zero."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from motcua.reports.models import LatestRating, RatingAnswerRollup, RatingRollup
from motcua.workcalendar.calendar import VN_TZ


def _rating_rows() -> Callable[..., Iterable[dict[str, Any]]] | None:
    try:
        from motcua.feedback.selectors import rating_rows
    except ImportError:
        return None
    return rating_rows


def ratings_available() -> bool:
    return _rating_rows() is not None


def rating_rows(*, since_id: int = 0, until: datetime | None = None) -> list[dict[str, Any]]:
    source = _rating_rows()
    if source is None:
        return []
    return list(source(since_id=since_id, until=until))


def rated_dossier_ids(first: datetime, after: datetime, satisfied: bool | None) -> list[int]:
    """Dossiers rated in [first, after) (``satisfied``: only such ratings; None: any)."""
    return sorted(
        {
            r["dossier_id"]
            for r in rating_rows(until=after)
            if first <= r["created_at"] < after and (satisfied is None or bool(r["satisfied"]) == satisfied)
        }
    )


def apply_ratings(rows: Iterable[dict[str, Any]]) -> int:
    """Add ``rows`` (ratings not applied before, any order) to the roll-ups; the caller holds the
    ratings cursor's lock and runs this in its transaction. Returns how many were applied."""
    count = 0
    for row in sorted(rows, key=lambda r: r["id"]):
        day = row["created_at"].astimezone(VN_TZ).date()
        key = {"agency_id": row["agency_id"], "day": day, "procedure_id": row["procedure_id"]}
        satisfied = bool(row["satisfied"])
        rollup, _ = RatingRollup.objects.get_or_create(**key, channel=str(row["channel"])[:20])
        rollup.ratings += 1
        rollup.satisfied += satisfied
        rollup.unsatisfied += not satisfied
        _move_latest(row, rollup, satisfied)
        rollup.save()
        for question, answer in sorted((row.get("answers") or {}).items()):
            answer_row, _ = RatingAnswerRollup.objects.get_or_create(
                **key, question=str(question)[:60], answer=str(answer)[:60]
            )
            answer_row.count += 1
            answer_row.save(update_fields=["count"])
        count += 1
    return count


def _move_latest(row: dict[str, Any], rollup: RatingRollup, satisfied: bool) -> None:
    """The dossier's latest rating counts in ``latest_*``: a newer one takes the count over."""
    latest = LatestRating.objects.filter(dossier_id=row["dossier_id"]).select_related("rollup").first()
    if latest is not None and (latest.created_at, latest.rating_id) > (row["created_at"], row["id"]):
        return  # an older rating applied late: the newer one keeps the count
    if latest is not None:
        old = rollup if latest.rollup_id == rollup.pk else latest.rollup
        if latest.satisfied:
            old.latest_satisfied -= 1
        else:
            old.latest_unsatisfied -= 1
        if old is not rollup:
            old.save(update_fields=["latest_satisfied", "latest_unsatisfied"])
    if satisfied:
        rollup.latest_satisfied += 1
    else:
        rollup.latest_unsatisfied += 1
    rollup.save()
    LatestRating.objects.update_or_create(
        dossier_id=row["dossier_id"],
        defaults={
            "rating_id": row["id"],
            "created_at": row["created_at"],
            "rollup": rollup,
            "satisfied": satisfied,
        },
    )
